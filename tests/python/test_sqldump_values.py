"""SQL dump values arrive exactly: escapes per dialect, NULL versus 'NULL', 64-bit integers,
exact decimals, dates, binary data, COPY fields, column lists; anything inexact is refused
with table, column, row and line."""

from __future__ import annotations

import datetime as dt
import gzip
import sqlite3
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from ingest.sqldump import DumpRejected, convert, dialects, load_dump
from ingest.sqldump import scanner as dump_scanner
from ingest.sqldump import source as dump_source
from ingest.sqldump.types import DOUBLE, VARCHAR, ColumnType, int_type
from ingest.warehouse import connect


@pytest.fixture()
def con():
    c = connect(":memory:")
    yield c
    c.close()


def load(con, tmp_path: Path, text: str | bytes, name: str = "dump.sql", **options):
    path = tmp_path / name
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    return load_dump(con, path, **options)


def rows(con, table: str = "t") -> list[tuple]:
    return con.execute(f'select * exclude (row_index, source_offset) from raw."{table}" order by row_index').fetchall()


def rejected(con, tmp_path, text, **options) -> str:
    with pytest.raises(DumpRejected) as err:
        load(con, tmp_path, text, **options)
    return str(err.value)


MYSQL_T = "CREATE TABLE `t` (`a` int, `b` varchar(50));\n"
MYSQL_VALUES = [
    (r"'it\'s'", "it's"),
    (r"'a\\b'", "a\\b"),
    (r"'x\ny\tz\r'", "x\ny\tz\r"),
    (r"'\0\Z\b'", "\x00\x1a\x08"),
    (r"'50\%\_'", "50\\%\\_"),
    ("'q''q'", "q'q"),
    (r'"dq\"x"', 'dq"x'),
    (r"'\ '", " "),
    (r"'\q\B\é'", "qBé"),
    ("N'nat'", "nat"),
    ("_utf8mb4'intro'", "intro"),
    (r"'\\\''", "\\'"),
    ("''", ""),
    ("'NULL'", "NULL"),
    ("NULL", None),
    ("'a;b -- c /* d */ # e'", "a;b -- c /* d */ # e"),
    (r"'\'); DROP TABLE t; --'", "'); DROP TABLE t; --"),
    ("'Müller 李 🎉'", "Müller 李 🎉"),
    ("12.50", "12.50"),
]


def test_mysql_string_escapes_row_by_row(con, tmp_path):
    text = MYSQL_T + "".join(f"INSERT INTO `t` VALUES ({i},{lit});\n" for i, (lit, _) in enumerate(MYSQL_VALUES))
    load(con, tmp_path, text)
    assert rows(con) == [(i, want) for i, (_, want) in enumerate(MYSQL_VALUES)]


def test_mysql_string_escapes_in_one_extended_insert(con, tmp_path):
    # > 16 KiB of VALUES goes through the vectorised reader: same values as row by row.
    repeat = 200
    values = [
        (i * len(MYSQL_VALUES) + j, lit, want) for i in range(repeat) for j, (lit, want) in enumerate(MYSQL_VALUES)
    ]
    text = MYSQL_T + "INSERT INTO `t` VALUES " + ",".join(f"({n},{lit})" for n, lit, _ in values)
    load(con, tmp_path, text + ";\n")
    assert rows(con) == [(n, want) for n, _, want in values]


def test_no_backslash_escapes_is_honoured_and_restored(con, tmp_path):
    text = (
        "SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_BACKSLASH_ESCAPES';\n"
        + MYSQL_T
        + r"INSERT INTO `t` VALUES (1,'a\b'),(2,'c''d');"
        + "\n"
        + "SET SQL_MODE=@OLD_SQL_MODE;\n"
        + r"INSERT INTO `t` VALUES (3,'a\\b');"
        + "\n"
    )
    load(con, tmp_path, text)
    assert rows(con) == [(1, "a\\b"), (2, "c'd"), (3, "a\\b")]


def test_ansi_quotes_makes_double_quotes_identifiers(con, tmp_path):
    text = "SET sql_mode = 'ANSI';\n" + MYSQL_T + 'INSERT INTO `t` VALUES (1, "b");\n'
    assert rejected(con, tmp_path, text) == (
        "line 3: a double-quoted identifier in VALUES is not allowed in a dump (class c: could "
        "change loaded rows); nothing was loaded"
    )


