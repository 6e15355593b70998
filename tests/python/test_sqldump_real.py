"""SQL dump ingest on real dumps: Chinook (MySQL, PostgreSQL, SQLite script, sqlite3 .dump,
SQL Server), Sakila, world, Pagila. Counts and values are the published ones; Chinook values
are compared one by one with the original SQLite database (read with Python's sqlite3 module,
which reads a database file and executes nothing from a dump)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from ingest import manifest
from ingest.sqldump import DumpRejected, DumpWarning, format_summary, load_dump, write_manifest_json
from ingest.warehouse import connect

DUMPS = Path(__file__).resolve().parents[1] / "fixtures" / "dumps"

CHINOOK_COUNTS = {
    "Album": 347,
    "Artist": 275,
    "Customer": 59,
    "Employee": 8,
    "Genre": 25,
    "Invoice": 412,
    "InvoiceLine": 2240,
    "MediaType": 5,
    "Playlist": 18,
    "PlaylistTrack": 8715,
    "Track": 3503,
}
SAKILA_COUNTS = {
    "actor": 200,
    "address": 603,
    "category": 16,
    "city": 600,
    "country": 109,
    "customer": 599,
    "film": 1000,
    "film_actor": 5462,
    "film_category": 1000,
    "inventory": 4581,
    "language": 6,
    "payment": 16049,
    "rental": 16044,
    "staff": 2,
    "store": 2,
}
PAGILA_COUNTS = {
    "actor": 200,
    "country": 109,
    "city": 600,
    "address": 603,
    "category": 16,
    "store": 500,
    "customer": 599,
    "language": 6,
    "film": 1000,
    "film_actor": 5462,
    "film_category": 2367,
    "inventory": 4581,
    "staff": 1500,
    "rental": 16044,
    "payment_p2022_01": 723,
    "payment_p2022_02": 2401,
    "payment_p2022_03": 2713,
    "payment_p2022_04": 2547,
    "payment_p2022_05": 2677,
    "payment_p2022_06": 2654,
    "payment_p2022_07": 2334,
}


def dump(name: str) -> Path:
    return DUMPS / f"{name}.gz"


def counts(con, entries) -> dict[str, int]:
    out = {}
    for e in entries:
        n = con.execute(f'select count(*) from raw."{e.table_name}"').fetchone()[0]
        assert n == e.row_count
        out[e.table_name] = n
    return out


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.fixture(scope="module")
def chinook_truth(tmp_path_factory) -> dict[str, tuple[list[str], list[tuple]]]:
    path = tmp_path_factory.mktemp("chinook") / "Chinook_Sqlite.sqlite"
    path.write_bytes(gzip.decompress(dump("Chinook_Sqlite.sqlite").read_bytes()))
    db = sqlite3.connect(path)
    out = {}
    for table in CHINOOK_COUNTS:
        cols = [r[1] for r in db.execute(f'pragma table_info("{table}")')]
        out[table] = (cols, db.execute(f'select * from "{table}" order by rowid').fetchall())
    db.close()
    return out


def same_value(loaded, truth) -> bool:
    """Equal, normalising only type representation: DECIMAL(10,2) vs SQLite's REAL (the
    double's shortest repr must be the exact decimal), TIMESTAMP vs SQLite's ISO text."""
    if isinstance(loaded, Decimal) and isinstance(truth, float):
        return loaded == Decimal(repr(truth))
    if isinstance(loaded, dt.datetime) and isinstance(truth, str):
        return loaded.strftime("%Y-%m-%d %H:%M:%S") == truth
    return type(loaded) is type(truth) and loaded == truth


@pytest.mark.parametrize(
    "fixture, options, snake_case, dialect",
    [
        ("Chinook_MySql.sql", {}, False, "mysql"),
        ("Chinook_PostgreSql.sql", {}, True, "postgres"),
        ("Chinook_Sqlite.sql", {}, False, "sqlite"),
        ("chinook_sqlite3_dot_dump.sql", {"allow_sqlite_pragma_header": True}, False, "sqlite"),
    ],
)
def test_chinook_loads_exact_counts_and_values(chinook_truth, fixture, options, snake_case, dialect):
    con = connect(":memory:")
    entries = load_dump(con, dump(fixture), **options)
    name = snake if snake_case else (lambda n: n)
    assert counts(con, entries) == {name(t): n for t, n in CHINOOK_COUNTS.items()}
    assert {e.details["dialect"] for e in entries} == {dialect}
    for table, (cols, truth_rows) in chinook_truth.items():
        select = ", ".join(f'"{name(c)}"' for c in cols)
        rows = con.execute(f'select {select} from raw."{name(table)}" order by row_index').fetchall()
        assert len(rows) == len(truth_rows)
        for got, want in zip(rows, truth_rows, strict=False):
            if dialect == "mysql":
                # The MySQL script writes the original's "\\ " unescaped; MySQL reads "\\ " as
                # an undefined escape and drops the backslash (5 occurrences, 4 track names).
                want = tuple(w.replace("\\ ", " ") if isinstance(w, str) else w for w in want)
            assert all(same_value(g, w) for g, w in zip(got, want, strict=False)), (table, got, want)


def test_chinook_mysql_reads_backslash_space_as_mysql_does():
    con = connect(":memory:")
    load_dump(con, dump("Chinook_MySql.sql"))
    assert con.execute('select "Name" from raw."Track" where "TrackId" = 3435').fetchone() == (
        "Cavalleria Rusticana  Act  Intermezzo Sinfonico",
    )
    assert con.execute("""select count(*) from raw."Track" where "Name" like '%\\%' escape '!' """).fetchone() == (0,)


def test_chinook_mysql_manifest_and_types():
    con = connect(":memory:")
    entries = load_dump(con, dump("Chinook_MySql.sql"))
    sha = hashlib.sha256(dump("Chinook_MySql.sql").read_bytes()).hexdigest()
    invoice = next(e for e in entries if e.table_name == "Invoice")
    assert invoice.source_format == "sql_dump"
    assert invoice.input_sha256 == sha
    assert invoice.input_bytes == dump("Chinook_MySql.sql").stat().st_size
    assert invoice.dataset_version_id == manifest.dataset_version_id(sha, "Invoice")
    assert invoice.details["statements"] == {
        "loaded": {"CREATE TABLE": 11, "INSERT": 24},
        "skipped": {
            "ALTER TABLE ... ADD CONSTRAINT": 11,
            "CREATE DATABASE": 1,
            "CREATE INDEX": 11,
            "DROP DATABASE": 1,
            "USE": 1,
        },
    }
    assert invoice.details["columns"][2] == {
        "name": "InvoiceDate",
        "source_type": "DATETIME",
        "duckdb_type": "TIMESTAMP",
    }
    assert invoice.details["columns"][8] == {
        "name": "Total",
        "source_type": "DECIMAL(10, 2)",
        "duckdb_type": "DECIMAL(10,2)",
    }
    assert manifest.read_all(con) == sorted(entries, key=lambda e: e.table_name)
    described = con.execute('describe raw."Invoice"').fetchall()
    assert [(r[0], r[1]) for r in described] == [
        ("row_index", "BIGINT"),
        ("InvoiceId", "INTEGER"),
        ("CustomerId", "INTEGER"),
        ("InvoiceDate", "TIMESTAMP"),
        ("BillingAddress", "VARCHAR"),
        ("BillingCity", "VARCHAR"),
        ("BillingState", "VARCHAR"),
        ("BillingCountry", "VARCHAR"),
        ("BillingPostalCode", "VARCHAR"),
        ("Total", "DECIMAL(10,2)"),
        ("source_offset", "BIGINT"),
    ]


def test_chinook_sql_server_script_is_refused_naming_go():
    con = connect(":memory:")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, dump("Chinook_SqlServer.sql"))
    assert str(err.value) == (
        "line 26: GO statement is not allowed in a dump (class c: not a statement a dump needs; "
        "T-SQL scripts are not read); nothing was loaded"
    )
    assert (err.value.kind, err.value.line) == ("GO", 26)
    assert con.execute("select count(*) from raw.ingest_manifest").fetchone() == (0,)


def test_sqlite_dot_dump_needs_the_pragma_option():
    con = connect(":memory:")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, dump("chinook_sqlite3_dot_dump.sql"))
    assert str(err.value) == (
        "line 1: PRAGMA statement is not allowed in a dump (class c: could change loaded rows; "
        "allow_sqlite_pragma_header=True accepts the sqlite3 .dump header PRAGMA "
        "foreign_keys=OFF); nothing was loaded"
    )


def test_small_sqlite_dot_dump_with_sqlite_sequence():
    con = connect(":memory:")
    entries = load_dump(con, dump("vadshi_storedb_dump.sql"), allow_sqlite_pragma_header=True)
    assert counts(con, entries) == {"quotes": 2}
    assert entries[0].details["statements"] == {
        "loaded": {"CREATE TABLE": 1, "INSERT": 2},
        "skipped": {
            "BEGIN": 1,
            "COMMIT": 1,
            "PRAGMA foreign_keys=OFF (sqlite3 .dump header)": 1,
            "sqlite_sequence bookkeeping": 2,
        },
    }
    assert con.execute("select id, author, rating from raw.quotes order by row_index").fetchall() == [
        (1, "Rick Cook", 2),
        (2, "Waldi Ravens", 3),
    ]
    text = con.execute("select text from raw.quotes where id = 1").fetchone()[0]
    assert text == "Программирование сегодня — это гонка разработчиков программ..."


def test_world_counts_escapes_and_summary():
    con = connect(":memory:")
    entries = load_dump(con, dump("world.sql"))
    assert counts(con, entries) == {"city": 4079, "country": 239, "countrylanguage": 984}
    assert con.execute('select "HeadOfState" from raw.country where "Code" = \'TON\'').fetchone() == (
        "Taufa'ahau Tupou IV",
    )
    assert con.execute(
        'select "Continent", "SurfaceArea", "LifeExpectancy" from raw.country where "Code" = \'NLD\''
    ).fetchone() == ("Europe", Decimal("41526.00"), Decimal("78.3"))
    source = manifest.display_path(dump("world.sql"))
    assert format_summary(entries) == "\n".join(
        [
            f"loaded 3 table(s), 5,302 rows from {source} (mysql dump)",
            "  raw.city                    4,079 rows",
            "  raw.country                   239 rows",
            "  raw.countrylanguage           984 rows",
            "dump statements loaded: CREATE TABLE 3, INSERT 5,302",
            "dump statements skipped: COMMIT 3, CREATE DATABASE 1, DROP DATABASE 1, DROP TABLE 3, SET 32, USE 1",
        ]
    )


def test_source_offset_finds_the_statement_in_the_file():
    con = connect(":memory:")
    load_dump(con, dump("world.sql"))
    text = gzip.decompress(dump("world.sql").read_bytes())
    rows = con.execute('select source_offset, "Name" from raw.city where "ID" in (1, 2, 4079) order by "ID"').fetchall()
    for offset, name in rows:
        statement = text[offset : text.index(b";\n", offset)]
        assert statement.startswith(b"INSERT INTO `city` VALUES (")
        assert name.encode() in statement
    assert len({r[0] for r in rows}) == 3  # world.sql has one row per INSERT


def sakila_tables_only(tmp_path: Path) -> Path:
    """The Sakila schema with its programmable objects cut out (tables only)."""
    lines = gzip.decompress(dump("sakila-mv-schema.sql").read_bytes()).decode().split("\n")
    kept = lines[:188] + lines[212:326] + lines[645:]
    path = tmp_path / "sakila-tables.sql"
    path.write_text("\n".join(kept), encoding="utf-8")
    return path


def test_sakila_schema_programmable_objects_refused_by_default():
    con = connect(":memory:")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, dump("sakila-mv-data.sql"), schema_path=dump("sakila-mv-schema.sql"))
    assert str(err.value) == (
        "schema file sakila-mv-schema.sql.gz line 190: CREATE TRIGGER statement is not allowed "
        "in a dump (class c: could change loaded rows; skip_programmable_objects=True skips it); "
        "nothing was loaded"
    )
    assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchone() == (
        1,
    )  # the manifest only


def test_sakila_trailing_trigger_in_the_data_refused_by_default(tmp_path):
    con = connect(":memory:")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, dump("sakila-mv-data.sql"), schema_path=sakila_tables_only(tmp_path))
    assert str(err.value) == (
        "line 2197: CREATE TRIGGER statement is not allowed in a dump (class c: could change "
        "loaded rows; skip_programmable_objects=True skips it); nothing was loaded"
    )


def test_sakila_loads_with_skip_programmable_objects_and_warns():
    con = connect(":memory:")
    with pytest.warns(DumpWarning) as caught:
        entries = load_dump(
            con, dump("sakila-mv-data.sql"), schema_path=dump("sakila-mv-schema.sql"), skip_programmable_objects=True
        )
    assert counts(con, entries) == {**SAKILA_COUNTS, "film_text": 0}
    assert sum(e.row_count for e in entries) == 46273
    message = str(caught[0].message)
    assert message.startswith(
        "skipped programmable objects (skip_programmable_objects=True): CREATE TRIGGER `ins_film` "
        "(sakila-mv-schema.sql.gz line 190); "
    )
    assert message.endswith(
        "CREATE TRIGGER customer_create_date (sakila-mv-data.sql.gz line 2197); "
        "CREATE TRIGGER payment_date (sakila-mv-data.sql.gz line 30344); "
        "CREATE TRIGGER rental_date (sakila-mv-data.sql.gz line 46402)"
    )
    assert message.count("; ") == 18
    actor = next(e for e in entries if e.table_name == "actor")
    assert actor.details["warnings"] == [message]
    assert (
        actor.details["schema_file"]["sha256"] == hashlib.sha256(dump("sakila-mv-schema.sql").read_bytes()).hexdigest()
    )
    assert actor.details["statements"]["skipped"]["CREATE TRIGGER"] == 3
    picture, location = con.execute(
        "select s.picture, a.location from raw.staff s, raw.address a where s.staff_id = 1 and a.address_id = 1"
    ).fetchone()
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    assert location == bytes.fromhex("0000000001010000003E0A325D63345CC0761FDB8D99D94840")
    assert con.execute("select sum(amount) from raw.payment").fetchone() == (Decimal("67416.51"),)


def test_pagila_copy_blocks_with_schema_file():
    con = connect(":memory:")
    with pytest.warns(DumpWarning):
        entries = load_dump(
            con, dump("pagila-data.sql"), schema_path=dump("pagila-schema.sql"), skip_programmable_objects=True
        )
    assert counts(con, entries) == {**PAGILA_COUNTS, "payment": 0}
    assert sum(e.row_count for e in entries) == 49636
    by_name = {e.table_name: e for e in entries}
    assert by_name["payment"].details["partitions"] == [f"payment_p2022_0{i}" for i in range(1, 8)]
    assert by_name["payment_p2022_03"].details["partition_of"] == "payment"
    assert by_name["film"].details["statements"] == {
        "loaded": {"COPY": 21},
        "skipped": {"SELECT pg_catalog.set_config": 1, "SELECT setval (sequence position)": 13, "SET": 9},
    }
    film = con.execute(
        "select title, release_year, rental_rate, rating, special_features, last_update from raw.film where film_id = 1"
    ).fetchone()
    assert film[:5] == ("ACADEMY DINOSAUR", 2012, Decimal("0.99"), "PG", '{"Deleted Scenes","Behind the Scenes"}')
    assert film[5] == dt.datetime(2022, 9, 10, 16, 46, 3, 905795, tzinfo=dt.UTC)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'film'"
        ).fetchall()
    )
    assert (types["release_year"], types["rating"], types["fulltext"], types["last_update"]) == (
        "INTEGER",
        "VARCHAR",
        "VARCHAR",
        "TIMESTAMP WITH TIME ZONE",
    )


def test_pagila_schema_functions_refused_by_default():
    con = connect(":memory:")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, dump("pagila-data.sql"), schema_path=dump("pagila-schema.sql"))
    assert str(err.value) == (
        "schema file pagila-schema.sql.gz line 66: CREATE FUNCTION statement is not allowed in a "
        "dump (class c: could change loaded rows; skip_programmable_objects=True skips it); "
        "nothing was loaded"
    )


def test_data_only_dump_without_schema_is_refused():
    con = connect(":memory:")
    with pytest.raises(DumpRejected) as err:
        load_dump(con, dump("pagila-data.sql"))
    assert str(err.value) == (
        'line 23: COPY into "actor", a table the dump never created (no CREATE TABLE before it; '
        "for a data-only dump pass schema_path=); nothing was loaded"
    )


def test_manifest_json_is_deterministic(tmp_path):
    outputs = []
    for i in range(2):
        con = connect(tmp_path / f"w{i}.duckdb")
        entries = load_dump(con, dump("world.sql"))
        con.close()
        target = tmp_path / f"manifest{i}.json"
        write_manifest_json(target, entries)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    body = json.loads(outputs[0])
    assert [e["table_name"] for e in body] == ["city", "country", "countrylanguage"]
    assert body[0]["details"]["dialect"] == "mysql"
    assert sorted(body[0]) == [
        "dataset_version_id",
        "details",
        "input_bytes",
        "input_sha256",
        "row_count",
        "source_format",
        "source_path",
        "table_name",
    ]
