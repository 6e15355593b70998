"""Exports: exact formatting on a synthetic warehouse, CSV/JSONL parity and counts on the demo."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from moneytrail import exports

pytestmark = pytest.mark.slow  # the demo tests share the session's demo run

# ----------------------------------------------------------------------------------------------
# Formatting rules
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, cell",
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (7, "7"),
        (6737752545769360135, "6737752545769360135"),
        (Decimal("1100.00"), "1100.00"),
        (Decimal("-0.50"), "-0.50"),
        (Decimal("1E+3"), "1000"),
        (0.1 + 0.2, "0.3"),
        (1 / 3, "0.333333333333"),
        (100.0, "100.0"),
        (-0.0, "0.0"),
        (1e-20, "1e-20"),
        (float("nan"), ""),
        (float("inf"), ""),
        ('Zoë, "the" one', 'Zoë, "the" one'),
        (["a", None, 1.5], '["a",null,1.5]'),
        ({"k": Decimal("2.50")}, '{"k":"2.50"}'),
    ],
)
def test_csv_cell_formatting(value, cell):
    assert exports.csv_cell(value) == cell


def test_dates_are_iso():
    import datetime

    assert exports.json_value(datetime.date(2022, 3, 4)) == "2022-03-04"
    assert exports.json_value([datetime.date(2021, 1, 9)]) == ["2021-01-09"]


# ----------------------------------------------------------------------------------------------
# A synthetic warehouse: exact bytes
# ----------------------------------------------------------------------------------------------


def _synthetic_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create schema staging")
    con.execute("""
        create table marts.cross_links (
            edge_id varchar, relation varchar, match_type varchar, confidence_tier varchar,
            vendor_entity_id varchar, donor_key varchar, recipient_id varchar,
            contribution_row_ref varchar, amount decimal(18, 2), score double,
            shared varchar[], donation_date date, is_memo boolean, donor_name varchar
        )""")
    # inserted out of order: the export must sort by edge_id
    con.execute("""
        insert into marts.cross_links values
        ('e2', 'vendor_employer', 'fuzzy', 'probable', 'v1', 'd2', 'C1', 'db://dsv_x#row_index=9',
         1100.00, 1.0 / 3, ['ACME', 'ROAD'], date '2022-03-14', false, 'Zoë, "Z"'),
        ('e1', 'vendor_business_donor', 'exact', 'high', 'v1', 'd1', 'C2', 'db://dsv_x#row_index=2',
         -0.50, 100, [], date '2021-01-09', true, null),
        ('e3', 'vendor_employer', 'exact', 'high', 'v2', 'd1', 'C1', 'db://dsv_x#row_index=4',
         0.10, 'nan'::double, null, null, null, 'multi
line')
    """)
    con.execute("create table marts.limit_flags (flag_id varchar, total_amount decimal(38, 2))")
    con.execute("insert into marts.limit_flags values ('f1', 1200.00)")
    # the summary's numbers are the report models' (models/report/ counts them; their dbt unit
    # tests and test_cross_link_summary_counts check the counting): written as they would be
    con.execute("create schema report")
    con.execute("""
        create table report.rpt_cross_links as select 3 as edges, 2 as distinct_vendors, 2 as distinct_donors,
            2 as distinct_recipients, 3 as distinct_contributions, 1099.60::decimal(38, 2) as total_amount""")
    con.execute("""
        create table report.rpt_cross_links_groups as select * from (values
            ('by_relation', 'vendor_employer', 2), ('by_relation', 'vendor_business_donor', 1),
            ('by_match_type', 'exact', 2), ('by_match_type', 'fuzzy', 1),
            ('by_confidence_tier', 'high', 2), ('by_confidence_tier', 'probable', 1)) t(dimension, group_key, n)""")
    con.close()


EXPECTED_CSV = (
    "edge_id,relation,match_type,confidence_tier,vendor_entity_id,donor_key,recipient_id,"
    "contribution_row_ref,amount,score,shared,donation_date,is_memo,donor_name\n"
    "e1,vendor_business_donor,exact,high,v1,d1,C2,db://dsv_x#row_index=2,-0.50,100.0,[],2021-01-09,true,\n"
    "e2,vendor_employer,fuzzy,probable,v1,d2,C1,db://dsv_x#row_index=9,1100.00,0.333333333333,"
    '"[""ACME"",""ROAD""]",2022-03-14,false,"Zoë, ""Z"""\n'
    'e3,vendor_employer,exact,high,v2,d1,C1,db://dsv_x#row_index=4,0.10,,,,,"multi\nline"\n'
)
EXPECTED_JSONL = (
    '{"edge_id":"e1","relation":"vendor_business_donor","match_type":"exact","confidence_tier":"high",'
    '"vendor_entity_id":"v1","donor_key":"d1","recipient_id":"C2","contribution_row_ref":"db://dsv_x#row_index=2",'
    '"amount":"-0.50","score":100.0,"shared":[],"donation_date":"2021-01-09","is_memo":true,"donor_name":null}\n'
    '{"edge_id":"e2","relation":"vendor_employer","match_type":"fuzzy","confidence_tier":"probable",'
    '"vendor_entity_id":"v1","donor_key":"d2","recipient_id":"C1","contribution_row_ref":"db://dsv_x#row_index=9",'
    '"amount":"1100.00","score":0.333333333333,"shared":["ACME","ROAD"],"donation_date":"2022-03-14",'
    '"is_memo":false,"donor_name":"Zoë, \\"Z\\""}\n'
    '{"edge_id":"e3","relation":"vendor_employer","match_type":"exact","confidence_tier":"high",'
    '"vendor_entity_id":"v2","donor_key":"d1","recipient_id":"C1","contribution_row_ref":"db://dsv_x#row_index=4",'
    '"amount":"0.10","score":null,"shared":null,"donation_date":null,"is_memo":null,"donor_name":"multi\\nline"}\n'
)
EXPECTED_SUMMARY = {
    "by_confidence_tier": {"high": 2, "probable": 1},
    "by_match_type": {"exact": 2, "fuzzy": 1},
    "by_relation": {"vendor_business_donor": 1, "vendor_employer": 2},
    "distinct_contributions": 3,
    "distinct_donors": 2,
    "distinct_recipients": 2,
    "distinct_vendors": 2,
    "edges": 3,
    "total_amount": "1099.60",
}


