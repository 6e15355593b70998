"""The report's analyses: one per mart the registry gives a report section (moneytrail/registry.py,
dbt `meta` in the marts' YAML), in the registry's order, with what Python adds to it: the
quoted fields, the counts, the notes and the sentence of each finding.

A registered mart with no Python here still gets a section: every column quoted, its row count,
no notes, and a plain sentence naming the finding's id. So adding a mart needs only its SQL and
its YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.sqlquote import quote_ident
from moneytrail import exports, registry
from moneytrail.report import counts as C
from moneytrail.report import sentences as S
from moneytrail.report.common import (
    REPORT_SCHEMA,
    TOP_N,
    cap_lists,
    group_counts,
    query_rows,
    report_row,
    summary_model,
)
from moneytrail.report.fields import FIELDS

Counts = Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], dict[str, Any]]
Notes = Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], list[str]]
Sentence = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Analysis(registry.ModelRef):
    name: str
    title: str
    id_column: str
    evidence: str  # measured | modelled | mixed (red flags built on modelled timing)
    order_by: str  # SQL; always ends with the id so the order is total
    ordering: str  # the same, for people
    fields: tuple[str, ...]  # empty: every column of the mart
    counts: Counts
    sentence: Sentence
    # why parts of the analysis could not run or what its scope leaves out, in words
    notes: Notes | None = None
    # SQL predicate on the mart: the rows the section counts and quotes (e.g. the link tier)
    where: Callable[[Mapping[str, Any]], str] | None = None
    schema: str = "marts"
    short_title: str | None = None  # HTML navigation
    noun: str | None = None  # HTML finding pages: "Red flag <id>"
    finding_pages: bool = True
    # the dbt models (models/report/) the section's numbers come from; a section whose report
    # models did not build in this run is missing, like one whose mart did not
    report_models: tuple[str, ...] = ()
    # another mart's columns quoted beside each shown finding (registry: report.attach)
    attach: registry.Attach | None = None


@dataclass(frozen=True)
class _Extras:
    counts: Counts
    sentence: Sentence
    notes: Notes | None = None
    where: Callable[[Mapping[str, Any]], str] | None = None
    report_models: tuple[str, ...] = ()  # besides rpt_<name>: e.g. rpt_<name>_groups (counts by group)


def _analysis_tier(settings: Mapping[str, Any]) -> str:
    """The links at the analysis tier or better (report.rpt_cross_links has the tier from vars.min_link_tier)."""
    return f"tier_rank <= (select analysis_tier_rank from {REPORT_SCHEMA}.rpt_cross_links)"


EXTRAS: dict[str, _Extras] = {
    "red_flags": _Extras(C.counts_red_flags, S.sentence_red_flags, C.notes_red_flags, None, ("rpt_red_flags_groups",)),
    "timing_signals": _Extras(
        C.counts_timing,
        S.sentence_timing,
        C.notes_timing,
        None,
        ("rpt_timing_signals_groups", "rpt_timing_dates_without_day"),
    ),
    "bundles": _Extras(
        C.counts_bundles,
        S.sentence_bundles,
        C.notes_bundles,
        None,
        ("rpt_bundles_groups", "rpt_bundle_groups_not_bundled"),
    ),
    "payroll_giving": _Extras(
        C.counts_payroll, S.sentence_payroll, C.notes_payroll, None, ("rpt_payroll_giving_groups",)
    ),
    "limit_flags": _Extras(
        C.counts_limit_flags,
        S.sentence_limit_flags,
        C.notes_limit_flags,
        None,
        ("rpt_limit_flags_groups", "rpt_limits_not_checked"),
    ),
    "prohibited_contributions": _Extras(
        C.counts_prohibited, S.sentence_prohibited, C.notes_prohibited, None, ("rpt_prohibited_contributions_groups",)
    ),
    "vendor_breadth": _Extras(
        C.counts_vendor_breadth, S.sentence_vendor_breadth, None, None, ("rpt_vendor_breadth_groups",)
    ),
    # the groups model of cross_links counts the link graph (cross_link_summary), not evidence kinds
    "cross_links": _Extras(
        C.counts_cross_links, S.sentence_cross_links, C.notes_cross_links, _analysis_tier, ("rpt_cross_links_groups",)
    ),
}


def build(project_dir: Path | None = None) -> tuple[Analysis, ...]:
    """The analyses of the registry at project_dir, in section order."""
    out = []
    for m in registry.load(project_dir).reported():
        assert m.report is not None and m.id_column is not None  # the registry checks both
        extras = EXTRAS.get(m.name) or _Extras(_generic_counts(m.name), _generic_sentence(m.report.title, m.id_column))
        out.append(
            Analysis(
                m.name,
                m.report.title,
                m.id_column,
                m.report.evidence,
                m.report.order_by,
                m.report.ordering,
                FIELDS.get(m.name, ()),
                extras.counts,
                extras.sentence,
                extras.notes,
                extras.where,
                m.schema,
                m.report.short_title,
                m.report.noun,
                m.report.finding_pages,
                _report_models(m, extras),
                m.report.attach,
            )
        )
    return tuple(out)


def _report_models(m: registry.Mart, extras: _Extras) -> tuple[str, ...]:
    """rpt_<name> (the section's rows) and the extras' own report models."""
    return (summary_model(m.name), *extras.report_models)


def _generic_counts(name: str) -> Counts:
    def counts(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {"rows": section_rows(con, name)}

    return counts


def section_rows(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The rows a section counts (report.rpt_<name>.section_rows)."""
    return int(report_row(con, summary_model(name))["section_rows"])


def _generic_sentence(title: str, id_column: str) -> Sentence:
    def sentence(f: dict[str, Any]) -> str:
        return f"{title}: {id_column} `{f.get(id_column)}`."

    return sentence


ANALYSES: tuple[Analysis, ...] = build()


def analysis_section(
    con: duckdb.DuckDBPyConnection, a: Analysis, export_files: Sequence[str], settings: Mapping[str, Any]
) -> dict[str, Any]:
    columns = exports.relation_columns(con, a.schema, a.name)
    attached = a.attach.columns if a.attach is not None else ()
    fields = [c for c in a.fields if c in columns or c in attached] if a.fields else [*columns, *attached]
    relation = a.relation
    if a.where is not None:
        relation = f"(select * from {a.relation} where {a.where(settings)}) as scoped"
    own = [c for c in fields if c in columns]
    top = query_rows(
        con, f"select {', '.join(quote_ident(c) for c in own)} from {relation} order by {a.order_by} limit {TOP_N}"
    )
    if a.attach is not None:
        exports.attach_columns(con, a.schema, top, a.attach)
        top = [{c: r[c] for c in fields if c in r} for r in top]
    _add_recipient_names(con, top)
    count = section_rows(con, a.name)
    # a mart without an evidence_kind column is all of the registry's kind (rpt_<name>_groups has
    # rows by evidence_kind for the marts that have one)
    by_kind = group_counts(con, a.name, "evidence_kind") if "evidence_kind" in columns else {a.evidence: count}
    return {
        "status": "ok",
        "title": a.title,
        "model": a.model_id,
        "evidence_kind": a.evidence,
        "count": count,
        "count_by_evidence_kind": by_kind,
        "counts": a.counts(con, settings),
        "notes": a.notes(con, settings) if a.notes is not None else [],
        "ordering": a.ordering,
        "exports": sorted(export_files),
        "top": [cap_lists(r) for r in top],
    }


def _recipient_names(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple[Any, Any]]:
    """Name and candidate of each recipient id: from int_recipients when built, else from the
    candidates role (the alphabetically first candidate name of the committee, as both)."""
    names: dict[str, tuple[Any, Any]] = {}
    if exports.relation_columns(con, "intermediate", "int_recipients"):
        for rid, name, candidate in con.execute(
            "select recipient_id, recipient_name, candidate_name from intermediate.int_recipients "
            "where list_contains(?, recipient_id) order by recipient_id",
            [ids],
        ).fetchall():
            names[rid] = (name, candidate)
    elif exports.relation_columns(con, "staging", "stg_candidates"):
        # rows in name order, NULL names last: the first row of a committee has its first name
        for rid, name in con.execute(
            "select committee_id, candidate_name from staging.stg_candidates "
            "where list_contains(?, committee_id) order by committee_id, candidate_name nulls last",
            [ids],
        ).fetchall():
            names.setdefault(rid, (name, name))
    return names


def _add_recipient_names(con: duckdb.DuckDBPyConnection, top: list[dict[str, Any]]) -> None:
    """Put the recipient's name (and candidate's) beside every recipient id a finding quotes."""
    ids = sorted(
        {f["recipient_id"] for f in top if f.get("recipient_id")}
        | {r for f in top for r in (f.get("recipients") or [])}
    )
    names = _recipient_names(con, ids) if ids else {}
    for f in top:
        rid = f.get("recipient_id")
        if rid is not None:
            name, candidate = names.get(rid, (None, None))
            if f.get("recipient_name") is None:
                f["recipient_name"] = name
            if f.get("candidate_name") is None and candidate is not None:
                f["candidate_name"] = candidate
        if "recipients" in f:
            f["recipient_names"] = {r: names.get(r, (None, None))[0] for r in f.get("recipients") or []}
