"""The static HTML report (moneytrail/html/): files, evidence, charts, determinism, failure
handling, and the pages opened in a real headless Chromium.

The browser tests drive Chromium through the DevTools protocol over a pipe (fds 3 and 4,
``--remote-debugging-pipe``): no port is opened, so the suite's network guard stays on. They
record every console message, uncaught exception, log entry and network request of each page,
evaluate checks in the rendered DOM, click column headers, and save full-page screenshots
under output/html_screenshots/ (git-ignored). Without Chromium they FAIL with the command that
installs it: a skip would hide that the pages were never opened (and the release gate refuses
unlisted skips anyway).
"""

from __future__ import annotations

import base64
import csv
import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from moneytrail import report as report_mod
from moneytrail.html import bounds, charts, pages, render
from tests.python.conftest import REPO

pytestmark = pytest.mark.slow

SCREENSHOTS = REPO / "output" / "html_screenshots"
INSTALL_HINT = (
    "headless Chromium is needed to check the HTML report in a real browser and was not found "
    "(looked for $MONEYTRAIL_CHROMIUM, chromium, chromium-browser, google-chrome, google-chrome-stable). "
    "Install it with: apt-get update && apt-get install -y chromium (as root; .ci/run does this), "
    "or point MONEYTRAIL_CHROMIUM at a Chrome/Chromium binary."
)
ANALYSES = [a.name for a in report_mod.ANALYSES]  # every analysis of the report gets a page
MARTS = ANALYSES  # the html_report exposure depends on every analysis's mart
# the marts whose columns pages quote beside a finding (registry: report.attach)
ATTACHED_MARTS = ["timing_awards", "non_competitive_awards"]
ER_MARTS = ["er_review_queue", "er_decisions_applied", "er_review_summary"]  # review.html
HREF = re.compile(r'(?:href|src)="([^"]*)"')


def _html_files(out: Path) -> list[Path]:
    return sorted((out / "html").rglob("*.html"))


