"""What the pages share: the page context, a finding and its cited rows, link columns, small helpers."""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from moneytrail.html.data import MartRows, RawLookup
from moneytrail.html.markup import Links, e
from moneytrail.html.review import ReviewData
from python_udfs.matcher_config import TIERS


def finding_noun(analysis: str) -> str:
    """What one finding of an analysis is called on its page ("Red flag"): the registry's noun."""
    from moneytrail.report import ANALYSES

    for a in ANALYSES:
        if a.name == analysis:
            return a.noun or "Finding"
    return analysis


# columns of one analysis that hold ids of another analysis's findings
COLUMN_TARGETS = {
    "timing_finding_id": "timing_signals",
    "bundle_ids": "bundles",
    "limit_flag_ids": "limit_flags",
    "breadth_finding_id": "vendor_breadth",
}
_TIER_RANK = {t: i for i, t in enumerate(TIERS, start=1)}  # as cross_links.tier_rank
LINK_FEATURES = (
    "edge_id",
    "link_id",
    "relation",
    "vendor_name",
    "vendor_name_norm",
    "other_name_raw",
    "other_name_norm",
    "match_type",
    "confidence_tier",
    "score",
    "overlap_ratio",
    "shared_tokens",
    "token_rarity",
    "number_mismatch",
    "donor_name",
    "recipient_id",
    "donation_date",
    "amount",
    "contribution_row_ref",
    "vendor_row_ref",
)


@dataclass
class Finding:
    analysis: str
    finding_id: str
    path: str  # relative to html/
    row: dict[str, Any]
    refs: list[str] = field(default_factory=list)  # cited row refs, first-seen order
    cited_as: dict[str, list[str]] = field(default_factory=dict)
    edge_ids: list[str] = field(default_factory=list)
    refs_via_edges: bool = False  # the finding cites link edges only; refs are the rows of those edges


@dataclass
class Context:
    report: Mapping[str, Any]
    analyses: Sequence[Any]  # report.ANALYSES
    marts: dict[str, MartRows]
    findings: dict[str, list[Finding]]
    raw: RawLookup
    contributions: dict[str, dict[str, Any]]
    links_rows: list[dict[str, Any]]
    bundles_by_day: list[tuple[_dt.date, Decimal, int, int]] | None
    pages: dict[tuple[str, str], str]
    review: ReviewData | None = None  # the entity-resolution review queue and decisions

    def links(self, prefix: str) -> Links:
        return Links(prefix, self.pages, COLUMN_TARGETS)

    @functools.cached_property
    def links_index(self) -> tuple[dict[Any, list[int]], dict[Any, list[int]]]:
        """Positions in links_rows by edge_id and by contribution_row_ref: each finding page picks
        its links from here instead of scanning every link row (at 70M input rows, 400,000 rows
        for each of 139 pages)."""
        by_edge: dict[Any, list[int]] = {}
        by_contribution: dict[Any, list[int]] = {}
        for i, x in enumerate(self.links_rows):
            by_edge.setdefault(x.get("edge_id"), []).append(i)
            by_contribution.setdefault(x.get("contribution_row_ref"), []).append(i)
        return by_edge, by_contribution

    def nav(self) -> list[tuple[str, str]]:
        return (
            [("index.html", "Overview")]
            + [(f"{a.name}.html", a.short_title or a.name.replace("_", " ").capitalize()) for a in self.analyses]
            + [("review.html", "Review")]
        )


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def collect_evidence(f: Finding) -> None:
    for column, value in f.row.items():
        values = value if isinstance(value, list) else [value]
        if "row_ref" in column:
            for v in values:
                if isinstance(v, str):
                    if v not in f.cited_as:
                        f.refs.append(v)
                        f.cited_as[v] = []
                    f.cited_as[v].append(column)
        if column in {"edge_id", "edge_ids", "sample_edge_ids"} and f.analysis != "cross_links":
            f.edge_ids += [v for v in values if isinstance(v, str) and v not in f.edge_ids]


def collect_edge_evidence(f: Finding, links_rows: Sequence[Mapping[str, Any]]) -> None:
    """A finding that cites no input row but names link edges (vendor_breadth) is evidenced by the
    rows of those edges: the contribution and the vendor's award row of each, in the finding's order."""
    if f.refs or not f.edge_ids:
        return
    by_edge = {x.get("edge_id"): x for x in links_rows}
    for edge_id in f.edge_ids:
        edge = by_edge.get(edge_id) or {}
        for column in ("contribution_row_ref", "vendor_row_ref"):
            ref = edge.get(column)
            if isinstance(ref, str):
                if ref not in f.cited_as:
                    f.refs.append(ref)
                    f.cited_as[ref] = []
                f.cited_as[ref].append(f"{column} of edge {edge_id}")
    f.refs_via_edges = bool(f.refs)


def vars_of(report: Mapping[str, Any]) -> dict[str, Any]:
    return dict((report.get("run") or {}).get("vars") or {})


def _ordered(known: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Known columns in their natural order, then any other column (sorted): report.json's keys are sorted."""
    present = {k for r in rows for k in r}
    return [c for c in known if c in present] + sorted(present - set(known))


def _status_banner(report: Mapping[str, Any], prefix: str = "") -> str:
    if report.get("ok"):
        return '<div class="status ok">Status: OK. Every model and test passed and every analysis is below.</div>'
    n = len(report.get("errors") or [])
    return (
        f'<div class="status failed">Status: FAILED ({n} error(s)). Do not rely on the findings until the '
        f'errors are fixed: see the <a href="{prefix}index.html#errors">errors</a> on the overview.</div>'
    )


def _export_links(section: Mapping[str, Any]) -> str:
    files = section.get("exports") or []
    if not files:
        return "no export"
    return ", ".join(f'<a href="../{e(f)}">{e(f)}</a>' for f in files)
