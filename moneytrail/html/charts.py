"""Charts as inline SVG, written by hand in Python.

No charting dependency: the report must open with no network (no CDN script), the same inputs
must give the same bytes (every coordinate is printed with one decimal, every label with a
fixed format, nothing depends on a clock or a font measurement), and there is no JavaScript
library to vet. Every chart has a <title> and <desc> (referenced by aria-labelledby), a chart
title, labelled axes (``class="axis-label"``) and tick labels.

Money arrives as exact decimal strings ("1000.00"); sums use Decimal, and floats only ever
place pixels.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH = 760
FONT_CHAR_PX = 6.4  # rough width of an 11-12px character, only to shorten long labels
COLORS = {
    "donation": "#1f5fbf",
    "award": "#c2561a",
    "null": "#8c95a5",
    "observed": "#b3261e",
    "bar": "#3f7fd0",
    "bar2": "#2f9e75",
    "over": "#b3261e",
    "limit": "#b3261e",
}


def c(x: float) -> str:
    """A coordinate: one decimal, never '-0.0'."""
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def e(text: object) -> str:
    return escape(str(text), quote=True)


def money(value: Decimal | float | int | str | None, cents: bool = True) -> str:
    if value is None:
        return "n/a"
    d = Decimal(str(value))
    sign = "-" if d < 0 else ""
    d = abs(d)
    return f"{sign}${d:,.2f}" if cents else f"{sign}${d:,.0f}"


def shorten(text: str, max_px: float) -> str:
    limit = max(int(max_px / FONT_CHAR_PX), 4)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# ----------------------------------------------------------------------------------------------
# Scales and ticks
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Linear:
    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, v: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (v - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


def nice_step(span: float, target: int) -> float:
    if span <= 0:
        return 1.0
    raw = span / max(target, 1)
    power: float = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def nice_ticks(lo: float, hi: float, target: int = 5, integer: bool = False) -> tuple[float, float, list[float]]:
    """A rounded domain covering [lo, hi] and its ticks (whole numbers only when `integer`)."""
    if hi <= lo:
        hi = lo + 1
    step = nice_step(hi - lo, target)
    if integer:
        step = max(1.0, math.ceil(step))
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step
    n = int(round((end - start) / step))
    return start, end, [start + i * step for i in range(n + 1)]


def num_label(v: float, step: float, is_money: bool, top: float = 0.0) -> str:
    """A tick label; money from $10,000 up in thousands or millions ("$250k", "$1.5M") so labels fit."""
    if is_money and top >= 10_000:
        if v == 0:
            return "$0"
        size, suffix = (1_000_000, "M") if top >= 10_000_000 else (1_000, "k")
        text = f"{abs(v) / size:,.{0 if step % size == 0 else 1}f}"
        return ("-" if v < 0 else "") + "$" + text + suffix
    decimals = 0 if step >= 1 else min(max(-int(math.floor(math.log10(step))), 1), 4)
    text = f"{v:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return ("$" + text) if is_money else text


def date_ticks(start: _dt.date, end: _dt.date, max_ticks: int = 8) -> list[tuple[_dt.date, str]]:
    span = (end - start).days
    if span <= 62:
        for step in (1, 2, 5, 7, 14, 21, 31):
            if span / step <= max_ticks:
                break
        out = []
        d = start
        while d <= end:
            out.append((d, d.isoformat()))
            d += _dt.timedelta(days=step)
        return out
    months = span / 30.44
    for step in (1, 2, 3, 6, 12, 24, 60, 120):
        if months / step <= max_ticks:
            break
    out = []
    index = start.year * 12 + start.month - 1
    if start.day != 1:
        index += 1
    while True:
        if index % step == 0:
            d = _dt.date(index // 12, index % 12 + 1, 1)
            if d > end:
                break
            out.append((d, str(d.year) if step >= 12 else f"{d.year}-{d.month:02d}"))
        index += 1
        if _dt.date(index // 12, index % 12 + 1, 1) > end:
            break
    return out


def date_domain(
    dates: Sequence[_dt.date], start: _dt.date | None = None, end: _dt.date | None = None
) -> tuple[_dt.date, _dt.date]:
    """start..end when given, widened to hold every date; a few days of air around one day."""
    lo = min([d for d in [start, *dates] if d is not None], default=None)
    hi = max([d for d in [end, *dates] if d is not None], default=None)
    if lo is None or hi is None:
        today = _dt.date(2000, 1, 1)  # no date at all: an arbitrary fixed axis, never the clock
        return today, today + _dt.timedelta(days=30)
    if (hi - lo).days < 6:
        return lo - _dt.timedelta(days=3), hi + _dt.timedelta(days=3)
    if start is None or end is None:  # no stated window: some air so marks never sit on the frame
        pad = _dt.timedelta(days=max((hi - lo).days // 25, 1))
        lo, hi = (lo - pad if start is None else lo), (hi + pad if end is None else hi)
    return lo, hi


# ----------------------------------------------------------------------------------------------
# SVG frame
# ----------------------------------------------------------------------------------------------


class Svg:
    def __init__(self, uid: str, kind: str, title: str, desc: str, height: float) -> None:
        self.uid = uid
        self.kind = kind
        self.title = title
        self.desc = desc
        self.height = height
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def text(self, x: float, y: float, body: str, cls: str = "tick", anchor: str = "start", extra: str = "") -> None:
        self.add(f'<text x="{c(x)}" y="{c(y)}" class="{cls}" text-anchor="{anchor}"{extra}>{e(body)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, style: str) -> None:
        self.add(f'<line x1="{c(x1)}" y1="{c(y1)}" x2="{c(x2)}" y2="{c(y2)}" {style}/>')

    def render(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{e(self.kind)}" '
            f'viewBox="0 0 {WIDTH} {c(self.height)}" width="{WIDTH}" height="{c(self.height)}" '
            f'role="img" aria-labelledby="{self.uid}-t {self.uid}-d">'
            f'<title id="{self.uid}-t">{e(self.title)}</title><desc id="{self.uid}-d">{e(self.desc)}</desc>'
            f'<text x="12.0" y="22.0" class="chart-title">{e(self.title)}</text>'
        )
        return head + "".join(self.parts) + "</svg>"


def _x_date_axis(svg: Svg, scale: Linear, lo: _dt.date, hi: _dt.date, y: float, top: float, label: str) -> None:
    svg.add('<g class="axis x-axis">')
    svg.line(scale.r0, y, scale.r1, y, 'stroke="#8c95a5"')
    for d, text in date_ticks(lo, hi):
        x = scale(d.toordinal())
        svg.line(x, top, x, y, 'class="grid"')
        svg.line(x, y, x, y + 4, 'stroke="#8c95a5"')
        svg.text(x, y + 16, text, anchor="middle")
    svg.add("</g>")
    svg.text((scale.r0 + scale.r1) / 2, y + 34, label, cls="axis-label", anchor="middle")


def _x_num_axis(svg: Svg, scale: Linear, ticks: list[float], y: float, top: float, label: str, is_money: bool) -> None:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    svg.add('<g class="axis x-axis">')
    svg.line(scale.r0, y, scale.r1, y, 'stroke="#8c95a5"')
    for t in ticks:
        x = scale(t)
        svg.line(x, top, x, y, 'class="grid"')
        svg.line(x, y, x, y + 4, 'stroke="#8c95a5"')
        svg.text(x, y + 16, num_label(t, step, is_money, ticks[-1]), anchor="middle")
    svg.add("</g>")
    svg.text((scale.r0 + scale.r1) / 2, y + 34, label, cls="axis-label", anchor="middle")


def _y_num_axis(svg: Svg, scale: Linear, ticks: list[float], x0: float, x1: float, label: str, is_money: bool) -> None:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    svg.add('<g class="axis y-axis">')
    svg.line(x0, scale.r0, x0, scale.r1, 'stroke="#8c95a5"')
    for t in ticks:
        y = scale(t)
        svg.line(x0, y, x1, y, 'class="grid"')
        svg.text(x0 - 6, y + 4, num_label(t, step, is_money, ticks[-1]), anchor="end")
    svg.add("</g>")
    mid = (scale.r0 + scale.r1) / 2
    svg.text(16, mid, label, cls="axis-label", anchor="middle", extra=f' transform="rotate(-90 16.0 {c(mid)})"')


# ----------------------------------------------------------------------------------------------
# Charts
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimingStats:
    status: str | None
    observed_mean_days: float | None
    null_mean_days: float | None
    null_sd_days: float | None
    p_value: float | None


def timing_chart(
    uid: str,
    title: str,
    donations: Sequence[tuple[_dt.date, str | None]],
    awards: Sequence[_dt.date],
    window: tuple[_dt.date | None, _dt.date | None],
    stats: TimingStats,
) -> str:
    """Donations (dots, stacked on shared days) and award dates (vertical lines) on one time
    axis over the test's window, and below it the statistic: the observed mean distance from
    a donation to the nearest award against the null model's mean (band: one sd)."""
    left, right = 56.0, WIDTH - 24.0
    lo, hi = date_domain([*[d for d, _ in donations], *awards], *window)
    xs = Linear(lo.toordinal(), hi.toordinal(), left, right)
    per_day: dict[_dt.date, int] = {}
    for d, _ in donations:
        per_day[d] = per_day.get(d, 0) + 1
    stack = max(per_day.values(), default=1)
    strip_top, dot = 48.0, 9.0
    base = strip_top + 20 + dot * min(stack, 12)
    axis_y = base + 14
    stats_top = axis_y + 62
    height = stats_top + (130 if _has_statistic(stats) else 40)
    desc = (
        f"{len(donations)} donation(s) and {len(awards)} award date(s) between {lo.isoformat()} and "
        f"{hi.isoformat()}. " + _stats_sentence(stats)
    )
    svg = Svg(uid, "timing", title, desc, height)
    # legend
    svg.add(f'<circle cx="{c(right - 250)}" cy="34.0" r="4.0" fill="{COLORS["donation"]}"/>')
    svg.text(right - 242, 38, f"donation ({len(donations)})")
    svg.line(right - 130, 28, right - 130, 40, f'stroke="{COLORS["award"]}" stroke-width="2"')
    svg.text(right - 122, 38, f"award date ({len(awards)})")
    _x_date_axis(svg, xs, lo, hi, axis_y, strip_top, "date (the test's window)")
    svg.text(16, (strip_top + axis_y) / 2, "donations", cls="axis-label", anchor="middle",
             extra=f' transform="rotate(-90 16.0 {c((strip_top + axis_y) / 2)})"')  # fmt: skip
    for d in sorted(set(awards)):
        x = xs(d.toordinal())
        svg.add(
            f'<line x1="{c(x)}" y1="{c(strip_top)}" x2="{c(x)}" y2="{c(axis_y)}" stroke="{COLORS["award"]}" '
            f'stroke-width="2"><title>award {d.isoformat()}</title></line>'
        )
    seen: dict[_dt.date, int] = {}
    for d, amount in sorted(donations, key=lambda t: (t[0], t[1] or "")):
        k = seen.get(d, 0)
        seen[d] = k + 1
        y = base - 6 - dot * min(k, 11)
        label = f"donation {d.isoformat()}" + (f" {money(amount)}" if amount is not None else "")
        svg.add(
            f'<circle cx="{c(xs(d.toordinal()))}" cy="{c(y)}" r="4.0" fill="{COLORS["donation"]}" '
            f'fill-opacity="0.85"><title>{e(label)}</title></circle>'
        )
    _stats_panel(svg, stats, stats_top, left, right)
    return svg.render()


