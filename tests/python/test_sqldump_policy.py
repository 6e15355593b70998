"""SQL dump policy: every statement is loaded, skipped (cannot change rows) or refused, with
exact messages; relaxations are named options; loads are atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import manifest
from ingest.sqldump import DumpRejected, DumpWarning, load_dump
from ingest.warehouse import connect

T = "CREATE TABLE t (a INT, b VARCHAR(20));\n"
M = "CREATE TABLE `t` (`a` int, `b` varchar(20)) ENGINE=InnoDB;\n"
PG = "SET standard_conforming_strings = on;\nCREATE TABLE t (a integer, b text);\n"


@pytest.fixture()
def con():
    c = connect(":memory:")
    manifest.ensure_raw_schema(c)  # as any load leaves it, so "before" and "after" compare
    yield c
    c.close()


def write(tmp_path: Path, text: str | bytes, name: str = "dump.sql") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def raw_state(con) -> list[tuple]:
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
    ).fetchall()
    return tables + [con.execute(f'select count(*) from raw."{t}"').fetchone() for (t,) in tables]


def refused(con, tmp_path, text: str, **options) -> DumpRejected:
    before = raw_state(con)
    with pytest.raises(DumpRejected) as err:
        load_dump(con, write(tmp_path, text), **options)
    assert raw_state(con) == before  # nothing from the dump
    return err.value


def rows(con, table: str = "t") -> list[tuple]:
    return con.execute(f'select * exclude (source_offset) from raw."{table}" order by row_index').fetchall()


ROWS = "could change loaded rows"
OUTSIDE = "could act outside the dump"
UNKNOWN = "not a statement a dump needs"

CLASS_C = [
    (T + "INSERT INTO t VALUES (1,'x');\nDELETE FROM t;\n", "DELETE", 3, ROWS),
    (T + "UPDATE t SET a = 1;\n", "UPDATE", 2, ROWS),
    (T + "TRUNCATE TABLE t;\n", "TRUNCATE", 2, ROWS),
    (T + "ROLLBACK;\n", "ROLLBACK", 2, ROWS),
    (M + "REPLACE INTO `t` VALUES (1,'a');\n", "REPLACE INTO", 2, ROWS),
    (T + "INSERT OR REPLACE INTO t VALUES (1,'a');\n", "INSERT OR REPLACE", 2, ROWS),
    (T + "INSERT OR IGNORE INTO t VALUES (1,'a');\n", "INSERT OR IGNORE", 2, ROWS),
    (M + "INSERT IGNORE INTO `t` VALUES (1,'a');\n", "INSERT IGNORE", 2, ROWS),
    (
        M + "INSERT INTO `t` VALUES (1,'a') ON DUPLICATE KEY UPDATE b='z';\n",
        "INSERT ... ON DUPLICATE KEY UPDATE",
        2,
        ROWS,
    ),
    (PG + "INSERT INTO t VALUES (1,'a') ON CONFLICT DO NOTHING;\n", "INSERT ... ON CONFLICT", 3, ROWS),
    (T + "INSERT INTO t SELECT 1, 'a';\n", "INSERT ... SELECT", 2, ROWS),
    (T + "ATTACH DATABASE '/tmp/evil.db' AS evil;\n", "ATTACH", 2, OUTSIDE),
    (T + "DETACH DATABASE evil;\n", "DETACH", 2, OUTSIDE),
    (T + "INSTALL httpfs;\n", "INSTALL", 2, OUTSIDE),
    (T + "LOAD httpfs;\n", "LOAD", 2, OUTSIDE),
    (M + "LOAD DATA INFILE '/etc/passwd' INTO TABLE t;\n", "LOAD DATA", 2, OUTSIDE),
    (PG + "COPY t FROM '/etc/passwd';\n", "COPY ... FROM file", 3, OUTSIDE),
    (PG + "COPY t FROM PROGRAM 'id';\n", "COPY ... FROM PROGRAM", 3, OUTSIDE),
    (PG + "COPY t TO '/tmp/out';\n", "COPY ... TO", 3, OUTSIDE),
    (T + "PRAGMA writable_schema=ON;\n", "PRAGMA", 2, ROWS),
    (T + "VACUUM;\n", "VACUUM", 2, UNKNOWN),
    (T + "ALTER TABLE t ADD COLUMN c int;\n", "ALTER TABLE ... ADD COLUMN", 2, ROWS),
    (T + "ALTER TABLE t RENAME TO u;\n", "ALTER TABLE ... RENAME TO", 2, ROWS),
    (M + "ALTER TABLE `t` MODIFY `a` bigint;\n", "ALTER TABLE ... MODIFY", 2, ROWS),
    (T + "CALL p();\n", "CALL", 2, ROWS),
    (T + "SELECT * FROM t;\n", "SELECT", 2, UNKNOWN),
    (PG + "CREATE EXTENSION plpython3u;\n", "CREATE EXTENSION", 3, OUTSIDE),
    (T + "CREATE TABLE u AS SELECT * FROM t;\n", "CREATE TABLE ... AS SELECT", 2, ROWS),
    (T + "CREATE TEMPORARY TABLE u (a int);\n", "CREATE TEMPORARY TABLE", 2, ROWS),
    (PG + "\\! rm -rf /\n", "psql meta-command \\!", 3, OUTSIDE),
    (PG + "\\i /etc/passwd\n", "psql meta-command \\i", 3, OUTSIDE),
    (PG + "\\copy t from '/etc/passwd'\n", "psql meta-command \\copy", 3, OUTSIDE),
]


@pytest.mark.parametrize("text, kind, line, reason", CLASS_C, ids=[c[1] for c in CLASS_C])
def test_class_c_statement_refused(con, tmp_path, text, kind, line, reason):
    err = refused(con, tmp_path, text)
    assert str(err) == (
        f"line {line}: {kind} statement is not allowed in a dump (class c: {reason}); nothing was loaded"
    )
    assert (err.kind, err.line) == (kind, line)


PROGRAMMABLE = [
    (T, "CREATE VIEW v AS SELECT * FROM t;\n", "CREATE VIEW"),
    (T, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END;\n", "CREATE TRIGGER"),
    (PG, "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n", "CREATE FUNCTION"),
    (M, "DELIMITER ;;\nCREATE PROCEDURE p() BEGIN DELETE FROM t; END ;;\nDELIMITER ;\n", "CREATE PROCEDURE"),
    (PG, "CREATE MATERIALIZED VIEW mv AS SELECT 1;\n", "CREATE MATERIALIZED VIEW"),
    (M, "DROP VIEW IF EXISTS v;\n", "DROP VIEW"),
]


@pytest.mark.parametrize("head, obj, kind", PROGRAMMABLE, ids=[c[2] for c in PROGRAMMABLE])
def test_programmable_objects_refused_unless_skipped(con, tmp_path, head, obj, kind):
    text = head + "INSERT INTO t VALUES (7, 'kept');\n" + obj
    line = text.count("\n", 0, text.index(obj[:12])) + 1 + obj.startswith("DELIMITER")
    err = refused(con, tmp_path, text)
    assert str(err) == (
        f"line {line}: {kind} statement is not allowed in a dump (class c: "
        f"{ROWS}; skip_programmable_objects=True skips it); nothing was loaded"
    )
    with pytest.warns(
        DumpWarning,
        match=f"^skipped programmable objects "
        rf"\(skip_programmable_objects=True\): {kind} ",
    ):
        load_dump(con, write(tmp_path, text), skip_programmable_objects=True)
    assert rows(con) == [(0, 7, "kept")]


def test_skipped_objects_are_listed_in_the_warning_and_manifest(con, tmp_path):
    text = (
        M + "INSERT INTO `t` VALUES (1,'a');\n"
        "DELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 "
        "TRIGGER `upd` BEFORE UPDATE ON `t` FOR EACH ROW BEGIN SET NEW.b = 'x'; END */;;\n"
        "DELIMITER ;\n"
        "CREATE VIEW `v` AS SELECT `a` FROM `t`;\n"
    )
    with pytest.warns(DumpWarning) as caught:
        entries = load_dump(con, write(tmp_path, text), skip_programmable_objects=True)
    message = (
        "skipped programmable objects (skip_programmable_objects=True): "
        "CREATE TRIGGER `upd` (dump.sql line 4); CREATE VIEW `v` (dump.sql line 6)"
    )
    assert [str(w.message) for w in caught] == [message]
    assert entries[0].details["warnings"] == [message]
    assert entries[0].details["statements"]["skipped"] == {
        "CREATE TRIGGER": 1,
        "CREATE VIEW": 1,
        "DELIMITER (mysql client command)": 2,
    }


def test_a_skipped_trigger_before_more_rows_of_its_table_is_still_refused(con, tmp_path):
    text = (
        M + "INSERT INTO `t` VALUES (1,'a');\n"
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.b = 'changed';\n"
        "INSERT INTO `t` VALUES (2,'b');\n"
    )
    err = refused(con, tmp_path, text, skip_programmable_objects=True)
    assert str(err) == (
        'line 4: INSERT into "t" after CREATE TRIGGER tr (line 3), which '
        "skip_programmable_objects skipped: the trigger would have changed these rows (only "
        "objects defined after their table's data can be skipped); nothing was loaded"
    )


def test_sqlite_trigger_body_is_skipped_whole(con, tmp_path):
    text = (
        T + "INSERT INTO t VALUES (1,'a');\n"
        "CREATE TRIGGER tr AFTER DELETE ON t BEGIN\n  INSERT INTO log VALUES (old.a);\n"
        "  UPDATE t SET b = 'x';\nEND;\n"
    )
    with pytest.warns(DumpWarning):
        load_dump(con, write(tmp_path, text), skip_programmable_objects=True, dialect="sqlite")
    assert rows(con) == [(0, 1, "a")]


def test_class_b_statements_are_skipped_and_counted(con, tmp_path):
    text = (
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
        "/*!50503 SET NAMES utf8mb4 */;\n"
        "DROP DATABASE IF EXISTS `shop`;\nCREATE DATABASE `shop`;\nUSE `shop`;\n"
        "DROP TABLE IF EXISTS `t`;\n" + M + "LOCK TABLES `t` WRITE;\n/*!40000 ALTER TABLE `t` DISABLE KEYS */;\n"
        "START TRANSACTION;\nINSERT INTO `t` VALUES (1,'a');\nCOMMIT;\n"
        "/*!40000 ALTER TABLE `t` ENABLE KEYS */;\nUNLOCK TABLES;\n"
        "CREATE INDEX `i` ON `t` (`a`);\n"
        "ALTER TABLE `t` ADD CONSTRAINT `pk` PRIMARY KEY (`a`);\n"
        "ALTER TABLE `t` ENGINE=InnoDB, AUTO_INCREMENT=5;\n"
        "GRANT SELECT ON `t` TO 'reader';\n"
        "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n"
    )
    entries = load_dump(con, write(tmp_path, text))
    assert rows(con) == [(0, 1, "a")]
    assert entries[0].details["statements"] == {
        "loaded": {"CREATE TABLE": 1, "INSERT": 1},
        "skipped": {
            "ALTER TABLE ... ADD CONSTRAINT": 1,
            "ALTER TABLE ... DISABLE/ENABLE KEYS": 2,
            "ALTER TABLE ... table options": 1,
            "COMMIT": 1,
            "CREATE DATABASE": 1,
            "CREATE INDEX": 1,
            "DROP DATABASE": 1,
            "DROP TABLE": 1,
            "GRANT": 1,
            "LOCK TABLES": 1,
            "SET": 3,
            "START TRANSACTION": 1,
            "UNLOCK TABLES": 1,
            "USE": 1,
        },
    }


def test_pg_dump_boilerplate_is_skipped(con, tmp_path):
    text = (
        "\\restrict abc123\n"
        "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n"
        "SET standard_conforming_strings = on;\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE SCHEMA extra;\nCREATE SEQUENCE public.t_a_seq START WITH 1;\n"
        "CREATE TABLE public.t (a integer NOT NULL, b text);\n"
        "ALTER TABLE public.t OWNER TO postgres;\n"
        "ALTER SEQUENCE public.t_a_seq OWNED BY public.t.a;\n"
        "ALTER TABLE ONLY public.t ALTER COLUMN a SET DEFAULT nextval('public.t_a_seq'::regclass);\n"
        "COPY public.t (a, b) FROM stdin;\n1\tone\n\\.\n"
        "SELECT pg_catalog.setval('public.t_a_seq', 1, true);\n"
        "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n"
        "COMMENT ON TABLE public.t IS 'a table';\n"
        "REVOKE USAGE ON SCHEMA public FROM PUBLIC;\n"
        "\\unrestrict abc123\n"
    )
    entries = load_dump(con, write(tmp_path, text))
    assert rows(con) == [(0, 1, "one")]
    assert entries[0].details["statements"]["skipped"] == {
        "ALTER ... OWNER TO": 1,
        "ALTER SEQUENCE": 1,
        "ALTER TABLE ... ADD CONSTRAINT": 1,
        "ALTER TABLE ... ALTER COLUMN SET DEFAULT": 1,
        "COMMENT ON": 1,
        "CREATE SCHEMA": 1,
        "CREATE SEQUENCE": 1,
        "REVOKE": 1,
        "SELECT pg_catalog.set_config": 1,
        "SELECT setval (sequence position)": 1,
        "SET": 3,
        "psql \\restrict": 1,
        "psql \\unrestrict": 1,
    }


def test_setval_with_a_subquery_is_refused(con, tmp_path):
    err = refused(con, tmp_path, PG + "SELECT setval('s', (SELECT max(a) FROM t));\n")
    assert str(err) == (
        "line 3: SELECT statement is not allowed in a dump (class c: not a statement a dump needs); nothing was loaded"
    )


def test_database_prologue_rules(con, tmp_path):
    load_dump(
        con,
        write(
            tmp_path,
            "DROP DATABASE IF EXISTS chinook;\nCREATE DATABASE chinook;\n"
            "\\c chinook;\n" + PG.split("\n", 1)[1] + "INSERT INTO t VALUES (1, 'a');\n",
        ),
    )
    assert rows(con) == [(0, 1, "a")]
    err = refused(con, tmp_path, "CREATE DATABASE a;\nUSE b;\n" + M)
    assert str(err) == (
        "line 2: USE of a second database (b) is not allowed in a dump (class c: "
        "could change loaded rows; one database per dump); nothing was loaded"
    )
    err = refused(con, tmp_path, M + "USE a;\n")
    assert str(err) == (
        "line 2: USE statement is not allowed in a dump (class c: could change loaded rows; only "
        "a leading CREATE/DROP DATABASE, USE or \\connect is skipped (one database per dump)); "
        "nothing was loaded"
    )


def test_drop_table_rules(con, tmp_path):
    err = refused(con, tmp_path, T + "INSERT INTO t VALUES (1,'x');\nDROP TABLE t;\n")
    assert str(err) == (
        'line 3: DROP TABLE "t" (the table already holds rows) is not allowed in '
        "a dump (class c: could change loaded rows); nothing was loaded"
    )
    err = refused(con, tmp_path, T + "DROP TABLE other;\n")
    assert str(err) == (
        'line 2: DROP TABLE "other" (a table this dump has not created) is not '
        "allowed in a dump (class c: could change loaded rows); nothing was loaded"
    )
    load_dump(
        con,
        write(
            tmp_path, "DROP TABLE IF EXISTS t, other;\n" + T + "DROP TABLE t;\n" + T + "INSERT INTO t VALUES (2,'y');\n"
        ),
    )
    assert rows(con) == [(0, 2, "y")]


def test_sqlite_pragma_header_only_as_first_statement(con, tmp_path):
    header = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n" + T + "INSERT INTO t VALUES(1,'a');\nCOMMIT;\n"
    load_dump(con, write(tmp_path, header), allow_sqlite_pragma_header=True)
    assert rows(con) == [(0, 1, "a")]
    err = refused(con, tmp_path, T + "PRAGMA foreign_keys=OFF;\n", allow_sqlite_pragma_header=True)
    assert str(err) == (
        "line 2: PRAGMA statement is not allowed in a dump (class c: could change loaded rows); nothing was loaded"
    )
    err = refused(con, tmp_path, "PRAGMA journal_mode=WAL;\n" + T, allow_sqlite_pragma_header=True)
    assert err.line == 1 and err.kind == "PRAGMA"


def test_encoding_settings(con, tmp_path):
    err = refused(con, tmp_path, "SET NAMES latin1;\n" + M)
    assert str(err) == (
        "line 1: SET NAMES latin1: this loader reads dumps as UTF-8 only "
        "(re-export the dump as UTF-8); nothing was loaded"
    )
    err = refused(con, tmp_path, "SET client_encoding = 'LATIN1';\n" + PG)
    assert err.kind == "SET client_encoding" and err.line == 1
    err = refused(con, tmp_path, M + "SET sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');\n")
    assert str(err) == (
        "line 2: sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES'): an expression the loader cannot "
        "evaluate, and sql_mode decides how string literals are read; nothing was loaded"
    )


def test_schema_file_must_not_hold_rows(con, tmp_path):
    schema = write(tmp_path, T + "INSERT INTO t VALUES (1,'a');\n", "schema.sql")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, write(tmp_path, "INSERT INTO t VALUES (2,'b');\n"), schema_path=schema)
    assert str(err.value) == (
        "schema file schema.sql line 2: INSERT in the schema file (it must hold table definitions "
        "only; load a file with rows as the dump itself); nothing was loaded"
    )


def test_schema_file_defines_tables_for_a_data_only_dump(con, tmp_path):
    schema = write(tmp_path, "CREATE TABLE `t` (`a` int, `b` varchar(5));\n", "schema.sql")
    entries = load_dump(con, write(tmp_path, "INSERT INTO `t` VALUES (1,'a'),(2,'b');\n"), schema_path=schema)
    assert rows(con) == [(0, 1, "a"), (1, 2, "b")]
    assert entries[0].details["defined_in"] == "schema file"
    assert entries[0].details["schema_statements"] == {"loaded": {"CREATE TABLE": 1}, "skipped": {}}


def test_table_prefix(con, tmp_path):
    entries = load_dump(con, write(tmp_path, T + "INSERT INTO t VALUES (1,'a');\n"), table_prefix="shop_")
    assert [e.table_name for e in entries] == ["shop_t"]
    assert rows(con, "shop_t") == [(0, 1, "a")]
    with pytest.raises(DumpRejected) as err:
        load_dump(con, write(tmp_path, T), table_prefix="x-")
    assert str(err.value) == ("table_prefix 'x-' must be letters, digits and underscores; nothing was loaded")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, tmp_path / "missing.sql")
    assert str(err.value) == f"dump file not found: {tmp_path / 'missing.sql'}; nothing was loaded"


def test_failure_at_the_last_statement_leaves_nothing_and_keeps_earlier_load(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    first = load_dump(con, write(tmp_path, T + "INSERT INTO t VALUES (1,'old');\n", "old.sql"))
    before = manifest.read_all(con)
    bad = (
        T
        + "INSERT INTO t VALUES (2,'new');\n"
        + "CREATE TABLE u (a int);\n"
        + "INSERT INTO u VALUES (5);\n"
        + "DELETE FROM t;\n"
    )
    with pytest.raises(DumpRejected, match="^line 5: DELETE statement"):
        load_dump(con, write(tmp_path, bad, "new.sql"))
    assert rows(con) == [(0, 1, "old")]
    assert manifest.read_all(con) == before == first
    assert con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
    ).fetchall() == [("ingest_manifest",), ("t",)]
    good = load_dump(con, write(tmp_path, T + "INSERT INTO t VALUES (3,'newer');\n", "new.sql"))
    assert rows(con) == [(0, 3, "newer")]
    assert manifest.read_all(con) == good != first
    con.close()


def test_conversion_failure_in_a_late_batch_rolls_everything_back(con, tmp_path):
    body = ",".join(f"({i},'v{i}')" for i in range(200_000))
    text = T + f"INSERT INTO t VALUES {body};\n" + "CREATE TABLE u (a tinyint);\n" + "INSERT INTO u VALUES (1),(300);\n"
    err = refused(con, tmp_path, text)
    assert str(err) == (
        'line 4: table "u" column "a" row_index 1: 300 is out of range for '
        "TINYINT (value 300, row 2 of the INSERT starting on that line); "
        "nothing was loaded"
    )


def test_connection_settings_are_restored(con, tmp_path):
    con.execute("SET threads = 3")
    load_dump(con, write(tmp_path, T))
    with pytest.raises(DumpRejected):
        load_dump(con, write(tmp_path, T + "DELETE FROM t;\n"))
    assert con.execute(
        "select current_setting('threads'), current_setting('python_enable_replacements')"
    ).fetchone() == (3, True)


def test_no_tables_is_refused(con, tmp_path):
    err = refused(con, tmp_path, "-- only a comment\n/* and another */\n")
    assert str(err) == (
        "dump.sql defines no tables (a dump with no CREATE TABLE loads nothing; "
        "for a data-only dump pass schema_path=); nothing was loaded"
    )
    assert err.line is None


def test_mysqldump_view_placeholders_are_programmable(con, tmp_path):
    text = (
        M + "DROP TABLE IF EXISTS `v`;\n/*!50001 DROP VIEW IF EXISTS `v`*/;\n"
        "/*!50001 CREATE VIEW `v` AS SELECT \n 1 AS `a`*/;\n"
        "/*!50001 CREATE ALGORITHM=UNDEFINED */\n"
        "/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n"
        "/*!50001 VIEW `v` AS select `t`.`a` AS `a` from `t` */;\n"
    )
    err = refused(con, tmp_path, text)
    assert (err.kind, err.line) == ("DROP VIEW", 3)
    with pytest.warns(DumpWarning) as caught:
        load_dump(con, write(tmp_path, text), skip_programmable_objects=True)
    assert str(caught[0].message).endswith(
        "DROP VIEW `v` (dump.sql line 3); CREATE VIEW `v` (dump.sql line 4); CREATE VIEW `v` (dump.sql line 6)"
    )


def test_mariadb_sandbox_line_is_skipped(con, tmp_path):
    entries = load_dump(
        con,
        write(
            tmp_path,
            "/*M!999999\\- enable the sandbox mode */ \n"
            "-- MariaDB dump 10.19\n" + M + "INSERT INTO `t` VALUES (1,'x');\n",
        ),
    )
    assert rows(con) == [(0, 1, "x")]
    assert entries[0].details["statements"]["skipped"] == {"MariaDB sandbox-mode marker": 1}
