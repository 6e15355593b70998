"""The pages: overview (index.html), one page per analysis, one page per top finding.

Columns are read defensively: a table shows whatever columns the mart has, in the mart's
order; only a few known columns get special formatting (money, ids linked to their finding
page, row refs). A missing column never breaks a page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moneytrail.html import bounds, charts, figures
from moneytrail.html.context import (
    _TIER_RANK,
    COLUMN_TARGETS,
    LINK_FEATURES,
    Context,
    Finding,
    _export_links,
    _ordered,
    _status_banner,
    collect_edge_evidence,
    collect_evidence,
    finding_noun,
)
from moneytrail.html.data import MartRows
from moneytrail.html.figures import CHART_BARS
from moneytrail.html.markup import Links, code_text, e, is_money_column, kv, money, num, page, table
from moneytrail.html.rules import rule_sentence, vars_of
from moneytrail.report import inline_counts
from moneytrail.report.sentences import ROW_REF_SENTENCE

__all__ = [
    "COLUMN_TARGETS",
    "Context",
    "Finding",
    "analysis_page",
    "collect_edge_evidence",
    "collect_evidence",
    "finding_noun",
    "finding_page",
    "overview",
    "rule_sentence",
    "vars_of",
]


# ----------------------------------------------------------------------------------------------
# Overview
# ----------------------------------------------------------------------------------------------


def overview(ctx: Context) -> str:
    r = ctx.report
    run = r.get("run") or {}
    links = ctx.links("")
    parts = [
        f"<h1>moneytrail report: {e(run.get('name'))}</h1>",
        '<p class="lead">The same report as <a href="../report.md">report.md</a> and '
        '<a href="../report.json">report.json</a>, to look at: charts, sortable tables and every finding\'s '
        'evidence rows. Every artifact with its sha256 is listed in <a href="../evidence_index.md">'
        "evidence_index.md</a>.</p>",
        _status_banner(r),
    ]
    parts += _overview_errors(r)
    parts += _overview_run(r, run)
    parts += _overview_data_quality(r)
    parts.append(_entity_resolution(r))
    parts += _overview_analyses(ctx, r)
    parts += _overview_build(r, links)
    parts += _overview_exports(r)
    return page(f"moneytrail report: {run.get('name')}", "\n".join(parts), "", ctx.nav())


def _overview_errors(r: Mapping[str, Any]) -> list[str]:
    parts: list[str] = []
    errors = r.get("errors") or []
    if errors:
        failed = [x for x in errors if x.get("status") != "skipped"]
        skipped: dict[str, list[str]] = {}
        for x in errors:
            if x.get("status") == "skipped":  # dozens of skips share one cause: group them, as report.md does
                skipped.setdefault(x.get("message") or "skipped", []).append(x.get("unique_id") or x.get("source"))
        rows = [
            {
                "source": x.get("source"),
                "node": x.get("unique_id"),
                "status": x.get("status"),
                "message": (x.get("message") or "").split("\n", 1)[0],
            }
            for x in failed
        ]
        parts += [
            '<h2 id="errors">Errors</h2>',
            '<p class="note">One row per failed dbt node and per dbt, role-map or report error; the nodes skipped '
            "because of them are grouped by cause below the table.</p>",
            table("errors", ["source", "node", "status", "message"], rows, filterable=False) if rows else "",
        ]
        for cause, nodes in skipped.items():
            items = "".join(f"<li><code>{e(n)}</code></li>" for n in nodes)
            parts.append(
                f"<details><summary>{len(nodes)} node(s) skipped, {e(cause)}</summary>"
                f'<ul class="compact">{items}</ul></details>'
            )
        for x in failed:
            if "\n" in (x.get("message") or ""):
                parts.append(
                    f"<h3>{e(x.get('unique_id') or x.get('source'))}: full message</h3>"
                    f'<pre class="mono">{e(x.get("message"))}</pre>'
                )
    return parts


def _overview_run(r: Mapping[str, Any], run: Mapping[str, Any]) -> list[str]:
    parts: list[str] = []
    parts += [
        "<h2>Run and inputs</h2>",
        kv(
            [
                ("run name", e(run.get("name"))),
                ("role-map digest", f"<code>{e(run.get('role_map_digest'))}</code> (sha256 of the dbt vars used)"),
                ("run seed", e(run.get("run_seed"))),
            ]
        ),
    ]
    inputs = r.get("inputs") or []
    if inputs:
        cols = _ordered(("table_name", "dataset_version_id", "rows", "bytes", "source_format", "source_path"), inputs)
        parts.append(table("inputs", cols, inputs, filterable=False))
    else:
        parts.append("<p>No input datasets recorded.</p>")
    return parts


def _overview_data_quality(r: Mapping[str, Any]) -> list[str]:
    parts: list[str] = []
    parts.append("<h2>Data quality</h2>")
    dq = r.get("data_quality") or {}
    acc = dq.get("row_accounting") or {}
    if acc.get("status") == "ok":
        rows = acc.get("rows") or []
        cols = _ordered(("role", "input_rows", "filtered_out", "rejected", "staged", "reject_tolerance"), rows)
        parts += ["<p>Where every input row went (input = filtered out + rejected + staged):</p>"]
        parts.append(table("row-accounting", cols, rows, filterable=False))
    else:
        parts.append(f"<p>Row accounting is {e(acc.get('status'))}: {e(acc.get('reason'))}</p>")
    rej = dq.get("rejects") or {}
    if rej.get("status") == "ok":
        parts.append(f"<p>Rejected rows: {e(rej.get('total'))}.</p>")
        if rej.get("by_role_reason"):
            parts.append(
                table("rejects-by-reason", ["role", "reason", "rows"], rej["by_role_reason"], filterable=False)
            )
        sample = rej.get("sample") or []
        if sample:
            exported = {f.get("path") for f in (r.get("exports") or {}).get("files", [])}
            more = (
                ' (all of them in <a href="../stg_rejects.csv">stg_rejects.csv</a>)'
                if "stg_rejects.csv" in exported
                else ""
            )
            parts.append(f"<h3>Sample rejected rows, with their raw date and amount{more}</h3>")
            cols = _ordered(("role", "row_ref", "reason", "date_raw", "amount_raw"), sample)
            parts.append(table("rejects-sample", cols, sample, filterable=False))
    else:
        parts.append(f"<p>Rejects are {e(rej.get('status'))}: {e(rej.get('reason'))}</p>")
    return parts


def _overview_analyses(ctx: Context, r: Mapping[str, Any]) -> list[str]:
    parts: list[str] = []
    parts += [
        "<h2>Analyses</h2>",
        '<p class="note">Measured findings count what the data says; modelled findings (the timing test, and red '
        "flags resting on it) say how unusual a pattern is under a stated null model, not that anything improper "
        "happened.</p>",
        f'<p class="note">{e(ROW_REF_SENTENCE)}</p>',
    ]
    rows = []
    for a in ctx.analyses:
        s = (r.get("analyses") or {}).get(a.name) or {}
        rows.append(
            {
                "analysis": a.name,
                "title": s.get("title", a.title),
                "evidence": s.get("evidence_kind"),
                "status": s.get("status"),
                "findings": s.get("count"),
                "finding pages": len(ctx.findings.get(a.name, [])),
                "detail": inline_counts(s.get("counts") or {}) if s.get("status") == "ok" else s.get("reason"),
            }
        )
    body = "".join(
        f'<tr><td><a href="{e(row["analysis"])}.html">{e(row["title"])}</a></td><td>{e(row["evidence"])}</td>'
        f'<td>{e(row["status"])}</td><td class="num">{e("" if row["findings"] is None else row["findings"])}</td>'
        f'<td class="num">{row["finding pages"]}</td><td>{e(row["detail"])}</td></tr>'
        for row in rows
    )
    parts.append(
        '<div class="table-wrap"><table id="analyses"><thead><tr><th>analysis</th><th>evidence</th><th>status</th>'
        '<th class="num">findings</th><th class="num">finding pages</th><th>counts, or why it is missing</th></tr>'
        f"</thead><tbody>{body}</tbody></table></div>"
    )
    return parts


def _overview_build(r: Mapping[str, Any], links: Links) -> list[str]:
    parts: list[str] = []
    build = r.get("build") or {}
    parts += [
        "<h2>What ran</h2>",
        kv(
            [
                ("dbt build", f"<strong>{e(build.get('status'))}</strong>"),
                ("run results", e(build.get("run_results"))),
                ("dbt", e(f"{build.get('dbt_command') or ''} {build.get('dbt_version') or ''}".strip())),
                ("engine", e(build.get("dbt_adapter") or "not recorded (no manifest.json)")),
                (
                    "nodes by status",
                    e(", ".join(f"{k}: {v}" for k, v in (build.get("counts_by_status") or {}).items())),
                ),
            ]
        ),
    ]
    nodes = build.get("nodes") or []
    if nodes:
        rows = [
            {
                "node": n.get("unique_id", "").split(".", 2)[-1],
                "type": n.get("resource_type"),
                "status": n.get("status"),
                "failures": n.get("failures"),
                "message": (n.get("message") or "").split("\n", 1)[0],
            }
            for n in nodes
        ]
        parts.append(table("nodes", ["node", "type", "status", "failures", "message"], rows, links=links))
    else:
        parts.append("<p>No dbt node results for this run.</p>")
    return parts


def _overview_exports(r: Mapping[str, Any]) -> list[str]:
    parts: list[str] = []
    ex = r.get("exports") or {}
    items = [
        f'<li><a href="../{e(f["path"])}">{e(f["path"])}</a>: {e(f.get("records"))} record(s) from '
        f"<code>{e(f.get('model'))}</code></li>"
        for f in ex.get("files") or []
    ]
    items += [f"<li>{e(m.get('name'))}: MISSING ({e(m.get('reason'))})</li>" for m in ex.get("missing") or []]
    parts += ["<h2>Exports</h2>", f'<ul class="compact">{"".join(items) or "<li>none</li>"}</ul>']
    parts += [
        "<h2>About these pages</h2>",
        f'<p class="note">Analysis tables show at most the first {bounds.TABLE_ROWS:,} findings in the report\'s own '
        f"ranking (the exports hold all); finding pages exist for the first {bounds.FINDING_PAGES} findings of each "
        f"analysis in that ranking; a finding page quotes at most {bounds.EVIDENCE_ROWS} cited input rows and "
        f"{bounds.LINK_ROWS} links. Charts are SVG drawn by moneytrail itself; nothing is loaded from the network. "
        "Tables sort by a click on a column header and filter by text; a link may carry "
        "<code>#sort=column:desc&amp;filter=text</code>.</p>",
    ]
    return parts


def _entity_resolution(r: Mapping[str, Any]) -> str:
    """The overview's line on reviewed decisions applied, with the way to the review page."""
    from moneytrail.report.er import er_sentence

    section = r.get("entity_resolution")
    if section is None:
        return ""
    return (
        f'<h2 id="entity-resolution">Entity resolution</h2><p>{code_text(er_sentence(section))}</p>'
        "<p>The links worth a human look, most money first, with their features and sample rows, and how a "
        'row becomes a decision: <a href="review.html">entity-resolution review</a>.</p>'
    )