def _index(out: Path) -> dict:
    return json.loads((out / "evidence_index.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------------
# Files, links, evidence index
# ----------------------------------------------------------------------------------------------


def test_html_folder_has_overview_analysis_and_finding_pages(demo_run):
    assert demo_run.exit_code == 0
    html = demo_run.out / "html"
    top = sorted(p.name for p in html.iterdir())
    assert top == sorted(
        ["findings", "index.html", "review.html", "report.css", "report.js", *[f"{a}.html" for a in ANALYSES]]
    )
    findings = sorted(p.name for p in (html / "findings").iterdir())
    # every finding of the demo is within the top-N bound, except cross_links (no finding pages)
    for name, (count,) in [
        (a, demo_run.query(f"select count(*) from marts.{a}")[0]) for a in ANALYSES if a != "cross_links"
    ]:
        assert len([f for f in findings if f.startswith(name + "-")]) == min(count, bounds.FINDING_PAGES), name
    assert not [f for f in findings if f.startswith("cross_links-")]


def test_html_files_are_in_the_evidence_index(demo_run):
    index = _index(demo_run.out)
    html = {a["path"]: a for a in index["artifacts"] if a["path"].startswith("html/")}
    on_disk = sorted(str(p.relative_to(demo_run.out)) for p in (demo_run.out / "html").rglob("*") if p.is_file())
    assert sorted(html) == on_disk
    for path, a in html.items():
        data = (demo_run.out / path).read_bytes()
        assert (a["step"], a["model"], a["records"]) == ("html", "exposure.moneytrail.html_report", None)
        assert a["sha256"] == hashlib.sha256(data).hexdigest() and a["bytes"] == len(data)
    md = (demo_run.out / "evidence_index.md").read_text(encoding="utf-8")
    sha = html["html/index.html"]["sha256"]
    assert f"| html/index.html |  | html | exposure.moneytrail.html_report | `{sha}` |" in md


def test_every_local_link_resolves_and_nothing_is_remote(demo_run):
    checked = 0
    for page in _html_files(demo_run.out):
        text = page.read_text(encoding="utf-8")
        # the only URL in the pages is the SVG namespace; no CDN, font or script from the network
        assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {"http://www.w3.org/2000/svg"}, page
        for target in HREF.findall(text):
            path = target.split("#", 1)[0]
            if not path:
                continue
            assert not re.match(r"^[a-z]+:", path), (page, target)
            assert (page.parent / path).resolve().is_file(), f"{page.relative_to(demo_run.out)} links to {target}"
            checked += 1
    assert checked > 200


def test_pages_carry_no_timestamp_or_machine_path(demo_run):
    for page in _html_files(demo_run.out):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text), page
        assert str(REPO) not in text and str(demo_run.out) not in text, page


# ----------------------------------------------------------------------------------------------
# Evidence on finding pages, against independent SQL on the raw tables
# ----------------------------------------------------------------------------------------------


def _raw_row(demo_run, ref: str) -> dict:
    m = re.fullmatch(r"db://(dsv_[0-9a-f]{16})#row_index=(\d+)", ref)
    assert m, ref
    (table,) = demo_run.query("select table_name from raw.ingest_manifest where dataset_version_id = ?", [m[1]])[0]
    import duckdb

    con = duckdb.connect(str(demo_run.db), read_only=True)
    try:
        cur = con.execute(f'select * from raw."{table}" where row_index = ?', [int(m[2])])
        names = [d[0] for d in cur.description]
        (row,) = cur.fetchall()
    finally:
        con.close()
    return dict(zip(names, row, strict=True))


def test_limit_flag_page_quotes_every_cited_raw_row(demo_run):
    (flag_id, refs) = demo_run.query(
        "select flag_id, row_refs from marts.limit_flags where donor_name = 'MORGAN, PAT' and recipient_id = 'C001'"
    )[0]
    text = (demo_run.out / "html" / "findings" / f"limit_flags-{flag_id}.html").read_text(encoding="utf-8")
    assert f"All {len(refs)} cited row(s)" in text
    for ref in refs:
        raw = _raw_row(demo_run, ref)
        # the raw strings as loaded, e.g. the US date format of the dump, not the parsed date
        cells = f'<td class="raw">{raw["contribution_date"]}</td><td class="raw">{raw["amount"]}</td>'
        assert cells in text, ref
        assert f"<code>{ref}</code>" in text
    assert "<h3>raw.demo_contributions (2 row(s))</h3>" in text
    # the rule in one sentence, with this run's limit
    assert "add up to more than $1,000;" in text
    # the running-total chart against the limit
    assert 'data-chart="running_total"' in text and "limit $1,000.00" in text


def test_bundle_page_shows_links_with_their_features(demo_run):
    (bundle_id, refs) = demo_run.query(
        "select bundle_id, row_refs from marts.bundles where employer_norm = 'ACME ROAD BUILDERS'"
    )[0]
    text = (demo_run.out / "html" / "findings" / f"bundles-{bundle_id}.html").read_text(encoding="utf-8")
    edges = demo_run.query(
        "select edge_id, match_type, confidence_tier from marts.cross_links "
        "where contribution_row_ref in (select unnest(?::varchar[])) order by edge_id",
        [refs],
    )
    assert len(edges) == 4
    assert "All 4 edge(s) linking a cited contribution to a vendor" in text
    for edge_id, _match_type, _tier in edges:
        assert f"<code>{edge_id}</code>" in text
    assert 'data-col="match_type"' in text and 'data-col="score"' in text and 'data-col="shared_tokens"' in text
    assert "cited by Red flag" in text


def test_timing_page_draws_observed_against_the_null_mean(demo_run):
    (fid, observed, null_mean, null_sd, n_awards) = demo_run.query(
        "select finding_id, observed_mean_days, null_mean_days, null_sd_days, n_awards "
        "from marts.timing_signals where is_signal"
    )[0]
    text = (demo_run.out / "html" / "findings" / f"timing_signals-{fid}.html").read_text(encoding="utf-8")
    assert 'data-chart="timing"' in text
    assert f">null mean {null_mean:.1f} (sd {null_sd:.1f})</text>" in text
    assert f">observed {observed:.1f}</text>" in text
    assert text.count("<title>award ") == n_awards  # one line per distinct award date (demo dates are distinct)
    assert f"award date ({n_awards})" in text


def test_untested_timing_pair_says_it_has_no_statistic(demo_run):
    (fid, status) = demo_run.query("select finding_id, status from marts.timing_signals where status <> 'tested' "
                                   "order by finding_id limit 1")[0]  # fmt: skip
    text = (demo_run.out / "html" / "findings" / f"timing_signals-{fid}.html").read_text(encoding="utf-8")
    assert f"Not tested ({status}): no statistic." in text


# ----------------------------------------------------------------------------------------------
# Bounds, determinism, failure
# ----------------------------------------------------------------------------------------------


def test_bounds_are_applied_and_said(demo_run, tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "TABLE_ROWS", 3)
    monkeypatch.setattr(bounds, "FINDING_PAGES", 1)
    monkeypatch.setattr(bounds, "EVIDENCE_ROWS", 2)
    report = json.loads((demo_run.out / "report.json").read_text(encoding="utf-8"))
    written = render.write_html(tmp_path, demo_run.db, report)
    findings = [p for p in written if p.startswith("html/findings/")]
    assert len(findings) == 6  # one per analysis with findings (payroll_giving has none in the demo)
    links = (tmp_path / "html" / "cross_links.html").read_text(encoding="utf-8")
    # the links at the analysis tier (probable or better), the rows report.json counts
    (edges,) = demo_run.query("select count(*) from marts.cross_links where tier_rank <= 3")[0]
    assert f"The first 3 of {edges} findings in the report&#x27;s ranking; the export holds all." in links
    assert links.count("<tr><td") == 3
    (flag,) = [p for p in findings if "red_flags-" in p]
    text = (tmp_path / flag).read_text(encoding="utf-8")
    assert re.search(r"The first 2 of \d+ cited rows \(the export lists all\)", text)


def test_html_is_byte_identical_when_written_again(demo_run, tmp_path):
    report = json.loads((demo_run.out / "report.json").read_text(encoding="utf-8"))
    written = render.write_html(tmp_path, demo_run.db, report)
    assert written == sorted(a["path"] for a in _index(demo_run.out)["artifacts"] if a["path"].startswith("html/"))
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (demo_run.out / rel).read_bytes(), rel


def test_a_failing_html_step_still_writes_both_reports(tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / "html").mkdir(parents=True)
    (out / "html" / "stale.html").write_text("from an earlier run")

    def boom(*args, **kwargs):
        raise RuntimeError("chart exploded")

    monkeypatch.setattr(pages, "overview", boom)
    result = report_mod.write_reports(out, tmp_path / "nope.duckdb", "x", target_dir=tmp_path / "target")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert result.ok is False and report["ok"] is False
    assert report["errors"][-1] == {
        "source": "report",
        "unique_id": "exposure.moneytrail.html_report",
        "status": "error",
        "message": "the HTML report could not be written: RuntimeError: chart exploded",
    }
    assert (out / "report.md").is_file()
    assert not (out / "html").exists()
    assert [a["path"] for a in _index(out)["artifacts"]] == ["report.json", "report.md"]


def test_without_a_warehouse_the_overview_still_says_what_failed(tmp_path):
    out = tmp_path / "out"
    report_mod.write_reports(out, tmp_path / "nope.duckdb", "empty", target_dir=tmp_path / "target")
    text = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "Status: FAILED (2 error(s))" in text
    assert "<td>warehouse file nope.duckdb not found</td>" in text
    bundles = (out / "html" / "bundles.html").read_text(encoding="utf-8")
    assert "This analysis is MISSING: not built by this run: dbt wrote no run_results.json for this build" in bundles


# ----------------------------------------------------------------------------------------------
# Charts on their own
# ----------------------------------------------------------------------------------------------


def test_chart_scales_and_formats():
    import datetime as dt

    assert charts.nice_ticks(0.0, 1840.0, 5) == (0.0, 2000.0, [0.0, 500.0, 1000.0, 1500.0, 2000.0])
    assert charts.money("1100.00") == "$1,100.00" and charts.money(Decimal("-5"), cents=False) == "-$5"
    assert charts.date_ticks(dt.date(2021, 1, 9), dt.date(2023, 12, 27)) == [
        (dt.date(2021, 7, 1), "2021-07"),
        (dt.date(2022, 1, 1), "2022-01"),
        (dt.date(2022, 7, 1), "2022-07"),
        (dt.date(2023, 1, 1), "2023-01"),
        (dt.date(2023, 7, 1), "2023-07"),
    ]
    assert charts.c(-0.04) == "0.0"


def test_timing_chart_without_a_null_mean_draws_only_the_observed_statistic():
    import datetime as dt

    stats = charts.TimingStats("tested", 12.5, None, None, 0.2)
    svg = charts.timing_chart("u", "t", [(dt.date(2022, 1, 5), "10.00")], [dt.date(2022, 1, 20)], (None, None), stats)
    assert "no null mean in the mart" in svg and ">observed 12.5</text>" in svg
    assert svg.count("null mean") == svg.count("no null mean") == 2
    assert "the mart gives no null mean to compare with." in svg
    assert svg == charts.timing_chart(
        "u", "t", [(dt.date(2022, 1, 5), "10.00")], [dt.date(2022, 1, 20)], (None, None), stats
    )


# ----------------------------------------------------------------------------------------------
# In a real browser
# ----------------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    configured = os.environ.get("MONEYTRAIL_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """A minimal Chrome DevTools protocol client over --remote-debugging-pipe (NUL-separated JSON)."""

    def __init__(self, exe: str, profile: Path) -> None:
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()
        # above the range the child's fd 3 and 4 could collide with
        a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.close(to_child_r)
        os.close(from_child_w)

        def wire() -> None:
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                exe,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(3, 4),
            preexec_fn=wire,
        )
        os.close(a)
        os.close(b)
        self._buf = b""
        self._next = 0
        self.events: list[dict] = []

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe: " + self.proc.stderr.read().decode()[-2000:])
                self._buf += chunk
        message, _, self._buf = self._buf.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
        while True:
            ev = self._read_message(deadline)
            self.events.append(ev)
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev


