"""The two static files of the HTML report: report.css and report.js.

Both are written into the report folder next to the pages, so the report opens from the file
system with no network: no CDN, no web font, no third-party script. report.js is small vanilla
JavaScript written for this report (no library to vet):

- every ``table.sortable`` gets clickable column headers (ascending, then descending; empty
  cells always last; numbers compare as numbers through their ``data-v`` value);
- every ``input[data-filter-for]`` filters its table's rows by a case-insensitive substring
  and says how many rows are shown;
- the URL hash ``#sort=<column>:<asc|desc>&filter=<text>`` applies a sort and a filter on
  load, so a link (or a headless browser) can open a table already sorted or filtered;
- an uncaught error is written into the page (``#js-errors``) so it is never silent, and
  ``<html data-js="ready">`` says the script ran to the end.
"""

from __future__ import annotations

CSS = """\
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #ffffff; --band: #f4f6f9;
  --accent: #1f5fbf; --warn: #a4441c; --ok: #1d7a46; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; color: var(--ink); background: var(--bg); }
header.top { background: #18202e; color: #fff; padding: 10px 24px; }
header.top a { color: #cfe0ff; margin-right: 14px; text-decoration: none; white-space: nowrap; }
header.top a:hover { text-decoration: underline; }
header.top .brand { color: #fff; font-weight: 700; margin-right: 22px; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 48px; }
h1 { font-size: 1.6em; margin: 18px 0 6px; }
h2 { font-size: 1.25em; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
p.lead { color: var(--muted); margin-top: 0; }
.status { padding: 10px 14px; border-radius: 6px; margin: 12px 0; font-weight: 600; }
.status.ok { background: #e5f4ea; color: var(--ok); }
.status.failed { background: #fbe9e2; color: var(--warn); }
.note { color: var(--muted); font-size: 0.92em; }
.sentence { background: var(--band); border-left: 4px solid var(--accent); padding: 10px 14px; margin: 10px 0; }
.rule { border-left-color: #8a6d1f; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0 4px; }
table { border-collapse: collapse; width: 100%; font-size: 0.88em; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--band); position: sticky; top: 0; white-space: nowrap; }
td { max-width: 28em; overflow-wrap: break-word; }
td code { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.null { color: #a0a7b4; }
td.raw { white-space: pre-wrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
tr:nth-child(even) td { background: #fafbfc; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
th button::after { content: " \\2195"; color: #a0a7b4; }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--accent); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--accent); }
.filter { margin: 8px 0 0; display: flex; gap: 10px; align-items: center; }
.filter input { padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; min-width: 18em; font: inherit; }
.filter .count { color: var(--muted); font-size: 0.9em; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
figure.chart { margin: 14px 0; }
figure.chart svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figure.chart figcaption { color: var(--muted); font-size: 0.9em; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg line.grid { stroke: #e6e9ef; }
svg .axis-label { font-size: 12px; fill: var(--muted); }
svg .tick { font-size: 11px; fill: var(--muted); }
svg .chart-title { font-size: 14px; font-weight: 600; }
pre.mono { white-space: pre-wrap; background: var(--band); padding: 8px 12px; border-radius: 6px; }
details { margin: 6px 0; }
summary { cursor: pointer; }
#js-errors:empty { display: none; }
#js-errors { background: #fbe9e2; color: var(--warn); padding: 8px 12px; border-radius: 6px; }
ul.compact { margin: 4px 0; padding-left: 20px; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.85em; background: var(--band); }
.pill.bad { background: #fbe9e2; color: var(--warn); }
.pill.good { background: #e5f4ea; color: var(--ok); }
"""

JS = """\
/* moneytrail HTML report: sortable and filterable tables, no library, no network. */
(function () {
  "use strict";
  function report(message) {
    var box = document.getElementById("js-errors");
    if (box) { box.textContent += "JavaScript error: " + message + "\\n"; }
    document.documentElement.setAttribute("data-js-error", "true");
  }
  window.addEventListener("error", function (event) { report(event.message); });

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return null; }
    var raw = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (raw === "") { return null; }
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw.toLowerCase();
  }

  function sortTable(table, column, direction) {
    var headers = table.tHead.rows[0].cells;
    var index = -1;
    for (var i = 0; i < headers.length; i++) {
      if (headers[i].getAttribute("data-col") === column) { index = i; }
      headers[i].removeAttribute("aria-sort");
    }
    if (index < 0) { return false; }
    var numeric = headers[index].getAttribute("data-type") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, position) {
      return { row: row, value: cellValue(row, index, numeric), position: position };
    });
    var sign = direction === "desc" ? -1 : 1;
    keyed.sort(function (a, b) {
      if (a.value === null && b.value === null) { return a.position - b.position; }
      if (a.value === null) { return 1; }
      if (b.value === null) { return -1; }
      if (a.value < b.value) { return -sign; }
      if (a.value > b.value) { return sign; }
      return a.position - b.position;
    });
    keyed.forEach(function (k) { body.appendChild(k.row); });
    headers[index].setAttribute("aria-sort", direction === "desc" ? "descending" : "ascending");
    table.setAttribute("data-sorted", column + ":" + direction);
    return true;
  }

  function filterTable(table, text) {
    var needle = (text || "").toLowerCase();
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var match = needle === "" || rows[i].textContent.toLowerCase().indexOf(needle) >= 0;
      rows[i].hidden = !match;
      if (match) { shown++; }
    }
    var counter = document.querySelector('[data-count-for="' + table.id + '"]');
    if (counter) { counter.textContent = shown + " of " + rows.length + " rows shown"; }
    table.setAttribute("data-shown", String(shown));
  }

  function hashSettings() {
    var out = {};
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) { return out; }
    hash.split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq > 0) { out[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1)); }
    });
    return out;
  }

  function init() {
    var settings = hashSettings();
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        var label = th.textContent;
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.title = "sort by " + label;
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          var next = th.getAttribute("aria-sort") === "ascending" ? "desc" : "asc";
          sortTable(table, th.getAttribute("data-col"), next);
        });
      });
      var input = document.querySelector('input[data-filter-for="' + table.id + '"]');
      if (input) {
        input.addEventListener("input", function () { filterTable(table, input.value); });
      }
      if (settings.sort) {
        var cut = settings.sort.lastIndexOf(":");
        var column = cut > 0 ? settings.sort.slice(0, cut) : settings.sort;
        var direction = cut > 0 ? settings.sort.slice(cut + 1) : "asc";
        sortTable(table, column, direction === "desc" ? "desc" : "asc");
      }
      if (settings.filter && input) { input.value = settings.filter; }
      filterTable(table, input ? input.value : "");
    });
    document.documentElement.setAttribute("data-js", "ready");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
"""
