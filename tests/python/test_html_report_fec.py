"""The static HTML report of the FEC x ICE real-data example (examples/fec_ice/run.yml), opened in
headless Chromium with the driver of tests/python/test_html_report.py (DevTools over a pipe).

The demo's pages are all checked there; here a bounded sample of the real-data pages is: the
overview, every analysis page, review.html and the top-ranked finding page of every analysis
that has finding pages (the first finding of report.json's own ranking, i.e. report.md's). On
each: no console message, exception, failed load or network request; the script ran; exactly
the expected SVG charts with labelled axes; every local link resolves. On each sampled finding
page: every cited input row is shown with the raw values of the raw table, compared cell by cell
with an independent query. Also: each analysis page says what report.md says (rule in this run's
terms, notes, "No findings."), the links page lists the analysis tier in report.md's order, and
the largest table sorts. The warehouse, dbt's target and the outputs live under pytest's
tmp_path; the screenshots go to output/html_screenshots/fec/ (git-ignored), beside the demo's.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from moneytrail import report as report_mod
from moneytrail.html import bounds
from tests.python.conftest import REPO, DemoRun
from tests.python.test_html_report import (
    HREF,
    INSTALL_HINT,
    PAGE_CHECK,
    SCREENSHOTS,
    DevTools,
    Tab,
    _column,
    _csv_column,
    _problems,
    find_chromium,
)

pytestmark = pytest.mark.slow

RUN_FILE = REPO / "examples" / "fec_ice" / "run.yml"
ANALYSES = {a.name: a for a in report_mod.ANALYSES}
# analyses whose top finding has a page in this example (bundles, red flags and timing have no
# findings on these 20,000 rows; cross_links has no finding pages)
SAMPLED = ["limit_flags", "payroll_giving", "prohibited_contributions", "vendor_breadth"]
LIMIT_AXES = ["running total given", "contribution date (the period)"]
BREADTH_AXES = ["vendor", "recipients reached", "recipients", "money in linked contributions", "linked money"]
RAW_TABLE = """(() => {
  const t = document.getElementById("raw-" + %d);
  if (!t) return null;
  return JSON.stringify({
    columns: Array.from(t.tHead.rows[0].cells).map(c => c.dataset.col),
    rows: Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => [c.className, c.textContent])),
  });
})()"""


@pytest.fixture(scope="module")
def fec_html(fec_example_run) -> DemoRun:
    """The FEC example, built once per session (conftest.fec_example_run; test_fec_example reads it too)."""
    return fec_example_run


@pytest.fixture(scope="module")
def report(fec_html) -> dict:
    assert fec_html.exit_code == 0
    return json.loads((fec_html.out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    exe = find_chromium()
    if exe is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    devtools = DevTools(exe, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield Tab(devtools)
    finally:
        devtools.close()


def _top_id(report: dict, name: str) -> str:
    """The first finding of report.json's ranking (report.md's item 1)."""
    return report["analyses"][name]["top"][0][ANALYSES[name].id_column]


def _sample(report: dict) -> list[str]:
    finding_pages = [f"findings/{a}-{_top_id(report, a)}.html" for a in SAMPLED]
    return ["index.html", *[f"{a}.html" for a in ANALYSES], "review.html", *finding_pages]


def test_the_example_has_the_expected_pages(fec_html, report):
    assert report["ok"] is True and report["build"]["run_results"] == "current"
    html = fec_html.out / "html"
    # finding pages: the top of each analysis with findings, none for the empty ones
    counts = {a: report["analyses"][a]["count"] for a in ANALYSES}
    assert {a for a, n in counts.items() if n == 0} == {"bundles", "red_flags", "timing_signals"}
    for name in ANALYSES:
        found = sorted(p.name for p in (html / "findings").glob(f"{name}-*.html"))
        want = 0 if name == "cross_links" else min(counts[name], bounds.FINDING_PAGES)
        assert len(found) == want, name
    # every local link of every page resolves (read from the files: cheap for all 70 pages)
    for page in sorted(html.rglob("*.html")):
        for target in HREF.findall(page.read_text(encoding="utf-8")):
            path = target.split("#", 1)[0]
            if path:
                assert (page.parent / path).resolve().is_file(), f"{page.relative_to(html)} links to {target}"


def test_sampled_pages_render_in_chromium_with_their_charts(fec_html, report, tab):
    html = fec_html.out / "html"
    shots = SCREENSHOTS / "fec"
    for stale in shots.glob("*.png"):  # a finding id of an earlier run must not be counted
        stale.unlink()
    (n_limit,) = fec_html.query("select count(*) from marts.limit_flags")[0]
    assert n_limit == 3
    top = {a: f"findings/{a}-{_top_id(report, a)}.html" for a in SAMPLED}
    # the exact charts of each sampled page: the axis labels of each SVG, in page order
    want_charts = {rel: [] for rel in _sample(report)}
    want_charts["limit_flags.html"] = [LIMIT_AXES] * min(n_limit, bounds.CHARTS_PER_ANALYSIS_PAGE)
    want_charts["vendor_breadth.html"] = [BREADTH_AXES]
    want_charts[top["limit_flags"]] = [LIMIT_AXES]
    want_charts[top["vendor_breadth"]] = [BREADTH_AXES]
    assert len(want_charts) == 1 + len(ANALYSES) + 1 + len(SAMPLED) == 14
    for rel, charts in want_charts.items():
        events = tab.open((html / rel).as_uri())
        assert _problems(events) == [], rel
        info = json.loads(tab.eval(PAGE_CHECK))
        assert (info["js"], info["jsError"], info["errorsText"]) == ("ready", None, ""), rel
        assert info["title"], rel
        assert [s["axisLabels"] for s in info["svgs"]] == charts, rel
        for svg in info["svgs"]:
            assert svg["title"] and svg["desc"] and svg["labelledby"], (rel, svg)
            assert svg["ticks"] >= 2 and svg["marks"] >= 3, (rel, svg)
            assert svg["width"] > 300 and svg["height"] > 100, (rel, svg)
        for link in info["links"]:
            assert link.startswith("file://"), (rel, link)
            assert Path(link.removeprefix("file://").split("#", 1)[0]).is_file(), (rel, link)
        assert info["sortButtons"] > 0 or not info["sortable"], rel
        tab.screenshot(shots / (rel.replace("/", "__").removesuffix(".html") + ".png"))
    assert len(list(shots.glob("*.png"))) == 14


def test_analysis_pages_say_what_report_md_says(fec_html, report, tab):
    """The rule in this run's terms, the section's notes (what was not evaluated and why) and,
    for an empty analysis, "No findings." as in report.md."""
    html = fec_html.out / "html"
    md = (fec_html.out / "report.md").read_text(encoding="utf-8")
    for name in ANALYSES:
        section = report["analyses"][name]
        tab.open((html / f"{name}.html").as_uri())
        notes = tab.eval("Array.from(document.querySelectorAll('ul.notes li')).map(li => li.textContent)")
        assert notes == section["notes"], name
        for note in section["notes"]:
            assert f"- {note}" in md
        empty = tab.eval("document.body.textContent.includes('No findings.')")
        assert empty == (section["count"] == 0), name
        rule = tab.eval("document.querySelector('p.rule').textContent")
        assert "No rule sentence" not in rule and "of of" not in rule, (name, rule)
    limit = (html / "limit_flags.html").read_text(encoding="utf-8")
    # the FEC limits apply (seeded per contributor and recipient kind), never the flat default
    assert "more than the FEC limit for the contributor kind, the recipient kind and the cycle" in limit
    assert "$1,000" not in limit
    assert "$5,000.00" in limit and "$2,700.00" in limit  # the limits the charts draw
    timing = (html / "timing_signals.html").read_text(encoding="utf-8")
    assert "Not run: the contracts role has no award dates" in timing


def _raw_rows(fec_html, refs: list[str]) -> dict[str, dict]:
    """The raw rows behind row refs, by plain SQL on raw.ingest_manifest and the raw tables."""
    import duckdb

    con = duckdb.connect(str(fec_html.db), read_only=True)
    out = {}
    try:
        for ref in refs:
            m = re.fullmatch(r"db://(dsv_[0-9a-f]{16})#row_index=(\d+)", ref)
            assert m, ref
            (table,) = con.execute(
                "select table_name from raw.ingest_manifest where dataset_version_id = ?", [m[1]]
            ).fetchone()
            cur = con.execute(f'select * from raw."{table}" where row_index = ?', [int(m[2])])
            names = [d[0] for d in cur.description]
            (row,) = cur.fetchall()
            out[ref] = dict(zip(names, row, strict=True))
    finally:
        con.close()
    return out


def _cited_refs(fec_html, name: str, fid: str) -> list[str]:
    """The rows the finding cites, from the mart (vendor_breadth: the rows of the edges it names)."""
    if name == "vendor_breadth":
        edges = fec_html.query(
            "select e.edge_id, e.contribution_row_ref, e.vendor_row_ref from marts.vendor_breadth b, "
            "unnest(b.sample_edge_ids) with ordinality as s(edge_id, n) join marts.cross_links e using (edge_id) "
            "where b.finding_id = ? order by s.n",
            [fid],
        )
        return list(dict.fromkeys(r for _, c, v in edges for r in (c, v)))
    if name == "prohibited_contributions":
        return [fec_html.query("select row_ref from marts.prohibited_contributions where finding_id = ?", [fid])[0][0]]
    column = ANALYSES[name].id_column
    return list(fec_html.query(f"select row_refs from marts.{name} where {column} = ?", [fid])[0][0])


@pytest.mark.parametrize("name", SAMPLED)
def test_top_finding_shows_its_raw_evidence_rows(fec_html, report, tab, name):
    fid = _top_id(report, name)
    tab.open((fec_html.out / "html" / "findings" / f"{name}-{fid}.html").as_uri())
    shown = []
    while (got := tab.eval(RAW_TABLE % len(shown))) is not None:
        shown.append(json.loads(got))
    cited = _cited_refs(fec_html, name, fid)
    assert cited, (name, fid)
    records = []
    for t in shown:
        assert t["columns"][:3] == ["row_ref", "cited as", "row_index"], name
        records += [dict(zip(t["columns"], cells, strict=True)) for cells in t["rows"]]
    # every cited row up to the page's bound, each once
    assert sorted(r["row_ref"][1] for r in records) == sorted(cited[: bounds.EVIDENCE_ROWS]), name
    raw = _raw_rows(fec_html, [r["row_ref"][1] for r in records])
    for record in records:
        ref = record["row_ref"][1]
        assert record["row_index"][1] == ref.rsplit("=", 1)[1], ref  # as the row ref writes it, no separator
        for column, value in raw[ref].items():
            if column == "row_index":
                continue
            cls, text = record[column]
            # the raw text exactly as loaded (FEC dates stay MMDDYYYY, amounts unformatted)
            assert "raw" in cls.split() and text == ("NULL" if value is None else value), (ref, column)
    # a pinned fact per sample, from the raw file itself
    if name == "limit_flags":  # the cited amounts add up to the flag's total (one table, all rows shown)
        (table,) = shown
        amounts = [Decimal(cells[table["columns"].index("TRANSACTION_AMT")][1]) for cells in table["rows"]]
        assert sum(amounts) == Decimal(report["analyses"][name]["top"][0]["total_amount"])
    if name == "payroll_giving":  # the EY PAC: 1,071 rows, the first 100 shown
        assert len(cited) == 1071 and len(records) == bounds.EVIDENCE_ROWS
    if name == "vendor_breadth":  # contributions and the vendor's award rows, both raw
        tables = {r["cited as"][1].split(" of edge ")[0] for r in records}
        assert tables == {"contribution_row_ref", "vendor_row_ref"}


def test_the_largest_table_sorts_in_chromium(fec_html, tab):
    url = (fec_html.out / "html" / "payroll_giving.html").as_uri()
    csv_path = fec_html.out / "payroll_giving.csv"
    totals = sorted((Decimal(v) for v in _csv_column(csv_path, "total_amount")), reverse=True)
    assert len(totals) == 557
    assert _problems(tab.open(url + "#sort=total_amount:desc")) == []
    assert [Decimal(v) for v in _column(tab, "t-payroll_giving", "total_amount")] == totals
    tab.open(url)
    tab.eval("document.querySelector('#t-payroll_giving th[data-col=\"n_donors\"] button').click()")
    donors = [int(v) for v in _column(tab, "t-payroll_giving", "n_donors")]
    assert donors == sorted(int(v) for v in _csv_column(csv_path, "n_donors"))


def test_links_page_lists_the_analysis_tier_in_report_md_order(fec_html, report, tab):
    """cross_links.html lists what its title and report.md say: links at the analysis tier
    (probable or better; the 1,680 low links are in cross_links.csv only), ranked as report.md.
    The 31 rows of the three unit links (ATT MOBILITY / ATT MOBILITY CINGULAR, DELOITTE CONSULTING /
    DELOITTE CONSULTING OVERS, GENERAL DYNAMICS / GENERAL DYNAMICS ORDNANCE AND TACTICAL SYSTEMS),
    low before, are family links now, out of cross_links by default."""
    section = report["analyses"]["cross_links"]
    (at_tier, below) = fec_html.query(
        "select count(*) filter (where tier_rank <= 3), count(*) filter (where tier_rank > 3) from marts.cross_links"
    )[0]
    assert (section["count"], at_tier, below) == (1771, 1771, 1680)
    assert _problems(tab.open((fec_html.out / "html" / "cross_links.html").as_uri())) == []
    tiers = _column(tab, "t-cross_links", "confidence_tier")
    assert len(tiers) == min(at_tier, bounds.TABLE_ROWS) and set(tiers) <= {"high", "medium", "probable"}
    top = [f["edge_id"] for f in section["top"]]
    assert _column(tab, "t-cross_links", "edge_id")[: len(top)] == top
    assert (
        tab.eval("document.querySelector('main').textContent").count(
            f"The first {bounds.TABLE_ROWS:,} of {at_tier:,} findings in the report's ranking"
        )
        == 1
    )