def test_postgres_strings(con, tmp_path):
    table = "CREATE TABLE t (a integer, b text);\n"
    load(
        con,
        tmp_path,
        "SET standard_conforming_strings = on;\n"
        + table
        + "INSERT INTO t VALUES (1, 'a\\nb'), (2, E'c\\td\\x41\\u00e9\\''), (3, 'x''y');\n",
    )
    assert rows(con) == [(1, "a\\nb"), (2, "c\tdAé'"), (3, "x'y")]
    load(con, tmp_path, "SET standard_conforming_strings = off;\n" + table + "INSERT INTO t VALUES (1, 'a\\nb\\\\');\n")
    assert rows(con) == [(1, "a\nb\\")]


def test_standard_sql_backslash_is_ambiguous_without_a_dialect(con, tmp_path):
    text = "CREATE TABLE t (a text);\nINSERT INTO t VALUES ('a\\b');\n"
    assert rejected(con, tmp_path, text) == (
        'line 2: table "t" column "a" row_index 0: a backslash in a string, whose meaning depends '
        "on the SQL dialect (MySQL escapes it, standard SQL keeps it) and the dialect could not "
        "be detected; pass dialect='mysql' or dialect='postgres' (value 'a\\b', row 1 of the "
        "INSERT starting on that line); nothing was loaded"
    )
    load(con, tmp_path, text, dialect="postgres")
    assert rows(con) == [("a\\b",)]


def test_null_versus_the_string_null(con, tmp_path):
    load(con, tmp_path, "CREATE TABLE t (a text);\nINSERT INTO t VALUES (NULL),('NULL'),('null'),(null),('');\n")
    assert rows(con) == [(None,), ("NULL",), ("null",), (None,), ("",)]


def test_utf8_multibyte_and_bom(con, tmp_path):
    load(con, tmp_path, "\ufeffCREATE TABLE t (a text);\nINSERT INTO t VALUES ('Zoë 李 🎉');\n")
    assert rows(con) == [("Zoë 李 🎉",)]


def test_invalid_utf8_is_refused_with_line_and_offset(con, tmp_path):
    text = b"CREATE TABLE t (a text);\nINSERT INTO t VALUES ('M\xfcller');\n"
    assert rejected(con, tmp_path, text) == (
        "line 2: invalid UTF-8 (byte 0xfc) at byte offset 49; dumps are read as UTF-8 (mysqldump: "
        "use --hex-blob for binary columns); nothing was loaded"
    )