def _stats_sentence(s: TimingStats) -> str:
    if s.status not in (None, "tested"):
        return f"Not tested ({s.status}): no statistic."
    if s.observed_mean_days is None:
        return "The mart has no observed statistic for this pair."
    text = f"Observed mean distance to the nearest award: {s.observed_mean_days:.1f} days"
    if s.null_mean_days is None:
        return text + "; the mart gives no null mean to compare with."
    sd = f" (sd {s.null_sd_days:.1f})" if s.null_sd_days is not None else ""
    p = f"; p = {s.p_value:.3g}" if s.p_value is not None else ""
    return text + f", against {s.null_mean_days:.1f} days{sd} expected under the null model{p}."


def _has_statistic(s: TimingStats) -> bool:
    return s.status in (None, "tested") and s.observed_mean_days is not None


def _stats_panel(svg: Svg, s: TimingStats, top: float, left: float, right: float) -> None:
    """Heading at `top`; below it the observed mean against the null mean and its sd band."""
    svg.text(left, top, "the statistic: mean days from a donation to the vendor's nearest award", cls="chart-title")
    if not _has_statistic(s):
        svg.text(left, top + 24, _stats_sentence(s), cls="axis-label")
        return
    observed = s.observed_mean_days
    assert observed is not None  # _has_statistic
    values = [observed]
    if s.null_mean_days is not None:
        values.append(s.null_mean_days + 2 * (s.null_sd_days or 0.0))
    lo, hi, ticks = nice_ticks(0.0, max(values) * 1.08 or 1.0)
    scale = Linear(lo, hi, left, right)
    yc = top + 46
    _x_num_axis(svg, scale, ticks, top + 84, top + 30, "mean days to the nearest award", False)
    if s.null_mean_days is not None:
        if s.null_sd_days is not None:
            x0 = scale(max(s.null_mean_days - s.null_sd_days, lo))
            x1 = scale(min(s.null_mean_days + s.null_sd_days, hi))
            svg.add(
                f'<rect x="{c(x0)}" y="{c(yc - 12)}" width="{c(x1 - x0)}" height="24.0" fill="{COLORS["null"]}" '
                f'fill-opacity="0.25"><title>null mean \u00b1 1 sd</title></rect>'
            )
        xn = scale(s.null_mean_days)
        svg.line(xn, yc - 14, xn, yc + 14, f'stroke="{COLORS["null"]}" stroke-width="2" stroke-dasharray="4 3"')
        sd = f" (sd {s.null_sd_days:.1f})" if s.null_sd_days is not None else ""
        svg.text(xn, top + 26, f"null mean {s.null_mean_days:.1f}{sd}", anchor="middle")
    else:
        svg.text(right, top + 26, "no null mean in the mart", anchor="end")
    xo = scale(observed)
    svg.add(
        f'<circle cx="{c(xo)}" cy="{c(yc)}" r="6.0" fill="{COLORS["observed"]}"><title>observed '
        f"{s.observed_mean_days:.1f} days</title></circle>"
    )
    svg.text(xo, yc + 26, f"observed {s.observed_mean_days:.1f}", anchor="middle")


