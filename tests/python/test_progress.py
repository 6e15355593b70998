"""Progress bars: exact output on a (fake) terminal, nothing at all when stderr is not one."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from moneytrail import progress
from python_udfs import progress as udf_progress


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def clock(*times: float):
    it = iter(times)
    return lambda: next(it)


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(progress.ENV, raising=False)


def test_bar_redraws_in_place_with_rate_and_time_left():
    out = FakeTTY()
    bar = progress.Bar("c.csv", 200e6, "B", out, clock(0.0, 1.0, 1.1, 2.0, 4.0))
    bar.update(50e6)  # t=1.0
    bar.update(60e6)  # t=1.1: within MIN_INTERVAL of the last draw, not drawn
    bar.update(100e6)  # t=2.0
    bar.close()  # t=4.0
    bar.close()  # idempotent
    assert out.getvalue() == (
        "\rc.csv [#####...............]  25% 50.0/200.0 MB 50.0 MB/s 0:03 left"
        "\rc.csv [##########..........]  50% 100.0/200.0 MB 50.0 MB/s 0:02 left"
        "\rc.csv [####################] 100% 200.0 MB in 0:04 (50.0 MB/s)      \n"  # blanks the longer line
    )


def test_a_shorter_line_blanks_what_the_longer_one_left_and_counts_have_units():
    out = FakeTTY()
    bar = progress.Bar("matching names", 12000, "pairs", out, clock(0.0, 0.5, 3600.0, 7200.0))
    bar.advance(100)
    bar.advance(11000)
    bar.close()
    first = "\rmatching names [....................]   0% 100/12,000 pairs 200 pairs/s 1:00 left"
    second = "\rmatching names [##################..]  92% 11,100/12,000 pairs 3 pairs/s 4:52 left"
    assert out.getvalue().startswith(first + second)
    final = "matching names [####################] 100% 12,000 pairs in 2:00:00 (2 pairs/s)"
    assert out.getvalue() == first + second + "\r" + final + " " * (len(second) - 1 - len(final)) + "\n"


def test_a_failed_load_only_ends_the_line():
    out = FakeTTY()
    bar = progress.Bar("d.sql", 100, "B", out, clock(0.0, 1.0))
    bar.update(10)
    bar.close(finished=False)
    assert out.getvalue() == "\rd.sql [##..................]  10% 0.0/0.0 MB 0.0 MB/s 0:09 left\n"


def test_nothing_is_written_when_stderr_is_not_a_terminal_or_bars_are_off(monkeypatch):
    out = io.StringIO()
    bar = progress.Bar("c.csv", 10, "B", out, clock(0.0, 1.0, 2.0))
    bar.update(5)
    bar.close()
    assert out.getvalue() == "" and bar.enabled is False
    assert progress.for_file("c.csv", 10, out) is None
    monkeypatch.setenv(progress.ENV, "0")
    tty = FakeTTY()
    assert progress.for_file("c.csv", 10, tty) is None and progress.configure(tty) is False
    assert tty.getvalue() == ""


def test_configure_tells_python_udfs_by_the_environment(monkeypatch):
    import os

    assert progress.configure(io.StringIO()) is False and progress.ENV not in os.environ
    assert progress.configure(FakeTTY()) is True and os.environ[progress.ENV] == "1"
    monkeypatch.setattr("sys.stderr", io.StringIO())  # dbt's stderr is not a terminal: quiet
    assert udf_progress.start("x", 10, "pairs") is udf_progress.QUIET
    monkeypatch.setattr("sys.stderr", FakeTTY())
    assert isinstance(udf_progress.start("x", 10, "pairs"), progress.Bar)
    monkeypatch.delenv(progress.ENV)
    assert udf_progress.start("x", 10, "pairs") is udf_progress.QUIET


FINAL = re.compile(r"\r(?P<label>[a-z ]+) \[#{20}\] 100% (?P<total>[0-9,]+) pairs in \d+:\d\d \([0-9,]+ pairs/s\) *\n$")


def test_matcher_and_timing_report_progress_only_when_asked(monkeypatch):
    from python_udfs.matcher import match_to_arrow
    from python_udfs.timing import TimingConfig, run_timing
    from tests.python.test_timing import mixed_data, tables

    left = ["ACME ROAD BUILDERS", "BETA PAVING", "GAMMA CONSTRUCTION CO"]
    right = ["ACME ROAD BUILDER", "BETA PAVING LLC", "DELTA FOODS"]
    data = tables(*mixed_data())
    quiet = FakeTTY()
    monkeypatch.setattr("sys.stderr", quiet)
    match_to_arrow(left, right)
    run_timing(*data, TimingConfig(n_permutations=99))
    assert quiet.getvalue() == ""  # no MONEYTRAIL_PROGRESS: plain pytest or dbt, nothing drawn

    monkeypatch.setenv(progress.ENV, "1")
    for call, label in [
        (lambda: match_to_arrow(left, right), "matching names"),
        (lambda: run_timing(*data, TimingConfig(n_permutations=99)), "timing test"),
    ]:
        out = FakeTTY()
        monkeypatch.setattr("sys.stderr", out)
        call()
        m = FINAL.search(out.getvalue())
        assert m and m["label"] == label, out.getvalue()
        assert out.getvalue().count("\n") == 1
    tested = int(
        np.sum(run_timing(*data, TimingConfig(n_permutations=99)).column("status").to_numpy(False) == "tested")
    )
    assert m["total"] == f"{tested:,}"


def test_cli_ingest_draws_a_byte_bar_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    from moneytrail.cli import main

    path = tmp_path / "c.csv"
    path.write_text("a,b\n" + "".join(f"{i},x\n" for i in range(1000)))
    size = path.stat().st_size
    assert main(["ingest", str(path), "--table", "c", "--db", str(tmp_path / "w.duckdb")]) == 0
    assert "\r" not in capsys.readouterr().err  # not a terminal: no bar

    out = FakeTTY()
    monkeypatch.setattr("sys.stderr", out)
    assert main(["ingest", str(path), "--table", "c", "--db", str(tmp_path / "w2.duckdb")]) == 0
    bar = out.getvalue().split("\n", 1)[0]
    assert re.fullmatch(rf"\rc\.csv \[#{{20}}\] 100% {size / 1e6:.1f} MB in 0:0\d \([0-9.,]+ MB/s\)", bar), bar
