"""The SQL-formatted export writer (moneytrail/export_cells.py) against the row-by-row reference
writer: the same bytes on adversarial values and on every export of the demo and the FEC example."""

from __future__ import annotations

import datetime
import io
import shutil
import struct
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from moneytrail import export_cells, exports

pytestmark = pytest.mark.slow  # the real-data cases share the session's demo and FEC runs


def _both_writers(db: Path, out: Path, monkeypatch) -> tuple[Path, Path]:
    """Every export written by the row writer into out/rows and by the SQL writer into out/sql."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        monkeypatch.setattr(exports, "FAST_EXPORT_MIN_ROWS", 10**18)
        exports.export_marts(con, out / "rows")
        monkeypatch.setattr(exports, "FAST_EXPORT_MIN_ROWS", 0)
        exports.export_marts(con, out / "sql")
    finally:
        con.close()
    return out / "rows", out / "sql"


def _assert_same_files(rows: Path, sql: Path) -> list[str]:
    names = sorted(p.name for p in rows.iterdir())
    assert names == sorted(p.name for p in sql.iterdir())
    differing = [n for n in names if (rows / n).read_bytes() != (sql / n).read_bytes()]
    assert differing == []
    return names


# every character json.dumps escapes, the ones csv quotes on, and some it leaves alone
_TEXTS = [chr(c) for c in range(32)] + [
    "",
    " ",
    ",",
    '"',
    '""',
    "\\",
    "\\u001F",
    "\\n",
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\ronly",
    "crlf\r\n",
    "tab\there",
    "\x7f",
    "\u2028\u2029",
    "Zoë ünïcödé 東京 🙂",
    "/slash/",
    "'single'",
    "trailing space ",
    "x" * 300,
]


def _doubles(n: int) -> list[float]:
    """Edge doubles plus n bit patterns from a seeded generator (subnormals, huge, tiny, any sign)."""
    edges = [0.0, -0.0, 1.0, -1.0, 0.1 + 0.2, 1 / 3, 100.0, 1e15, 1e16, 1e17, 123456789012.5]
    edges += [
        9.99999999999e15,
        1e-4,
        1e-5,
        0.00012345678901234,
        5e-324,
        2.2250738585072014e-308,
        1.7976931348623157e308,
    ]
    edges += [float("nan"), float("inf"), float("-inf"), 0.05, 99.75, 3.0, 2.5e-7, 1e22]
    rng = np.random.default_rng(20261204)
    bits = rng.integers(0, 2**64, size=n, dtype=np.uint64)
    drawn = [struct.unpack("<d", struct.pack("<Q", int(b)))[0] for b in bits]
    scaled = list(rng.normal(0, 1, n) * 10.0 ** rng.integers(-12, 18, n))
    return edges + drawn + scaled


_NAMES = ["edge_id", "donor_name", "score", "overlap", "amount", "small", "n", "k", "flag", "day"]
_NAMES += ["names", "days", "counts", "amounts", "flags"]
_ARROW_TYPES = [pa.string(), pa.string(), pa.float64(), pa.float32(), pa.decimal128(38, 2), pa.decimal128(4, 3)]
_ARROW_TYPES += [pa.int64(), pa.int32(), pa.bool_(), pa.date32(), pa.list_(pa.string()), pa.list_(pa.date32())]
_ARROW_TYPES += [pa.list_(pa.int64()), pa.list_(pa.decimal128(18, 2)), pa.list_(pa.bool_())]


def _row(i: int, value: float) -> tuple:
    """Row i: NULLs, empty lists and NULL list items spread over the rows by different moduli."""
    names = None if i % 11 == 0 else ([] if i % 5 == 0 else [_TEXTS[(i + j) % len(_TEXTS)] for j in range(i % 4)])
    if names is not None and i % 13 == 0:
        names.append(None)
    day = datetime.date(1 + i % 9999, 1 + i % 12, 1 + i % 28)
    return (
        f"e{i:05d}",
        _TEXTS[i % len(_TEXTS)] if i % 7 else None,
        None if i % 17 == 0 else value,
        None if i % 19 == 0 or not abs(value) < 3e38 else value,  # stored as FLOAT: rounded to single precision
        None if i % 9 == 0 else Decimal(f"{(i * 7919) % 10**9 - 5 * 10**8}.{i % 100:02d}"),
        None if i % 4 == 0 else Decimal(f"{(i % 19) - 9}.{i % 1000:03d}"),
        None if i % 6 == 0 else (i * 2654435761) % 2**63 * (-1 if i % 2 else 1),
        None if i % 8 == 0 else i - 1500,
        None if i % 3 == 0 else bool(i % 2),
        None if i % 10 == 0 else day,
        names,
        None if i % 12 == 0 else [None if j == 2 else day + datetime.timedelta(days=j) for j in range(i % 5)],
        None if i % 14 == 0 else [None if j == 1 else j * i for j in range(i % 4)],
        None if i % 15 == 0 else [Decimal(f"{j}.{i % 100:02d}") for j in range(i % 3)],
        None if i % 16 == 0 else [None if j == 0 and i % 2 else bool(j % 2) for j in range(i % 3)],
    )


def _adversarial_warehouse(path: Path, subnormals: bool = True) -> int:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("""
        create table marts.cross_links (
            edge_id varchar, donor_name varchar, score double, overlap float, amount decimal(38, 2),
            small decimal(4, 3), n bigint, k integer, flag boolean, day date, names varchar[], days date[],
            counts bigint[], amounts decimal(18, 2)[], flags boolean[])""")
    doubles = _doubles(3000)
    if not subnormals:
        doubles = [d for d in doubles if not (d != 0 and abs(d) < 2.2250738585072014e-308)]
    rows = [_row(i, value) for i, value in enumerate(doubles)]
    columns = list(zip(*rows, strict=True))
    table = pa.table([pa.array(c, type=t) for c, t in zip(columns, _ARROW_TYPES, strict=True)], names=_NAMES)
    con.register("adversarial", table)
    con.execute("insert into marts.cross_links select * from adversarial")
    con.close()
    return len(rows)


@pytest.mark.parametrize("subnormals", [True, False], ids=["floats_in_python", "floats_in_sql"])
def test_adversarial_values_give_the_row_writers_bytes(tmp_path, monkeypatch, subnormals):
    db = tmp_path / "w.duckdb"
    count = _adversarial_warehouse(db, subnormals)
    rows, sql = _both_writers(db, tmp_path / "out", monkeypatch)
    assert _assert_same_files(rows, sql) == ["cross_links.csv", "cross_links.jsonl"]
    assert len((sql / "cross_links.jsonl").read_bytes().split(b"\n")) == count + 1
    # the SQL writer did run: its plan covers every column type of this table
    con = duckdb.connect(str(db), read_only=True)
    cols = exports.relation_columns(con, "marts", "cross_links")
    types = exports.relation_types(con, "marts", "cross_links")
    con.close()
    assert export_cells.plan("marts", "cross_links", cols, types, cols, True) is not None
    con = duckdb.connect(str(db), read_only=True)
    floats = export_cells.float_columns(cols, types)
    assert floats == ["score", "overlap"]
    assert export_cells.has_subnormal(con, "marts", "cross_links", floats) is subnormals
    con.close()


def test_float_text_in_sql_is_pythons_repr_on_a_million_doubles():
    """_float_text against repr(format_float(x)) on random bit patterns and scaled normals."""
    rng = np.random.default_rng(4)
    values = np.concatenate(
        [
            rng.integers(0, 2**64, size=610_000, dtype=np.uint64).view(np.float64),
            rng.normal(0, 1, 300_000) * 10.0 ** rng.integers(-20, 25, 300_000),
            rng.integers(-(10**17), 10**17, 100_000).astype(np.float64),
            np.array(_doubles(0)),
        ]
    )
    values = values[~((np.abs(values) < 2.2250738585072014e-308) & (values != 0))]  # subnormals: Python's
    con = duckdb.connect()
    con.register("v", pa.table({"x": values}))
    text = export_cells._float_text('"x"', '"g"')
    got = con.execute(f"select {text} from (select x, format('{{:.12g}}', x) as g from v)").fetchnumpy()
    expected = [None if (f := exports.format_float(v)) is None else repr(f) for v in values.tolist()]
    wrong = [(v, e, g) for v, e, g in zip(values.tolist(), expected, got[list(got)[0]].tolist(), strict=True) if e != g]
    assert len(values) > 1_000_000
    assert wrong[:5] == []


def test_uncovered_types_and_single_columns_are_left_to_the_row_writer():
    assert export_cells.plan("marts", "t", ["a", "b"], ["VARCHAR", "TIMESTAMP"], ["a"], False) is None
    assert export_cells.plan("marts", "t", ["a", "b"], ["VARCHAR", "DOUBLE[]"], ["a"], False) is None
    assert export_cells.plan("marts", "t", ["a", "b"], ["VARCHAR", "STRUCT(x INTEGER)"], ["a"], False) is None
    # csv writes a row of one empty cell as "": one-column relations stay with the row writer
    assert export_cells.plan("marts", "t", ["a"], ["VARCHAR"], ["a"], False) is None
    # floats formatted in Python (a relation with subnormals) split the line into parts
    plan = export_cells.plan("marts", "t", ["a", "b", "c"], ["VARCHAR", "DOUBLE", "BIGINT"], ["a"], True, False)
    assert plan is not None
    assert (plan.csv_parts, plan.json_parts) == ((None, "b", None), (None, "b", None))
    plan = export_cells.plan("marts", "t", ["a", "b", "c"], ["VARCHAR", "DOUBLE", "BIGINT"], ["a"], True)
    assert plan is not None
    assert (plan.csv_parts, plan.json_parts) == ((None,), (None,))


def test_a_relation_of_uncovered_types_still_exports_through_the_row_writer(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute("create table marts.limit_flags (flag_id varchar, seen timestamp)")
    con.execute("insert into marts.limit_flags values ('f2', timestamp '2024-01-02 03:04:05'), ('f1', null)")
    con.close()
    monkeypatch.setattr(exports, "FAST_EXPORT_MIN_ROWS", 0)
    con = duckdb.connect(str(db), read_only=True)
    exports.export_marts(con, tmp_path / "out")
    con.close()
    assert (tmp_path / "out" / "limit_flags.csv").read_text() == "flag_id,seen\nf1,\nf2,2024-01-02T03:04:05\n"


def test_small_batches_give_the_same_bytes(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    _adversarial_warehouse(db, subnormals=False)
    rows, sql = _both_writers(db, tmp_path / "out", monkeypatch)
    monkeypatch.setattr(export_cells, "BATCH_ROWS", 7)
    con = duckdb.connect(str(db), read_only=True)
    exports.export_marts(con, tmp_path / "small")
    con.close()
    assert _assert_same_files(sql, tmp_path / "small") == ["cross_links.csv", "cross_links.jsonl"]


@pytest.mark.parametrize("run", ["demo_run", "fec_example_run"])
def test_every_export_of_the_examples_gives_the_row_writers_bytes(run, request, tmp_path, monkeypatch):
    built = request.getfixturevalue(run)
    assert built.exit_code == 0
    db = tmp_path / "w.duckdb"
    shutil.copyfile(built.db, db)
    rows, sql = _both_writers(db, tmp_path / "out", monkeypatch)
    names = _assert_same_files(rows, sql)
    assert len(names) >= 14
    # and those are the run's own files (written by whichever writer its sizes chose)
    assert [n for n in names if (built.out / n).read_bytes() != (rows / n).read_bytes()] == []


def test_the_sort_order_survives_a_parallel_build_of_many_row_groups(tmp_path, monkeypatch):
    """The SQL writer sorts the raw rows in a subquery and formats above it (so the sort never
    holds formatted text): the plan keeps ORDER_BY under the projections, and 300,000 rows inserted
    in shuffled order (many row groups, read by several threads) come out as the row writer's."""
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("set threads = 4")
    con.execute("create schema marts")
    con.execute(
        "create table marts.cross_links as select printf('e%07d', (i * 7919) % 300000) as edge_id, "
        "((i * 31) % 1000) / 7.0 as score, case when i % 3 = 0 then 'x, \"y\"' end as note from range(300000) t(i)"
    )
    cols = exports.relation_columns(con, "marts", "cross_links")
    types = exports.relation_types(con, "marts", "cross_links")
    plan = export_cells.plan("marts", "cross_links", cols, types, exports.order_keys(cols, ["edge_id"]), True)
    assert plan is not None
    explained = "\n".join(row[1] for row in con.execute("explain " + plan.sql).fetchall())
    assert explained.index("PROJECTION") < explained.index("ORDER_BY")  # formatting above the sort
    con.close()
    rows, sql = _both_writers(db, tmp_path / "out", monkeypatch)
    assert _assert_same_files(rows, sql) == ["cross_links.csv", "cross_links.jsonl"]
    first = (sql / "cross_links.csv").read_text(encoding="utf-8").splitlines()[1:3]
    assert first == ['e0000000,0.0,"x, ""y"""', "e0000001,7.0,"]


