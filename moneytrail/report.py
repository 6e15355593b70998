"""The report step: exports, report.json, report.md, run_metadata.json and the evidence index.

It runs after `dbt build`, whether the build succeeded or not, and reads dbt's
target/run_results.json (which node built, failed or was skipped), target/manifest.json (the
lineage, to say why a node was skipped) and the marts. A mart whose model did not succeed in
this build is reported as missing even when an older table of that name is still in the
warehouse: findings are only ever quoted from this run.

Determinism: report.json, report.md, the exports and the evidence index hold no wall-clock
time, duration or absolute path, so the same inputs, vars and seed give the same bytes.
Timestamps, dbt timings and local paths go to run_metadata.json, which the evidence index
lists separately, without a hash, outside the determinism guarantee.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from moneytrail import exports
from moneytrail.dbt_runner import PROJECT_DIR
from moneytrail.exports import json_value, quote_ident

REPORT_SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
REPORT_FORMAT = "moneytrail-report/1"
INDEX_FORMAT = "moneytrail-evidence-index/1"
TOP_N = 10
LIST_CAP = 20  # longer lists in report.json are cut to this many items; the exports hold all
REJECT_SAMPLE = 5  # rejected rows quoted per role

FAILED_STATUSES = {"error", "fail", "runtime error"}
NOT_BUILT_STATUSES = FAILED_STATUSES | {"skipped"}
OK_STATUSES = {"success", "pass", "warn", "no-op"}

REPORT_FILES = ("report.json", "report.md")
METADATA_FILE = "run_metadata.json"
INDEX_FILES = ("evidence_index.json", "evidence_index.md")
INGEST_MANIFEST_FILE = "ingest_manifest.json"
REPORT_EXPOSURE = "exposure.moneytrail.report"


class ReportSchemaError(ValueError):
    """report.json does not match moneytrail/report.schema.json (a bug in the report step)."""


@dataclass(frozen=True)
class StepOutcome:
    """What the caller knows about a dbt step it ran in-process (cmd_run)."""

    success: bool
    message: str | None = None


@dataclass(frozen=True)
class BuildContext:
    """What `moneytrail run` knows that the files alone do not say."""

    invocation_id: str | None = None  # of the dbt build; run_results.json must carry it
    build: StepOutcome | None = None
    validation: StepOutcome | None = None
    settings: StepOutcome | None = None  # schema validation of the run file and vars
    ingest: StepOutcome | None = None
    input_tables: tuple[str, ...] | None = None  # the raw tables this run loaded


@dataclass(frozen=True)
class ReportResult:
    ok: bool
    out_dir: Path
    report: dict[str, Any]
    errors: tuple[dict[str, Any], ...]


# ----------------------------------------------------------------------------------------------
# dbt artifacts
# ----------------------------------------------------------------------------------------------


def default_target_dir() -> Path:
    """Where dbt writes its artifacts: $DBT_TARGET_PATH, else the project's target-path."""
    configured = os.environ.get("DBT_TARGET_PATH")
    if not configured:
        project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")) or {}
        configured = project.get("target-path", "target")
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_DIR / path


@dataclass
class DbtArtifacts:
    state: str  # current | missing | stale | unreadable
    detail: str | None
    run_results: dict[str, Any] | None
    manifest: dict[str, Any] | None


def load_artifacts(target_dir: Path, expected_invocation: str | None) -> DbtArtifacts:
    """run_results.json and manifest.json, trusted only when they belong to the expected build."""
    path = target_dir / "run_results.json"
    if not path.is_file():
        return DbtArtifacts("missing", "dbt wrote no run_results.json for this build", None, None)
    try:
        run_results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return DbtArtifacts("unreadable", f"run_results.json could not be read: {exc}", None, None)
    invocation = (run_results.get("metadata") or {}).get("invocation_id")
    if expected_invocation is not None and invocation != expected_invocation:
        # dbt writes nothing when a build stops before its first node (e.g. a compile error
        # while parsing), so the file on disk belongs to an earlier command.
        return DbtArtifacts(
            "stale",
            "run_results.json in the dbt target folder is not from this build "
            "(dbt stopped before running any node, or another dbt command overwrote it)",
            None,
            None,
        )
    manifest = None
    manifest_path = target_dir / "manifest.json"
    if manifest_path.is_file():
        try:
            candidate = json.loads(manifest_path.read_text(encoding="utf-8"))
            if (candidate.get("metadata") or {}).get("invocation_id") == invocation:
                manifest = candidate
        except (OSError, ValueError):
            manifest = None
    return DbtArtifacts("current", None, run_results, manifest)


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def effective_vars(cli_vars: Mapping[str, Any] | None) -> dict[str, Any]:
    """The vars dbt used: dbt_project.yml's vars with the command line's top-level keys on top."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    merged = dict(project.get("vars") or {})
    merged.update(dict(cli_vars or {}))
    return merged


def applied_settings(cli_vars: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings the build applied: the effective vars validated against the settings schema
    with its defaults filled in; vars that break the schema (a refused run) are recorded as given."""
    from moneytrail import settings

    try:
        return settings.applied(settings.validate_vars(cli_vars))
    except settings.SettingsError:
        # as given, JSON-safe (a YAML date in a refused setting becomes its ISO text)
        return json.loads(json.dumps(effective_vars(cli_vars), default=str))


def scrub(message: str | None, *paths: Path | None) -> str:
    """A dbt or DuckDB message without machine-specific absolute paths."""
    text = (message or "").rstrip()
    for path in sorted({str(p.resolve()) for p in paths if p is not None} | {str(PROJECT_DIR)}, key=len, reverse=True):
        text = text.replace(path + os.sep, "").replace(path, ".")
    return text