class Tab:
    def __init__(self, devtools: DevTools) -> None:
        self.dt = devtools
        target = devtools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            devtools.send(f"{domain}.enable", session=self.session)
        devtools.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=self.session,
        )

    def open(self, url: str) -> list[dict]:
        """Load a page; returns the events it raised (console, exceptions, log, requests)."""
        # through about:blank, so that a change of the #hash alone is a real load too
        self.dt.events.clear()
        self.dt.send("Page.navigate", {"url": "about:blank"}, session=self.session)
        self.dt.wait_event("Page.loadEventFired", self.session)
        self.dt.events.clear()
        self.dt.send("Page.navigate", {"url": url}, session=self.session)
        self.dt.wait_event("Page.loadEventFired", self.session)
        self.eval("1")  # flush: every event raised while loading is now in dt.events
        return [ev for ev in self.dt.events if ev.get("sessionId") == self.session]

    def eval(self, expression: str):
        result = self.dt.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=self.session
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"script failed in the page: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        height = min(int(self.eval("document.documentElement.scrollHeight")), 8000)
        shot = self.dt.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1},
            },
            session=self.session,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    exe = find_chromium()
    if exe is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    devtools = DevTools(exe, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield Tab(devtools)
    finally:
        devtools.close()


PAGE_CHECK = """
(() => {
  const svgs = Array.from(document.querySelectorAll("svg"));
  return JSON.stringify({
    js: document.documentElement.getAttribute("data-js"),
    jsError: document.documentElement.getAttribute("data-js-error"),
    errorsText: document.getElementById("js-errors").textContent,
    title: document.title,
    svgs: svgs.map(s => ({
      title: (s.querySelector("title") || {}).textContent || "",
      desc: (s.querySelector("desc") || {}).textContent || "",
      labelledby: s.getAttribute("aria-labelledby"),
      axisLabels: Array.from(s.querySelectorAll(".axis-label")).map(t => t.textContent),
      ticks: s.querySelectorAll(".tick").length,
      width: s.getBoundingClientRect().width,
      height: s.getBoundingClientRect().height,
      marks: s.querySelectorAll("circle, rect, path, line").length,
    })),
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
    sortable: Array.from(document.querySelectorAll("table.sortable")).map(t => t.id),
    sortButtons: document.querySelectorAll("table.sortable th button").length,
  });
})()
"""


def _problems(events: list[dict]) -> list[str]:
    out = []
    for ev in events:
        method, params = ev.get("method"), ev.get("params", {})
        if method == "Runtime.exceptionThrown":
            out.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:500])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "warning", "assert"}:
            out.append(f"console.{params['type']}: " + json.dumps(params.get("args"))[:500])
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in {"error", "warning"}:
            out.append("log: " + json.dumps(params["entry"])[:500])
        elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith("file://"):
            out.append("network request: " + params["request"]["url"])
        elif method == "Network.loadingFailed":
            out.append("failed load: " + json.dumps(params)[:500])
    return out