# ----------------------------------------------------------------------------------------------
# Analysis pages
# ----------------------------------------------------------------------------------------------


def analysis_page(ctx: Context, a: Any) -> str:
    r = ctx.report
    s = (r.get("analyses") or {}).get(a.name) or {}
    title = s.get("title", a.title)
    parts = [f"<h1>{e(title)}</h1>", _status_banner(r) if not r.get("ok") else ""]
    parts.append(f'<p class="sentence rule"><strong>Rule.</strong> {e(rule_sentence(a.name, r))}</p>')
    if s.get("status") != "ok" or a.name not in ctx.marts:
        parts.append(
            f'<div class="status failed">This analysis is {e(s.get("status", "missing")).upper()}: '
            f"{e(s.get('reason', 'no result in this run'))}</div>"
        )
        return page(title, "\n".join(p for p in parts if p), "", ctx.nav())
    mart = ctx.marts[a.name]
    findings = ctx.findings.get(a.name, [])
    parts.append(
        kv(
            [
                ("evidence", e(s.get("evidence_kind"))),
                ("findings", e(s.get("count"))),
                ("counts", e(inline_counts(s.get("counts") or {}))),
                ("ranking", e(s.get("ordering", a.ordering))),
                ("export", _export_links(s)),
                ("model", f"<code>{e(s.get('model', a.model_id))}</code>"),
            ]
        )
    )
    notes = [n for n in s.get("notes") or [] if isinstance(n, str)]
    if notes:  # what report.md says under the counts: scope, what was not evaluated and why
        parts.append('<ul class="compact notes">' + "".join(f"<li>{code_text(n)}</li>" for n in notes) + "</ul>")
    parts.append(_analysis_charts(ctx, a.name, mart))
    shown = len(mart.rows)
    bound = (
        f"All {mart.total:,} findings, in the report's ranking."
        if shown == mart.total
        else f"The first {shown:,} of {mart.total:,} findings in the report's ranking; the export holds all."
    )
    if findings:
        bound += (
            f" The first {len(findings)} have a page with their evidence (click the id); finding pages are "
            f"limited to the top {bounds.FINDING_PAGES} of each analysis."
        )
    if not mart.total:  # as report.md says it; an empty table with only a header says nothing
        parts.append("<h2>Findings</h2><p>No findings.</p>")
        return page(title, "\n".join(p for p in parts if p), "", ctx.nav())
    parts += [f'<h2>Findings</h2><p class="note">{e(bound)} Lists in cells show their first items.</p>']
    parts.append(table(f"t-{a.name}", mart.columns, mart.rows, ctx.links(""), own=(a.name, a.id_column)))
    return page(title, "\n".join(p for p in parts if p), "", ctx.nav())