def _cap(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, list) and len(value) > LIST_CAP:
            out[key] = value[:LIST_CAP]
            out[f"{key}_count"] = len(value)
        else:
            out[key] = value
    return out


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """A small, bounded query (LIMITed or aggregated) as JSON-ready dicts."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [{n: json_value(v) for n, v in zip(names, row, strict=False)} for row in cur.fetchall()]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return json_value(con.execute(sql).fetchone()[0])


def _grouped(con: duckdb.DuckDBPyConnection, relation: str, expr: str) -> dict[str, int]:
    rows = con.execute(
        f"select coalesce(cast({expr} as varchar), '(null)') as k, count(*) from {relation} group by k order by k"
    ).fetchall()
    return {k: n for k, n in rows}


# ----------------------------------------------------------------------------------------------
# Analyses: what each report section quotes, and in which order
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    name: str
    title: str
    id_column: str
    evidence: str  # measured | modelled | mixed (red flags built on modelled timing)
    order_by: str  # SQL; always ends with the id so the order is total
    ordering: str  # the same, for people
    fields: tuple[str, ...]
    counts: Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], dict[str, Any]]
    sentence: Callable[[dict[str, Any]], str]
    # why parts of the analysis could not run or what its scope leaves out, in words
    notes: Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], list[str]] | None = None
    # SQL predicate on the mart: the rows the section counts and quotes (e.g. the link tier)
    where: Callable[[Mapping[str, Any]], str] | None = None

    @property
    def relation(self) -> str:
        return f"marts.{self.name}"

    @property
    def model_id(self) -> str:
        return f"model.moneytrail.{self.name}"


def _money(value: Any) -> str:
    """'1234.50' -> '$1,234.50' (exact: works on the decimal string, never on a float)."""
    if value is None:
        return "an unknown amount"
    text = str(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}" if whole.isdigit() else whole
    return f"{sign}${grouped}" + (f".{frac}" if frac else "")


def _refs(values: Any, export: str, total: Any = None, limit: int = 5) -> str:
    items = list(values or [])
    if not items:
        return "none"
    shown = ", ".join(f"`{v}`" for v in items[:limit])
    n = total if isinstance(total, int) else len(items)
    if n > limit:
        shown += f" (+{n - limit} more in {export})"
    return shown


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return format(value, f".{digits}g")
    return str(value)


LINK_TIERS = ("high", "medium", "probable", "low")


def _analysis_tier(settings: Mapping[str, Any]) -> str:
    tier = settings.get("min_link_tier", "probable")
    return tier if tier in LINK_TIERS else "probable"


def _tier_rank(settings: Mapping[str, Any]) -> int:
    return LINK_TIERS.index(_analysis_tier(settings)) + 1


def _recipient(f: Mapping[str, Any], id_key: str = "recipient_id", name_key: str = "recipient_name") -> str:
    """'C00123 (NAME; candidate X)': an id never stands without the name we know for it."""
    rid = f.get(id_key)
    parts = []
    if f.get(name_key):
        parts.append(str(f[name_key]))
    candidate = f.get("candidate_name")
    if candidate and candidate != f.get(name_key):
        parts.append(f"candidate {candidate}")
    if not parts:
        parts.append("name unknown")
    return f"{rid} ({'; '.join(parts)})"


def _sentence_cross_links(f: dict[str, Any]) -> str:
    via = "employer" if f.get("relation") == "vendor_employer" else "business donor"
    return (
        f"{f.get('donor_name')} gave {_money(f.get('amount'))} to {_recipient(f)} on "
        f'{f.get("donation_date")}; {via} "{f.get("other_name_raw")}" links to vendor '
        f"{f.get('vendor_name')} ({f.get('match_type')} match, {f.get('confidence_tier')} "
        f"confidence, score {_num(f.get('score'))}). Edge `{f.get('edge_id')}`; rows: "
        f"contribution `{f.get('contribution_row_ref')}`, vendor `{f.get('vendor_row_ref')}`."
    )


def _sentence_bundles(f: dict[str, Any]) -> str:
    vendor = f.get("linked_vendor_name_norm")
    link = (
        f" The employer links to vendor {vendor} ({f.get('link_confidence_tier')} confidence)."
        if vendor
        else " The employer links to no vendor."
    )
    return (
        f"{f.get('n_donors')} donors employed by {f.get('employer_norm')} gave "
        f"{_money(f.get('total_amount'))} in {f.get('n_contributions')} contributions to "
        f"{_recipient(f)} [{f.get('recipient_kind')}] on {f.get('donation_date')}.{link} Bundle "
        f"`{f.get('bundle_id')}`; rows: {_refs(f.get('row_refs'), 'bundles.csv', f.get('row_refs_count'))}."
    )


def _sentence_payroll(f: dict[str, Any]) -> str:
    vendor = f.get("linked_vendor_name_norm")
    link = f" The employer links to vendor {vendor}." if vendor else ""
    return (
        f"{f.get('n_donors')} employees of {f.get('employer_norm')} gave "
        f"{_money(f.get('total_amount'))} in {f.get('n_contributions')} contributions on "
        f"{f.get('n_days')} day(s) ({f.get('first_date')} to {f.get('last_date')}) to "
        f"{_recipient(f)} [{f.get('recipient_kind')}; connected organisation "
        f"{f.get('connected_org_name') or 'unknown'}], found by {', '.join(f.get('detected_by') or [])}."
        f"{link} Finding `{f.get('finding_id')}`; rows: "
        f"{_refs(f.get('row_refs'), 'payroll_giving.csv', f.get('row_refs_count'))}."
    )


def _sentence_limit_flags(f: dict[str, Any]) -> str:
    return (
        f"{f.get('donor_name')} gave {_money(f.get('total_amount'))} to {_recipient(f)} "
        f"in {f.get('period_kind')} {f.get('period')} ({f.get('n_contributions')} contributions, "
        f"{f.get('first_date')} to {f.get('last_date')}), {_money(f.get('excess_amount'))} over "
        f"the {_money(f.get('limit_amount'))} limit{_limit_status(f)}. Rule: {f.get('rule')}"
        f"{_rule_source(f)}. Flag `{f.get('flag_id')}`; rows: "
        f"{_refs(f.get('row_refs'), 'limit_flags.csv', f.get('row_refs_count'))}."
    )


def _limit_status(f: Mapping[str, Any]) -> str:
    if f.get("flag_status") == "doubtful":
        return f" (doubtful: {f.get('doubt_reason')})"
    return ""


def _rule_source(f: Mapping[str, Any]) -> str:
    title, url = f.get("rule_source_title"), f.get("rule_source_url")
    if title and url:
        return f" (source: {title}, {url})"
    return f" (source: {title})" if title else ""


def _sentence_prohibited(f: dict[str, Any]) -> str:
    status = f.get("finding_status")
    doubt = f" (doubtful: {f.get('doubt_reason')})" if status != "probable" and f.get("doubt_reason") else ""
    return (
        f"{f.get('donor_name')} ({f.get('organisation_form') or f.get('contributor_type')}) gave "
        f"{_money(f.get('amount'))} to {_recipient(f)} on {f.get('donation_date')}{doubt}. Rule: "
        f"{f.get('rule')}{_rule_source(f)}. Finding `{f.get('finding_id')}`; row: "
        f"{_refs([f.get('row_ref')], 'prohibited_contributions.csv', 1)}."
    )


def _counts_prohibited(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return _rows(
        con,
        """
        select count(*) as findings,
               count(*) filter (where finding_status = 'probable') as probable,
               count(*) filter (where finding_status <> 'probable') as doubtful,
               coalesce(sum(amount), 0) as total_amount
        from marts.prohibited_contributions""",
    )[0]


def _sentence_vendor_breadth(f: dict[str, Any]) -> str:
    tiers = ", ".join(f"{f.get('n_links_' + t)} {t}" for t in LINK_TIERS if f.get("n_links_" + t))
    names = f.get("recipient_names") or {}
    recipients = ", ".join(f"{r} ({names.get(r) or 'name unknown'})" for r in f.get("recipients") or [])
    return (
        f"#{f.get('breadth_rank')} {f.get('vendor_name')}: linked donations reach "
        f"{f.get('n_recipients')} recipients ({recipients}) from "
        f"{f.get('n_donors')} donors, {_money(f.get('total_amount'))} in "
        f"{f.get('n_linked_contributions')} contributions (links: {tiers or 'none'}). Finding "
        f"`{f.get('finding_id')}`; edges: "
        f"{_refs(f.get('sample_edge_ids'), 'cross_links.csv', f.get('sample_edge_ids_count'))}."
    )


def _sentence_timing(f: dict[str, Any]) -> str:
    verdict = "signal" if f.get("is_signal") else "no signal"
    if f.get("status") != "tested":
        return (
            f"{f.get('vendor_name_norm')} -> {_recipient(f)}: {f.get('status_reason')} "
            f"({f.get('status')}, {f.get('n_donations')} donations). Finding `{f.get('finding_id')}`."
        )
    return (
        f"{f.get('vendor_name_norm')} -> {_recipient(f)} ({verdict}): "
        f"{f.get('n_donations')} donations were on average {_num(f.get('observed_mean_days'))} days "
        f"from the nearest of {f.get('n_awards')} award dates, against "
        f"{_num(f.get('null_mean_days'))} under the null ({f.get('null_model')}); p = {_num(f.get('p_value'))}, "
        f"q = {_num(f.get('q_value'))}, effect size {_num(f.get('effect_size'))}, "
        f"{f.get('n_permutations')} permutations. Finding `{f.get('finding_id')}`; donation rows: "
        f"{_refs(f.get('donation_row_refs'), 'timing_signals.csv', f.get('donation_row_refs_count'))}; "
        f"award rows: {_refs(f.get('award_row_refs'), 'timing_signals.csv', f.get('award_row_refs_count'))}."
    )


def _sentence_red_flags(f: dict[str, Any]) -> str:
    evidence = []
    if f.get("bundle_ids"):
        evidence.append(f"bundles {_refs(f['bundle_ids'], 'red_flags.csv', f.get('bundle_ids_count'), 3)}")
    if f.get("limit_flag_ids"):
        evidence.append(f"limit flags {_refs(f['limit_flag_ids'], 'red_flags.csv', f.get('limit_flag_ids_count'), 3)}")
    if f.get("prohibited_finding_ids"):
        evidence.append(
            f"prohibited contributions {_refs(f['prohibited_finding_ids'], 'red_flags.csv', f.get('prohibited_finding_ids_count'), 3)}"  # noqa: E501
        )
    if f.get("timing_cluster") and f.get("timing_finding_id"):
        evidence.append(f"timing finding `{f['timing_finding_id']}`")
    context = []
    if f.get("non_competitive_award"):
        context.append(
            f"the vendor holds non-competitive awards ({', '.join(f.get('procurement_methods') or [])}; award rows "
            f"{_refs(f.get('non_competitive_award_row_refs'), 'red_flags.csv', f.get('non_competitive_award_row_refs_count'), 3)})"  # noqa: E501
        )
    if f.get("broad_influence"):
        context.append(f"the vendor's linked donations reach {f.get('vendor_n_recipients')} recipients")
    not_evaluated = list(f.get("rules_not_evaluated") or []) + list(f.get("context_not_evaluated") or [])
    return (
        f"{f.get('vendor_name_norm')} -> {_recipient(f)} [{f.get('recipient_kind')}]: "
        f"{f.get('severity')} severity, {f.get('n_rules')} pair rule(s) fired "
        f"({', '.join(f.get('rules_fired') or [])}), {f.get('n_independent_rules')} independent "
        f"(rules resting on the same rows count once); {_money(f.get('linked_amount'))} in "
        f"{f.get('n_linked_contributions')} linked contributions. Flag `{f.get('flag_id')}`; evidence: "
        f"{'; '.join(evidence) or 'none'}. Context (vendor level, not counted): "
        f"{'; '.join(context) or 'none'}. Not evaluated: {'; '.join(not_evaluated) or 'none'}. Edges: "
        f"{_refs(f.get('edge_ids'), 'red_flags.csv', f.get('edge_ids_count'), 3)}."
    )


def _counts_cross_links(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = exports.cross_link_summary(con)
    rank = _tier_rank(settings)
    out["analysis_tier"] = _analysis_tier(settings)
    out["edges_at_analysis_tier"] = _scalar(con, f"select count(*) from marts.cross_links where tier_rank <= {rank}")
    out["edges_below_analysis_tier"] = _scalar(con, f"select count(*) from marts.cross_links where tier_rank > {rank}")
    return out


def _notes_cross_links(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    rank = _tier_rank(settings)
    below = _scalar(con, f"select count(*) from marts.cross_links where tier_rank > {rank}")
    tiers = ", ".join(LINK_TIERS[rank:]) or "none"
    return [
        f"This section counts and quotes only links at the analysis tier ({_analysis_tier(settings)} or "
        f"better, vars.min_link_tier); {below} edge(s) at lower tiers ({tiers}) are left out of every "
        "analysis and are in cross_links.csv only."
    ]


def _counts_bundles(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = _rows(
        con,
        """
        select count(*) as bundles, coalesce(sum(n_contributions), 0) as contributions,
               coalesce(sum(total_amount), 0) as total_amount,
               count(linked_vendor_entity_id) as linked_to_vendor
        from marts.bundles""",
    )[0]
    out["same_day_groups_by_status"] = _grouped(con, "marts.bundle_groups", "group_status")
    return out


def _notes_bundles(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    cfg = settings.get("bundles") or {}
    kinds = ", ".join(cfg.get("recipient_kinds") or ["candidate"])
    unclassified = cfg.get("unclassified_recipients", "exclude")
    notes = [
        f"Bundles count gifts to recipients of kind {kinds} (vars.bundles.recipient_kinds): same employer, "
        f"same day, at least {cfg.get('min_donors', 3)} distinct donors. Employees' giving to their own "
        "employer's PAC is payroll giving, never a bundle."
    ]
    rows = con.execute(
        """
        select group_status, count(*), coalesce(sum(n_contributions), 0),
               count(distinct recipient_id),
               list(distinct recipient_kind order by recipient_kind)
        from marts.bundle_groups where group_status <> 'bundle'
        group by group_status order by group_status"""
    ).fetchall()
    for status, groups, contributions, recipients, rkinds in rows:
        if status == "payroll_giving":
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) are employees giving to their own "
                "employer's PAC (connected organisation or payroll-deduction memo): not bundles, see payroll_giving."
            )
        elif status == "recipient_kind_not_bundled":
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) went to {recipients} recipient(s) "
                f"of kinds outside vars.bundles.recipient_kinds ({', '.join(rkinds)}): not bundles."
            )
        elif status == "recipient_unclassified":
            action = "counted as bundles" if unclassified == "include" else "not counted as bundles"
            sample = [
                r
                for (r,) in con.execute(
                    "select distinct recipient_id from marts.bundle_groups "
                    "where group_status = 'recipient_unclassified' order by recipient_id limit 10"
                ).fetchall()
            ]
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) went to {recipients} recipient(s) "
                f"whose kind could not be classified (no committee-kind data for them, e.g. "
                f"{', '.join(sample)}): {action} (vars.bundles.unclassified_recipients: {unclassified}); "
                "all of them are in bundle_groups.csv."
            )
    return notes


def _counts_payroll(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return _rows(
        con,
        """
        select count(*) as employer_pacs, coalesce(sum(n_contributions), 0) as contributions,
               coalesce(sum(total_amount), 0) as total_amount,
               coalesce(sum(n_to_own_employer_pac), 0) as contributions_to_own_employer_pac,
               coalesce(sum(n_memo_payroll), 0) as contributions_with_payroll_memo,
               count(linked_vendor_entity_id) as linked_to_vendor
        from marts.payroll_giving""",
    )[0]


def _notes_payroll(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    notes = []
    if exports.relation_columns(con, "intermediate", "int_recipients"):
        pacs = _scalar(
            con,
            "select count(*) from intermediate.int_recipients "
            "where recipient_kind in ('pac_connected', 'pac_nonconnected')",
        )
        if not pacs:
            notes.append(
                "Connected-organisation signal not evaluated: no recipient is known to be a PAC "
                "(no committee-kind data, e.g. no committees role)."
            )
    if "memo_text" in exports.relation_columns(con, "staging", "stg_contributions"):
        if not _scalar(con, "select count(*) from staging.stg_contributions where memo_text is not null"):
            notes.append(
                "Memo signal not evaluated: no contribution carries memo text "
                "(map role_map.contributions.columns.memo_text to use it)."
            )
    return notes


def _counts_limit_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return _rows(
        con,
        """
        select count(*) as flags, count(distinct donor_key) as donors,
               count(distinct recipient_id) as recipients,
               coalesce(sum(excess_amount), 0) as total_excess
        from marts.limit_flags""",
    )[0]


# ---- seeded source rules (issue 14: ma_ocpf, dc_ocf, ca_calaccess): what was not checked ----
SEEDED_RULES = ("ma_ocpf", "dc_ocf", "ca_calaccess")


def _notes_limit_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    rules = settings.get("source_rules") if isinstance(settings, Mapping) else None
    if rules not in SEEDED_RULES or not exports.relation_columns(con, "intermediate", "int_contributions"):
        return []
    rows = con.execute(
        """
        select c.contributor_kind, coalesce(r.recipient_kind, 'unknown') as recipient_kind, count(*) as n,
               any_value(l.note) as note, bool_or(l.rules is not null) as has_row
        from intermediate.int_contributions c
        left join intermediate.int_recipients r on r.recipient_id = c.limit_recipient_id
        left join reference.state_contribution_limits l
          on l.rules = ? and l.contributor_kind = c.contributor_kind
         and l.recipient_kind = coalesce(r.recipient_kind, 'unknown')
        where c.counts_toward_limit
        group by all
        having not bool_or(l.limit_amount is not null)
        order by n desc, c.contributor_kind, recipient_kind""",
        [rules],
    ).fetchall()
    notes = []
    for kind, recipient_kind, n, note, has_row in rows:
        why = note if has_row and note else f"no limit with a source in seeds/state_contribution_limits.csv for {rules}"
        notes.append(f"Not checked: {n} contribution(s) from {kind} to {recipient_kind}: {why}.")
    return notes


def _notes_prohibited(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    rules = settings.get("source_rules") if isinstance(settings, Mapping) else None
    if rules in ("dc_ocf", "ca_calaccess"):
        return [
            f"Not checked: which contributors may not give at all is not encoded for {rules} "
            "(no prohibition with a source in the seeds), so no contribution is listed here."
        ]
    if rules == "ma_ocpf":
        return [
            "Massachusetts: a business or professional corporation, partnership or LLC may not give to a "
            "candidate (M.G.L. c. 55 s. 8). Contributors whose kind the file does not state are listed as doubtful."
        ]
    return []


def _counts_vendor_breadth(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return _rows(
        con,
        """
        select count(*) as vendors, coalesce(max(n_recipients), 0) as max_recipients,
               coalesce(sum(total_amount), 0) as total_amount
        from marts.vendor_breadth""",
    )[0]


def _counts_timing(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = _rows(
        con, "select count(*) as pairs, count(*) filter (where is_signal) as signals from marts.timing_signals"
    )[0]
    out["by_status"] = _grouped(con, "marts.timing_signals", "status")
    return out


def _notes_timing(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    contracts = ((settings.get("role_map") or {}).get("contracts") or {}) if isinstance(settings, Mapping) else {}
    timing = contracts.get("timing") or {}
    notes = []
    if timing.get("enabled") is False:
        notes.append(
            "Not run: the contracts role has no award dates (role_map.contracts.timing.enabled is false), "
            "so no pair was tested."
        )
    for status, n in _grouped(con, "marts.timing_signals", "status").items():
        if status == "too_few_donations":
            notes.append(f"{n} pair(s) not tested: fewer linked donations than vars.timing.min_donations.")
        elif status == "no_award_dates":
            notes.append(f"{n} pair(s) not tested: the vendor has no award dates.")
    return notes


def _counts_red_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = _rows(con, "select count(*) as flags from marts.red_flags")[0]
    out["pairs_evaluated"] = _scalar(con, "select count(*) from marts.red_flag_pairs")
    out["by_severity"] = _grouped(con, "marts.red_flags", "severity")
    rows = con.execute(
        "select rule, count(*) from (select unnest(rules_fired) as rule from marts.red_flags) "
        "group by rule order by rule"
    ).fetchall()
    out["by_rule"] = {k: n for k, n in rows}
    context = _rows(
        con,
        """
        select count(*) filter (where non_competitive_award) as non_competitive_award,
               count(*) filter (where broad_influence) as broad_influence
        from marts.red_flag_pairs where not is_flagged""",
    )[0]
    out["unflagged_pairs_with_vendor_context_only"] = context
    return out


def _notes_red_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    notes = [
        "A flag needs evidence about the vendor-recipient pair (bundled_donations, limit_excess, "
        "prohibited_contribution, timing_cluster); rules resting on overlapping contribution rows count once "
        "for severity; doubtful limit and prohibited findings do not count. "
        "Non-competitive awards and breadth describe the vendor and are shown as context, never counted."
    ]
    rows = con.execute(
        """
        select reason, count(*) from (
            select unnest(list_concat(rules_not_evaluated, context_not_evaluated)) as reason
            from marts.red_flag_pairs
        ) group by reason order by reason"""
    ).fetchall()
    total = _scalar(con, "select count(*) from marts.red_flag_pairs")
    for reason, n in rows:
        notes.append(f"{reason} ({n} of {total} pair(s)).")
    return notes


ANALYSES: tuple[Analysis, ...] = (
    Analysis(
        "red_flags",
        "Red flags",
        "flag_id",
        "mixed",
        "n_independent_rules desc, n_rules desc, linked_amount desc, flag_id",
        "most independent pair evidence first, then most rules, then most linked money, then flag_id",
        (
            "flag_id",
            "severity",
            "n_rules",
            "n_independent_rules",
            "rules_fired",
            "rules_not_evaluated",
            "vendor_entity_id",
            "vendor_name_norm",
            "vendor_name",
            "recipient_id",
            "recipient_name",
            "recipient_kind",
            "bundle_ids",
            "limit_flag_ids",
            "prohibited_finding_ids",
            "timing_cluster",
            "timing_finding_id",
            "timing_status",
            "non_competitive_award",
            "broad_influence",
            "procurement_methods",
            "non_competitive_award_row_refs",
            "vendor_n_recipients",
            "breadth_finding_id",
            "context_not_evaluated",
            "n_linked_contributions",
            "linked_amount",
            "edge_ids",
            "evidence_kind",
        ),
        _counts_red_flags,
        _sentence_red_flags,
        _notes_red_flags,
    ),
    Analysis(
        "timing_signals",
        "Timing of donations around awards (permutation test)",
        "finding_id",
        "modelled",
        "is_signal desc, (status = 'tested') desc, p_value asc nulls last, effect_size desc nulls last, finding_id",
        "signals first, then tested pairs by p-value (smallest first), effect size (largest first), finding_id",
        (
            "finding_id",
            "vendor_entity_id",
            "vendor_name_norm",
            "recipient_id",
            "status",
            "is_signal",
            "n_donations",
            "n_awards",
            "observed_mean_days",
            "null_mean_days",
            "null_sd_days",
            "effect_size",
            "k_as_extreme",
            "n_permutations",
            "p_value",
            "q_value",
            "status_reason",
            "null_calendar",
            "first_award_date",
            "last_award_date",
            "null_model",
            "timing_settings",
            "award_dates",
            "donation_row_refs",
            "award_row_refs",
            "edge_ids",
            "evidence_kind",
        ),
        _counts_timing,
        _sentence_timing,
        _notes_timing,
    ),
    Analysis(
        "bundles",
        "Bundled donations",
        "bundle_id",
        "measured",
        "total_amount desc, n_donors desc, bundle_id",
        "largest total first, then most donors, then bundle_id",
        (
            "bundle_id",
            "recipient_id",
            "recipient_name",
            "recipient_kind",
            "kind_source",
            "candidate_id",
            "candidate_name",
            "donation_date",
            "employer_norm",
            "employer_spellings",
            "n_donors",
            "n_contributions",
            "total_amount",
            "row_refs",
            "linked_vendor_entity_id",
            "linked_vendor_name_norm",
            "linked_via_link_id",
            "link_confidence_tier",
            "evidence_kind",
        ),
        _counts_bundles,
        _sentence_bundles,
        _notes_bundles,
    ),
    Analysis(
        "payroll_giving",
        "Payroll giving to the employer's own PAC (context, not bundles)",
        "finding_id",
        "measured",
        "total_amount desc, n_donors desc, finding_id",
        "largest total first, then most donors, then finding_id",
        (
            "finding_id",
            "recipient_id",
            "recipient_name",
            "recipient_kind",
            "connected_org_name",
            "employer_norm",
            "n_donors",
            "n_contributions",
            "total_amount",
            "first_date",
            "last_date",
            "n_days",
            "n_to_own_employer_pac",
            "n_memo_payroll",
            "detected_by",
            "row_refs",
            "linked_vendor_entity_id",
            "linked_vendor_name_norm",
            "evidence_kind",
        ),
        _counts_payroll,
        _sentence_payroll,
        _notes_payroll,
    ),
    Analysis(
        "limit_flags",
        "Contributions over the limit",
        "flag_id",
        "measured",
        "(flag_status = 'excess') desc, excess_amount desc, flag_id",
        "definite excesses first, then doubtful ones; largest excess over the limit first, then flag_id",
        (
            "flag_id",
            "donor_key",
            "donor_name",
            "contributor_kind",
            "recipient_id",
            "recipient_name",
            "recipient_kind",
            "period_kind",
            "period",
            "n_contributions",
            "total_amount",
            "limit_amount",
            "excess_amount",
            "flag_status",
            "doubt_reason",
            "rule",
            "limit_basis",
            "rule_source_title",
            "rule_source_url",
            "conduit_ids",
            "first_date",
            "last_date",
            "employers_norm",
            "row_refs",
            "evidence_kind",
        ),
        _counts_limit_flags,
        _sentence_limit_flags,
        _notes_limit_flags,
    ),
    Analysis(
        "prohibited_contributions",
        "Contributions the recipient may not accept",
        "finding_id",
        "measured",
        "(finding_status = 'probable') desc, amount desc, finding_id",
        "probable findings first, then doubtful ones; largest amount first, then finding_id",
        (
            "finding_id",
            "row_ref",
            "contribution_id",
            "donor_name",
            "contributor_type",
            "organisation_form",
            "recipient_id",
            "recipient_name",
            "recipient_kind",
            "conduit_id",
            "donation_date",
            "amount",
            "transaction_type",
            "finding_status",
            "doubt_reason",
            "rule",
            "rule_source_title",
            "rule_source_url",
            "evidence_kind",
        ),
        _counts_prohibited,
        _sentence_prohibited,
        _notes_prohibited,
    ),
    Analysis(
        "vendor_breadth",
        "Vendor influence breadth",
        "finding_id",
        "measured",
        "breadth_rank asc, finding_id",
        "breadth_rank (most recipients, then most money)",
        (
            "finding_id",
            "breadth_rank",
            "vendor_entity_id",
            "vendor_name",
            "vendor_name_norm",
            "n_recipients",
            "n_donors",
            "n_linked_contributions",
            "total_amount",
            "n_links_high",
            "n_links_medium",
            "n_links_probable",
            "n_links_low",
            "recipients",
            "sample_edge_ids",
            "evidence_kind",
        ),
        _counts_vendor_breadth,
        _sentence_vendor_breadth,
    ),
    Analysis(
        "cross_links",
        "Vendor-donor links at the analysis tier",
        "edge_id",
        "measured",
        # content keys before edge_id: edge ids hash row refs, which change when rows move
        "amount desc, donation_date, donor_key, vendor_entity_id, recipient_id, relation, other_entity_id, edge_id",
        "largest contribution first, then date, donor, vendor, recipient, edge_id",
        (
            "edge_id",
            "link_id",
            "relation",
            "vendor_entity_id",
            "vendor_name",
            "vendor_name_norm",
            "other_entity_id",
            "other_name_raw",
            "other_name_norm",
            "match_type",
            "confidence_tier",
            "score",
            "donor_key",
            "donor_name",
            "recipient_id",
            "donation_date",
            "amount",
            "contribution_row_ref",
            "vendor_row_ref",
        ),
        _counts_cross_links,
        _sentence_cross_links,
        _notes_cross_links,
        lambda settings: f"tier_rank <= {_tier_rank(settings)}",
    ),
)


def _analysis_section(
    con: duckdb.DuckDBPyConnection, a: Analysis, export_files: Sequence[str], settings: Mapping[str, Any]
) -> dict[str, Any]:
    columns = exports.relation_columns(con, "marts", a.name)
    fields = [c for c in a.fields if c in columns]
    relation = a.relation
    if a.where is not None:
        relation = f"(select * from {a.relation} where {a.where(settings)}) as scoped"
    top = _rows(
        con, f"select {', '.join(quote_ident(c) for c in fields)} from {relation} order by {a.order_by} limit {TOP_N}"
    )
    _add_recipient_names(con, top)
    by_kind = (
        _grouped(con, relation, "evidence_kind")
        if "evidence_kind" in columns
        else {a.evidence: _scalar(con, f"select count(*) from {relation}")}
    )
    return {
        "status": "ok",
        "title": a.title,
        "model": a.model_id,
        "evidence_kind": a.evidence,
        "count": _scalar(con, f"select count(*) from {relation}"),
        "count_by_evidence_kind": by_kind,
        "counts": a.counts(con, settings),
        "notes": a.notes(con, settings) if a.notes is not None else [],
        "ordering": a.ordering,
        "exports": sorted(export_files),
        "top": [_cap(r) for r in top],
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


# ----------------------------------------------------------------------------------------------
# Build status
# ----------------------------------------------------------------------------------------------


def _node_entries(artifacts: DbtArtifacts, scrub_paths: Sequence[Path | None]) -> list[dict[str, Any]]:
    if artifacts.run_results is None:
        return []
    statuses = {r["unique_id"]: str(r.get("status") or "").lower() for r in artifacts.run_results["results"]}
    out = []
    for r in sorted(artifacts.run_results["results"], key=lambda r: r["unique_id"]):
        uid = r["unique_id"]
        status = statuses[uid]
        entry: dict[str, Any] = {"unique_id": uid, "resource_type": uid.split(".", 1)[0], "status": status}
        if status not in OK_STATUSES or status == "warn":
            message = scrub(r.get("message"), *scrub_paths)
            if status == "skipped":
                message = _skip_reason(uid, statuses, artifacts.manifest)
            entry["message"] = message or status
        if isinstance(r.get("failures"), int) and r["failures"]:
            entry["failures"] = r["failures"]
        out.append(entry)
    return out


def _skip_reason(uid: str, statuses: Mapping[str, str], manifest: dict[str, Any] | None) -> str:
    """Name the failed nodes upstream of a skipped one (dbt only says 'skipped')."""
    if manifest is None:
        return "upstream failed (no manifest to say which)"
    parents = manifest.get("parent_map") or {}
    children = manifest.get("child_map") or {}
    causes: set[str] = set()
    seen: set[str] = set()
    stack = [uid]
    while stack:
        node = stack.pop()
        for child in children.get(node, []):
            # a failing test or unit test of an upstream model (or of the node itself) skips it too
            if child.split(".", 1)[0] in {"test", "unit_test"} and statuses.get(child) in FAILED_STATUSES:
                if node != uid or child.startswith("unit_test."):
                    causes.add(child)
        for parent in parents.get(node, []):
            if parent in seen:
                continue
            seen.add(parent)
            if statuses.get(parent) in FAILED_STATUSES:
                causes.add(parent)
            else:
                stack.append(parent)
    if not causes:
        return "skipped by dbt (no failed upstream node found)"
    return "upstream failed: " + ", ".join(sorted(causes))


def _build_status(nodes: Sequence[dict[str, Any]], artifacts: DbtArtifacts) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for n in nodes:
        counts[n["status"]] = counts.get(n["status"], 0) + 1
    failed = any(n["status"] in NOT_BUILT_STATUSES for n in nodes)
    if artifacts.state != "current":
        status = "not_run"
    else:
        status = "failed" if failed else "success"
    return {
        "status": status,
        "run_results": artifacts.state,
        "dbt_command": (artifacts.run_results or {}).get("args", {}).get("which"),
        "dbt_version": (artifacts.run_results or {}).get("metadata", {}).get("dbt_version"),
        "counts_by_status": dict(sorted(counts.items())),
        "nodes": list(nodes),
    }


# ----------------------------------------------------------------------------------------------
# The report
# ----------------------------------------------------------------------------------------------


def write_reports(
    out_dir: Path,
    db_path: Path,
    run_name: str,
    target_dir: Path | None = None,
    run_vars: Mapping[str, Any] | None = None,
    context: BuildContext | None = None,
) -> ReportResult:
    """Exports, report.json (schema-checked), report.md, run_metadata.json, evidence index.

    Never raises on a failed or missing build: every problem becomes an entry in `errors`
    and ok=false. It raises only on a bug of its own (e.g. ReportSchemaError)."""
    started = time.monotonic()
    context = context or BuildContext()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target_dir = Path(target_dir) if target_dir is not None else default_target_dir()
    artifacts = load_artifacts(target_dir, context.invocation_id)
    scrub_paths = (db_path, out_dir, target_dir, Path.cwd())
    errors: list[dict[str, Any]] = []

    for source, step in (("settings", context.settings), ("ingest", context.ingest)):
        if step is not None and not step.success:
            errors.append(
                {
                    "source": source,
                    "unique_id": None,
                    "status": "error",
                    "message": scrub(step.message or f"the {source} step failed", *scrub_paths),
                }
            )
    if context.validation is not None and not context.validation.success:
        errors.append(
            {
                "source": "validate_role_map",
                "unique_id": None,
                "status": "error",
                "message": scrub(context.validation.message or "the role map is invalid", *scrub_paths),
            }
        )
    if artifacts.state != "current":
        message = artifacts.detail or ""
        if context.build is not None and not context.build.success and context.build.message:
            message = f"{scrub(context.build.message, *scrub_paths)}\n({message})"
        errors.append({"source": "dbt", "unique_id": None, "status": "error", "message": message})
    elif context.build is not None and not context.build.success and context.build.message:
        # a node failure already has its node entry; this is dbt's own error beyond the nodes
        if not any(True for r in artifacts.run_results["results"] if str(r.get("status")).lower() in FAILED_STATUSES):
            errors.append(
                {
                    "source": "dbt",
                    "unique_id": None,
                    "status": "error",
                    "message": scrub(context.build.message, *scrub_paths),
                }
            )

    nodes = _node_entries(artifacts, scrub_paths)
    for n in nodes:
        if n["status"] in NOT_BUILT_STATUSES:
            errors.append(
                {
                    "source": "dbt_node",
                    "unique_id": n["unique_id"],
                    "status": n["status"],
                    "message": n.get("message", n["status"]),
                }
            )
    build = _build_status(nodes, artifacts)
    statuses = {n["unique_id"]: n["status"] for n in nodes}

    def not_built(model_id: str) -> str | None:
        if artifacts.state != "current":
            return "not built by this run: " + (artifacts.detail or "no dbt results")
        status = statuses.get(model_id)
        if status is None:
            return f"{model_id} was not part of this build"
        if status not in OK_STATUSES:
            return f"{model_id} did not build in this run (status {status})"
        return None

    unavailable = {spec.name: r for spec in exports.EXPORTS if (r := not_built(spec.model_id))}
    cli_vars = run_vars
    if cli_vars is None:
        cli_vars = ((artifacts.run_results or {}).get("args") or {}).get("vars") or {}
    used_vars = applied_settings(cli_vars)

    con: duckdb.DuckDBPyConnection | None = None
    if not Path(db_path).is_file():
        errors.append(
            {
                "source": "report",
                "unique_id": None,
                "status": "error",
                "message": f"warehouse file {Path(db_path).name} not found",
            }
        )
    else:
        try:
            from ingest import warehouse

            con = warehouse.connect(db_path, read_only=True)
        except duckdb.Error as exc:
            errors.append(
                {
                    "source": "report",
                    "unique_id": None,
                    "status": "error",
                    "message": f"the warehouse could not be opened: {scrub(str(exc), *scrub_paths)}",
                }
            )
    try:
        export_result = exports.export_marts(con, out_dir, unavailable)
        exported_by_model: dict[str, list[str]] = {}
        for f in export_result.files:
            exported_by_model.setdefault(f.model, []).append(f.path)
        missing = {m.name: m.reason for m in export_result.missing}
        inputs = _inputs(con, context.input_tables, errors)
        data_quality = _data_quality(con, missing, errors, scrub_paths)
        analyses: dict[str, Any] = {}
        for a in ANALYSES:
            if a.name in missing:
                analyses[a.name] = {
                    "status": "missing",
                    "title": a.title,
                    "model": a.model_id,
                    "evidence_kind": a.evidence,
                    "reason": missing[a.name],
                }
                continue
            assert con is not None
            try:
                analyses[a.name] = _analysis_section(con, a, exported_by_model.get(a.model_id, []), used_vars)
            except duckdb.Error as exc:
                message = f"{a.relation}: {scrub(str(exc), *scrub_paths)}"
                analyses[a.name] = {
                    "status": "error",
                    "title": a.title,
                    "model": a.model_id,
                    "evidence_kind": a.evidence,
                    "reason": message,
                }
                errors.append({"source": "report", "unique_id": a.model_id, "status": "error", "message": message})
    finally:
        if con is not None:
            con.close()

    ok = (
        not errors
        and build["status"] == "success"
        and (context.build is None or context.build.success)
        and all(s.get("status") == "ok" for s in analyses.values())
        and all(s.get("status") == "ok" for s in data_quality.values())
    )
    report = {
        "format": REPORT_FORMAT,
        "ok": ok,
        "run": {
            "name": run_name,
            "role_map_digest": hashlib.sha256(canonical_json(used_vars).encode("utf-8")).hexdigest(),
            # a refused run_seed (settings error above) is not an integer: recorded as null
            "run_seed": seed
            if isinstance(seed := used_vars.get("run_seed"), int) and not isinstance(seed, bool)
            else None,
            "vars": json_value(used_vars),
        },
        "inputs": inputs,
        "errors": errors,
        "build": build,
        "data_quality": data_quality,
        "analyses": analyses,
        "exports": {
            "files": [
                {"path": f.path, "model": f.model, "records": f.records}
                for f in sorted(export_result.files, key=lambda f: f.path)
            ],
            "missing": [{"name": m.name, "model": m.model, "reason": m.reason} for m in export_result.missing],
        },
    }
    validate_report(report)
    html_files, html_error = _html_step(out_dir, db_path, report, scrub_paths)
    if html_error is not None:
        errors.append(html_error)
        ok = report["ok"] = False
    exports.write_text(out_dir / "report.json", exports.dumps_document(report))
    exports.write_text(out_dir / "report.md", render_markdown(report))
    exports.write_text(
        out_dir / METADATA_FILE,
        exports.dumps_document(_run_metadata(artifacts, out_dir, db_path, target_dir, time.monotonic() - started)),
    )
    write_evidence_index(out_dir, export_result, html_files)
    return ReportResult(ok, out_dir, report, tuple(errors))


# ----------------------------------------------------------------------------------------------
# HTML report (all of it lives in moneytrail/html/): its failure is recorded, never fatal
# ----------------------------------------------------------------------------------------------

HTML_EXPOSURE = "exposure.moneytrail.html_report"


def _html_step(
    out_dir: Path, db_path: Path, report: dict[str, Any], scrub_paths: Sequence[Path | None]
) -> tuple[list[str], dict[str, Any] | None]:
    """Write output/<run>/html/; on any failure remove the half-written folder and return the error."""
    try:
        from moneytrail.html import write_html

        return write_html(out_dir, db_path, report), None
    except Exception as exc:
        import shutil

        shutil.rmtree(out_dir / "html", ignore_errors=True)
        message = f"the HTML report could not be written: {type(exc).__name__}: {scrub(str(exc), *scrub_paths)}"
        return [], {"source": "report", "unique_id": HTML_EXPOSURE, "status": "error", "message": message}


def _inputs(
    con: duckdb.DuckDBPyConnection | None, tables: Sequence[str] | None, errors: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if con is None:
        return []
    if not exports.relation_columns(con, "raw", "ingest_manifest"):
        errors.append(
            {
                "source": "report",
                "unique_id": None,
                "status": "error",
                "message": "raw.ingest_manifest does not exist: nothing was ingested",
            }
        )
        return []
    rows = _rows(
        con,
        """
        select table_name, dataset_version_id, input_sha256 as sha256, input_bytes as bytes,
               row_count as rows, source_format, source_path
        from raw.ingest_manifest order by table_name""",
    )
    if tables is not None:
        rows = [r for r in rows if r["table_name"] in set(tables)]
    for r in rows:
        # older manifests may hold an absolute path; report.json never carries one
        if Path(r["source_path"]).is_absolute():
            r["source_path"] = Path(r["source_path"]).name
    return rows


def _data_quality(
    con: duckdb.DuckDBPyConnection | None,
    missing: Mapping[str, str],
    errors: list[dict[str, Any]],
    scrub_paths: Sequence[Path | None],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "dq_row_accounting" in missing:
        out["row_accounting"] = {
            "status": "missing",
            "model": "model.moneytrail.dq_row_accounting",
            "reason": missing["dq_row_accounting"],
        }
    else:
        assert con is not None
        try:
            out["row_accounting"] = {
                "status": "ok",
                "model": "model.moneytrail.dq_row_accounting",
                "rows": _rows(con, "select * from staging.dq_row_accounting order by role"),
            }
        except duckdb.Error as exc:
            out["row_accounting"] = _dq_error("dq_row_accounting", exc, errors, scrub_paths)
    if "stg_rejects" in missing:
        out["rejects"] = {
            "status": "missing",
            "model": "model.moneytrail.stg_rejects",
            "reason": missing["stg_rejects"],
        }
    else:
        assert con is not None
        try:
            out["rejects"] = {
                "status": "ok",
                "model": "model.moneytrail.stg_rejects",
                "total": _scalar(con, "select count(*) from staging.stg_rejects"),
                "by_role_reason": _rows(
                    con,
                    """
                    select role, reject_reason as reason, count(*) as rows
                    from staging.stg_rejects group by role, reject_reason order by role, reason""",
                ),
                "sample": _rows(
                    con,
                    f"""
                    select role, row_ref, reject_reason as reason, date_raw, amount_raw
                    from staging.stg_rejects
                    qualify row_number() over (
                        partition by role order by dataset_version_id, row_index, row_ref
                    ) <= {REJECT_SAMPLE}
                    order by role, dataset_version_id, row_index, row_ref""",
                ),
            }
        except duckdb.Error as exc:
            out["rejects"] = _dq_error("stg_rejects", exc, errors, scrub_paths)
    return out


def _dq_error(
    name: str, exc: Exception, errors: list[dict[str, Any]], scrub_paths: Sequence[Path | None]
) -> dict[str, Any]:
    message = f"staging.{name}: {scrub(str(exc), *scrub_paths)}"
    errors.append({"source": "report", "unique_id": f"model.moneytrail.{name}", "status": "error", "message": message})
    return {"status": "error", "model": f"model.moneytrail.{name}", "reason": message}


def _run_metadata(
    artifacts: DbtArtifacts, out_dir: Path, db_path: Path, target_dir: Path, report_seconds: float
) -> dict[str, Any]:
    rr = artifacts.run_results or {}
    return {
        "note": "Not part of the determinism guarantee: wall-clock times, durations, local paths.",
        "report_written_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "report_step_seconds": round(report_seconds, 3),
        "dbt_invocation_id": (rr.get("metadata") or {}).get("invocation_id"),
        "dbt_generated_at": (rr.get("metadata") or {}).get("generated_at"),
        "dbt_invocation_started_at": (rr.get("metadata") or {}).get("invocation_started_at"),
        "dbt_elapsed_seconds": rr.get("elapsed_time"),
        "dbt_run_results": artifacts.state,
        "node_execution_seconds": {
            r["unique_id"]: r.get("execution_time")
            for r in sorted(rr.get("results") or [], key=lambda r: r["unique_id"])
        },
        "paths": {
            "out_dir": str(out_dir.resolve()),
            "warehouse": str(Path(db_path).resolve()),
            "dbt_target": str(target_dir.resolve()),
        },
    }


# ----------------------------------------------------------------------------------------------
# Schema
# ----------------------------------------------------------------------------------------------


def load_schema() -> dict[str, Any]:
    return json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_report(report: Mapping[str, Any]) -> None:
    """Raise ReportSchemaError naming every place report.json breaks its schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema())
    problems = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in problems[:20]]
        raise ReportSchemaError("report.json does not match moneytrail/report.schema.json:\n" + "\n".join(lines))


