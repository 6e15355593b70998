"""The loader's fast paths (the vectorised VALUES reader, the Arrow casts) may only ever agree
with the one-value-at-a-time definition. Cases an independent review found where they did not,
each through a long INSERT (the vectorised reader) and a short one (the row reader), with
exact values and exact refusals."""

from __future__ import annotations

import pytest

from ingest.sqldump import DumpRejected, load_dump
from ingest.warehouse import connect

LONG, SHORT = 1500, 3


@pytest.fixture()
def con():
    c = connect(":memory:")
    yield c
    c.close()


def _dump(tmp_path, text: str):
    path = tmp_path / "dump.sql"
    path.write_text(text, encoding="utf-8")
    return path


def _column(con, tmp_path, create: str, tokens: list[str], dialect: str = "mysql") -> list:
    text = create + "\nINSERT INTO t VALUES " + ",".join(f"({t})" for t in tokens) + ";\n"
    load_dump(con, _dump(tmp_path, text), dialect=dialect)
    return [r[0] for r in con.execute("SELECT a FROM raw.t ORDER BY row_index").fetchall()]


def _refusal(con, tmp_path, create: str, tokens: list[str], dialect: str = "mysql") -> str:
    with pytest.raises(DumpRejected) as err:
        _column(con, tmp_path, create, tokens, dialect)
    return str(err.value)


def test_postgres_backslash_strings_are_not_cut_at_an_escaped_quote(con, tmp_path):
    # With standard_conforming_strings off, \' is a quote inside the string: the vectorised
    # reader ended the string there and lost the last two rows to a "--" comment.
    rows = ",".join(f"('row{i:04d}-xxxxxxxx')" for i in range(LONG))
    text = (
        "SET standard_conforming_strings = off;\nCREATE TABLE t (a text);\n"
        f"INSERT INTO t VALUES {rows},('\\');--'),('lost1'),('lost2');\n"
    )
    load_dump(con, _dump(tmp_path, text), dialect="postgres")
    got = [r[0] for r in con.execute("SELECT a FROM raw.t ORDER BY row_index").fetchall()]
    assert len(got) == LONG + 3
    assert got[-3:] == ["');--", "lost1", "lost2"]


@pytest.mark.parametrize("n", [LONG, SHORT])
@pytest.mark.parametrize(
    ("dialect", "create", "token"),
    [
        ("mysql", "CREATE TABLE `t` (`a` int);", "'0x10'"),
        ("postgres", "CREATE TABLE t (a integer);", "0X1A"),
        ("sqlite", "CREATE TABLE t (a INTEGER);", "0X1A"),
    ],
)
def test_hexadecimal_text_is_not_read_as_an_integer(con, tmp_path, n, dialect, create, token):
    tokens = ["7"] * n
    tokens[n - 2] = token
    shown = token if token.startswith("'") else token
    assert _refusal(con, tmp_path, create, tokens, dialect) == (
        f'line 2: table "t" column "a" row_index {n - 2}: \'{token.strip(chr(39))}\' is not a number '
        f"(value {shown}, row {n - 1} of the INSERT starting on that line); nothing was loaded"
    )


@pytest.mark.parametrize("n", [LONG, SHORT])
@pytest.mark.parametrize(
    ("ctype", "token", "kind"),
    [
        ("date", "'0000-01-01'", "date"),
        ("datetime", "'0000-01-01 00:00:00'", "timestamp"),
    ],
)
def test_year_zero_is_refused(con, tmp_path, n, ctype, token, kind):
    tokens = ["'2021-03-04'" if ctype == "date" else "'2021-03-04 00:00:00'"] * n
    tokens[n - 2] = token
    assert _refusal(con, tmp_path, f"CREATE TABLE `t` (`a` {ctype});", tokens) == (
        f'line 2: table "t" column "a" row_index {n - 2}: {token} is not a valid {kind} '
        f"(value {token}, row {n - 1} of the INSERT starting on that line); nothing was loaded"
    )


@pytest.mark.parametrize("n", [LONG, SHORT])
def test_float_columns_round_through_double_as_the_definition_does(con, tmp_path, n):
    tokens = ["1.5"] * n
    tokens[0] = "1.0000000596046448"  # rounds to 1.0 via double, to 1.0000001 read straight to float
    tokens[1] = "'1.0000000596046448'"
    assert _column(con, tmp_path, "CREATE TABLE `t` (`a` float);", tokens)[:3] == [1.0, 1.0, 1.5]
    tokens[n - 1] = "3.4028235e38"  # above FLOAT's maximum once read as a double
    assert _refusal(con, tmp_path, "CREATE TABLE `t` (`a` float);", tokens) == (
        f'line 2: table "t" column "a" row_index {n - 1}: 3.4028235E+38 overflows FLOAT '
        f"(value 3.4028235e38, row {n} of the INSERT starting on that line); nothing was loaded"
    )


def test_a_bad_value_is_reported_before_a_later_refusal(con, tmp_path):
    # The bad value is typed on another thread: the reader's later refusal must not hide it,
    # whether its batch was already handed over (130,000 rows later) or still pending.
    rows = ",".join("('abc'," + ("'oops'" if i == 3 else str(i)) + ")" for i in range(LONG))
    create = "CREATE TABLE `t` (`c` varchar(20), `a` int);\n"
    bad = f"INSERT INTO t VALUES {rows};\n"
    filler = "INSERT INTO t VALUES " + ",".join(f"('x{i}',{i})" for i in range(1000)) + ";\n"
    expected = (
        "line 2: table \"t\" column \"a\" row_index 3: 'oops' is not a number (value 'oops', row 4 of the "
        "INSERT starting on that line); nothing was loaded"
    )
    for fillers in (130, 0):
        text = create + bad + filler * fillers + "THIS IS NOT SQL;\n"
        with pytest.raises(DumpRejected) as err:
            load_dump(con, _dump(tmp_path, text), dialect="mysql")
        assert str(err.value) == expected, fillers