def _analysis_charts(ctx: Context, name: str, mart: MartRows) -> str:
    out: list[str] = []
    if name == "vendor_breadth" and mart.rows:
        rows = mart.rows[:CHART_BARS]
        out.append(figures.breadth_chart("c-breadth", rows, mart.total))
    elif name == "bundles" and ctx.bundles_by_day is not None:
        days = ctx.bundles_by_day
        if days:
            out.append(
                figures.figure(
                    charts.bundles_by_day_chart("c-bundles", "Bundles by day: money given per day", days),
                    "Every bundle in the mart, by the day its donations were given; the number above a bar is "
                    "the count of bundles that day.",
                )
            )
    elif name == "limit_flags":
        for i, f in enumerate(ctx.findings.get(name, [])[: bounds.CHARTS_PER_ANALYSIS_PAGE]):
            out.append(figures.limit_figure(ctx, f, f"c-limit-{i}", link=True))
    elif name == "timing_signals":
        found = ctx.findings.get(name, [])
        tested = [f for f in found if f.row.get("status") == "tested"] or found  # charts with a statistic first
        for i, f in enumerate(tested[: bounds.CHARTS_PER_ANALYSIS_PAGE]):
            out.append(figures.timing_figure(ctx, f, f"c-timing-{i}", link=True))
    elif name == "red_flags":
        section = (ctx.report.get("analyses") or {}).get(name) or {}
        by_rule = (section.get("counts") or {}).get("by_rule") or {}
        if by_rule:
            names = sorted(by_rule)
            values = [float(by_rule[k]) for k in names]
            svg = charts.hbar_chart(
                "c-rules",
                "Red flags per rule",
                "How many flagged vendor-recipient pairs each rule fired on: "
                + ", ".join(f"{k} {by_rule[k]}" for k in names)
                + ".",
                names,
                [
                    charts.BarPanel(
                        "flags where the rule fired", values, [str(by_rule[k]) for k in names], "flags", integer=True
                    )
                ],
                label_heading="rule",
            )
            out.append(figures.figure(svg, "One flag can fire several rules."))
    if not out:
        return ""
    heading = "<h2>Charts</h2>"
    if name == "limit_flags":
        heading += (
            f'<p class="note">The first {len(out)} flag(s) in the report\'s ranking; every finding page has its '
            "own chart.</p>"
        )
    elif name == "timing_signals":
        heading += (
            f'<p class="note">The first {len(out)} tested pair(s) in the report\'s ranking (pairs with too few '
            "donations have no statistic); every finding page has its own chart.</p>"
        )
    return heading + "".join(out)


