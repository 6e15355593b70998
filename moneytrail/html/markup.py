"""HTML building blocks: the page frame, tables, cells. Every text is escaped here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

LIST_SHOW = 4  # list cells in tables show this many items, then "(+N more)"
DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+$")
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def e(text: Any) -> str:
    return escape("" if text is None else str(text), quote=True)


def is_money_column(name: str) -> bool:
    return name == "amount" or name.endswith("_amount") or name in {"contract_value", "limit_amount"}


def money(value: Any) -> str:
    """'1234.50' -> '$1,234.50', exactly: works on the decimal string."""
    text = str(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}" if whole.isdigit() else whole
    return f"{sign}${grouped}" + (f".{frac}" if frac else "")


def num(value: Any) -> str:
    if isinstance(value, float):
        return format(value, ".4g")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) < 10**15 else str(value)  # seeds stay plain digits
    return str(value)


def safe_name(value: str) -> str:
    """A file-name-safe form of a finding id (ids are hex; anything else is hashed)."""
    return value if SAFE_ID.match(value) else hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


@dataclass
class Links:
    """Which finding ids have a page, and where pages are relative to the current one."""

    prefix: str  # "" on top-level pages, "../" on finding pages
    pages: dict[tuple[str, str], str] = field(default_factory=dict)  # (analysis, id) -> path from html/
    column_targets: Mapping[str, str] = field(default_factory=dict)  # column -> analysis its ids belong to

    def href(self, analysis: str, finding_id: str) -> str | None:
        path = self.pages.get((analysis, finding_id))
        return None if path is None else self.prefix + path


# ----------------------------------------------------------------------------------------------
# Page frame
# ----------------------------------------------------------------------------------------------


def page(title: str, body: str, prefix: str, nav: Sequence[tuple[str, str]]) -> str:
    links = "".join(f'<a href="{e(prefix + href)}">{e(label)}</a>' for href, label in nav)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n"
        f'<link rel="stylesheet" href="{e(prefix)}report.css">\n'
        "</head>\n<body>\n"
        f'<header class="top"><span class="brand">moneytrail</span>{links}</header>\n'
        '<main>\n<div id="js-errors" role="alert"></div>\n'
        f"{body}\n</main>\n"
        f'<script src="{e(prefix)}report.js"></script>\n'
        "</body>\n</html>\n"
    )


def kv(pairs: Sequence[tuple[str, str]]) -> str:
    """A definition list; values are HTML already."""
    return '<dl class="kv">' + "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"


def code_text(text: str) -> str:
    """Markdown-ish `code` spans (as report.md's sentences use them) to <code>, the rest escaped."""
    parts = text.split("`")
    return "".join(f"<code>{e(p)}</code>" if i % 2 else e(p) for i, p in enumerate(parts))


# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------


def column_is_numeric(name: str, rows: Sequence[Mapping[str, Any]]) -> bool:
    values = [r.get(name) for r in rows if r.get(name) is not None]
    if not values:
        return is_money_column(name)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return True
    return all(isinstance(v, str) and DECIMAL.match(v) for v in values)


def cell(name: str, value: Any, numeric: bool, links: Links | None, own: tuple[str, str] | None = None) -> str:
    """One <td>: known columns formatted (money, ids linked to their finding page), the rest as text."""
    if value is None:
        return '<td class="null" title="NULL"></td>'
    target = None
    if links is not None:
        if own is not None and name == own[1]:
            target = own[0]
        else:
            target = links.column_targets.get(name)
    if isinstance(value, list):
        items = [_item(name, v, target, links) for v in value[:LIST_SHOW]]
        more = f" (+{len(value) - LIST_SHOW} more)" if len(value) > LIST_SHOW else ""
        return f'<td data-v="{len(value)}">{", ".join(items)}{e(more)}</td>'
    if isinstance(value, dict):
        import json

        return f"<td><code>{e(json.dumps(value, sort_keys=True, ensure_ascii=False))}</code></td>"
    if isinstance(value, bool):
        return f'<td data-v="{int(value)}">{"yes" if value else "no"}</td>'
    if numeric:
        if is_money_column(name) and isinstance(value, str):
            shown = money(value)
        elif name == "row_index" or name.endswith("_row_index"):
            shown = str(value)  # a position to look up, as row refs write it: no thousands separator
        else:
            shown = num(value)
        return f'<td class="num" data-v="{e(value)}">{e(shown)}</td>'
    return f"<td>{_item(name, value, target, links)}</td>"


def _item(name: str, value: Any, target: str | None, links: Links | None) -> str:
    text = e(value if not isinstance(value, (dict, list)) else str(value))
    if target is not None and links is not None and isinstance(value, str):
        href = links.href(target, value)
        if href is not None:
            return f'<a href="{e(href)}"><code>{text}</code></a>'
    if name.endswith("_id") or name.endswith("_ids") or "row_ref" in name:
        return f"<code>{text}</code>"
    return text


def table(
    tid: str,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    links: Links | None = None,
    own: tuple[str, str] | None = None,
    filterable: bool = True,
    raw_cells: Callable[[str], bool] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """A sortable (and optionally filterable) table of rows; columns in the given order."""
    numeric = {c: column_is_numeric(c, rows) for c in columns}
    num_attr = ' data-type="num" class="num"'
    head = "".join(
        f'<th data-col="{e(c)}"{num_attr if numeric[c] else ""} scope="col">{e((labels or {}).get(c, c))}</th>'
        for c in columns
    )
    body = []
    for r in rows:
        cells = []
        for c in columns:
            if raw_cells is not None and raw_cells(c):
                v = r.get(c)
                cells.append(
                    '<td class="null raw" title="NULL">NULL</td>' if v is None else f'<td class="raw">{e(v)}</td>'
                )
            else:
                cells.append(cell(c, r.get(c), numeric[c], links, own))
        body.append("<tr>" + "".join(cells) + "</tr>")
    box = ""
    if filterable:
        box = (
            f'<div class="filter"><label>Filter <input type="search" data-filter-for="{e(tid)}" '
            f'placeholder="text in any column"></label><span class="count" data-count-for="{e(tid)}">'
            f"{len(rows)} of {len(rows)} rows shown</span></div>"
        )
    return (
        f'{box}<div class="table-wrap"><table class="sortable" id="{e(tid)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