def test_every_page_renders_in_chromium_without_errors(demo_run, tab):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    charted = set()
    for page in _html_files(demo_run.out):
        rel = page.relative_to(demo_run.out / "html")
        events = tab.open(page.as_uri())
        assert _problems(events) == [], rel
        info = json.loads(tab.eval(PAGE_CHECK))
        assert info["js"] == "ready" and info["jsError"] is None and info["errorsText"] == "", rel
        assert info["title"], rel
        assert all(link.startswith("file://") for link in info["links"]), rel
        assert info["sortButtons"] > 0 or not info["sortable"], rel
        for svg in info["svgs"]:
            assert svg["title"] and svg["desc"] and svg["labelledby"], (rel, svg)
            assert len(svg["axisLabels"]) >= 1 and all(t.strip() for t in svg["axisLabels"]), (rel, svg)
            assert svg["ticks"] >= 2 and svg["marks"] >= 3, (rel, svg)
            assert svg["width"] > 300 and svg["height"] > 100, (rel, svg)
        if info["svgs"]:
            charted.add(str(rel))
        tab.screenshot(SCREENSHOTS / (str(rel).replace("/", "__").removesuffix(".html") + ".png"))
    # the charts the issue asks for are there
    for name in ["vendor_breadth.html", "bundles.html", "limit_flags.html", "timing_signals.html", "red_flags.html"]:
        assert name in charted, name
    # every red flag's page has its own chart (the factors behind it)
    flag_pages = [p.name for p in (demo_run.out / "html" / "findings").glob("red_flags-*.html")]
    assert flag_pages and all(f"findings/{p}" in charted for p in flag_pages)
    timing_pages = [p for p in charted if p.startswith("findings/timing_signals-")]
    (n_timing,) = demo_run.query("select count(*) from marts.timing_signals")[0]
    assert len(timing_pages) == min(n_timing, bounds.FINDING_PAGES)
    assert len(list(SCREENSHOTS.glob("*.png"))) == len(_html_files(demo_run.out))