# ----------------------------------------------------------------------------------------------
# Finding pages
# ----------------------------------------------------------------------------------------------


def finding_page(ctx: Context, a: Any, f: Finding, sentence: str | None, cited_by: Sequence[Finding]) -> str:
    r = ctx.report
    links = ctx.links("../")
    noun = finding_noun(a.name)
    section = (r.get("analyses") or {}).get(a.name) or {}
    rank = ctx.findings[a.name].index(f) + 1
    parts = [
        f"<h1>{e(noun)} <code>{e(f.finding_id)}</code></h1>",
        f'<p class="lead">#{rank} of {e(section.get("count"))} in <a href="../{e(a.name)}.html">'
        f"{e(section.get('title', a.title))}</a> ({e(section.get('ordering', a.ordering))}); pages exist for the "
        f"top {bounds.FINDING_PAGES}. "
        f"Evidence kind: {e(f.row.get('evidence_kind', section.get('evidence_kind')))}.</p>",
        _status_banner(r, "../") if not r.get("ok") else "",
    ]
    if sentence:
        parts.append(f'<p class="sentence"><strong>Finding.</strong> {code_text(sentence)}</p>')
    parts.append(f'<p class="sentence rule"><strong>Rule.</strong> {e(rule_sentence(a.name, r))}</p>')
    if a.name == "timing_signals":
        parts.append(figures.timing_figure(ctx, f, "c-f"))
    elif a.name == "limit_flags":
        parts.append(figures.limit_figure(ctx, f, "c-f"))
    elif a.name == "bundles":
        parts.append(figures.bundle_figure(ctx, f, "c-f"))
    elif a.name == "vendor_breadth":
        parts.append(figures.breadth_chart("c-f", [f.row], 1))
    elif a.name == "red_flags":
        parts.append(figures.red_flag_figure(f, "c-f"))

    related = []
    for column, target in COLUMN_TARGETS.items():
        values = f.row.get(column)
        for v in values if isinstance(values, list) else [values]:
            if isinstance(v, str):
                href = links.href(target, v)
                label = f"{finding_noun(target)} <code>{e(v)}</code>"
                related.append(
                    f'<li><a href="{e(href)}">{label}</a> ({e(column)})</li>'
                    if href
                    else f"<li>{label} ({e(column)}): not among the top {bounds.FINDING_PAGES} pages; see the "
                    f"{e(target)} export</li>"
                )
    for other in cited_by:
        related.append(
            f'<li>cited by {e(finding_noun(other.analysis))} <a href="../{e(other.path)}">'
            f"<code>{e(other.finding_id)}</code></a></li>"
        )
    if related:
        parts += ["<h2>Related findings</h2>", f'<ul class="compact">{"".join(related)}</ul>']

    parts.append("<h2>All fields</h2>")
    pairs = []
    for column, value in f.row.items():
        pairs.append((column, _kv_value(column, value, links)))
    parts.append(kv(pairs))

    parts.append(_evidence_rows(ctx, f))
    parts.append(_links_behind(ctx, f, links))
    title = f"{noun} {f.finding_id}"
    return page(title, "\n".join(p for p in parts if p), "../", ctx.nav())