@dataclass(frozen=True)
class BarPanel:
    heading: str
    values: Sequence[float]
    labels: Sequence[str]  # printed at the end of each bar
    axis_label: str
    is_money: bool = False
    integer: bool = False  # counts: whole-number ticks only


def hbar_chart(
    uid: str, title: str, desc: str, names: Sequence[str], panels: Sequence[BarPanel], label_heading: str = "vendor"
) -> str:
    """Horizontal bars, one row per name, one panel per measure (sharing the name column)."""
    label_w = 190.0
    row_h = 20.0
    top = 56.0
    body_h = max(len(names), 1) * row_h
    axis_y = top + body_h + 6
    height = axis_y + 48
    svg = Svg(uid, "hbar", title, desc, height)
    gap = 28.0
    panel_w = (WIDTH - label_w - 16 - gap * (len(panels) - 1)) / max(len(panels), 1)
    svg.text(label_w - 8, top - 8, label_heading, cls="axis-label", anchor="end")
    for i, name in enumerate(names):
        y = top + i * row_h + row_h / 2
        svg.add(
            f'<text x="{c(label_w - 8)}" y="{c(y + 4)}" class="tick" text-anchor="end"><title>{e(name)}</title>'
            f"{e(shorten(name, label_w - 16))}</text>"
        )
    for p_index, panel in enumerate(panels):
        x0 = label_w + p_index * (panel_w + gap)
        x1 = x0 + panel_w - 60  # room for the value printed after the longest bar
        lo, hi, ticks = nice_ticks(0.0, max([*panel.values, 0.0]) or 1.0, 4, integer=panel.integer)
        scale = Linear(lo, hi, x0, x1)
        svg.text(x0, top - 8, panel.heading, cls="axis-label")
        _x_num_axis(svg, scale, ticks, axis_y, top, panel.axis_label, panel.is_money)
        color = COLORS["bar"] if p_index % 2 == 0 else COLORS["bar2"]
        for i, (value, label) in enumerate(zip(panel.values, panel.labels, strict=True)):
            y = top + i * row_h + 3
            w = max(scale(value) - x0, 0.0)
            svg.add(
                f'<rect x="{c(x0)}" y="{c(y)}" width="{c(w)}" height="{c(row_h - 6)}" fill="{color}">'
                f"<title>{e(names[i])}: {e(label)}</title></rect>"
            )
            svg.text(x0 + w + 4, y + row_h - 9, label)
    return svg.render()