def _export(tmp_path: Path, out: Path, unavailable=None) -> exports.ExportResult:
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        return exports.export_marts(con, out, unavailable)
    finally:
        con.close()


@pytest.mark.parametrize("writer_min_rows", [10**18, 0], ids=["row_writer", "sql_writer"])
def test_synthetic_export_exact_bytes(tmp_path, monkeypatch, writer_min_rows):
    monkeypatch.setattr(exports, "FAST_EXPORT_MIN_ROWS", writer_min_rows)
    _synthetic_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    result = _export(tmp_path, out)
    assert (out / "cross_links.csv").read_bytes() == EXPECTED_CSV.encode("utf-8")
    assert (out / "cross_links.jsonl").read_bytes() == EXPECTED_JSONL.encode("utf-8")
    assert json.loads((out / "cross_link_summary.json").read_text()) == EXPECTED_SUMMARY
    assert (out / "limit_flags.csv").read_text(encoding="utf-8") == "flag_id,total_amount\nf1,1200.00\n"
    assert [(f.path, f.model, f.records) for f in result.files] == [
        ("cross_links.csv", "model.moneytrail.cross_links", 3),
        ("cross_links.jsonl", "model.moneytrail.cross_links", 3),
        ("cross_link_summary.json", "model.moneytrail.cross_links", 1),
        ("limit_flags.csv", "model.moneytrail.limit_flags", 1),
    ]
    # every other registered export is missing, in the registry's order
    assert [(m.name, m.reason) for m in result.missing] == [
        (spec.name, f"{spec.relation} does not exist in the warehouse")
        for spec in exports.EXPORTS
        if spec.name not in {"cross_links", "limit_flags"}
    ]
    assert [m.name for m in result.missing][:3] == ["bundles", "bundle_groups", "payroll_giving"]


def test_batch_size_does_not_change_the_bytes(tmp_path, monkeypatch):
    _synthetic_warehouse(tmp_path / "w.duckdb")
    monkeypatch.setattr(exports, "BATCH_ROWS", 1)
    _export(tmp_path, tmp_path / "out")
    assert (tmp_path / "out" / "cross_links.csv").read_bytes() == EXPECTED_CSV.encode("utf-8")
    assert (tmp_path / "out" / "cross_links.jsonl").read_bytes() == EXPECTED_JSONL.encode("utf-8")


def test_unavailable_and_missing_relations_remove_stale_files(tmp_path):
    _synthetic_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    out.mkdir()
    for name in ["cross_links.csv", "cross_links.jsonl", "cross_link_summary.json", "bundles.csv"]:
        (out / name).write_text("from an earlier run\n")
    reason = "model.moneytrail.cross_links did not build in this run (status skipped)"
    result = _export(tmp_path, out, {"cross_links": reason})
    assert sorted(p.name for p in out.iterdir()) == ["limit_flags.csv"]
    assert result.missing[0] == exports.MissingExport("cross_links", "model.moneytrail.cross_links", reason)


def test_no_warehouse_means_every_export_missing(tmp_path):
    result = exports.export_marts(None, tmp_path / "out")
    assert result.files == ()
    assert {m.reason for m in result.missing} == {"the warehouse could not be opened"}


