"""Entity resolution in the report: how many reviewed decisions were loaded and applied in this
build, what each did, and how many links wait for review (issue 13: "the report counts decisions
applied"). Read from marts.er_review_summary and report.rpt_entity_resolution_groups (decisions
by effect, models/report/); the HTML report's
review page (moneytrail/html/review.py) shows the queue itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from moneytrail import exports
from moneytrail.report.common import group_counts, query_rows, scrub

APPLIED_MODEL = "model.moneytrail.er_decisions_applied"
SUMMARY_MODEL = "model.moneytrail.er_review_summary"
COUNTS_MODEL = "model.moneytrail.rpt_entity_resolution_groups"
REVIEW_COMMAND = "moneytrail match-review --db <warehouse> --out decisions.csv"


def er_section(
    con: duckdb.DuckDBPyConnection | None,
    not_built: Callable[[str], str | None],
    errors: list[dict[str, Any]],
    scrub_paths: Sequence[Path | None],
) -> dict[str, Any]:
    """report.json's entity_resolution: decisions loaded and applied, by effect; the review queue's size."""
    reason = not_built(APPLIED_MODEL) or not_built(SUMMARY_MODEL) or not_built(COUNTS_MODEL)
    if reason is None and con is None:
        reason = "the warehouse could not be opened"
    if reason is None and con is not None:
        for name in ("er_decisions_applied", "er_review_summary"):
            if not exports.relation_columns(con, "marts", name):
                reason = f"marts.{name} does not exist in the warehouse"
                break
    if reason is not None:
        return {"status": "missing", "model": APPLIED_MODEL, "reason": reason}
    assert con is not None
    try:
        summary = query_rows(con, "select * from marts.er_review_summary")
        by_effect = group_counts(con, "entity_resolution", "by_effect")
    except duckdb.Error as exc:
        message = f"marts.er_decisions_applied: {scrub(str(exc), *scrub_paths)}"
        errors.append({"source": "report", "unique_id": APPLIED_MODEL, "status": "error", "message": message})
        return {"status": "error", "model": APPLIED_MODEL, "reason": message}
    row = summary[0] if summary else {}
    return {
        "status": "ok",
        "model": APPLIED_MODEL,
        # er_review_summary counts marts.er_decisions_applied: every row, and those applied
        "decisions": row.get("decisions", 0),
        "decisions_applied": row.get("decisions_applied", 0),
        "by_effect": by_effect,
        "summary": row,
        "review_command": REVIEW_COMMAND,
    }


def er_sentence(section: Mapping[str, Any]) -> str:
    """One line for report.md and the HTML overview."""
    if section.get("status") != "ok":
        return f"Entity resolution is {section.get('status')}: {section.get('reason')}"
    effects = ", ".join(f"{k} {v}" for k, v in (section.get("by_effect") or {}).items()) or "none"
    queue = (section.get("summary") or {}).get("review_queue_rows")
    waiting = f"; {queue} link(s) wait for review (`{REVIEW_COMMAND}`)" if queue is not None else ""
    return (
        f"Reviewed entity-resolution decisions: {section.get('decisions')} loaded, "
        f"{section.get('decisions_applied')} applied in this build (by effect: {effects}){waiting}."
        + _scope_sentence(section.get("summary") or {})
    )


def _scope_sentence(summary: Mapping[str, Any]) -> str:
    """What the analyses count: the link scopes of vars.er_link_scopes, and the family and
    ownership links left out by default."""
    if summary.get("link_scopes_counted") is None:
        return ""
    return (
        f" Analyses count links of scope {summary['link_scopes_counted']} (vars.er_link_scopes); "
        f"{summary.get('family_links')} family link(s) (units of one brand, {summary.get('unit_links')} of them "
        "by the unit rule: the same donor-side name also links to the brand's own vendor; "
        f"{summary.get('unit_match_links')} matcher unit link(s): one name is the other plus words after it) and "
        f"{summary.get('ownership_links')} ownership link(s) are in intermediate.int_name_links with their note."
    )