def bundles_by_day_chart(uid: str, title: str, days: Sequence[tuple[_dt.date, Decimal, int, int]]) -> str:
    """One bar per day: the money in that day's bundles; the count of bundles above each bar."""
    left, right, top = 78.0, WIDTH - 24.0, 48.0
    plot_h = 200.0
    axis_y = top + plot_h
    height = axis_y + 48
    lo, hi = date_domain([d for d, *_ in days])
    xs = Linear(lo.toordinal() - 0.5, hi.toordinal() + 0.5, left, right)
    ymax = max([float(t) for _, t, _, _ in days], default=0.0)
    y0, y1, ticks = nice_ticks(0.0, ymax * 1.1 or 1.0, 5)
    ys = Linear(y0, y1, axis_y, top)
    total_bundles = sum(n for *_, n, _ in days)
    desc = (
        f"{total_bundles} bundle(s) on {len(days)} day(s) between {lo.isoformat()} and {hi.isoformat()}; "
        "bar height is the money in that day's bundles."
    )
    svg = Svg(uid, "bundles_by_day", title, desc, height)
    _y_num_axis(svg, ys, ticks, left, right, "money in bundles that day", True)
    _x_date_axis(svg, xs, lo, hi, axis_y, top, "donation date")
    day_w = max((right - left) / max(hi.toordinal() - lo.toordinal() + 1, 1) * 0.8, 5.0)
    for d, total, n_bundles, n_donors in days:
        x = xs(d.toordinal())
        y = ys(float(total))
        svg.add(
            f'<rect x="{c(x - day_w / 2)}" y="{c(y)}" width="{c(day_w)}" height="{c(axis_y - y)}" '
            f'fill="{COLORS["bar"]}"><title>{d.isoformat()}: {n_bundles} bundle(s), {n_donors} donor(s), '
            f"{e(money(total))}</title></rect>"
        )
        svg.text(x, y - 4, f"{n_bundles}", anchor="middle")
    return svg.render()