# ----------------------------------------------------------------------------------------------
# The demo's exports
# ----------------------------------------------------------------------------------------------


def _to_cell(value) -> str:
    """The CSV cell a JSONL value must have (an independent statement of the format)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def test_cross_links_csv_and_jsonl_hold_the_same_records(demo_run):
    with open(demo_run.out / "cross_links.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    records = [
        json.loads(line) for line in (demo_run.out / "cross_links.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(body) == len(records) > 0
    for row, record in zip(body, records, strict=False):
        assert list(record) == header
        assert [_to_cell(v) for v in record.values()] == row


def test_exports_follow_the_marts(demo_run):
    for spec in exports.EXPORTS:
        columns = [
            r[0]
            for r in demo_run.query(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [spec.schema, spec.name],
            )
        ]
        (count,) = demo_run.query(f"select count(*) from {spec.relation}")[0]
        raw = (demo_run.out / f"{spec.name}.csv").read_bytes()
        assert b"\r" not in raw, spec.name
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
        assert rows[0] == columns, spec.name
        assert len(rows) - 1 == count, spec.name


def test_exports_are_sorted_by_id(demo_run):
    for name, column in [
        ("cross_links", "edge_id"),
        ("bundles", "bundle_id"),
        ("limit_flags", "flag_id"),
        ("vendor_breadth", "finding_id"),
        ("timing_signals", "finding_id"),
        ("red_flags", "flag_id"),
    ]:
        with open(demo_run.out / f"{name}.csv", encoding="utf-8", newline="") as fh:
            ids = [r[column] for r in csv.DictReader(fh)]
        assert ids == sorted(ids) and len(set(ids)) == len(ids), name


def test_amounts_are_exact_strings(demo_run):
    with open(demo_run.out / "cross_links.csv", encoding="utf-8", newline="") as fh:
        exported = {r["edge_id"]: r["amount"] for r in csv.DictReader(fh)}
    stored = dict(demo_run.query("select edge_id, amount from marts.cross_links"))
    assert {k: Decimal(v) for k, v in exported.items()} == stored
    assert all(v == format(stored[k], "f") for k, v in exported.items())
    with open(demo_run.out / "limit_flags.csv", encoding="utf-8", newline="") as fh:
        flags = sorted((r["donor_name"], r["total_amount"], r["excess_amount"]) for r in csv.DictReader(fh))
    truth = sorted((p["donor_name"], p["total"], p["excess"]) for p in demo_run.truth["limit_flags"]["positive"])
    assert flags == truth


def test_cross_link_summary_counts(demo_run):
    summary = json.loads((demo_run.out / "cross_link_summary.json").read_text(encoding="utf-8"))
    edges, vendors, donors, recipients, total = demo_run.query(
        "select count(*), count(distinct vendor_entity_id), count(distinct donor_key), "
        "count(distinct recipient_id), sum(amount) from marts.cross_links"
    )[0]
    assert (
        summary["edges"],
        summary["distinct_vendors"],
        summary["distinct_donors"],
        summary["distinct_recipients"],
        summary["total_amount"],
    ) == (edges, vendors, donors, recipients, format(total, "f"))
    assert summary["by_relation"] == dict(demo_run.query("select relation, count(*) from marts.cross_links group by 1"))
    assert summary["by_match_type"] == dict(
        demo_run.query("select match_type, count(*) from marts.cross_links group by 1")
    )
    assert summary["by_confidence_tier"] == dict(
        demo_run.query("select confidence_tier, count(*) from marts.cross_links group by 1")
    )
    linked_rows = sorted(
        int(r.split("=")[-1]) for (r,) in demo_run.query("select distinct contribution_row_ref from marts.cross_links")
    )
    assert summary["distinct_contributions"] == len(linked_rows)


def test_cross_link_summary_is_missing_without_its_report_models(tmp_path):
    """The summary states the report models' numbers and counts nothing itself: without them it
    is missing, with the reason, and a file left from an earlier run is removed."""
    _synthetic_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("drop table report.rpt_cross_links_groups")
    con.close()
    out = tmp_path / "out"
    out.mkdir()
    (out / "cross_link_summary.json").write_text("{}", encoding="utf-8")
    result = _export(tmp_path, out)
    assert not (out / "cross_link_summary.json").exists()
    assert [(m.name, m.reason) for m in result.missing if m.name == "cross_link_summary.json"] == [
        (
            "cross_link_summary.json",
            "report.rpt_cross_links or report.rpt_cross_links_groups (models/report/) is not in the warehouse",
        )
    ]
    assert (out / "cross_links.csv").read_text(encoding="utf-8") == EXPECTED_CSV