# ----------------------------------------------------------------------------------------------
# report.md
# ----------------------------------------------------------------------------------------------


def _md(text: Any) -> str:
    """Table-cell safe text: no pipes or newlines breaking the row."""
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> list[str]:
    return ["```text", *text.splitlines(), "```"]


def render_markdown(report: Mapping[str, Any]) -> str:
    run = report["run"]
    lines = [f"# moneytrail report: {run['name']}", ""]
    errors = report["errors"]
    if report["ok"]:
        lines += ["**Status: OK.** Every model and test passed and every analysis is below.", ""]
    else:
        lines += [
            f"**Status: FAILED** ({len(errors)} error(s)). Do not rely on the findings "
            "below until the errors are fixed.",
            "",
        ]
    if errors:
        lines += ["## Errors", ""]
        skipped: dict[str, list[str]] = {}
        for e in errors:
            if e["status"] == "skipped":
                # dozens of skips share one cause: group them so the cause stays visible
                skipped.setdefault(e["message"], []).append(e["unique_id"] or e["source"])
                continue
            where = f"`{e['unique_id']}`" if e.get("unique_id") else e["source"]
            first, _, rest = (e.get("message") or "").partition("\n")
            lines.append(f"- {where} [{e['status']}]: {first}")
            if rest.strip():
                lines += ["", *["  " + line for line in _fence(rest.strip("\n"))], ""]
        for reason, nodes in skipped.items():
            lines.append(
                f"- {len(nodes)} node(s) [skipped], {reason}: " + ", ".join(f"`{n.split('.', 2)[-1]}`" for n in nodes)
            )
        lines.append("")

    lines += [
        "## Run",
        "",
        f"- Run name: {run['name']}",
        f"- Role-map digest (sha256 of the dbt vars used): `{run['role_map_digest']}`",
        f"- Run seed: {run['run_seed']}",
        "",
    ]
    if report["inputs"]:
        lines += ["| table | dataset_version_id | rows | sha256 | source |", "|---|---|---:|---|---|"]
        for i in report["inputs"]:
            lines.append(
                f"| {_md(i['table_name'])} | `{i['dataset_version_id']}` | {i['rows']:,} | "
                f"`{i['sha256'][:16]}…` | {_md(i['source_path'])} |"
            )
        lines.append("")
    else:
        lines += ["No input datasets recorded.", ""]

    lines += ["## Data quality", ""]
    dq = report["data_quality"]
    acc = dq["row_accounting"]
    if acc["status"] == "ok":
        lines += [
            "Where every input row went:",
            "",
            "| role | input rows | filtered out | rejected | staged | reject tolerance |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in acc["rows"]:
            lines.append(
                f"| {_md(r.get('role'))} | {r.get('input_rows')} | {r.get('filtered_out')} | "
                f"{r.get('rejected')} | {r.get('staged')} | {r.get('reject_tolerance')} |"
            )
        lines.append("")
    else:
        lines += [f"Row accounting is {acc['status']}: {acc['reason']}", ""]
    rej = dq["rejects"]
    if rej["status"] == "ok":
        lines.append(f"Rejected rows: {rej['total']}.")
        if rej["by_role_reason"]:
            lines += ["", "| role | reason | rows |", "|---|---|---:|"]
            for r in rej["by_role_reason"]:
                lines.append(f"| {_md(r['role'])} | {_md(r['reason'])} | {r['rows']} |")
            lines += ["", "Sample rejected rows:", ""]
            for r in rej["sample"]:
                lines.append(
                    f"- `{r['row_ref']}` ({r['role']}): {r['reason']} "
                    f"(date {r.get('date_raw')!r}, amount {r.get('amount_raw')!r})"
                )
        lines.append("")
    else:
        lines += [f"Rejects are {rej['status']}: {rej['reason']}", ""]

    lines += [
        "## Findings",
        "",
        "Measured findings count what the data says; modelled findings (the timing test, and "
        "red flags resting on it) say how unusual a pattern is under a stated null model, "
        "not that anything improper happened.",
        "",
    ]
    for a in ANALYSES:
        section = report["analyses"][a.name]
        lines.append(f"### {section['title']} ({section['evidence_kind']})")
        lines.append("")
        if section["status"] != "ok":
            lines += [f"**{section['status'].upper()}**: {section['reason']}", ""]
            continue
        lines.append(
            f"{section['count']} finding(s) in `{a.relation}`; exported as "
            f"{', '.join(section['exports']) or 'nothing'}. Counts: {inline_counts(section['counts'])}."
        )
        lines.append("")
        if section.get("notes"):
            lines += [f"- {note}" for note in section["notes"]]
            lines.append("")
        if section["top"]:
            lines.append(f"Top {len(section['top'])} ({section['ordering']}):")
            lines.append("")
            for n, f in enumerate(section["top"], start=1):
                lines.append(f"{n}. {a.sentence(f)}")
        else:
            lines.append("No findings.")
        lines.append("")

    build = report["build"]
    lines += [
        "## Build status",
        "",
        f"dbt build: **{build['status']}** (run results: {build['run_results']}). "
        + ", ".join(f"{k}: {v}" for k, v in build["counts_by_status"].items()),
        "",
    ]
    if build["nodes"]:
        for kind, heading in (
            ("model", "Models"),
            ("test", "Data tests"),
            ("unit_test", "Unit tests"),
            ("seed", "Seeds"),
            ("snapshot", "Snapshots"),
            ("exposure", "Exposures"),
        ):
            rows = [n for n in build["nodes"] if n["resource_type"] == kind]
            if not rows:
                continue
            lines += [f"### {heading}", "", "| node | status | message |", "|---|---|---|"]
            for n in rows:
                name = n["unique_id"].split(".", 2)[-1]
                lines.append(
                    f"| {_md(name)} | {n['status']} | {_md((n.get('message') or '').splitlines()[0] if n.get('message') else '')} |"  # noqa: E501
                )
            lines.append("")

    ex = report["exports"]
    lines += ["## Exports", ""]
    for f in ex["files"]:
        lines.append(f"- `{f['path']}`: {f['records']} record(s) from `{f['model']}`")
    for m in ex["missing"]:
        lines.append(f"- {m['name']}: MISSING ({m['reason']})")
    lines += ["", "Every artifact with its sha256 is listed in `evidence_index.json`.", ""]
    return "\n".join(lines)


def inline_counts(counts: Mapping[str, Any]) -> str:
    """An analysis's counts in one line: 'flags 2; by severity (low 1)' (report.md and the HTML report)."""
    parts = []
    for key, value in counts.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k} {v}" for k, v in value.items())
            parts.append(f"{key.replace('_', ' ')} ({inner or 'none'})")
        else:
            parts.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(parts)