def test_integers_64_bit_and_unsigned(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE `t` (`a` bigint, `b` bigint unsigned, `c` tinyint, "
        "`d` int(11) unsigned, `e` tinyint(1));\n"
        "INSERT INTO `t` VALUES (9223372036854775807,18446744073709551615,-128,"
        "4294967295,1),(-9223372036854775808,0,127,0,-5);\n",
    )
    assert rows(con) == [
        (9223372036854775807, 18446744073709551615, -128, 4294967295, 1),
        (-9223372036854775808, 0, 127, 0, -5),
    ]
    assert [r[1] for r in con.execute("describe raw.t").fetchall()][1:6] == [
        "BIGINT",
        "UBIGINT",
        "TINYINT",
        "UINTEGER",
        "TINYINT",
    ]


@pytest.mark.parametrize(
    "decl, literal, message",
    [
        ("bigint", "9223372036854775808", "9223372036854775808 is out of range for BIGINT"),
        ("int unsigned", "-1", "-1 is out of range for UINTEGER"),
        ("tinyint", "128", "128 is out of range for TINYINT"),
        ("int", "1.5", "1.5 is not an integer"),
        ("decimal(4,2)", "0.999", "0.999 has more decimal places than DECIMAL(4,2) keeps"),
        ("decimal(4,2)", "123.4", "123.4 does not fit in DECIMAL(4,2)"),
        ("double", "1e400", "1E+400 overflows DOUBLE"),
        ("date", "'2023-02-29'", "'2023-02-29' is not a valid date"),
        ("datetime", "'0000-00-00 00:00:00'", "'0000-00-00 00:00:00' is not a valid timestamp"),
        ("date", "'29/02/2024'", "'29/02/2024' is not a date in the form YYYY-MM-DD"),
        ("int", "'12abc'", "'12abc' is not a number"),
    ],
)
def test_inexact_values_are_refused(con, tmp_path, decl, literal, message):
    text = f"CREATE TABLE `t` (`id` int, `a` {decl});\nINSERT INTO `t` VALUES (1,NULL),\n(2,{literal});\n"
    assert rejected(con, tmp_path, text) == (
        f'line 2: table "t" column "a" row_index 1: {message} (value {literal}, row 2 of the '
        "INSERT starting on that line); nothing was loaded"
    )


def test_decimals_stay_exact(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE `t` (`a` decimal(10,2), `b` decimal(38,10), "
        "`c` decimal(50,20), `d` decimal);\n"
        "INSERT INTO `t` VALUES (0.1, 1234567890123456789012345678.0123456789, "
        "123456789012345678901234567890.12345678901234567890, 42),"
        "('2.50', -0.0000000001, -1, '7');\n",
    )
    assert rows(con) == [
        (
            Decimal("0.10"),
            Decimal("1234567890123456789012345678.0123456789"),
            "123456789012345678901234567890.12345678901234567890",
            Decimal("42"),
        ),
        (Decimal("2.50"), Decimal("-0.0000000001"), "-1", Decimal("7")),
    ]
    assert [r[1] for r in con.execute("describe raw.t").fetchall()][1:5] == [
        "DECIMAL(10,2)",
        "DECIMAL(38,10)",
        "VARCHAR",
        "DECIMAL(10,0)",
    ]


def test_dates_times_and_relaxed_mysql_forms(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE `t` (`d` date, `ts` datetime, `tm` time, `y` year);\n"
        "INSERT INTO `t` VALUES ('2024-02-29','2024-02-29 23:59:59.123456',"
        "'12:34:56',2024),(NULL,'1962/2/18',NULL,NULL),('2009.1.1','2009-01-01',"
        "'00:00:00.5',1901);\n",
    )
    assert rows(con) == [
        (dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 23, 59, 59, 123456), dt.time(12, 34, 56), 2024),
        (None, dt.datetime(1962, 2, 18), None, None),
        (dt.date(2009, 1, 1), dt.datetime(2009, 1, 1), dt.time(0, 0, 0, 500000), 1901),
    ]


def test_binary_values(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE `t` (`a` int, `b` blob, `c` varbinary(4), `d` bit(8));\n"
        "INSERT INTO `t` VALUES (1,0x00FF10,X'4142',b'101'),(2,'raw\\0',NULL,0x0F);\n",
    )
    assert rows(con) == [(1, b"\x00\xff\x10", b"AB", 5), (2, b"raw\x00", None, 15)]


def test_floats(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE `t` (`a` double, `b` float);\nINSERT INTO `t` VALUES (0.1, 0.5),(1e308, -2.5e-3),(-0, 1.5);\n",
    )
    assert rows(con) == [(0.1, 0.5), (1e308, pytest.approx(-0.0025, rel=1e-7)), (-0.0, 1.5)]


def test_numbers_written_for_text_keep_their_text(con, tmp_path):
    load(con, tmp_path, "CREATE TABLE t (a text);\nINSERT INTO t VALUES (1.50),(-3),(1e3);\n")
    assert rows(con) == [("1.50",), ("-3",), ("1e3",)]


def test_postgres_copy_fields(con, tmp_path):
    text = (
        "SET standard_conforming_strings = on;\n"
        "CREATE TABLE t (a integer, b text, c boolean, d numeric(5,2), e bytea, "
        "f timestamp with time zone, g text[]);\n"
        "COPY t (a, b, c, d, e, f, g) FROM stdin;\n"
        '1\ta\\tb\\\\c\\nd\tt\t1.50\t\\\\x0041\t2022-01-01 10:00:00+01\t{a,"b c"}\n'
        "2\t\\N\tf\t\\N\t\\N\t\\N\t\\N\n"
        "3\t\\\\N\tt\t-0.01\t\\\\x\t2022-06-30 23:59:59.999999+00\t{}\n"
        "\\.\n"
    )
    load(con, tmp_path, text)
    utc = dt.UTC
    assert rows(con) == [
        (1, "a\tb\\c\nd", True, Decimal("1.50"), b"\x00A", dt.datetime(2022, 1, 1, 9, tzinfo=utc), '{a,"b c"}'),
        (2, None, False, None, None, None, None),
        (3, "\\N", True, Decimal("-0.01"), b"", dt.datetime(2022, 6, 30, 23, 59, 59, 999999, tzinfo=utc), "{}"),
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ("1\tx\n2\n\\.\n", 'line 5: COPY into "t": a COPY data line with 1 field, expected 2'),
        ("1\tx\n", 'line 3: COPY into "t": the COPY data block is not terminated by a \\. line'),
        (
            "1\tx\r\n\\.\n",
            'line 4: COPY into "t": a carriage return ends a COPY data line (CRLF line '
            "endings are not part of pg_dump's text format)",
        ),
        ("x\ty\n\\.\n", 'line 4: table "t" column "a" row_index 0: \'x\' is not a number (value x)'),
    ],
)
def test_broken_copy_data_is_refused(con, tmp_path, data, message):
    text = "SET client_encoding = 'UTF8';\nCREATE TABLE t (a integer, b text);\nCOPY t (a, b) FROM stdin;\n" + data
    assert rejected(con, tmp_path, text) == message + "; nothing was loaded"


