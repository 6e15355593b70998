"""Hostile SQL dumps: injection attempts, hidden statements, expressions in VALUES. Nothing in
a dump is executed; anything that is not a literal or an allowed statement is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import manifest
from ingest.sqldump import DumpRejected, load_dump
from ingest.warehouse import connect

T = "CREATE TABLE t (a INT, b VARCHAR(100));\n"
M = "CREATE TABLE `t` (`a` int, `b` varchar(100));\n"
PG = "SET standard_conforming_strings = on;\nCREATE TABLE t (a integer, b text);\n"


@pytest.fixture()
def con():
    c = connect(":memory:")
    manifest.ensure_raw_schema(c)
    yield c
    c.close()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hostile.sql"
    path.write_text(text, encoding="utf-8")
    return path


def rows(con) -> list[tuple]:
    return con.execute("select a, b from raw.t order by row_index").fetchall()


def refusal(con, tmp_path, text: str, **options) -> str:
    with pytest.raises(DumpRejected) as err:
        load_dump(con, write(tmp_path, text), **options)
    assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchone() == (
        1,
    )  # only the manifest
    return str(err.value)


def test_statement_after_values_is_its_own_statement(con, tmp_path):
    assert refusal(con, tmp_path, T + "INSERT INTO t VALUES (1, 'a'); DROP TABLE x;--\n") == (
        'line 2: DROP TABLE "x" (a table this dump has not created) is not allowed in a dump '
        "(class c: could change loaded rows); nothing was loaded"
    )


def test_quote_breakout_attempt_is_refused_as_attach(con, tmp_path):
    text = T + "INSERT INTO t VALUES (1, 'x'); ATTACH DATABASE '/tmp/evil.db' AS evil; --');\n"
    assert refusal(con, tmp_path, text) == (
        "line 2: ATTACH statement is not allowed in a dump (class c: could act outside the dump); nothing was loaded"
    )


@pytest.mark.parametrize(
    "literal, value",
    [
        (r"'\'); ATTACH DATABASE \'/tmp/x\' AS y; --'", "'); ATTACH DATABASE '/tmp/x' AS y; --"),
        ("'); DROP TABLE t; --", None),
        ("'a;b'", "a;b"),
        ("'/* not a comment */'", "/* not a comment */"),
        ("'-- not a comment'", "-- not a comment"),
        ("'# not a comment'", "# not a comment"),
        ("'),(99,''x'''", "),(99,'x'"),
        ("'\\\\'", "\\"),
    ],
)
def test_text_that_looks_like_sql_stays_a_value(con, tmp_path, literal, value):
    text = M + f"INSERT INTO `t` VALUES (1,{literal});\n"
    if value is None:
        assert refusal(con, tmp_path, text).startswith("line 2: ")
        return
    load_dump(con, write(tmp_path, text))
    assert rows(con) == [(1, value)]


@pytest.mark.parametrize(
    "expr, what, reason",
    [
        ("load_file('/etc/passwd')", "function call load_file() in VALUES", "could act outside the dump"),
        ("LOAD_FILE ('/etc/passwd')", "function call LOAD_FILE() in VALUES", "could act outside the dump"),
        ("pg_read_file('/etc/passwd')", "function call pg_read_file() in VALUES", "could act outside the dump"),
        ("sleep(10)", "function call sleep() in VALUES", "could change loaded rows"),
        ("CAST('1' AS CHAR)", "CAST() in VALUES", "could change loaded rows"),
        ("(SELECT b FROM t)", "a parenthesised SELECT (subquery) in VALUES", "could change loaded rows"),
        ("((1))", "a parenthesised expression in VALUES", "could change loaded rows"),
        ("@secret", "a variable in VALUES", "could change loaded rows"),
        ("?", "a parameter placeholder in VALUES", "could change loaded rows"),
        ("'a' 'b'", "adjacent string literals in VALUES", "could change loaded rows"),
        ("1+1", "an expression in VALUES", "could change loaded rows"),
        ("5--3", "an expression in VALUES", "could change loaded rows"),
        ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP in VALUES", "could change loaded rows"),
        ("b", "b in VALUES", "could change loaded rows"),
        ("DEFAULT", "DEFAULT in VALUES", "could change loaded rows"),
    ],
)
def test_non_literals_in_values_are_refused(con, tmp_path, expr, what, reason):
    text = M + f"INSERT INTO `t` VALUES (1,'ok'),\n(2,{expr});\n"
    assert refusal(con, tmp_path, text) == (
        f"line 3: {what} is not allowed in a dump (class c: {reason}); nothing was loaded"
    )


SQ = "CREATE TABLE t(a INTEGER, b TEXT);\n"


def test_sqlite_newline_replace_is_read_as_a_literal(con, tmp_path):
    load_dump(con, write(tmp_path, SQ + r"INSERT INTO t VALUES(1,REPLACE('a', '\n', CHAR(10)));"), dialect="sqlite")
    assert rows(con) == [(1, "a")]


@pytest.mark.parametrize(
    "expr, what",
    [
        (r"replace('a','\n',char(59))", "function call replace() in VALUES"),
        (r"replace(x,'\n',char(10))", "function call replace() in VALUES"),
        (r"replace(b,'\n',char(10))", "function call replace() in VALUES"),
        (r"replace('a','\n',char(10),1)", "function call replace() in VALUES"),
        (r"replace('a','\n')", "function call replace() in VALUES"),
        (r"replace('a','\n',char(100))", "function call replace() in VALUES"),
        (r"replace('a','\n',char(010))", "function call replace() in VALUES"),
        (r"replace('a','\n',char(10,10))", "function call replace() in VALUES"),
        (r"replace('a','\r',char(10))", "function call replace() in VALUES"),
        (r"replace('a','\t',char(9))", "function call replace() in VALUES"),
        (r"replace('a','\n',char(92)||'n')", "function call replace() in VALUES"),
        (r"replace('a',char(92)||'n',char(10))", "function call replace() in VALUES"),
        # sqlite3's second marker goes with its own character code only
        (r"replace('a\012b','\012',char(13))", "function call replace() in VALUES"),
        (r"replace('a\015b','\015',char(10))", "function call replace() in VALUES"),
        (r"replace('a\013b','\013',char(10))", "function call replace() in VALUES"),
        (r"replace(replace('a','\n',char(10)),'\012',char(10))", "function call replace() in VALUES"),
        (r"replace(upper('a'),'\n',char(10))", "function call replace() in VALUES"),
        (r"replace(load_file('/etc/passwd'),'\n',char(10))", "function call replace() in VALUES"),
        (r"replace(N'a','\n',char(10))", "function call replace() in VALUES"),
        (r"replace(X'61','\n',char(10))", "function call replace() in VALUES"),
        (r"""replace("a",'\n',char(10))""", "function call replace() in VALUES"),
        (r"replace(replace('a','\n',char(10)),'\n',char(10))", "function call replace() in VALUES"),
        (
            r"replace(replace(replace('a','\r',char(13)),'\n',char(10)),'\r',char(13))",
            "function call replace() in VALUES",
        ),
        (r"printf('%s','\n')", "function call printf() in VALUES"),
        (r"char(10)", "function call char() in VALUES"),
        (r"replace('a','\n',char(10)) || 'b'", "an expression in VALUES"),
        (r"replace('a','\n',char(10)) COLLATE NOCASE", "an expression in VALUES"),
    ],
)
def test_sqlite_newline_replace_deviations_are_refused(con, tmp_path, expr, what):
    text = SQ + f"INSERT INTO t VALUES(1,'ok'),\n(2,{expr});\n"
    assert refusal(con, tmp_path, text, dialect="sqlite") == (
        f"line 3: {what} is not allowed in a dump (class c: could change loaded rows); nothing was loaded"
    )


@pytest.mark.parametrize(
    "text, options, line",
    [
        (M + r"INSERT INTO `t` VALUES (1,replace('a\nb','\n',char(10)));", {}, 2),  # detected mysql
        (PG + r"INSERT INTO t VALUES (1, replace('a\nb','\n',char(10)));", {}, 3),
        (T + r"INSERT INTO t VALUES (1, replace('a b','\n',char(10)));", {}, 2),  # ansi: undetected
        (SQ + r"INSERT INTO t VALUES(1,replace('a b','\n',char(10)));", {"dialect": "mysql"}, 2),
    ],
)
def test_newline_replace_only_in_sqlite_dumps(con, tmp_path, text, options, line):
    assert refusal(con, tmp_path, text + "\n", **options) == (
        f"line {line}: function call replace() in VALUES is not allowed in a dump (class c: "
        "could change loaded rows); nothing was loaded"
    )


def test_postgres_cast_in_values(con, tmp_path):
    assert refusal(con, tmp_path, PG + "INSERT INTO t VALUES (1::int, 'a');\n") == (
        "line 3: a cast (::) in VALUES is not allowed in a dump (class c: could change loaded rows); nothing was loaded"
    )


def test_conditional_comments_are_read_as_code(con, tmp_path):
    assert refusal(con, tmp_path, M + "INSERT INTO `t` VALUES (1,'a');\n/*!99999 DELETE FROM `t` */;\n") == (
        "line 3: DELETE statement is not allowed in a dump (class c: could change loaded rows); nothing was loaded"
    )
    create = "CREATE TABLE `t` (`a` int, /*!50705 `b` text,*/ `c` text);\n"
    load_dump(con, write(tmp_path, create + "INSERT INTO `t` VALUES (1,/*!50705 'from 5.7',*/'x');\n"))
    assert con.execute("select a, b, c from raw.t").fetchall() == [(1, "from 5.7", "x")]


def test_nested_comments_hide_statements_in_postgres_only(con, tmp_path):
    hidden = "/* outer /* inner */ INSERT INTO t VALUES (9, 'hidden'); */\n"
    load_dump(con, write(tmp_path, PG + hidden + "INSERT INTO t VALUES (1, 'x');\n"))
    assert rows(con) == [(1, "x")]
    # MySQL comments do not nest: the INSERT is real and the "*/" after it is left over.
    with pytest.raises(DumpRejected) as err:
        load_dump(con, write(tmp_path, M + hidden.replace("t VALUES", "`t` VALUES")))
    assert str(err.value) == (
        "line 2: statement cut off by the end of the file (no terminating ';'); nothing was loaded"
    )


def test_comments_and_quoted_identifiers_do_not_end_statements(con, tmp_path):
    text = (
        "CREATE TABLE `we;ird` (`a;` int, `b` varchar(20)); -- it's; fine\n"
        "# mysql comment with ' quote\n"
        "INSERT INTO `we;ird` VALUES (1,'x');\n"
    )
    entries = load_dump(con, write(tmp_path, text))
    assert [e.table_name for e in entries] == ["we;ird"]
    assert con.execute('select "a;", b from raw."we;ird"').fetchall() == [(1, "x")]


def test_dollar_quoted_bodies_do_not_split(con, tmp_path):
    text = PG + (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ DELETE FROM t; "
        "SELECT 1; $body$;\nINSERT INTO t VALUES (1, 'a');\n"
    )
    with pytest.warns(UserWarning):
        load_dump(con, write(tmp_path, text), skip_programmable_objects=True)
    assert rows(con) == [(1, "a")]


def test_go_batch_mid_file(con, tmp_path):
    assert refusal(con, tmp_path, T + "INSERT INTO t VALUES (1,'a');\ngo\n") == (
        "line 3: GO statement is not allowed in a dump (class c: not a statement a dump needs; "
        "T-SQL scripts are not read); nothing was loaded"
    )


def test_copy_terminator_outside_copy(con, tmp_path):
    assert refusal(con, tmp_path, PG + "\\.\n") == (
        "line 3: psql meta-command \\. statement is not allowed in a dump (class c: could act "
        "outside the dump); nothing was loaded"
    )


def test_copy_with_options_is_refused(con, tmp_path):
    assert refusal(con, tmp_path, PG + "COPY t FROM stdin WITH (FORMAT csv);\n1,a\n\\.\n") == (
        "line 3: COPY ... FROM stdin with options (only the default text format is read) "
        "statement is not allowed in a dump (class c: not a statement a dump needs); "
        "nothing was loaded"
    )


def test_transaction_tricks(con, tmp_path):
    assert refusal(con, tmp_path, T + "BEGIN;\nINSERT INTO t VALUES (1,'a');\nROLLBACK;\n") == (
        "line 4: ROLLBACK statement is not allowed in a dump (class c: could change loaded rows); nothing was loaded"
    )


def test_nothing_from_the_file_reaches_duckdb_as_sql(con, tmp_path, monkeypatch):
    """Every statement DuckDB runs during a load is one the loader wrote."""
    import duckdb

    seen: list[str] = []

    class Spy:
        def __init__(self, inner):
            self._inner = inner

        def execute(self, sql, *args):
            seen.append(sql)
            return self._inner.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._inner, name)

    marker = "zz_marker_from_the_dump"
    text = M + f"INSERT INTO `t` VALUES (1,'{marker}'),(2,'{marker} ; DROP TABLE t');\n"
    load_dump(Spy(con), write(tmp_path, text))
    assert rows(con) == [(1, marker), (2, f"{marker} ; DROP TABLE t")]
    assert seen and not any(marker in sql for sql in seen)
    assert isinstance(con, duckdb.DuckDBPyConnection)