# ----------------------------------------------------------------------------------------------
# Evidence index
# ----------------------------------------------------------------------------------------------


def _record_count(path: Path) -> int | None:
    """CSV: data rows; JSONL: lines; JSON: array items, or 1 for an object; Markdown: none."""
    suffix = path.suffix
    if suffix == ".csv":
        import csv

        with open(path, encoding="utf-8", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    if suffix == ".jsonl":
        with open(path, encoding="utf-8") as fh:
            return sum(1 for line in fh if line.strip())
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return len(data) if isinstance(data, list) else 1
    return None


def write_evidence_index(
    out_dir: Path, export_result: exports.ExportResult, html_files: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """evidence_index.json and .md: every artifact of the run with its sha256, sorted by path.

    The two index files do not list themselves; run_metadata.json is listed apart, without a
    hash, because it holds timestamps."""
    producers: dict[str, tuple[str, str | None]] = {f.path: ("export", f.model) for f in export_result.files}
    producers.update({name: ("report", REPORT_EXPOSURE) for name in REPORT_FILES})
    producers.update({name: ("html", HTML_EXPOSURE) for name in html_files})
    if (out_dir / INGEST_MANIFEST_FILE).is_file():
        producers[INGEST_MANIFEST_FILE] = ("ingest", "source.moneytrail.raw.ingest_manifest")
    artifacts = []
    for rel in sorted(producers):
        path = out_dir / rel
        step, model = producers[rel]
        artifacts.append(
            {
                "path": rel,
                "sha256": exports.sha256_file(path),
                "bytes": path.stat().st_size,
                "records": _record_count(path),
                "step": step,
                "model": model,
            }
        )
    index = {
        "format": INDEX_FORMAT,
        "artifacts": artifacts,
        "not_hashed": [
            {
                "path": METADATA_FILE,
                "reason": "wall-clock timestamps, durations and local paths; outside the determinism guarantee",
            }
        ],
        "missing_exports": [{"name": m.name, "model": m.model, "reason": m.reason} for m in export_result.missing],
    }
    exports.write_text(out_dir / "evidence_index.json", exports.dumps_document(index))
    md = [
        "# Evidence index",
        "",
        f"{len(artifacts)} artifact(s); sha256 of each file as written. `{METADATA_FILE}` "
        "holds run timings and is not hashed.",
        "",
        "| path | records | step | producer | sha256 |",
        "|---|---:|---|---|---|",
    ]
    for a in artifacts:
        records = "" if a["records"] is None else a["records"]
        md.append(f"| {a['path']} | {records} | {a['step']} | {a['model'] or ''} | `{a['sha256']}` |")
    if export_result.missing:
        md += ["", "Missing exports:", ""]
        md += [f"- {m.name} ({m.model}): {m.reason}" for m in export_result.missing]
    exports.write_text(out_dir / "evidence_index.md", "\n".join(md) + "\n")
    return artifacts
