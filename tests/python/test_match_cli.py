"""``moneytrail match``: two name lists in, a links CSV out."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pytest

from moneytrail import match_cli
from moneytrail.match_cli import InputError, RunSummary, read_names, run
from python_udfs.matcher import ConfigError, MatchConfig

LEFT = ["THE GEO GROUP INCORPORATED", "GEO GROUP INC., THE", "Deloitte", "Cisco-Eagle, Inc.", "", "Acme Widgets"]
RIGHT_CSV = (
    'employer,city\n"GEO GROUP, INC., THE",Boca\nDELOITTE CONSULTING LLP,Arlington\n'
    "CISCO,San Jose\nSELF-EMPLOYED,x\nN/A,y\nZenith Tools,z\n"
)

EXPECTED = """\
left_raw,right_raw,left_normalized,right_normalized,tier,match_type,score,token_sort_score,\
coverage_left,coverage_right,shared_tokens,max_idf,mean_idf,number_mismatch,type_conflict
"Cisco-Eagle, Inc.",CISCO,CISCO EAGLE,CISCO,low,token_overlap,100.00,62.50,0.3917,1.0000,\
CISCO,1.2528,1.2528,false,false
Deloitte,DELOITTE CONSULTING LLP,DELOITTE,DELOITTE CONSULTING,probable,fuzzy,100.00,59.26,\
1.0000,0.6821,DELOITTE,1.2528,1.2528,false,false
"GEO GROUP INC., THE","GEO GROUP, INC., THE",GEO GROUP,GEO GROUP,high,exact,100.00,100.00,\
1.0000,1.0000,GEO GROUP,1.9459,1.9459,false,false
THE GEO GROUP INCORPORATED,"GEO GROUP, INC., THE",GEO GROUP,GEO GROUP,high,exact,100.00,\
100.00,1.0000,1.0000,GEO GROUP,1.9459,1.9459,false,false
"""


@pytest.fixture()
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    left = tmp_path / "left.txt"
    left.write_text("\n".join(LEFT) + "\n", encoding="utf-8")
    right = tmp_path / "right.csv"
    right.write_text(RIGHT_CSV, encoding="utf-8")
    return left, right


def test_run_writes_sorted_links(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out" / "links.csv"
    summary = run(inputs[0], inputs[1], out, right_column="employer")
    assert summary == RunSummary(
        left_names=5, right_names=6, left_normalized=4, right_normalized=6, name_links=3, rows=4
    )
    assert out.read_text(encoding="utf-8") == EXPECTED


def test_run_is_independent_of_input_order(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    lines = list(LEFT)
    random.Random(5).shuffle(lines)
    shuffled = tmp_path / "shuffled.txt"
    shuffled.write_text("\r\n".join(lines + lines[:2]) + "\r\n", encoding="utf-8")
    out = tmp_path / "links.csv"
    run(shuffled, inputs[1], out, right_column="employer")
    assert out.read_text(encoding="utf-8") == EXPECTED


def test_min_tier_filters_rows(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    assert run(inputs[0], inputs[1], out, right_column="employer", min_tier="probable").rows == 3
    assert "CISCO" not in out.read_text(encoding="utf-8")


def test_read_names(tmp_path: Path) -> None:
    p = tmp_path / "names.txt"
    p.write_text("\ufeffA, Inc.\r\n\r\n  \nB\n", encoding="utf-8")
    assert read_names(p) == ["A, Inc.", "B"]
    c = tmp_path / "names.csv"
    c.write_text('name,x\n"Multi\nline",1\n,2\nB,3\n', encoding="utf-8")
    assert read_names(c, "name") == ["Multi\nline", "B"]


@pytest.mark.parametrize(
    "content, column, message",
    [
        (None, None, "{p}: no such file"),
        ("a,b\n1,2\n", "name", "{p}: no column 'name'; columns are 'a', 'b'"),
        ("", "name", "{p}: no column 'name'; columns are no header"),
    ],
)
def test_read_names_errors(tmp_path: Path, content: str | None, column: str | None, message: str) -> None:
    p = tmp_path / "in.csv"
    if content is not None:
        p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_names(p, column)
    assert str(e.value) == message.format(p=p)


def test_read_names_rejects_non_utf8(tmp_path: Path) -> None:
    p = tmp_path / "latin1.txt"
    p.write_bytes("Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as e:
        read_names(p)
    assert str(e.value) == f"{p}: not UTF-8 text (invalid continuation byte at byte 3)"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="moneytrail match")
    match_cli.add_arguments(parser)
    return parser.parse_args(argv)


def test_main_wires_arguments(inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "links.csv"
    cfg = tmp_path / "matcher.json"
    cfg.write_text(json.dumps({"include_low": False}), encoding="utf-8")
    args = _parse(
        [
            str(inputs[0]),
            str(inputs[1]),
            "--out",
            str(out),
            "--right-column",
            "employer",
            "--config",
            str(cfg),
            "--workers",
            "2",
        ]
    )
    assert match_cli.main(args) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 4
    assert capsys.readouterr().err == (
        f"moneytrail match: 5 left and 6 right names (4 and 6 normalised), 2 links, 3 rows written to {out}\n"
    )


def test_main_reports_errors(inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "matcher.yml"
    cfg.write_text("fuzzy_treshold: 80\n", encoding="utf-8")
    args = _parse(
        [
            str(inputs[0]),
            str(inputs[1]),
            "--out",
            str(tmp_path / "x.csv"),
            "--right-column",
            "employer",
            "--config",
            str(cfg),
        ]
    )
    assert match_cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("moneytrail match: error: unknown matcher setting(s) fuzzy_treshold=80 (allowed settings: ")
    args = _parse([str(inputs[0]), str(inputs[1]), "--out", str(tmp_path / "x.csv")])
    assert match_cli.main(args) == 0  # without --right-column each CSV line is a name


def test_load_config(tmp_path: Path) -> None:
    assert match_cli.load_config(None) == MatchConfig()
    p = tmp_path / "m.json"
    p.write_text("[1]", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        match_cli.load_config(p)
    assert str(e.value) == f"{p}: expected a mapping of matcher settings"


def test_review_queue_html_is_escaped_and_offline() -> None:
    row = [""] * len(match_cli.REVIEW_COLUMNS)
    row[match_cli.REVIEW_COLUMNS.index("left_name")] = "<script>alert(1)</script>"
    row[match_cli.REVIEW_COLUMNS.index("right_name")] = "AT&T"
    page = match_cli.review_queue_html([row])
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>AT&amp;T</td>" in page
    assert "http" not in page  # nothing to fetch
    assert page == match_cli.review_queue_html([row])
    assert "<p>1 links, most money at stake first." in page


def test_review_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from moneytrail.cli import main as cli_main

    missing = tmp_path / "none.duckdb"
    assert cli_main(["match-review", "--db", str(missing), "--out", str(tmp_path / "q.csv")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"moneytrail match-review: error: {missing}: no such warehouse "
        "(run `moneytrail run` or `moneytrail demo` first)\n"
    )
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert cli_main(["match-review", "--db", str(empty), "--out", str(tmp_path / "q.csv")]) == 2
    assert capsys.readouterr().err == (
        f"moneytrail match-review: error: {empty}: no marts.er_review_queue (the last dbt build did not build it)\n"
    )
    assert cli_main(["match-review", "--db", str(empty), "--out", "q.csv", "--limit", "0"]) == 2
    assert capsys.readouterr().err == "moneytrail match-review: error: --limit=0: expected an integer >= 1\n"