def _column(tab, table_id: str, column: str) -> list[str]:
    return tab.eval(
        f"""(() => {{
          const t = document.getElementById({json.dumps(table_id)});
          const i = Array.from(t.tHead.rows[0].cells).findIndex(c => c.dataset.col === {json.dumps(column)});
          return Array.from(t.tBodies[0].rows).filter(r => !r.hidden).map(r => {{
            const c = r.cells[i]; return c.hasAttribute("data-v") ? c.getAttribute("data-v") : c.textContent; }});
        }})()"""
    )


def _csv_column(path: Path, column: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh)]


def _tier_links_column(out: Path, column: str) -> list[str]:
    """A column of cross_links.csv over the links at the analysis tier (tier_rank <= 3, probable: the
    demo's min_link_tier), the rows cross_links.html lists; the export holds every tier."""
    with open(out / "cross_links.csv", encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh) if int(row["tier_rank"]) <= 3]


def test_tables_sort_by_click_and_by_url_hash(demo_run, tab):
    url = (demo_run.out / "html" / "cross_links.html").as_uri()
    amounts = _tier_links_column(demo_run.out, "amount")
    donors = _tier_links_column(demo_run.out, "donor_name")
    assert len(amounts) < len(_csv_column(demo_run.out / "cross_links.csv", "amount"))  # a low link is left out

    assert _problems(tab.open(url + "#sort=amount:asc")) == []
    got = _column(tab, "t-cross_links", "amount")
    assert [Decimal(v) for v in got] == sorted(Decimal(v) for v in amounts)
    assert got != [str(v) for v in sorted(Decimal(v) for v in amounts)][::-1] or len(set(amounts)) == 1

    tab.open(url)
    header = "document.querySelector('#t-cross_links th[data-col=\"donor_name\"] button').click()"
    tab.eval(header)
    assert _column(tab, "t-cross_links", "donor_name") == sorted(donors, key=str.lower)
    tab.eval(header)  # second click: descending
    desc = _column(tab, "t-cross_links", "donor_name")
    assert [d.lower() for d in desc] == sorted((d.lower() for d in donors), reverse=True)
    assert tab.eval(
        "document.querySelector('#t-cross_links th[data-col=\"donor_name\"]').getAttribute('aria-sort')"
    ) == ("descending")

    tab.open(url + "#sort=amount:desc")
    got = _column(tab, "t-cross_links", "amount")
    assert [Decimal(v) for v in got] == sorted((Decimal(v) for v in amounts), reverse=True)


