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

HEADER = (
    "left_raw,right_raw,left_normalized,right_normalized,tier,match_type,score,token_sort_score,"
    "coverage_left,coverage_right,shared_tokens,max_idf,mean_idf,number_mismatch,type_conflict,"
    "link_scope,matcher_tier,review_decision,knowledge_note\n"
)
EXPECTED = (
    HEADER
    + """\
"Cisco-Eagle, Inc.",CISCO,CISCO EAGLE,CISCO,low,token_overlap,100.00,62.50,0.3917,1.0000,\
CISCO,1.2528,1.2528,false,false,same_organisation,low,,
Deloitte,DELOITTE CONSULTING LLP,DELOITTE,DELOITTE CONSULTING,probable,fuzzy,100.00,59.26,\
1.0000,0.6821,DELOITTE,1.2528,1.2528,false,false,same_organisation,probable,,
"GEO GROUP INC., THE","GEO GROUP, INC., THE",GEO GROUP,GEO GROUP,high,exact,100.00,100.00,\
1.0000,1.0000,GEO GROUP,1.9459,1.9459,false,false,same_organisation,high,,
THE GEO GROUP INCORPORATED,"GEO GROUP, INC., THE",GEO GROUP,GEO GROUP,high,exact,100.00,\
100.00,1.0000,1.0000,GEO GROUP,1.9459,1.9459,false,false,same_organisation,high,,
"""
)


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
        left_names=5, right_names=6, left_normalized=4, right_normalized=6, name_links=3, rows=4, decisions=2, aliases=2
    )
    assert out.read_text(encoding="utf-8") == EXPECTED
    # no shipped decision or alias touches these names: the matcher's own links, byte for byte
    assert run(inputs[0], inputs[1], tmp_path / "m.csv", right_column="employer", matcher_only=True) == RunSummary(
        left_names=5, right_names=6, left_normalized=4, right_normalized=6, name_links=3, rows=4
    )
    assert (tmp_path / "m.csv").read_text(encoding="utf-8") == EXPECTED


KNOWN_LEFT = "CoreCivic, Inc.\nDeloitte Consulting LLP\nProtective Products Enterprises\nCornell Companies\n"
KNOWN_RIGHT = "Corrections Corporation of America\nDeloitte Tax LLP\nProtective Life\nThe GEO Group\n"
CORECIVIC = (
    '"CoreCivic, Inc.",Corrections Corporation of America,CORECIVIC,CORRECTIONS CORPORATION OF AMERICA,high,'
    'alias,0.00,0.00,0.0000,0.0000,,0.0000,0.0000,false,false,same_organisation,,,"former_name: Corrections '
    "Corporation of America renamed itself CoreCivic in October 2016 [CoreCivic, Inc. Form 10-K for 2016 (SEC "
    "EDGAR): 'formerly Corrections Corporation of America']\"\n"
)
CORNELL = (
    "Cornell Companies,The GEO Group,CORNELL COMPANIES,GEO GROUP,high,alias,0.00,0.00,0.0000,0.0000,,0.0000,"
    '0.0000,false,false,ownership,,,"subsidiary_of: The GEO Group acquired Cornell Companies in August 2010 '
    '[The GEO Group, Inc. Form 10-K for 2010 (SEC EDGAR): acquisition of Cornell Companies, Inc.]"\n'
)
MATCHER_ONLY = (
    "Deloitte Consulting LLP,Deloitte Tax LLP,DELOITTE CONSULTING,DELOITTE TAX,low,token_overlap,80.00,51.61,"
    "0.6897,0.6897,DELOITTE,1.3863,1.3863,false,false,same_organisation,low,,\n"
    "Protective Products Enterprises,Protective Life,PROTECTIVE PRODUCTS ENTERPRISES,PROTECTIVE LIFE,low,"
    "token_overlap,80.00,56.52,0.5263,0.6897,PROTECTIVE,1.3863,1.3863,false,false,same_organisation,low,,\n"
)