def _kv_value(column: str, value: Any, links: Links) -> str:
    if value is None:
        return '<span class="note">NULL</span>'
    target = COLUMN_TARGETS.get(column)
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values[: bounds.KV_LIST_SHOW]:
        href = links.href(target, v) if target and isinstance(v, str) else None
        if isinstance(v, bool):
            text = "yes" if v else "no"
        elif is_money_column(column) and isinstance(v, str):
            text = money(v)
        elif isinstance(v, (int, float)):
            text = num(v)
        else:
            text = str(v)
        mono = column.endswith("_id") or column.endswith("_ids") or "row_ref" in column
        html_text = f"<code>{e(text)}</code>" if mono else e(text)
        out.append(f'<a href="{e(href)}">{html_text}</a>' if href else html_text)
    more = f" (+{len(values) - bounds.KV_LIST_SHOW} more in the export)" if len(values) > bounds.KV_LIST_SHOW else ""
    if isinstance(value, list):
        return (", ".join(out) or '<span class="note">(empty list)</span>') + e(more)
    return out[0]


def _evidence_rows(ctx: Context, f: Finding) -> str:
    parts = ["<h2>Cited input rows (raw values)</h2>"]
    if not f.refs:
        return parts[0] + "<p>This finding cites no input row.</p>"
    shown = f.refs[: bounds.EVIDENCE_ROWS]
    note = (
        f"All {len(f.refs)} cited row(s)"
        if len(shown) == len(f.refs)
        else f"The first {len(shown)} of {len(f.refs)} cited rows (the export lists all)"
    )
    if f.refs_via_edges:
        note += " of the links the finding names (its own fields cite no row: see Links behind it)"
    parts.append(
        f'<p class="note">{e(note)}, exactly as they are in the raw table the input was loaded into (looked up by '
        "dataset_version_id and row_index through raw.ingest_manifest). NULL is a missing value; an empty cell is "
        "an empty string.</p>"
    )
    by_table: dict[str, list[dict[str, Any]]] = {}
    columns: dict[str, list[str]] = {}
    problems = []
    for ref in shown:
        raw = ctx.raw.rows.get(ref)
        if raw is None:
            problems.append((ref, ctx.raw.problems.get(ref, "not looked up")))
            continue
        record = {"row_ref": ref, "cited as": ", ".join(f.cited_as.get(ref, []))}
        record.update(dict(zip(raw.columns, raw.values, strict=True)))
        by_table.setdefault(raw.table, []).append(record)
        columns[raw.table] = ["row_ref", "cited as", *raw.columns]
    for i, name in enumerate(sorted(by_table)):
        rows = by_table[name]
        parts.append(f"<h3>raw.{e(name)} ({len(rows)} row(s))</h3>")
        raw_columns = set(columns[name]) - {"row_ref", "cited as", "row_index"}
        parts.append(
            table(f"raw-{i}", columns[name], rows, filterable=len(rows) > 10, raw_cells=raw_columns.__contains__)
        )
    if problems:
        items = "".join(f"<li><code>{e(ref)}</code>: {e(why)}</li>" for ref, why in problems)
        parts.append(f'<p>Rows without a raw row:</p><ul class="compact">{items}</ul>')
    return "".join(parts)