def test_column_lists_map_by_name(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE t (a int, b text, c int);\n"
        "INSERT INTO t (c, a) VALUES (3, 1);\n"
        "INSERT INTO t (B, A, C) VALUES ('x', 2, 4);\n",
    )
    assert rows(con) == [(1, None, 3), (2, "x", 4)]


@pytest.mark.parametrize(
    "create, insert, message",
    [
        (
            "CREATE TABLE t (a int);",
            "INSERT INTO t (z) VALUES (3);",
            "INSERT into \"t\" names column 'z', which the table does not have",
        ),
        ("CREATE TABLE t (a int);", "INSERT INTO t (a, a) VALUES (3, 4);", "INSERT into \"t\" names column 'a' twice"),
        (
            "CREATE TABLE t (a int DEFAULT (1 + 1), b int);",
            "INSERT INTO t (b) VALUES (3);",
            "INSERT into \"t\" leaves out column 'a', whose DEFAULT expression (1 + 1) the loader does not compute",
        ),
        (
            "CREATE TABLE t (a int NOT NULL, b int);",
            "INSERT INTO t (b) VALUES (3);",
            "INSERT into \"t\" leaves out column 'a', which is NOT NULL and has no default",
        ),
        (
            "CREATE TABLE t (a int, b int);",
            "INSERT INTO t VALUES (1);",
            'INSERT into "t": a row with 1 value, expected 2',
        ),
        (
            "CREATE TABLE t (a int, b int);",
            "INSERT INTO t VALUES (1, 2, 3);",
            'INSERT into "t": a row with 3 values, expected 2',
        ),
        (
            "CREATE TABLE t (a int, b int);",
            "INSERT INTO t VALUES ();",
            'INSERT into "t": a row with 0 values, expected 2',
        ),
        (
            "CREATE TABLE t (a int, b text);",
            "INSERT INTO t VALUES (1, 'abc);",
            'INSERT into "t": unterminated string literal (the file ends inside it)',
        ),
        (
            "CREATE TABLE t (a int, b text);",
            "INSERT INTO t VALUES (1, 'abc')",
            "INSERT statement cut off by the end of the file (no terminating ';')",
        ),
        (
            "CREATE TABLE u (a int);",
            "INSERT INTO t VALUES (1);",
            'INSERT into "t", a table the dump never created (no CREATE TABLE before it; for a '
            "data-only dump pass schema_path=)",
        ),
        (
            "CREATE TABLE t (a int);",
            "INSERT INTO t VALUES (1) (2);",
            "INSERT into \"t\": expected ',' or ';' after a row, found '('",
        ),
    ],
)
def test_malformed_inserts_are_refused(con, tmp_path, create, insert, message):
    assert rejected(con, tmp_path, f"{create}\n{insert}\n") == f"line 2: {message}; nothing was loaded"


def test_unterminated_constructs_name_their_line(con, tmp_path):
    assert rejected(con, tmp_path, "CREATE TABLE t (a int);\n/* never closed\n\n") == (
        "line 2: unterminated /* comment (the file ends inside it); nothing was loaded"
    )
    assert rejected(con, tmp_path, "CREATE TABLE t (a int);\nCREATE TABLE u (b text DEFAULT 'x);\n") == (
        "line 2: unterminated string literal (the file ends inside it); nothing was loaded"
    )
    assert rejected(con, tmp_path, "CREATE TABLE t (a int)\n") == (
        "line 1: statement cut off by the end of the file (no terminating ';'); nothing was loaded"
    )


