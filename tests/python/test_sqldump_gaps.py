"""Dialect gaps of issue 16: transaction wrappers, partition and SQLite table options, Postgres
dollar quotes and E-strings in hand-written scripts, literal DEFAULTs for columns an INSERT
leaves out, MySQL's undefined escapes, server-wide sql_mode, raw NUL bytes, cut-off INSERTs,
and refusals that name the construct. Exact values and exact error texts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.sqldump import DumpRejected, load_dump
from ingest.warehouse import connect


@pytest.fixture()
def con():
    c = connect(":memory:")
    yield c
    c.close()


def load(con, tmp_path: Path, text: str | bytes, **options):
    path = tmp_path / "dump.sql"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return load_dump(con, path, **options)


def rows(con, table: str = "t") -> list[tuple]:
    return con.execute(f'select * exclude (row_index, source_offset) from raw."{table}" order by row_index').fetchall()


def rejected(con, tmp_path, text: str | bytes, **options) -> str:
    with pytest.raises(DumpRejected) as err:
        load(con, tmp_path, text, **options)
    assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchone() == (
        1,
    )  # only the manifest: nothing from the dump
    return str(err.value)


# -- wrongly refused ---------------------------------------------------------------------------


@pytest.mark.parametrize("begin", ["START TRANSACTION", "BEGIN TRANSACTION", "BEGIN", "start transaction"])
@pytest.mark.parametrize(
    "create",
    [
        "CREATE TABLE t (a INT, b VARCHAR(10));",  # no dialect markers: ansi
        "CREATE TABLE `t` (`a` int, `b` varchar(10)) ENGINE=InnoDB;",
        "SET standard_conforming_strings = on;\nCREATE TABLE t (a integer, b text);",
    ],
)
def test_transaction_wrappers_are_skipped(con, tmp_path, begin, create):
    entries = load(con, tmp_path, f"{create}\n{begin};\nINSERT INTO t VALUES (1,'x'),(2,'y');\nCOMMIT;\n")
    assert rows(con) == [(1, "x"), (2, "y")]
    skipped = entries[0].details["statements"]["skipped"]
    assert skipped["COMMIT"] == 1
    assert skipped.get("START TRANSACTION", 0) + skipped.get("BEGIN", 0) == 1


def test_start_transaction_options_and_other_start_statements(con, tmp_path):
    text = "CREATE TABLE `t` (`a` int);\nSTART TRANSACTION WITH CONSISTENT SNAPSHOT;\nINSERT INTO `t` VALUES (1);\n"
    load(con, tmp_path, text)
    assert rows(con) == [(1,)]
    assert rejected(connect(":memory:"), tmp_path, "CREATE TABLE t (a INT);\nSTART SLAVE;\n") == (
        "line 2: START statement is not allowed in a dump (class c: not a statement a dump needs); nothing was loaded"
    )


MYSQL_PARTITIONED = """-- MySQL dump 10.13  Distrib 8.0.36
DROP TABLE IF EXISTS `t`;
CREATE TABLE `t` (
  `id` int NOT NULL,
  `region` varchar(10) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci
/*!50100 PARTITION BY {clause} */;
LOCK TABLES `t` WRITE;
INSERT INTO `t` VALUES (1,'north'),(20,'south'),(300,NULL);
UNLOCK TABLES;
"""


@pytest.mark.parametrize(
    "clause",
    [
        "RANGE (`id`)\n(PARTITION p0 VALUES LESS THAN (10) ENGINE = InnoDB,\n"
        " PARTITION p1 VALUES LESS THAN MAXVALUE ENGINE = InnoDB)",
        "LIST (`id`)\n(PARTITION p0 VALUES IN (1,20) ENGINE = InnoDB,\n PARTITION p1 VALUES IN (300) ENGINE = InnoDB)",
        "HASH (`id`)\nPARTITIONS 4",
        "KEY (id)\nPARTITIONS 2",
        "RANGE COLUMNS(region)\n(PARTITION p0 VALUES LESS THAN ('m') ENGINE = InnoDB,\n"
        " PARTITION p1 VALUES LESS THAN (MAXVALUE) ENGINE = InnoDB)",
    ],
)
def test_mysqldump_partitioned_tables_load(con, tmp_path, clause):
    entries = load(con, tmp_path, MYSQL_PARTITIONED.format(clause=clause))
    assert rows(con) == [(1, "north"), (20, "south"), (300, None)]
    assert [c["duckdb_type"] for c in entries[0].details["columns"]] == ["INTEGER", "VARCHAR"]


@pytest.mark.parametrize("options", ["STRICT", "WITHOUT ROWID", "STRICT, WITHOUT ROWID", "WITHOUT ROWID,STRICT"])
def test_sqlite_strict_and_without_rowid_tables_load(con, tmp_path, options):
    text = (
        "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"
        f"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL) {options};\n"
        "INSERT INTO t VALUES(1,'a',1.5);\nINSERT INTO t VALUES(2,'it''s',NULL);\nCOMMIT;\n"
    )
    entries = load(con, tmp_path, text, allow_sqlite_pragma_header=True)
    assert entries[0].details["dialect"] == "sqlite"
    assert rows(con) == [(1, "a", 1.5), (2, "it's", None)]


def test_postgres_dollar_quotes_and_e_strings_in_a_hand_written_script(con, tmp_path):
    text = (
        "CREATE TABLE notes (id integer, body text);\n"
        "INSERT INTO notes VALUES (1, $$it's $1 'quoted'$$), (2, $tag$a $$ b;c$tag$), (3, $$$$);\n"
        "INSERT INTO notes VALUES (4, E'tab\\there\\nnew'), (5, E'it\\'s'), (6, e'\\\\x'), (7, 'plain\\n');\n"
    )
    entries = load(con, tmp_path, text)
    assert entries[0].details["dialect"] == "postgres"
    assert rows(con, "notes") == [
        (1, "it's $1 'quoted'"),
        (2, "a $$ b;c"),
        (3, ""),
        (4, "tab\there\nnew"),
        (5, "it's"),
        (6, "\\x"),
        (7, "plain\\n"),  # standard strings keep the backslash
    ]


def test_dollar_quote_cut_off_by_end_of_file(con, tmp_path):
    text = "CREATE TABLE t (a integer, b text);\nINSERT INTO t VALUES (1, $x$never closed);\n"
    assert rejected(con, tmp_path, text, dialect="postgres") == (
        'line 2: INSERT into "t": unterminated dollar-quoted string (the file ends inside it); nothing was loaded'
    )


def test_literal_defaults_fill_columns_an_insert_leaves_out(con, tmp_path):
    text = (
        "CREATE TABLE `t` (\n  `id` int NOT NULL,\n  `status` varchar(10) NOT NULL DEFAULT 'new',\n"
        "  `qty` int DEFAULT '0',\n  `price` decimal(6,2) NOT NULL DEFAULT -1.50,\n"
        "  `flag` tinyint(1) DEFAULT 1,\n  `note` text DEFAULT NULL,\n  `day` date DEFAULT '2024-02-29',\n"
        "  `q` varchar(5) DEFAULT 'it''s'\n) ENGINE=InnoDB;\n"
        "INSERT INTO `t` (`id`) VALUES (1),(2);\n"
        "INSERT INTO `t` (`id`,`status`,`qty`) VALUES (3,'old',7);\n"
    )
    load(con, tmp_path, text)
    assert rows(con) == [
        (1, "new", 0, Decimal("-1.50"), 1, None, dt.date(2024, 2, 29), "it's"),
        (2, "new", 0, Decimal("-1.50"), 1, None, dt.date(2024, 2, 29), "it's"),
        (3, "old", 7, Decimal("-1.50"), 1, None, dt.date(2024, 2, 29), "it's"),
    ]


def test_postgres_literal_defaults_with_text_casts(con, tmp_path):
    text = (
        "SET standard_conforming_strings = on;\n"
        "CREATE TABLE public.t (id integer NOT NULL, kind character varying(10) DEFAULT 'x'::character varying "
        "NOT NULL, active boolean DEFAULT true, n numeric(5,1) DEFAULT (2.5));\n"
        "INSERT INTO public.t (id) VALUES (1);\n"
    )
    load(con, tmp_path, text)
    assert rows(con) == [(1, "x", True, Decimal("2.5"))]


@pytest.mark.parametrize(
    "column, message",
    [
        (
            "`b` timestamp NULL DEFAULT CURRENT_TIMESTAMP",
            "whose DEFAULT expression CURRENT_TIMESTAMP() the loader does not compute",
        ),
        ("`b` char(36) DEFAULT (uuid())", "whose DEFAULT expression (UUID()) the loader does not compute"),
        (
            "`b` int GENERATED ALWAYS AS (`a` * 2) STORED",
            "a GENERATED column (AS `a` * 2), whose value the loader does not compute",
        ),
        ("`b` int AS (`a` + 1) VIRTUAL", "a GENERATED column (AS (`a` + 1)), whose value the loader does not compute"),
        ("`b` int NOT NULL AUTO_INCREMENT", "an AUTO_INCREMENT column, whose value the loader does not compute"),
        ("`b` int NOT NULL DEFAULT NULL", "which is NOT NULL and has no default"),
        ("`b` date DEFAULT '2023-02-30'", None),
    ],
)
def test_defaults_the_loader_cannot_compute_are_named(con, tmp_path, column, message):
    text = f"CREATE TABLE `t` (`a` int, {column});\nINSERT INTO `t` (`a`) VALUES (1);\n"
    got = rejected(con, tmp_path, text)
    if message is None:
        assert got.startswith(
            "line 2: INSERT into \"t\" leaves out column 'b', whose DEFAULT '2023-02-30' does not convert to DATE ("
        ), got
    else:
        assert got == f"line 2: INSERT into \"t\" leaves out column 'b', {message}; nothing was loaded"


# -- wrong values, silently --------------------------------------------------------------------


def test_mysql_undefined_escapes_drop_the_backslash(con, tmp_path):
    values = [r"'\q'", r"'\ x'", r"'\B\N\Y'", r"'50\%\_'", r"'\\q'", r"'\é'", r"'a\\\q'"]
    text = "CREATE TABLE `t` (`a` int, `b` varchar(20));\n" + "".join(
        f"INSERT INTO `t` VALUES ({i},{v});\n" for i, v in enumerate(values)
    )
    load(con, tmp_path, text)
    assert [b for _, b in rows(con)] == ["q", " x", "BNY", "50\\%\\_", "\\q", "é", "a\\q"]
    # the same in one long extended INSERT (the vectorised reader)
    con2 = connect(":memory:")
    many = ",".join(f"({i},{values[i % len(values)]})" for i in range(3000))
    load(con2, tmp_path, "CREATE TABLE `t` (`a` int, `b` varchar(20));\n" + f"INSERT INTO `t` VALUES {many};\n")
    expected = ["q", " x", "BNY", "50\\%\\_", "\\q", "é", "a\\q"]
    assert [b for _, b in rows(con2)] == [expected[i % len(expected)] for i in range(3000)]


@pytest.mark.parametrize(
    "statement",
    [
        "SET GLOBAL sql_mode='NO_BACKSLASH_ESCAPES'",
        "SET PERSIST sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES'",
        "SET PERSIST_ONLY sql_mode='NO_BACKSLASH_ESCAPES'",
        "SET @@GLOBAL.sql_mode='NO_BACKSLASH_ESCAPES'",
        "/*!40101 SET @@global.sql_mode='NO_BACKSLASH_ESCAPES' */",
    ],
)
def test_server_wide_sql_mode_does_not_change_this_session(con, tmp_path, statement):
    text = f"CREATE TABLE `t` (`a` int, `b` varchar(10));\n{statement};\nINSERT INTO `t` VALUES (1,'a\\nb');\n"
    entries = load(con, tmp_path, text)
    assert rows(con) == [(1, "a\nb")]
    assert entries[0].details["statements"]["skipped"] == {
        "SET GLOBAL / SET PERSIST (server-wide; not this session's setting)": 1
    }


@pytest.mark.parametrize(
    "statement", ["SET SESSION sql_mode='NO_BACKSLASH_ESCAPES'", "SET @@SESSION.sql_mode='NO_BACKSLASH_ESCAPES'"]
)
def test_session_sql_mode_is_still_honoured(con, tmp_path, statement):
    text = f"CREATE TABLE `t` (`a` int, `b` varchar(10));\n{statement};\nINSERT INTO `t` VALUES (1,'a\\nb');\n"
    load(con, tmp_path, text)
    assert rows(con) == [(1, "a\\nb")]


# -- wrongly accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "create, insert, line",
    [
        ("CREATE TABLE `t` (`a` int, `b` varchar(10));", "INSERT INTO `t` VALUES (1,'ok'),\n(2,'a\x00b');", 3),
        ("CREATE TABLE t (a integer, b text);", "INSERT INTO t VALUES (1,'ok'),\n(2,'a\x00b');", 3),
        ("CREATE TABLE t (a integer, b text);", "COPY t (a, b) FROM stdin;\n1\tok\n2\ta\x00b\n\\.", 4),
    ],
)
def test_raw_nul_byte_is_refused_with_its_line(con, tmp_path, create, insert, line):
    text = f"{create}\n{insert}\n"
    offset = text.encode().index(b"\x00")
    assert rejected(con, tmp_path, text) == (
        f"line {line}: a raw NUL byte (0x00) at byte offset {offset}: SQL text cannot hold one, and a database "
        "reading the dump would cut or refuse the string there (dump writers write it escaped, e.g. "
        "MySQL '\\0'); nothing was loaded"
    )


def test_escaped_nul_stays_legitimate(con, tmp_path):
    load(con, tmp_path, "CREATE TABLE `t` (`a` int, `b` varchar(10));\nINSERT INTO `t` VALUES (1,'a\\0b');\n")
    assert rows(con) == [(1, "a\x00b")]


# -- errors that name the construct ------------------------------------------------------------


@pytest.mark.parametrize(
    "create, values",
    [
        ("CREATE TABLE t (a INT, b VARCHAR(10));", "(1,'x'),"),
        ("CREATE TABLE `t` (`a` int, `b` varchar(10));", "(1,'x'),(2,'y'),  "),
        ("CREATE TABLE `t` (`a` int, `b` varchar(10));", ",".join(f"({i},'x')" for i in range(5000)) + ","),
    ],
)
def test_insert_cut_off_after_a_comma(con, tmp_path, create, values):
    assert rejected(con, tmp_path, f"{create}\nINSERT INTO t VALUES {values}\n") == (
        "line 2: INSERT into \"t\": unexpected end of file after ',' (the statement is cut off where another "
        "row of VALUES was expected); nothing was loaded"
    )


@pytest.mark.parametrize(
    "statement, message",
    [
        (
            "INSERT INTO t VALUES (1, (SELECT max(a) FROM t));",
            "a parenthesised SELECT (subquery) in VALUES is not allowed in a dump (class c: could change loaded rows)",
        ),
        (
            "(SELECT 1);",
            "parenthesised SELECT statement is not allowed in a dump (class c: not a statement a dump needs)",
        ),
        (
            "((SELECT a FROM t));",
            "parenthesised SELECT statement is not allowed in a dump (class c: not a statement a dump needs)",
        ),
    ],
)
def test_parenthesised_select_is_named(con, tmp_path, statement, message):
    text = f"CREATE TABLE t (a INT, b VARCHAR(10));\n{statement}\n"
    assert rejected(con, tmp_path, text) == f"line 2: {message}; nothing was loaded"


# -- bounded memory: staged loads stay atomic --------------------------------------------------

MANY = "".join(
    f"CREATE TABLE t{i} (a INT, b VARCHAR(10));\nINSERT INTO t{i} VALUES ({i},'r{i}'),({i + 1},'s');\n"
    for i in range(5)
)


def raw_tables(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by table_name"
        ).fetchall()
    ]


def _checkpoint_after_every_append(monkeypatch) -> list[bool]:
    """Make the writer commit and checkpoint before every append; the list records each
    commit the load makes (True: with a checkpoint)."""
    from ingest.sqldump import load_db, loader

    monkeypatch.setattr(load_db.StagedMemory, "over", lambda self, con, columns: True)
    made: list[bool] = []
    commit = loader._Load._commit_staged

    def recording(self, checkpoint):
        made.append(checkpoint)
        commit(self, checkpoint)

    monkeypatch.setattr(loader._Load, "_commit_staged", recording)
    return made


def test_staged_load_commits_in_steps_and_swaps_in_at_the_end(tmp_path, monkeypatch):
    made = _checkpoint_after_every_append(monkeypatch)
    con = connect(tmp_path / "w.duckdb")
    load(con, tmp_path, "CREATE TABLE t1 (a INT, b VARCHAR(10));\nINSERT INTO t1 VALUES (99,'old');\n")
    limit = con.execute("select current_setting('memory_limit')").fetchone()
    entries = load(con, tmp_path, MANY)
    assert [e.table_name for e in entries] == ["t0", "t1", "t2", "t3", "t4"]
    assert raw_tables(con) == ["ingest_manifest", "t0", "t1", "t2", "t3", "t4"]
    assert rows(con, "t1") == [(1, "r1"), (2, "s")]
    assert rows(con, "t4") == [(4, "r4"), (5, "s")]
    assert con.execute("select current_setting('memory_limit')").fetchone() == limit
    assert made == [True] * 6  # one before each append: t1 of the first load, t0..t4 of MANY
    con.close()


@pytest.mark.parametrize("knob", ["checkpoints", "COMMIT_EVERY_ROWS"])
def test_failed_staged_load_leaves_nothing_even_after_intermediate_commits(tmp_path, monkeypatch, knob):
    from ingest.sqldump import loader

    made = _checkpoint_after_every_append(monkeypatch) if knob == "checkpoints" else []
    if knob != "checkpoints":
        monkeypatch.setattr(loader, knob, 2)
    monkeypatch.setattr(loader, "MAX_PENDING_ROWS", 2)  # flush (and so count) rows as they come
    con = connect(tmp_path / "w.duckdb")
    load(con, tmp_path, "CREATE TABLE t1 (a INT, b VARCHAR(10));\nINSERT INTO t1 VALUES (99,'old');\n")
    with pytest.raises(DumpRejected) as err:
        load(con, tmp_path, MANY + "INSERT INTO t4 VALUES (1, 2, 3);\n")
    assert str(err.value) == 'line 11: INSERT into "t4": a row with 3 values, expected 2; nothing was loaded'
    assert raw_tables(con) == ["ingest_manifest", "t1"]
    assert rows(con, "t1") == [(99, "old")]
    assert con.execute("select table_name, row_count from raw.ingest_manifest").fetchall() == [("t1", 1)]
    assert knob != "checkpoints" or len(made) >= 4  # it failed after checkpoints had been made
    con.close()


def test_checkpoints_follow_the_memory_duckdb_holds_not_a_table_count(tmp_path, monkeypatch):
    # 60 tables of 40 VARCHAR columns hold about 80 MiB until a checkpoint writes them out,
    # whatever their 3 rows: under a 32 MiB limit a fixed count of tables per checkpoint ran
    # out of memory (as 900 tables of 60 columns did at the real 256 MiB); the writer asks
    # DuckDB and checkpoints in time.
    from ingest.sqldump import load_db

    monkeypatch.setattr(load_db, "LOAD_MEMORY_LIMIT", 32 << 20)
    asked: list[int] = []
    over = load_db.StagedMemory.over

    def counting(self, con, columns):
        got = over(self, con, columns)
        asked.append(got)
        return got

    monkeypatch.setattr(load_db.StagedMemory, "over", counting)
    values = ",".join("(" + ",".join(f"'v{r}'" for _ in range(40)) + ")" for r in range(3))
    text = "".join(
        f"CREATE TABLE w{t} ({', '.join(f'c{j} varchar(20)' for j in range(40))});\nINSERT INTO w{t} VALUES {values};\n"
        for t in range(60)
    )
    con = connect(tmp_path / "w.duckdb")
    entries = load(con, tmp_path, text)
    assert [e.row_count for e in entries] == [3] * 60
    assert con.execute("select c39 from raw.w59 order by row_index").fetchall() == [("v0",), ("v1",), ("v2",)]
    # about 1.4 MiB a table against a 12 MiB budget: a checkpoint every 9 or so tables (6 here)
    assert len(asked) == 60 and 4 <= sum(asked) <= 12
    con.close()


def test_a_wide_table_after_many_narrow_ones_is_checkpointed_for_before_it_is_appended(tmp_path, monkeypatch):
    # 84 narrow tables leave the staged memory just under the budget; the one append of a
    # 350-column table needs about twice what it then keeps, so the writer must look before
    # appending it (looking after ran out of a 32 MiB limit).
    from ingest.sqldump import load_db

    monkeypatch.setattr(load_db, "LOAD_MEMORY_LIMIT", 32 << 20)
    narrow = "".join(
        f"CREATE TABLE n{t} (a VARCHAR(5), b VARCHAR(5), c VARCHAR(5));\nINSERT INTO n{t} VALUES ('a','b','c');\n"
        for t in range(84)
    )
    wide = (
        "CREATE TABLE wide (" + ", ".join(f"c{j} VARCHAR(5)" for j in range(350)) + ");\n"
        "INSERT INTO wide VALUES (" + ",".join("'x'" for _ in range(350)) + ");\n"
    )
    con = connect(tmp_path / "w.duckdb")
    entries = load(con, tmp_path, narrow + wide)
    assert [e.row_count for e in entries] == [1] * 85
    assert con.execute("select c349 from raw.wide").fetchall() == [("x",)]
    con.close()


def test_a_checkpoint_another_writer_blocks_is_skipped_not_fatal(tmp_path, monkeypatch):
    # CHECKPOINT refuses while another connection has a write transaction open; the load goes
    # on (its rows stay in memory until a later checkpoint) instead of failing.
    made = _checkpoint_after_every_append(monkeypatch)
    con = connect(tmp_path / "w.duckdb")
    other = con.cursor()
    other.execute("BEGIN TRANSACTION")
    other.execute("CREATE TABLE main.elsewhere (x INTEGER)")
    entries = load(con, tmp_path, MANY)
    assert [e.table_name for e in entries] == ["t0", "t1", "t2", "t3", "t4"]
    assert rows(con, "t4") == [(4, "r4"), (5, "s")]
    assert made == [True] * 5
    other.execute("ROLLBACK")
    con.close()


def test_staged_memory_budget_follows_the_memory_limit(tmp_path, monkeypatch):
    from ingest.sqldump import load_db
    from ingest.sqldump.load_db import StagedMemory

    con = connect(tmp_path / "w.duckdb")
    con.execute("SET memory_limit = '256MiB'")
    staged = StagedMemory(con)
    assert (staged.budget, staged.ask_every) == (96 << 20, 819)
    assert [staged.over(con, 400), staged.over(con, 400), staged.over(con, 19)] == [False, False, False]
    assert staged.columns == 0  # it asked DuckDB after 819 columns (nothing is held: no checkpoint)
    # memory held apart from the load (a temporary table here) is not counted against it
    con.execute("CREATE TEMP TABLE apart AS SELECT range AS i, range::VARCHAR AS s FROM range(3000000)")
    apart = StagedMemory(con)
    assert apart.baseline > 40 << 20
    apart.ask_every, apart.budget = 1, 16 << 20
    assert apart.over(con, 1) is False
    apart.baseline = 0
    assert apart.over(con, 1) is True  # counted, it would pass a 16 MiB budget
    monkeypatch.setattr(load_db, "_bytes_of", lambda setting: None)
    monkeypatch.setattr(load_db, "LOAD_MEMORY_LIMIT", 64 << 20)
    assert StagedMemory(con).budget == 24 << 20  # a limit it cannot read counts as the load's cap
    con.close()
    memory = connect(":memory:")
    assert StagedMemory(memory).budget is None and not StagedMemory(memory).over(memory, 10**6)


def test_leftover_staging_tables_of_a_crashed_load_are_dropped(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    con.execute("create schema if not exists raw")
    con.execute('create table raw."_moneytrail_loading_0000003" (x int)')
    load(con, tmp_path, "CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);\n")
    assert raw_tables(con) == ["ingest_manifest", "t"]
    con.close()


def test_staging_prefix_is_reserved(con, tmp_path):
    assert rejected(con, tmp_path, "CREATE TABLE _moneytrail_loading_x (a INT);\n") == (
        "line 1: table name '_moneytrail_loading_x' starts with '_moneytrail_loading_', which the loader "
        "reserves for its staging tables; nothing was loaded"
    )


def test_table_name_with_a_quote_is_staged_and_renamed(con, tmp_path):
    load(con, tmp_path, 'CREATE TABLE "we""ird" (a INT);\nINSERT INTO "we""ird" VALUES (1),(2);\n')
    assert raw_tables(con) == ["ingest_manifest", 'we"ird']
    assert con.execute('select a from raw."we""ird" order by row_index').fetchall() == [(1,), (2,)]