def test_a_connection_without_insertion_order_gets_it_for_the_query_and_back_after(tmp_path):
    """The sorted subquery's order reaches the lines only while preserve_insertion_order is on:
    write() turns it on for its query on a connection that has it off (dbt's profile does), then
    off again."""
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute("create table marts.t as select 'e' || (i * 7) % 1000 as a, i as b from range(1000) t(i)")
    con.close()
    con = duckdb.connect(str(db), read_only=True, config={"preserve_insertion_order": False})
    plan = export_cells.plan("marts", "t", ["a", "b"], ["VARCHAR", "BIGINT"], ["a", "b"], False)
    assert plan is not None
    out = io.BytesIO()
    assert export_cells.write(con, plan, out, None) == 1000
    assert con.execute("select current_setting('preserve_insertion_order')").fetchone() == (False,)
    # what the query itself saw
    probe = export_cells.Plan("select current_setting('preserve_insertion_order')::varchar as part0", (None,), ())
    seen = io.BytesIO()
    assert export_cells.write(con, probe, seen, None) == 1
    assert seen.getvalue() == b"true\n"
    con.close()
    lines = out.getvalue().decode().splitlines()
    assert lines == sorted(lines, key=lambda line: line.split(",")[0]) and lines[0] == "e0,0"


def test_the_sort_key_is_the_id_alone_only_where_no_two_rows_share_it(tmp_path, monkeypatch):
    """A unique order_by sorts alone (no list column in the sort key); a repeated one, NULLs
    included, keeps every column as tiebreak. Both give the row writer's bytes."""
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute(
        "create table marts.cross_links as select printf('e%05d', (i * 7919) % 6000) as edge_id, "
        "[printf('db://dsv_a#row_index=%d', i), printf('db://dsv_a#row_index=%d', 6000 - i)] as row_refs "
        "from range(6000) t(i)"
    )
    cols = exports.relation_columns(con, "marts", "cross_links")
    full = exports.order_keys(cols, ["edge_id"])
    assert full == ["edge_id", "row_refs"]
    assert export_cells.sort_keys(con, "marts", "cross_links", cols, ["edge_id"]) == ["edge_id"]
    con.execute("update marts.cross_links set edge_id = null where edge_id = 'e00003'")  # one NULL: still unique
    assert export_cells.sort_keys(con, "marts", "cross_links", cols, ["edge_id"]) == ["edge_id"]
    con.execute("update marts.cross_links set edge_id = null where edge_id = 'e00004'")  # two NULLs
    assert export_cells.sort_keys(con, "marts", "cross_links", cols, ["edge_id"]) == full
    con.execute(
        "update marts.cross_links set edge_id = 'e00003' "
        "where rowid = (select min(rowid) from marts.cross_links where edge_id is null)"
    )
    assert con.execute("select count(*) from marts.cross_links where edge_id is null").fetchone() == (1,)
    assert export_cells.sort_keys(con, "marts", "cross_links", cols, ["edge_id"]) == ["edge_id"]
    # a tie on the id: the rows come out in the order of their lists, as the row writer puts them
    con.execute("update marts.cross_links set edge_id = 'e00005' where edge_id = 'e00006'")
    con.close()
    rows, sql = _both_writers(db, tmp_path / "out", monkeypatch)
    assert _assert_same_files(rows, sql) == ["cross_links.csv", "cross_links.jsonl"]
    tied = [line for line in (sql / "cross_links.csv").read_text(encoding="utf-8").splitlines() if "e00005" in line]
    assert len(tied) == 2 and tied == sorted(tied)