def _links_behind(ctx: Context, f: Finding, links: Links) -> str:
    wanted_edges = set(f.edge_ids)
    by_ref = set(f.refs) if f.analysis in {"bundles", "limit_flags"} else set()
    # the link rows with a wanted edge or a cited contribution, in links_rows order
    by_edge, by_contribution = ctx.links_index
    picked = {i for edge in wanted_edges for i in by_edge.get(edge, ())}
    picked.update(i for ref in by_ref for i in by_contribution.get(ref, ()))
    rows = [ctx.links_rows[i] for i in sorted(picked)]
    head = "<h2>Links behind it</h2>"
    if not rows:
        why = (
            "no cited contribution is linked to a vendor"
            if f.analysis in {"bundles", "limit_flags"}
            else "the finding names no link edge"
        )
        if "cross_links" not in ctx.marts:
            why = "the cross_links mart is not available in this run"
        return head + f"<p>None: {e(why)}.</p>"
    shown = rows[: bounds.LINK_ROWS]
    note = (
        (f"All {len(rows)} edge(s)" if len(shown) == len(rows) else f"The first {len(shown)} of {len(rows)} edges")
        + (" linking a cited contribution to a vendor" if by_ref else " the finding names")
        + ", with the name-match features behind each link."
    )
    tier = str(vars_of(ctx.report).get("min_link_tier") or "probable")
    below = sum(1 for x in shown if _TIER_RANK.get(str(x.get("confidence_tier")), 0) > _TIER_RANK.get(tier, 9))
    if below:  # such a link is in cross_links.csv but in no analysis: say so next to it
        note += (
            f" {below} of them are below the analysis tier ({tier}, vars.min_link_tier): shown for context, "
            "they count in no analysis."
        )
    columns = [c for c in LINK_FEATURES if c in shown[0]]
    return head + f'<p class="note">{e(note)}</p>' + table("links", columns, shown, links, filterable=len(shown) > 10)