def test_tables_filter_by_text(demo_run, tab):
    url = (demo_run.out / "html" / "cross_links.html").as_uri()
    vendors = _tier_links_column(demo_run.out, "vendor_name")
    want = sum(1 for v in vendors if "acme" in v.lower())
    assert 0 < want < len(vendors)
    tab.open(url + "#filter=acme")
    assert tab.eval("document.getElementById('t-cross_links').getAttribute('data-shown')") == str(want)
    assert tab.eval("document.querySelector('[data-count-for=\"t-cross_links\"]').textContent") == (
        f"{want} of {len(vendors)} rows shown"
    )
    tab.eval(
        "(() => { const i = document.querySelector('input[data-filter-for=\"t-cross_links\"]');"
        " i.value = ''; i.dispatchEvent(new Event('input')); })()"
    )
    assert tab.eval("document.getElementById('t-cross_links').getAttribute('data-shown')") == str(len(vendors))


def test_red_flag_page_charts_the_factors_behind_the_flag(demo_run):
    (flag_id, vendor, recipient, bundles, limits, n_awards, n_recipients, fired) = demo_run.query(
        "select f.flag_id, f.vendor_name_norm, f.recipient_id, len(f.bundle_ids), len(f.limit_flag_ids), "
        "coalesce(len(n.non_competitive_award_row_refs), 0), f.vendor_n_recipients, f.rules_fired "
        "from marts.red_flags f left join marts.non_competitive_awards n using (vendor_entity_id) "
        "order by f.flag_id limit 1"
    )[0]
    text = (demo_run.out / "html" / "findings" / f"red_flags-{flag_id}.html").read_text(encoding="utf-8")
    assert f"Factors behind the flag: {vendor} → {recipient}" in text
    assert 'class="axis-label" text-anchor="middle">findings or input rows</text>' in text
    assert 'class="axis-label" text-anchor="end">rule (state)</text>' in text
    state = "fired" if "bundled_donations" in fired else "not fired"
    assert f"bundled_donations ({state}): {bundles} bundle{'' if bundles == 1 else 's'}" in text
    assert f"limit_excess (fired): {limits} limit flag" in text
    assert f"non_competitive_award (context): {n_awards} award rows" in text
    assert f"broad_influence (context): {n_recipients} recipients" in text


