"""The entity-resolution review page: the one rendering of the review queue.

Two callers: the HTML report's review.html (linked from the overview; sortable and filterable
with the report's script) and ``moneytrail match-review --html`` (a self-contained page: the
report's stylesheet inlined, no script). Both show the uncertain links most money first, the
features that made each match, sample rows of both sides, and how a row becomes a decision:
the CSV of ``moneytrail match-review`` is a decisions file once decision, note, reviewer and
decided_on are filled in (vars.er_link_decisions_file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from moneytrail.exports import json_value, relation_columns
from moneytrail.html import assets
from moneytrail.html.markup import code_text, e, kv, table

#: Columns the page shows, in order (the CSV has them all, decision columns first).
QUEUE_COLUMNS: tuple[str, ...] = (
    "queue_rank",
    "left_name",
    "right_name",
    "relation",
    "confidence_tier",
    "match_type",
    "link_scope",
    "score",
    "coverage_left",
    "coverage_right",
    "shared_tokens",
    "number_mismatch",
    "type_conflict",
    "knowledge_note",
    "donations_at_stake",
    "contract_value_at_stake",
    "vendor_examples",
    "other_examples",
)
LABELS = {
    "left_name": "vendor name",
    "right_name": "employer / donor name",
    "vendor_examples": "vendor rows (sample)",
    "other_examples": "contribution rows (sample)",
}
EXAMPLE_COLUMNS = ("vendor_examples", "other_examples")
DECISION_COLUMNS = (
    "decision_id",
    "origin",
    "left_name",
    "right_name",
    "relation",
    "decision",
    "effect",
    "applied",
    "reviewer",
    "decided_on",
    "note",
)
QUEUE_ROWS = 1000  # rows of the queue on the report's page; the CSV of match-review holds all


@dataclass(frozen=True)
class ReviewData:
    queue: list[dict[str, Any]]  # the first QUEUE_ROWS rows, in queue order
    queue_total: int
    decisions: list[dict[str, Any]]  # every decision and its effect


def read(con: duckdb.DuckDBPyConnection, limit: int = QUEUE_ROWS) -> ReviewData | None:
    """The queue and the applied decisions from the warehouse; None when the marts are not there."""
    if not relation_columns(con, "marts", "er_review_queue") or not relation_columns(con, "marts", "er_review_summary"):
        return None
    # the queue's size as er_review_summary counts it (the HTML report counts nothing itself)
    total = con.execute("select review_queue_rows from marts.er_review_summary").fetchone()
    queue = _dicts(con, f"select * from marts.er_review_queue order by queue_rank limit {int(limit)}")
    decisions = (
        _dicts(con, "select * from marts.er_decisions_applied order by decision_id")
        if relation_columns(con, "marts", "er_decisions_applied")
        else []
    )
    return ReviewData(queue, int(total[0]) if total else 0, decisions)


def _dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [{n: json_value(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _shown(row: Mapping[str, Any]) -> dict[str, Any]:
    """A queue row for the table: the sample rows of each side as a list, one 'raw name <row_ref>' each."""
    out = dict(row)
    for column in EXAMPLE_COLUMNS:
        value = out.get(column)
        if isinstance(value, str) and value:
            out[column] = value.split(" | ")
    return out


def how_to_decide() -> str:
    """The CSV round trip, in steps."""
    return (
        "<h2>How to turn a row into a decision</h2>"
        '<ol class="compact">'
        "<li>Write the queue as a decisions file: <code>moneytrail match-review --db &lt;warehouse&gt; "
        "--out decisions.csv</code> (the same rows, in the same order, every column).</li>"
        "<li>For each row you have checked, fill in <code>decision</code> (<code>same</code>, "
        "<code>not_same</code> or <code>unsure</code>), <code>note</code> (why; cite a public source where "
        "you can), <code>reviewer</code> and <code>decided_on</code> (YYYY-MM-DD). Rows left blank are "
        "skipped.</li>"
        "<li>Point <code>vars.er_link_decisions_file</code> at the file (in the run file's vars, or "
        "<code>--vars '{er_link_decisions_file: decisions.csv}'</code>) and run again.</li>"
        "<li>The next report counts the decisions applied and what each did (removed, added or confirmed "
        "a link, merged or kept apart two entities); <code>not_same</code> always wins over the matcher "
        "and over aliases.</li>"
        "</ol>"
    )


def queue_section(rows: Sequence[Mapping[str, Any]], total: int, interactive: bool) -> str:
    """The queue as a table, most money at stake first, with a sentence saying how many rows."""
    which = f"{len(rows)} links" if len(rows) == total else f"The first {len(rows)} of {total} links"
    intro = (
        f"<p>{which}, most money at stake first. Money at stake: the contributions through the link, then "
        "the vendor's contract value. Each row shows the features that made the match and up to three input rows "
        "of each side as <code>raw name &lt;row_ref&gt;</code>.</p>"
    )
    if not rows:
        return intro + "<p>No link waits for review.</p>"
    columns = [c for c in QUEUE_COLUMNS if any(c in r for r in rows)]
    return intro + table("t-review-queue", columns, [_shown(r) for r in rows], filterable=interactive, labels=LABELS)


def report_body(section: Mapping[str, Any], data: ReviewData | None) -> str:
    """review.html's body in the HTML report: counts, the round trip, the queue, the decisions."""
    from moneytrail.report.er import er_sentence

    parts = ["<h1>Entity-resolution review</h1>", f'<p class="lead">{code_text(er_sentence(section))}</p>']
    if section.get("status") != "ok" or data is None:
        reason = section.get("reason") or "the review marts are not in the warehouse"
        return "\n".join(parts + [f'<div class="status failed">The review is not available: {e(reason)}</div>'])
    summary = section.get("summary") or {}
    parts.append(kv([(k.replace("_", " "), e(v)) for k, v in summary.items()]))
    parts += [how_to_decide(), "<h2>Links to review</h2>", queue_section(data.queue, data.queue_total, True)]
    parts.append("<h2>Decisions in this build</h2>")
    if data.decisions:
        columns = [c for c in DECISION_COLUMNS if c in data.decisions[0]]
        parts.append(table("t-decisions", columns, data.decisions, filterable=len(data.decisions) > 10))
    else:
        parts.append("<p>No reviewed decision was loaded.</p>")
    return "\n".join(parts)


def standalone_page(rows: Sequence[Mapping[str, Any]]) -> str:
    """The page `moneytrail match-review --html` writes: every row given, the report's style
    inlined, no script and nothing to fetch; no timestamps (the same queue gives the same bytes)."""
    body = "<h1>Entity-resolution review queue</h1>\n" + queue_section(rows, len(rows), False) + "\n" + how_to_decide()
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>moneytrail: entity-resolution review queue</title>\n"
        f"<style>\n{assets.CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