def test_gzip_and_plain_load_the_same(con, tmp_path):
    text = MYSQL_T + "INSERT INTO `t` VALUES (1,'a'),(2,'b');\n"
    plain = load(con, tmp_path, text, name="d.sql")
    plain_rows = rows(con)
    packed = load(con, tmp_path, text, name="d.sql.gz")
    assert rows(con) == plain_rows == [(1, "a"), (2, "b")]
    assert plain[0].input_sha256 != packed[0].input_sha256  # the hash is of the stored bytes


def test_giant_single_line_insert(con, tmp_path, monkeypatch):
    # 3 MB on one line, read through 64 KiB chunks with the vectorised window capped below the
    # statement size, so rows stream across chunk boundaries with bounded memory.
    monkeypatch.setattr(dump_source, "CHUNK_BYTES", 1 << 16)
    monkeypatch.setattr(dump_scanner.fastrows, "MAX_WINDOW", 1 << 18)
    n = 60_000
    body = ",".join(f"({i},'row {i}; with \\'quotes\\', (parens) and -- dashes')" for i in range(n))
    load(con, tmp_path, MYSQL_T.replace("50", "60") + f"INSERT INTO `t` VALUES {body};\n")
    assert con.execute("select count(*), sum(a), min(b), max(row_index) from raw.t").fetchone() == (
        n,
        n * (n - 1) // 2,
        "row 0; with 'quotes', (parens) and -- dashes",
        n - 1,
    )


def test_tiny_chunks_read_the_same_values(con, tmp_path, monkeypatch):
    text = (
        "SET standard_conforming_strings = on;\nCREATE TABLE t (a int, b text);\n"
        "INSERT INTO t VALUES (1, 'semi;colon'), (2, 'it''s'), (3, '/* not a comment */');\n"
        "COPY t (a, b) FROM stdin;\n4\tcopy\\tfield\n5\t\\N\n\\.\n"
    )
    load(con, tmp_path, text)
    expected = rows(con)
    monkeypatch.setattr(dump_source, "CHUNK_BYTES", 3)
    load(con, tmp_path, text)
    assert (
        rows(con)
        == expected
        == [(1, "semi;colon"), (2, "it's"), (3, "/* not a comment */"), (4, "copy\tfield"), (5, None)]
    )


MYSQL = dialects.initial_mode("mysql")
PGMODE = dialects.initial_mode("postgres")
TOKENS = [
    b"1",
    b"-1",
    b"+1",
    b"007",
    b"1.0",
    b"1e3",
    b"1.5",
    b"NULL",
    b"null",
    b"'12'",
    b"' 1'",
    b"0x1F",
    b"TRUE",
    b"x",
    b"'a'",
    b"1e999",
    b".5",
    b"5.",
    b"-0",
    b"'2024-01-02'",
]


@pytest.mark.parametrize(
    "ctype",
    [
        int_type("INTEGER"),
        int_type("BIGINT"),
        int_type("UBIGINT"),
        DOUBLE,
        VARCHAR,
        ColumnType("DECIMAL(6,2)", "decimal", pa.decimal128(6, 2)),
        ColumnType("DATE", "date", pa.date32()),
    ],
    ids=lambda c: c.duckdb,
)
@pytest.mark.parametrize("mode", [MYSQL, PGMODE], ids=["mysql", "postgres"])
def test_vectorised_conversion_agrees_with_the_reference(ctype, mode):
    """Each token alone through the reference, all together through the fast path."""
    expected = []
    for tok in TOKENS:
        try:
            expected.append(convert.reference_value(tok, ctype, convert.SQL, mode))
        except ValueError:
            expected.append("refused")
    for tok, want in zip(TOKENS, expected, strict=False):
        batch = [tok] * 3
        if want == "refused":
            with pytest.raises(convert.ConversionError):
                convert.convert_column(batch, ctype, convert.SQL, mode)
        else:
            assert convert.convert_column(batch, ctype, convert.SQL, mode).to_pylist() == [want] * 3


def column_types(con, table: str = "t") -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f'describe raw."{table}"').fetchall()}


