"""report.md: the report in words, from the report dict alone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moneytrail.report.analyses import ANALYSES
from moneytrail.report.common import money
from moneytrail.report.er import er_sentence
from moneytrail.report.sentences import ROW_REF_SENTENCE


def _md(text: Any) -> str:
    """Table-cell safe text: no pipes or newlines breaking the row."""
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> list[str]:
    return ["```text", *text.splitlines(), "```"]


def render_markdown(report: Mapping[str, Any]) -> str:
    lines = [f"# moneytrail report: {report['run']['name']}", ""]
    for part in (_md_status, _md_run, _md_data_quality, _md_entity_resolution, _md_findings, _md_build, _md_exports):
        lines += part(report)
    return "\n".join(lines)


def _md_status(report: Mapping[str, Any]) -> list[str]:
    errors = report["errors"]
    if report["ok"]:
        lines = ["**Status: OK.** Every model and test passed and every analysis is below.", ""]
    else:
        lines = [
            f"**Status: FAILED** ({len(errors)} error(s)). Do not rely on the findings "
            "below until the errors are fixed.",
            "",
        ]
    if not errors:
        return lines
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
    return lines


def _md_run(report: Mapping[str, Any]) -> list[str]:
    run = report["run"]
    lines = [
        "## Run",
        "",
        f"- Run name: {run['name']}",
        f"- Role-map digest (sha256 of the dbt vars used): `{run['role_map_digest']}`",
        f"- Run seed: {run['run_seed']}",
        "",
    ]
    if not report["inputs"]:
        return lines + ["No input datasets recorded.", ""]
    lines += ["| table | dataset_version_id | rows | sha256 | source |", "|---|---|---:|---|---|"]
    for i in report["inputs"]:
        lines.append(
            f"| {_md(i['table_name'])} | `{i['dataset_version_id']}` | {i['rows']:,} | "
            f"`{i['sha256'][:16]}…` | {_md(i['source_path'])} |"
        )
    lines.append("")
    return lines


def _md_data_quality(report: Mapping[str, Any]) -> list[str]:
    lines = ["## Data quality", ""]
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
    if rej["status"] != "ok":
        return lines + [f"Rejects are {rej['status']}: {rej['reason']}", ""]
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
    return lines


def _md_entity_resolution(report: Mapping[str, Any]) -> list[str]:
    section = report.get("entity_resolution")
    if section is None:
        return []
    return ["## Entity resolution", "", er_sentence(section), ""]


def _md_findings(report: Mapping[str, Any]) -> list[str]:
    lines = [
        "## Findings",
        "",
        "Measured findings count what the data says; modelled findings (the timing test, and "
        "red flags resting on it) say how unusual a pattern is under a stated null model, "
        "not that anything improper happened.",
        "",
        ROW_REF_SENTENCE,
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
    return lines


NODE_KINDS = (
    ("model", "Models"),
    ("test", "Data tests"),
    ("unit_test", "Unit tests"),
    ("seed", "Seeds"),
    ("snapshot", "Snapshots"),
    ("exposure", "Exposures"),
)


def _md_build(report: Mapping[str, Any]) -> list[str]:
    build = report["build"]
    lines = [
        "## Build status",
        "",
        f"dbt build: **{build['status']}** (run results: {build['run_results']}"
        + (f"; engine: {build['dbt_adapter']}" if build.get("dbt_adapter") else "")
        + "). "
        + ", ".join(f"{k}: {v}" for k, v in build["counts_by_status"].items()),
        "",
    ]
    for kind, heading in NODE_KINDS if build["nodes"] else ():
        rows = [n for n in build["nodes"] if n["resource_type"] == kind]
        if not rows:
            continue
        lines += [f"### {heading}", "", "| node | status | message |", "|---|---|---|"]
        for n in rows:
            name = n["unique_id"].split(".", 2)[-1]
            first = (n.get("message") or "").splitlines()[0] if n.get("message") else ""
            lines.append(f"| {_md(name)} | {n['status']} | {_md(first)} |")
        lines.append("")
    return lines


def _md_exports(report: Mapping[str, Any]) -> list[str]:
    ex = report["exports"]
    lines = ["## Exports", ""]
    for f in ex["files"]:
        lines.append(f"- `{f['path']}`: {f['records']} record(s) from `{f['model']}`")
    for m in ex["missing"]:
        lines.append(f"- {m['name']}: MISSING ({m['reason']})")
    return lines + ["", "Every artifact with its sha256 is listed in `evidence_index.json`.", ""]


def inline_counts(counts: Mapping[str, Any]) -> str:
    """An analysis's counts in one line: 'flags 2; by severity (low 1)' (report.md and the HTML report)."""
    parts = []
    for key, value in counts.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k} {v}" for k, v in value.items())
            parts.append(f"{key.replace('_', ' ')} ({inner or 'none'})")
        elif isinstance(value, str) and (key.endswith("_amount") or key == "total_excess"):
            parts.append(f"{key.replace('_', ' ')} {money(value)}")  # exact: formats the decimal string
        else:
            parts.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(parts)
