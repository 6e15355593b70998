"""Write the static HTML report: ``<out>/html/`` beside report.md.

Called by the report step (moneytrail/report/write.py) with the finished report dict. It reads the
marts, the raw input rows behind findings and the parsed contributions from the warehouse
(read-only, bounded queries), and writes index.html, one page per analysis, one page per top
finding under findings/, report.css and report.js. Nothing is fetched from the network when a
page opens.

Determinism: the pages hold no clock value and no absolute path; rows come in total orders,
numbers in fixed formats, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from moneytrail import exports
from moneytrail.html import assets, bounds, data, pages, review
from moneytrail.html.markup import page, safe_name

HTML_DIR = "html"


def write_html(out_dir: Path, db_path: Path, report: Mapping[str, Any]) -> list[str]:
    """Write the HTML report; returns the written files' paths relative to out_dir, sorted.

    Raises on any error; the caller records it and keeps report.json/.md."""
    from moneytrail.report import ANALYSES

    # the same bytes whether the report comes from memory or from report.json (sorted keys)
    report = json.loads(exports.dumps_document(report))
    html_dir = Path(out_dir) / HTML_DIR
    if html_dir.exists():
        shutil.rmtree(html_dir)  # pages of an earlier run must never pass as this run's
    con = None
    if Path(db_path).is_file():
        from ingest import warehouse

        con = warehouse.connect(db_path, read_only=True)
    try:
        ctx = _context(con, report, ANALYSES)
    finally:
        if con is not None:
            con.close()

    files: dict[str, str] = {
        "report.css": assets.CSS,
        "report.js": assets.JS,
        "index.html": pages.overview(ctx),
        "review.html": page(
            "Entity-resolution review",
            review.report_body(report.get("entity_resolution") or {"status": "missing"}, ctx.review),
            "",
            ctx.nav(),
        ),
    }
    cited_by: dict[tuple[str, str], list[pages.Finding]] = {}
    for f in ctx.findings.get("red_flags", []):
        for column, target in pages.COLUMN_TARGETS.items():
            values = f.row.get(column)
            for v in values if isinstance(values, list) else [values]:
                if isinstance(v, str):
                    cited_by.setdefault((target, v), []).append(f)
    for a in ANALYSES:
        files[f"{a.name}.html"] = pages.analysis_page(ctx, a)
        for f in ctx.findings.get(a.name, []):
            try:
                sentence = a.sentence(f.row)
            except Exception:  # a sentence is a nicety; the page shows every field anyway
                sentence = None
            files[f.path] = pages.finding_page(ctx, a, f, sentence, cited_by.get((a.name, f.finding_id), []))
    html_dir.mkdir(parents=True)
    (html_dir / "findings").mkdir()
    for rel in sorted(files):
        exports.write_text(html_dir / rel, files[rel])
    return sorted(f"{HTML_DIR}/{rel}" for rel in files)


def _context(con: Any, report: Mapping[str, Any], analyses: Any) -> pages.Context:
    sections = report.get("analyses") or {}
    marts: dict[str, data.MartRows] = {}
    findings: dict[str, list[pages.Finding]] = {}
    page_paths: dict[tuple[str, str], str] = {}
    for a in analyses:
        if con is None or (sections.get(a.name) or {}).get("status") != "ok":
            continue
        where = a.where(pages.vars_of(report)) if a.where is not None else None
        total = int((sections.get(a.name) or {}).get("count") or 0)  # report.json's count (rpt_<mart>.section_rows)
        mart = data.mart_rows(con, a.schema, a.name, a.order_by, bounds.TABLE_ROWS, total, where, a.attach)
        marts[a.name] = mart
        if not a.finding_pages or a.id_column not in mart.columns:  # e.g. links: evidence, not findings
            continue
        out = []
        for row in mart.rows[: bounds.FINDING_PAGES]:
            fid = row.get(a.id_column)
            if not isinstance(fid, str) or (a.name, fid) in page_paths:
                continue
            f = pages.Finding(a.name, fid, f"findings/{a.name}-{safe_name(fid)}.html", row)
            pages.collect_evidence(f)
            page_paths[(a.name, fid)] = f.path
            out.append(f)
        findings[a.name] = out

    all_findings = [f for fs in findings.values() for f in fs]
    chart_refs = sorted(
        {
            ref
            for f in all_findings
            for column in ("donation_row_refs", "row_refs")
            for ref in (f.row.get(column) or [])
            if isinstance(ref, str)
        }
    )
    raw = data.RawLookup({}, {})
    contributions: dict[str, dict[str, Any]] = {}
    links_rows: list[dict[str, Any]] = []
    bundles_by_day = None
    if con is not None:
        if "cross_links" in marts or (sections.get("cross_links") or {}).get("status") == "ok":
            edges = sorted({x for f in all_findings for x in f.edge_ids})
            by_ref = sorted({ref for f in all_findings if f.analysis in {"bundles", "limit_flags"} for ref in f.refs})
            links_rows = data.cross_links(con, edges, by_ref)
            for f in all_findings:
                pages.collect_edge_evidence(f, links_rows)
        refs = sorted({ref for f in all_findings for ref in f.refs[: bounds.EVIDENCE_ROWS]})
        raw = data.raw_rows(con, refs)
        contributions = data.contributions(con, chart_refs)
        if "bundles" in marts:
            bundles_by_day = _bundles_by_day(con)
    review_data = None
    if con is not None and (report.get("entity_resolution") or {}).get("status") == "ok":
        review_data = review.read(con)
    return pages.Context(
        report, analyses, marts, findings, raw, contributions, links_rows, bundles_by_day, page_paths, review_data
    )


def _bundles_by_day(con: Any) -> list[tuple[_dt.date, Decimal, int, int]]:
    """The bundles chart's days, counted by the report model rpt_bundles_by_day."""
    rows = con.execute(
        "select donation_date, total_amount, n_bundles, n_donors from report.rpt_bundles_by_day order by donation_date"
    ).fetchall()
    return [(d, Decimal(str(total)), int(n), int(k)) for d, total, n, k in rows]
