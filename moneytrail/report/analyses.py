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
from moneytrail.report.common import TOP_N, cap_lists, query_grouped, query_rows, query_scalar, tier_rank
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


@dataclass(frozen=True)
class _Extras:
    counts: Counts
    sentence: Sentence
    notes: Notes | None = None
    where: Callable[[Mapping[str, Any]], str] | None = None


EXTRAS: dict[str, _Extras] = {
    "red_flags": _Extras(C.counts_red_flags, S.sentence_red_flags, C.notes_red_flags),
    "timing_signals": _Extras(C.counts_timing, S.sentence_timing, C.notes_timing),
    "bundles": _Extras(C.counts_bundles, S.sentence_bundles, C.notes_bundles),
    "payroll_giving": _Extras(C.counts_payroll, S.sentence_payroll, C.notes_payroll),
    "limit_flags": _Extras(C.counts_limit_flags, S.sentence_limit_flags, C.notes_limit_flags),
    "prohibited_contributions": _Extras(C.counts_prohibited, S.sentence_prohibited, C.notes_prohibited),
    "vendor_breadth": _Extras(C.counts_vendor_breadth, S.sentence_vendor_breadth),
    "cross_links": _Extras(
        C.counts_cross_links,
        S.sentence_cross_links,
        C.notes_cross_links,
        lambda settings: f"tier_rank <= {tier_rank(settings)}",
    ),
}


def build(project_dir: Path | None = None) -> tuple[Analysis, ...]:
    """The analyses of the registry at project_dir, in section order."""
    out = []
    for m in registry.load(project_dir).reported():
        assert m.report is not None and m.id_column is not None  # the registry checks both
        extras = EXTRAS.get(m.name) or _Extras(
            _generic_counts(m.relation), _generic_sentence(m.report.title, m.id_column)
        )
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
            )
        )
    return tuple(out)


def _generic_counts(relation: str) -> Counts:
    def counts(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {"rows": query_scalar(con, f"select count(*) from {relation}")}

    return counts


def _generic_sentence(title: str, id_column: str) -> Sentence:
    def sentence(f: dict[str, Any]) -> str:
        return f"{title}: {id_column} `{f.get(id_column)}`."

    return sentence


ANALYSES: tuple[Analysis, ...] = build()


def analysis_section(
    con: duckdb.DuckDBPyConnection, a: Analysis, export_files: Sequence[str], settings: Mapping[str, Any]
) -> dict[str, Any]:
    columns = exports.relation_columns(con, a.schema, a.name)
    fields = [c for c in a.fields if c in columns] if a.fields else columns
    relation = a.relation
    if a.where is not None:
        relation = f"(select * from {a.relation} where {a.where(settings)}) as scoped"
    top = query_rows(
        con, f"select {', '.join(quote_ident(c) for c in fields)} from {relation} order by {a.order_by} limit {TOP_N}"
    )
    _add_recipient_names(con, top)
    by_kind = (
        query_grouped(con, relation, "evidence_kind")
        if "evidence_kind" in columns
        else {a.evidence: query_scalar(con, f"select count(*) from {relation}")}
    )
    return {
        "status": "ok",
        "title": a.title,
        "model": a.model_id,
        "evidence_kind": a.evidence,
        "count": query_scalar(con, f"select count(*) from {relation}"),
        "count_by_evidence_kind": by_kind,
        "counts": a.counts(con, settings),
        "notes": a.notes(con, settings) if a.notes is not None else [],
        "ordering": a.ordering,
        "exports": sorted(export_files),
        "top": [cap_lists(r) for r in top],
    }


def _recipient_directory(con: duckdb.DuckDBPyConnection) -> str | None:
    """The relation that names recipients: int_recipients when built, else the candidates role."""
    if exports.relation_columns(con, "intermediate", "int_recipients"):
        return "(select recipient_id, recipient_name, candidate_name from intermediate.int_recipients)"
    if exports.relation_columns(con, "staging", "stg_candidates"):
        return (
            "(select committee_id as recipient_id, min(candidate_name) as recipient_name, "
            "min(candidate_name) as candidate_name from staging.stg_candidates "
            "where committee_id is not null group by committee_id)"
        )
    return None


def _add_recipient_names(con: duckdb.DuckDBPyConnection, top: list[dict[str, Any]]) -> None:
    """Put the recipient's name (and candidate's) beside every recipient id a finding quotes."""
    ids = sorted(
        {f["recipient_id"] for f in top if f.get("recipient_id")}
        | {r for f in top for r in (f.get("recipients") or [])}
    )
    directory = _recipient_directory(con) if ids else None
    names: dict[str, tuple[Any, Any]] = {}
    if directory is not None:
        for rid, name, candidate in con.execute(
            f"select recipient_id, recipient_name, candidate_name from {directory} "
            "where list_contains(?, recipient_id) order by recipient_id",
            [ids],
        ).fetchall():
            names[rid] = (name, candidate)
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