def test_mysql_type_mapping(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE `t` (`a` int(11) unsigned NOT NULL AUTO_INCREMENT, "
        "`b` tinyint(1), `c` enum('x','y'), `d` set('p','q'), `e` decimal(10,2), "
        "`f` mediumint unsigned, `g` bigint(20) unsigned, `h` datetime, "
        "`i` timestamp NULL DEFAULT CURRENT_TIMESTAMP, `j` longtext, `k` blob, "
        "`l` year, `m` bit(1), `n` json, `o` geometry, `p` double, `q` float, "
        "`r` varbinary(10), `s` char(3), `u` smallint unsigned, `v` time, "
        "`w` boolean, PRIMARY KEY (`a`), KEY `k1` (`b`)) ENGINE=InnoDB;\n",
    )
    assert column_types(con) == {
        "row_index": "BIGINT",
        "a": "UINTEGER",
        "b": "TINYINT",
        "c": "VARCHAR",
        "d": "VARCHAR",
        "e": "DECIMAL(10,2)",
        "f": "UINTEGER",
        "g": "UBIGINT",
        "h": "TIMESTAMP",
        "i": "TIMESTAMP",
        "j": "VARCHAR",
        "k": "BLOB",
        "l": "SMALLINT",
        "m": "UBIGINT",
        "n": "VARCHAR",
        "o": "BLOB",
        "p": "DOUBLE",
        "q": "FLOAT",
        "r": "BLOB",
        "s": "VARCHAR",
        "u": "USMALLINT",
        "v": "TIME",
        "w": "TINYINT",
        "source_offset": "BIGINT",
    }


def test_postgres_type_mapping(con, tmp_path):
    load(
        con,
        tmp_path,
        "SET client_encoding = 'UTF8';\n"
        "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"
        "CREATE DOMAIN public.year AS integer CONSTRAINT c CHECK (VALUE > 0);\n"
        "CREATE TABLE public.t (a serial, b bigserial, c numeric(4,2), d numeric, "
        "e timestamp with time zone, f text[], g public.year, h tsvector, i bytea, "
        "j character varying(45), k boolean, l double precision, m real, "
        "n smallint, o timestamp without time zone, p date, q public.mood, "
        "r jsonb, s uuid, u numeric(50,2), v interval, w inet);\n",
    )
    assert column_types(con) == {
        "row_index": "BIGINT",
        "a": "INTEGER",
        "b": "BIGINT",
        "c": "DECIMAL(4,2)",
        "d": "VARCHAR",
        "e": "TIMESTAMP WITH TIME ZONE",
        "f": "VARCHAR",
        "g": "INTEGER",
        "h": "VARCHAR",
        "i": "BLOB",
        "j": "VARCHAR",
        "k": "BOOLEAN",
        "l": "DOUBLE",
        "m": "FLOAT",
        "n": "SMALLINT",
        "o": "TIMESTAMP",
        "p": "DATE",
        "q": "VARCHAR",
        "r": "VARCHAR",
        "s": "VARCHAR",
        "u": "VARCHAR",
        "v": "VARCHAR",
        "w": "VARCHAR",
        "source_offset": "BIGINT",
    }


def test_sqlite_affinity_mapping(con, tmp_path):
    load(
        con,
        tmp_path,
        "CREATE TABLE t (a, b INTEGER PRIMARY KEY AUTOINCREMENT, c NUMERIC(10,2), "
        "d TEXT, e BLOB, f REAL, g NVARCHAR(10), h DATETIME, i BOOLEAN, j CLOB);\n"
        "INSERT INTO t VALUES('x', 5, 0.98999999999999999111, 'y', X'00ff', 1.5, "
        "'z', '2009-01-01 00:00:00', 1, 'c');\n",
        dialect="sqlite",
    )
    assert column_types(con) == {
        "row_index": "BIGINT",
        "a": "VARCHAR",
        "b": "BIGINT",
        "c": "DOUBLE",
        "d": "VARCHAR",
        "e": "BLOB",
        "f": "DOUBLE",
        "g": "VARCHAR",
        "h": "TIMESTAMP",
        "i": "BOOLEAN",
        "j": "VARCHAR",
        "source_offset": "BIGINT",
    }
    assert rows(con) == [("x", 5, 0.99, "y", b"\x00\xff", 1.5, "z", dt.datetime(2009, 1, 1), True, "c")]


# sqlite3 3.34+ .dump writes text holding newlines or carriage returns through replace(), as
# sqlite3 3.40 does here (row 5: a backslash+n with no newline in the text stays two characters).
SQLITE_NEWLINES_DUMP = r"""PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE t(id INTEGER PRIMARY KEY, b TEXT);
INSERT INTO t VALUES(1,replace('l1\nl2','\n',char(10)));
INSERT INTO t VALUES(2,replace(replace('a\rb\nc','\r',char(13)),'\n',char(10)));
INSERT INTO t VALUES(3,replace(replace('it''s\r\n','\r',char(13)),'\n',char(10)));
INSERT INTO t VALUES(4,replace('a\rb','\r',char(13)));
INSERT INTO t VALUES(5,'plain \n stays');
COMMIT;
"""
SQLITE_NEWLINES_ROWS = [(1, "l1\nl2"), (2, "a\rb\nc"), (3, "it's\r\n"), (4, "a\rb"), (5, "plain \\n stays")]


def test_sqlite_dot_dump_text_with_newlines(con, tmp_path):
    load(con, tmp_path, SQLITE_NEWLINES_DUMP, allow_sqlite_pragma_header=True)
    assert rows(con) == SQLITE_NEWLINES_ROWS


@pytest.mark.parametrize(
    "expr, value",
    [
        (r"replace('x\ny','\n',char(10))", "x\ny"),
        (r"REPLACE('a', '\n', CHAR(10))", "a"),
        (r"Replace ( 'C:\new\nx' , '\n' , Char ( 10 ) )", "C:\new\nx"),
        (r"replace(replace('a\rb\nc','\n',char(10)),'\r',char(13))", "a\rb\nc"),
        (r"replace(replace('\r\n\\n\\\r','\r',char(13)),'\n',char(10))", "\r\n\\\n\\\\\r"),
        (r"replace('''\n''','\n',char(10))", "'\n'"),
        (r"replace('','\n',char(10))", ""),
        ("replace(\n  'two\\nlines',\n  '\\n', /* c */ char(10))", "two\nlines"),
    ],
)
def test_sqlite_newline_replace_gives_what_sqlite_computes(con, tmp_path, expr, value):
    assert sqlite3.connect(":memory:").execute(f"select {expr}").fetchone() == (value,)
    load(con, tmp_path, f"CREATE TABLE t(a INTEGER, b TEXT);\nINSERT INTO t VALUES(1,{expr});\n", dialect="sqlite")
    assert rows(con) == [(1, value)]


SQLITE_REFUSED = (
    "function call replace() in VALUES is not allowed in a dump (class c: could change loaded rows); nothing was loaded"
)


def test_sqlite_newline_replace_keeps_line_numbers(con, tmp_path):
    create = "CREATE TABLE t(a INTEGER, b TEXT);\n"
    values = (
        "VALUES(1,replace('x\\ny','\\n',char(10))),\n(2,replace(\n'a\\nb',\n'\\n',\n"
        "char(10))),\n(3,replace('c','\\n',char(11)));\n"
    )
    assert rejected(con, tmp_path, create + "INSERT INTO t " + values, dialect="sqlite") == (
        f"line 7: {SQLITE_REFUSED}"
    )
    # A head the scanner's pattern does not take: the statement is read whole.
    assert (
        rejected(con, tmp_path, create + "INSERT /* c */ INTO t " + values, dialect="sqlite")
        == f"line 7: {SQLITE_REFUSED}"
    )
    good = values.replace("char(11)", "char(10)")
    load(con, tmp_path, create + "INSERT /* c */ INTO t " + good, dialect="sqlite")
    assert rows(con) == [(1, "x\ny"), (2, "a\nb"), (3, "c")]


def test_sqlite_newline_replace_in_a_long_insert(con, tmp_path, monkeypatch):
    # The vectorised reader hands such a VALUES list back (a "(" inside a value breaks its row
    # grammar); the row readers then read it, the rows around each call included.
    results = []
    real = dump_scanner.fastrows.read

    def spy(*args):
        results.append(real(*args))
        return results[-1]

    monkeypatch.setattr(dump_scanner.fastrows, "read", spy)
    n = 3001
    body = ",".join(f"({i},replace('r{i}\\nx','\\n',char(10)))" if i % 3 == 0 else f"({i},'p{i}')" for i in range(n))
    create = "CREATE TABLE t(a INTEGER, b TEXT);\n"
    load(con, tmp_path, create + f"INSERT INTO t VALUES{body};\n", dialect="sqlite")
    assert results and results[-1] is None  # handed back, not MORE or rows
    got = rows(con)
    assert len(got) == n and got[:4] == [(0, "r0\nx"), (1, "p1"), (2, "p2"), (3, "r3\nx")]
    assert got[-1] == (n - 1, f"r{n - 1}\nx")
    bad = f"INSERT INTO t VALUES{body},\n(-1,replace('z','\\n',char(10),1));\n"
    assert rejected(con, tmp_path, create + bad, dialect="sqlite") == f"line 3: {SQLITE_REFUSED}"


def test_sqlite_second_markers_as_sqlite3_3_40_writes_them(con, tmp_path):
    # Verbatim `sqlite3 .dump` (3.40.1) output for text that already holds a backslash+n or
    # backslash+r: the markers become \012 and \015, and the literal backslash pairs stay.
    dump = (
        "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a text);\n"
        "INSERT INTO t VALUES(replace('a\\n and\\012b','\\012',char(10)));\n"
        "INSERT INTO t VALUES(replace(replace('p\\r\\n x\\015\\012y','\\015',char(13)),'\\012',char(10)));\n"
        "INSERT INTO t VALUES(replace(replace('q\\r\\nz','\\r',char(13)),'\\n',char(10)));\n"
        "COMMIT;\n"
    )
    load(con, tmp_path, dump, allow_sqlite_pragma_header=True)
    assert [r[0] for r in con.execute("select a from raw.t order by row_index").fetchall()] == [
        "a\\n and\nb",
        "p\\r\\n x\r\ny",
        "q\r\nz",
    ]


def test_sqlite_newline_replace_across_tiny_chunks(con, tmp_path, monkeypatch):
    monkeypatch.setattr(dump_source, "CHUNK_BYTES", 3)
    load(con, tmp_path, SQLITE_NEWLINES_DUMP, allow_sqlite_pragma_header=True)
    assert rows(con) == SQLITE_NEWLINES_ROWS


def test_progress_callback(con, tmp_path, monkeypatch):
    from ingest.sqldump import loader

    monkeypatch.setattr(loader, "PROGRESS_EVERY_BYTES", 100)
    seen = []
    text = MYSQL_T + "".join(f"INSERT INTO `t` VALUES ({i},'row {i}');\n" for i in range(50))
    load(con, tmp_path, text, progress=seen.append)
    assert len(seen) >= 2
    assert all(isinstance(p, loader.LoadProgress) and p.path == "dump.sql" for p in seen)
    assert seen[-1].rows == 50 and seen[-1].bytes_read == len(text.encode())
    assert [p.bytes_read for p in seen] == sorted(p.bytes_read for p in seen)


def test_pg_dump_inserts_format(con, tmp_path):
    load(
        con,
        tmp_path,
        "SET standard_conforming_strings = on;\n"
        "CREATE TABLE public.t (a integer, b text, c numeric(5,2), d boolean);\n"
        "INSERT INTO public.t VALUES (1, 'x', 1.50, true);\n"
        "INSERT INTO public.t (a, b, c, d) VALUES\n\t(2, 'y', NULL, false),\n"
        "\t(3, 'z''s', -0.01, NULL);\n",
    )
    assert rows(con) == [(1, "x", Decimal("1.50"), True), (2, "y", None, False), (3, "z's", Decimal("-0.01"), None)]


def test_comments_in_insert_heads_and_crlf_lines(con, tmp_path):
    load(
        con,
        tmp_path,
        "create table T (A int, B text);\r\ninsert /* hi */ into t (b, a) values ('x', 1),\r\n('y', 2);\r\n",
    )
    assert rows(con) == [(1, "x"), (2, "y")]


def test_broken_or_unsupported_compression_is_refused(con, tmp_path):
    text = (MYSQL_T + "INSERT INTO `t` VALUES (1,'a');\n" * 200).encode()
    broken = tmp_path / "cut.sql.gz"
    broken.write_bytes(gzip.compress(text, mtime=0)[:-30])
    with pytest.raises(DumpRejected) as err:
        load_dump(con, broken)
    assert str(err.value).startswith("line 1: broken gzip stream after 0 decompressed bytes (")
    bz = tmp_path / "d.sql.bz2"
    bz.write_bytes(b"BZh91AY&SY" + b"\0" * 20)
    with pytest.raises(DumpRejected) as err:
        load_dump(con, bz)
    assert str(err.value) == (
        "d.sql.bz2 is bzip2-compressed; only plain and gzip dumps are read (decompress it first); nothing was loaded"
    )