def test_review_page_lists_the_queue_most_money_first_and_says_how_to_decide(demo_run):
    queue = demo_run.query(
        "select queue_rank, left_name, right_name, donations_at_stake from marts.er_review_queue order by queue_rank"
    )
    (applied, decisions) = demo_run.query(
        "select count(*) filter (where applied), count(*) from marts.er_decisions_applied"
    )[0]
    text = (demo_run.out / "html" / "review.html").read_text(encoding="utf-8")
    assert "<h1>Entity-resolution review</h1>" in text
    assert f"Reviewed entity-resolution decisions: {decisions} loaded, {applied} applied in this build" in text
    assert f"<p>{len(queue)} links, most money at stake first." in text
    assert text.count('<tr><td class="num" data-v="') >= len(queue)  # queue_rank first, numeric
    for rank, left, right, _ in queue:
        assert f'<td class="num" data-v="{rank}">{rank}</td><td>{left}</td><td>{right}</td>' in text
    assert "moneytrail match-review --db &lt;warehouse&gt; --out decisions.csv" in text
    assert "<code>vars.er_link_decisions_file</code>" in text
    assert 'data-col="coverage_left"' in text and 'data-col="vendor_examples"' in text
    # the overview counts the decisions applied and links here; report.json and report.md say the same
    index = (demo_run.out / "html" / "index.html").read_text(encoding="utf-8")
    assert '<a href="review.html">entity-resolution review</a>' in index
    assert f"{decisions} loaded, {applied} applied in this build" in index
    report = json.loads((demo_run.out / "report.json").read_text(encoding="utf-8"))
    er = report["entity_resolution"]
    assert (er["status"], er["decisions"], er["decisions_applied"]) == ("ok", decisions, applied)
    assert er["summary"]["review_queue_rows"] == len(queue)
    md = (demo_run.out / "report.md").read_text(encoding="utf-8")
    assert f"## Entity resolution\n\nReviewed entity-resolution decisions: {decisions} loaded, {applied} applied" in md


def test_review_queue_sorts_in_chromium(demo_run, tab):
    url = (demo_run.out / "html" / "review.html").as_uri()
    assert _problems(tab.open(url + "#sort=donations_at_stake:asc")) == []
    (n,) = demo_run.query("select count(*) from marts.er_review_queue")[0]
    if n < 2:
        pytest.fail("the demo's review queue needs two rows to check sorting")
    got = _column(tab, "t-review-queue", "donations_at_stake")
    assert [Decimal(v or "0") for v in got] == sorted(Decimal(v or "0") for v in got)
    tab.open(url)
    tab.eval("document.querySelector('#t-review-queue th[data-col=\"queue_rank\"] button').click()")
    tab.eval("document.querySelector('#t-review-queue th[data-col=\"queue_rank\"] button').click()")
    ranks = [int(v) for v in _column(tab, "t-review-queue", "queue_rank")]
    assert ranks == sorted(ranks, reverse=True) and len(ranks) == n


def test_dbt_docs_has_the_html_report_as_an_exposure(tmp_path, monkeypatch):
    from moneytrail import dbt_runner

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    result = dbt_runner.invoke(["parse"])
    assert result.success, result.error_text()
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    exposure = manifest["exposures"]["exposure.moneytrail.html_report"]
    assert exposure["type"] == "dashboard" and exposure["url"] == "file:output/demo/html/index.html"
    assert "output/<run name>/html/index.html" in exposure["description"]
    assert sorted(exposure["depends_on"]["nodes"]) == sorted(
        [
            f"model.moneytrail.{m}"
            for m in [
                *MARTS,
                *ATTACHED_MARTS,
                "stg_rejects",
                "dq_row_accounting",
                "stg_contributions",
                "rpt_bundles_by_day",
                *ER_MARTS,
            ]
        ]
        + [f"source.moneytrail.raw.{t}" for t in ("ingest_manifest", "contributions", "contracts", "candidates")]
    )
    # the report step names the same exposure as the producer of every page
    assert report_mod.HTML_EXPOSURE == "exposure.moneytrail.html_report"


def test_values_from_the_data_are_escaped():
    from moneytrail.html import markup

    hostile = '<script>alert("x")</script>'
    assert markup.cell("donor_name", hostile, False, None) == (
        "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>"
    )
    assert markup.code_text("a `<b>` c") == "a <code>&lt;b&gt;</code> c"
    svg = charts.hbar_chart("u", hostile, hostile, [hostile], [charts.BarPanel(hostile, [1.0], [hostile], hostile)])
    assert "<script>" not in svg


def test_a_missing_chromium_fails_with_the_install_command(monkeypatch):
    monkeypatch.setenv("MONEYTRAIL_CHROMIUM", "/nonexistent/chromium")
    assert find_chromium() is None  # the tab fixture then fails (never skips) with INSTALL_HINT
    assert "apt-get update && apt-get install -y chromium" in INSTALL_HINT