def running_total_chart(
    uid: str,
    title: str,
    points: Sequence[tuple[_dt.date, Decimal, str]],
    limit: Decimal | None,
    period: tuple[_dt.date | None, _dt.date | None],
    stated_total: Decimal | None,
) -> str:
    """The donor's running total over the period, one step per cited contribution, against
    the limit (dashed line). Points at or after crossing the limit are red."""
    left, right, top = 78.0, WIDTH - 24.0, 48.0
    plot_h = 180.0
    axis_y = top + plot_h
    height = axis_y + 48
    ordered = sorted(points, key=lambda p: (p[0], p[2]))
    lo, hi = date_domain([d for d, _, _ in ordered], *period)
    xs = Linear(lo.toordinal(), hi.toordinal(), left, right)
    running = Decimal(0)
    steps: list[tuple[_dt.date, Decimal, Decimal, str]] = []
    for d, amount, ref in ordered:
        running += amount
        steps.append((d, running, amount, ref))
    peak = max([float(s[1]) for s in steps] + [float(limit or 0), 0.0])
    y0, y1, ticks = nice_ticks(min(0.0, min([float(s[1]) for s in steps], default=0.0)), peak * 1.12 or 1.0, 5)
    ys = Linear(y0, y1, axis_y, top)
    desc = f"{len(steps)} cited contribution(s) from {lo.isoformat()} to {hi.isoformat()}; running total " + (
        f"reaches {money(running)}" if steps else "has no cited rows"
    )
    if limit is not None:
        desc += f" against a limit of {money(limit)}"
    if stated_total is not None and steps and stated_total != running:
        desc += f"; the flag's own total is {money(stated_total)} (rows excluded by the rule are not in it)"
    desc += "."
    svg = Svg(uid, "running_total", title, desc, height)
    _y_num_axis(svg, ys, ticks, left, right, "running total given", True)
    _x_date_axis(svg, xs, lo, hi, axis_y, top, "contribution date (the period)")
    if limit is not None:
        yl = ys(float(limit))
        svg.line(left, yl, right, yl, f'stroke="{COLORS["limit"]}" stroke-width="1.5" stroke-dasharray="6 4"')
        svg.text(left + 6, yl - 6, f"limit {money(limit)}")
    path = [f"M{c(xs(lo.toordinal()))},{c(ys(0.0))}"]
    for d, total, _, _ in steps:
        path.append(f"H{c(xs(d.toordinal()))}V{c(ys(float(total)))}")
    path.append(f"H{c(xs(hi.toordinal()))}")
    svg.add(f'<path d="{"".join(path)}" fill="none" stroke="{COLORS["donation"]}" stroke-width="2"/>')
    for d, total, amount, ref in steps:
        over = limit is not None and total > limit
        svg.add(
            f'<circle cx="{c(xs(d.toordinal()))}" cy="{c(ys(float(total)))}" r="4.5" '
            f'fill="{COLORS["over"] if over else COLORS["donation"]}"><title>{d.isoformat()}: +{e(money(amount))}, '
            f"total {e(money(total))} ({e(ref)})</title></circle>"
        )
    return svg.render()
