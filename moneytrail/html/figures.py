"""The charts of the HTML report's pages, each in a <figure> with a caption: vendor breadth,
timing against the null, a limit flag's running total, a bundle's contributions and the factors
behind a red flag. The SVG itself is drawn by moneytrail/html/charts.py."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from moneytrail.html import charts
from moneytrail.html.markup import e, money

if TYPE_CHECKING:
    from moneytrail.html.pages import Context, Finding

CHART_BARS = 30  # bars in a bar chart (the largest first)


def as_date(value: Any) -> _dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def as_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def as_float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{e(caption)}</figcaption></figure>'


def breadth_chart(uid: str, rows: Sequence[Mapping[str, Any]], total: int) -> str:
    names = [str(r.get("vendor_name") or r.get("vendor_name_norm") or r.get("vendor_entity_id")) for r in rows]
    recipients = [float(r.get("n_recipients") or 0) for r in rows]
    amounts = [as_decimal(r.get("total_amount")) or Decimal(0) for r in rows]
    svg = charts.hbar_chart(
        uid,
        "Vendor breadth: recipients reached and money given",
        f"The first {len(rows)} of {total} vendors by breadth rank: "
        + "; ".join(
            f"{n} reaches {int(k)} recipient(s), {money(m)}" for n, k, m in zip(names, recipients, amounts, strict=True)
        )
        + ".",
        names,
        [
            charts.BarPanel(
                "recipients reached", recipients, [str(int(k)) for k in recipients], "recipients", integer=True
            ),
            charts.BarPanel(
                "money in linked contributions",
                [float(m) for m in amounts],
                [charts.money(m, cents=False) for m in amounts],
                "linked money",
                is_money=True,
            ),
        ],
    )
    return figure(svg, f"Top {len(rows)} vendors by breadth rank (most recipients, then most money).")


# ----------------------------------------------------------------------------------------------
# Per-finding charts
# ----------------------------------------------------------------------------------------------


def timing_figure(ctx: Context, f: Finding, uid: str, link: bool = False) -> str:
    row = f.row
    refs = [v for v in row.get("donation_row_refs") or [] if isinstance(v, str)]
    donations = []
    missing = 0
    for ref in refs:
        c = ctx.contributions.get(ref)
        d = as_date(c.get("donation_date")) if c else None
        if c is None or d is None:
            missing += 1
            continue
        donations.append((d, c.get("amount")))
    awards = [d for d in (as_date(x) for x in row.get("award_dates") or []) if d is not None]
    stats = charts.TimingStats(
        row.get("status"),
        as_float(row.get("observed_mean_days")),
        as_float(row.get("null_mean_days")),
        as_float(row.get("null_sd_days")),
        as_float(row.get("p_value")),
    )
    who = f"{row.get('vendor_name_norm') or row.get('vendor_entity_id')} \u2192 {row.get('recipient_id')}"
    svg = charts.timing_chart(
        uid,
        f"Timing: {who}",
        donations,
        awards,
        (as_date(row.get("window_start")), as_date(row.get("window_end"))),
        stats,
    )
    caption = (
        "Donations (dots; several on one day stack up) and the vendor's award dates (lines) over the test's window; "
        "below, the observed mean distance against the null model's mean (dashed) and one standard deviation "
        "(band)."
    )
    if stats.status not in (None, "tested") or stats.observed_mean_days is None:
        caption = (
            "Donations (dots; several on one day stack up) and the vendor's award dates (lines) over the test's "
            f"window; the pair was not tested ({stats.status}), so there is no statistic to compare with the null."
        )
    elif stats.null_mean_days is None:
        caption += " The mart has no null mean for this pair, so only the observed statistic is drawn."
    if missing:
        caption += f" {missing} cited donation row(s) have no parsed date in staging and are not drawn."
    if link:
        caption += " Evidence: "
        return (
            f'<figure class="chart">{svg}<figcaption>{e(caption)}<a href="{e(f.path)}"><code>{e(f.finding_id)}'
            "</code></a></figcaption></figure>"
        )
    return figure(svg, caption)


def _limit_period(row: Mapping[str, Any]) -> tuple[_dt.date | None, _dt.date | None]:
    period = str(row.get("period") or "")
    if row.get("period_kind") == "calendar_year" and len(period) == 4 and period.isdigit():
        return _dt.date(int(period), 1, 1), _dt.date(int(period), 12, 31)
    return as_date(row.get("first_date")), as_date(row.get("last_date"))


def limit_figure(ctx: Context, f: Finding, uid: str, link: bool = False) -> str:
    row = f.row
    points = []
    missing = 0
    for ref in [v for v in row.get("row_refs") or [] if isinstance(v, str)]:
        c = ctx.contributions.get(ref)
        d = as_date(c.get("donation_date")) if c else None
        amount = as_decimal(c.get("amount")) if c else None
        if d is None or amount is None:
            missing += 1
            continue
        points.append((d, amount, ref))
    who = f"{row.get('donor_name') or row.get('donor_key')} \u2192 {row.get('recipient_id')}, {row.get('period')}"
    svg = charts.running_total_chart(
        uid,
        f"Running total: {who}",
        points,
        as_decimal(row.get("limit_amount")),
        _limit_period(row),
        as_decimal(row.get("total_amount")),
    )
    caption = (
        "The donor's running total to this recipient over the period, one step per cited contribution; "
        "red points are over the limit (dashed)."
    )
    if missing:
        caption += f" {missing} cited row(s) have no parsed date or amount in staging and are not drawn."
    if link:
        return (
            f'<figure class="chart">{svg}<figcaption>{e(caption)} Evidence: <a href="{e(f.path)}"><code>'
            f"{e(f.finding_id)}</code></a></figcaption></figure>"
        )
    return figure(svg, caption)


def bundle_figure(ctx: Context, f: Finding, uid: str) -> str:
    items: list[tuple[str, Decimal, str]] = []
    for ref in [v for v in f.row.get("row_refs") or [] if isinstance(v, str)]:
        c = ctx.contributions.get(ref)
        amount = as_decimal(c.get("amount")) if c is not None else None
        if c is None or amount is None:
            continue
        items.append((str(c.get("donor_name") or ref), amount, ref))
    if not items:
        return ""
    items.sort(key=lambda t: (-t[1], t[0], t[2]))
    n_all = len(items)
    items = items[:CHART_BARS]
    svg = charts.hbar_chart(
        uid,
        f"Contributions in the bundle on {f.row.get('donation_date')}",
        "; ".join(f"{n}: {money(str(a))}" for n, a, _ in items) + ".",
        [n for n, _, _ in items],
        [
            charts.BarPanel(
                "amount given", [float(a) for _, a, _ in items], [money(str(a)) for _, a, _ in items], "amount", True
            )
        ],
        label_heading="donor",
    )
    which = "Each cited contribution" if n_all == len(items) else f"The {len(items)} largest of {n_all} contributions"
    return figure(svg, f"{which} of the bundle (donor name as parsed in staging).")


# the factors of a red flag, in the order the rule sentence names them: (rule, column, what one unit is)
RED_FLAG_FACTORS = (
    ("bundled_donations", "bundle_ids", "bundle", "bundles"),
    ("limit_excess", "limit_flag_ids", "limit flag", "limit flags"),
    ("prohibited_contribution", "prohibited_finding_ids", "prohibited contribution", "prohibited contributions"),
    ("timing_cluster", "timing_finding_id", "timing signal", "timing signals"),
    ("non_competitive_award", "non_competitive_award_row_refs", "award row", "award rows"),
    ("broad_influence", "vendor_n_recipients", "recipient", "recipients"),
)
CONTEXT_RULES = frozenset({"non_competitive_award", "broad_influence"})


def _factor_count(row: Mapping[str, Any], rule: str, column: str) -> int:
    value = row.get(column)
    if rule == "timing_cluster":
        return 1 if row.get("timing_cluster") and value else 0
    if rule == "broad_influence":
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0
    total = row.get(f"{column}_count")  # report.json cuts long lists; the mart row is whole
    return int(total) if isinstance(total, int) else len(value or [])


def red_flag_figure(f: Finding, uid: str) -> str:
    """The factors behind one red flag: a bar per rule, as long as the findings or rows it rests on;
    pair rules that fired, pair rules that did not, and the vendor-level context apart."""
    row = f.row
    fired = set(row.get("rules_fired") or [])
    names, values, labels = [], [], []
    for rule, column, one, many in RED_FLAG_FACTORS:
        n = _factor_count(row, rule, column)
        state = "context" if rule in CONTEXT_RULES else ("fired" if rule in fired else "not fired")
        if rule in CONTEXT_RULES and not row.get(rule):
            state = "context, not met"
        names.append(f"{rule} ({state})")
        values.append(float(n))
        labels.append(f"{n} {one if n == 1 else many}")
    svg = charts.hbar_chart(
        uid,
        f"Factors behind the flag: {row.get('vendor_name_norm') or row.get('vendor_entity_id')} \u2192 "
        f"{row.get('recipient_id')}",
        "; ".join(f"{n}: {lab}" for n, lab in zip(names, labels, strict=True)) + ".",
        names,
        [charts.BarPanel("evidence behind each factor", values, labels, "findings or input rows", integer=True)],
        label_heading="rule (state)",
    )
    return figure(
        svg,
        f"{row.get('n_rules')} pair rule(s) fired, {row.get('n_independent_rules')} independent (rules resting on "
        "the same contribution rows count once); the vendor-level context (non-competitive awards, breadth) is "
        "shown but never counted.",
    )