def test_shipped_knowledge_is_applied_as_in_the_build(tmp_path: Path) -> None:
    # seeds/er_link_decisions.csv (two not_same decisions) and seeds/er_aliases.csv (a rename
    # and an acquisition), as int_name_matches applies them
    left, right = tmp_path / "l.txt", tmp_path / "r.txt"
    left.write_text(KNOWN_LEFT, encoding="utf-8")
    right.write_text(KNOWN_RIGHT, encoding="utf-8")
    out = tmp_path / "o.csv"
    base = {"left_names": 4, "right_names": 4, "left_normalized": 4, "right_normalized": 4}
    assert run(left, right, out) == RunSummary(**base, name_links=2, rows=2, not_same=2, decisions=2, aliases=2)
    assert out.read_text(encoding="utf-8") == HEADER + CORECIVIC + CORNELL
    # the links the analyses count by default (vars.er_link_scopes: [same_organisation])
    assert run(left, right, out, scopes=("same_organisation",)) == RunSummary(
        **base, name_links=1, rows=1, not_same=2, out_of_scope=1, decisions=2, aliases=2
    )
    assert out.read_text(encoding="utf-8") == HEADER + CORECIVIC
    # the matcher alone links the two pairs the reviewed decisions say are not the same
    assert run(left, right, out, matcher_only=True) == RunSummary(**base, name_links=2, rows=2)
    assert out.read_text(encoding="utf-8") == HEADER + MATCHER_ONLY
    with pytest.raises(ConfigError) as e:
        run(left, right, out, matcher_only=True, scopes=("family",), knowledge=match_cli.Knowledge())
    assert str(e.value) == "matcher_only applies no knowledge, so knowledge and scopes would be ignored"


def test_user_decisions_and_aliases_files(tmp_path: Path) -> None:
    left, right = tmp_path / "l.txt", tmp_path / "r.txt"
    left.write_text("Acme Road Builders\nZenith Paving\n", encoding="utf-8")
    right.write_text("ARB Holdings\nZenith Pavers Union\n", encoding="utf-8")
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "left_name,right_name,decision,note,reviewer,decided_on\n"
        "Acme Road Builders,ARB Holdings,same,ARB is Acme's holding name,J. Doe,2026-12-04\n",
        encoding="utf-8",
    )
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(
        "name,alias_of,relation_kind,note,source\n"
        "Zenith Pavers Union,Zenith Paving,dba,trades as Zenith Paving,County DBA register entry 2019-0042\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    reviewed = (
        "Acme Road Builders,ARB Holdings,ACME ROAD BUILDERS,ARB HOLDINGS,high,reviewed,0.00,0.00,0.0000,0.0000,,"
        "0.0000,0.0000,false,false,same_organisation,,same,same by J. Doe on 2026-12-04: ARB is Acme's holding "
        "name\n"
    )
    know = match_cli.load_knowledge(decisions, shipped=False)
    assert (know.decisions[0].decision, know.aliases) == ("same", ())
    assert run(left, right, out, knowledge=know).rows == 1
    assert out.read_text(encoding="utf-8") == HEADER + reviewed
    know = match_cli.load_knowledge(decisions, aliases, shipped=False)
    assert run(left, right, out, knowledge=know) == RunSummary(2, 2, 2, 2, 2, 2, decisions=1, aliases=1)
    assert out.read_text(encoding="utf-8") == HEADER + reviewed + (
        "Zenith Paving,Zenith Pavers Union,ZENITH PAVING,ZENITH PAVERS UNION,high,alias,0.00,0.00,0.0000,0.0000,,"
        "0.0000,0.0000,false,false,same_organisation,,,dba: trades as Zenith Paving [County DBA register entry "
        "2019-0042]\n"
    )
    # without them the matcher does not link either pair
    assert run(left, right, out, knowledge=match_cli.Knowledge()).rows == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "left_name,right_name,decision,note,reviewer,decided_on\nA Co,B Co,maybe,x,me,2026-12-04\n",
            "file:d.csv row 1: decision='maybe' (allowed: same, not_same, unsure)",
        ),
        (
            "left_name,right_name,decision,note,reviewer,decided_on\n"
            "Deloitte Consulting LLP,Deloitte Tax LLP,same,x,me,2026-12-04\n",
            "conflicting decisions on 'DELOITTE CONSULTING' ~ 'DELOITTE TAX': 'not_same' "
            "(seed:er_link_decisions:1) and 'same' (file:d.csv:1); keep one",
        ),
        ("left_name,right_name,decision,note,reviewer,decided_on\nA,B,same,x,me,2026-12-04,extra\n", None),
        (None, None),
    ],
)
def test_knowledge_file_errors_are_named(tmp_path: Path, content: str | None, message: str | None) -> None:
    path = tmp_path / "d.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as e:
        match_cli.load_knowledge(path)
    if content is None:
        message = f"{path}: no such file (decisions)"
    elif message is None:
        message = f"{path}: row 1 has more cells than the header"
    assert str(e.value) == message


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
        f"moneytrail match: 5 left and 6 right names (4 and 6 normalised), 2 links, 3 rows written to {out}; "
        "2 decision(s) and 2 alias(es) applied, 0 link(s) left out by not_same decisions, 0 outside --scopes "
        "same_organisation family ownership\n"
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
    capsys.readouterr()
    for extra, message in [
        (
            ["--matcher-only", "--aliases", str(tmp_path / "a.csv")],
            "--matcher-only applies no knowledge, so --aliases would be ignored; drop one",
        ),
        (
            ["--matcher-only", "--scopes", "family", "--relation", "vendor_employer"],
            "--matcher-only applies no knowledge, so --scopes and --relation would be ignored; drop one",
        ),
        (
            ["--scopes", "same_organisation", "parent"],
            "scopes must be one or more of same_organisation, family, ownership, got ['same_organisation', 'parent']",
        ),
        (
            ["--relation", "vendor_vendor"],
            "relation must be one of vendor_employer, vendor_business_donor, got 'vendor_vendor'",
        ),
    ]:
        args = _parse([str(inputs[0]), str(inputs[1]), "--out", str(tmp_path / "x.csv"), *extra])
        assert match_cli.main(args) == 2
        assert capsys.readouterr().err == f"moneytrail match: error: {message}\n"
    args = _parse([str(inputs[0]), str(inputs[1]), "--out", str(tmp_path / "x.csv"), "--matcher-only"])
    assert match_cli.main(args) == 0
    assert capsys.readouterr().err.endswith("rows written to " + str(tmp_path / "x.csv") + "; matcher only\n")


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


def test_the_command_reads_a_decisions_file_as_the_build_does(tmp_path):
    """The same bytes give the same decisions through moneytrail match and through the build's
    reader (er_decisions.read_csv_text and csv_rows): a quoted CRLF and a U+2028 stay in the note."""
    from python_udfs.er_decisions import parse_decisions
    from python_udfs.er_files import read_csv_file

    path = tmp_path / "d.csv"
    note = "renamed\r\nin 2016\u2028see 10-K"
    path.write_bytes(
        (
            "left_name,right_name,decision,note,reviewer,decided_on\r\n"
            f'CORECIVIC,CORRECTIONS CORPORATION OF AMERICA,same,"{note}",r,2026-01-02\r\n'
        ).encode()
    )
    from_command = match_cli.load_knowledge(decisions_file=path, shipped=False).decisions
    rows, header = read_csv_file(path, "er_link_decisions_file")
    from_build = parse_decisions(rows, "file:d.csv", header)
    assert [d.note for d in from_command] == [d.note for d in from_build] == [note]
