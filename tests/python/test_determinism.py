"""Same inputs and seed: the same bytes. Shuffled input rows: the same findings."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import pytest
import yaml

from moneytrail import exports
from tests.python.conftest import DEMO_DIR

pytestmark = pytest.mark.slow

# Columns (and report keys) derived from row positions or input bytes: row refs carry the
# dataset_version_id (a content hash of the file) and the row_index, and edge ids hash the
# contribution's row ref. Everything else must not depend on input order.
POSITIONAL = re.compile(r"(^|_)(row_refs?|edge_ids?|row_index|dataset_version_id)(_count)?$")
FINDINGS = [spec.name for spec in exports.EXPORTS]  # every registered export


def _artifact_hashes(out: Path) -> dict[str, str]:
    index = json.loads((out / "evidence_index.json").read_text(encoding="utf-8"))
    return {a["path"]: a["sha256"] for a in index["artifacts"]}


def _run(tmp_path: Path, monkeypatch, argv: list[str]) -> Path:
    from moneytrail.cli import main

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    out = tmp_path / "out"
    assert main(argv + ["--db", str(tmp_path / "other.duckdb"), "--out", str(out)]) == 0
    return out


def test_second_identical_run_gives_identical_bytes(demo_run, tmp_path, monkeypatch):
    assert demo_run.exit_code == 0
    out = _run(tmp_path, monkeypatch, ["demo"])
    for name in ["report.json", "report.md", "evidence_index.json", "evidence_index.md"]:
        assert (out / name).read_bytes() == (demo_run.out / name).read_bytes(), name
    hashes = _artifact_hashes(out)
    assert hashes == _artifact_hashes(demo_run.out)
    assert "run_metadata.json" not in hashes
    for path in hashes:
        assert (out / path).read_bytes() == (demo_run.out / path).read_bytes(), path


def _shuffled_copy(src: Path, dst: Path, seed: int) -> None:
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = lines[1:]
    random.Random(seed).shuffle(rows)
    assert rows != lines[1:]
    dst.write_text(lines[0] + "".join(rows), encoding="utf-8")


def _content(path: Path) -> list[tuple]:
    with open(path, encoding="utf-8", newline="") as fh:
        return sorted(tuple((k, v) for k, v in row.items() if not POSITIONAL.search(k)) for row in csv.DictReader(fh))


def _strip_positional(value):
    if isinstance(value, dict):
        return {k: _strip_positional(v) for k, v in value.items() if not POSITIONAL.search(k)}
    if isinstance(value, list):
        return [_strip_positional(v) for v in value]
    return value


def test_shuffled_input_rows_give_the_same_findings(demo_run, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    # one record per line in these files (no quoted newlines), so shuffling lines shuffles rows
    _shuffled_copy(DEMO_DIR / "contributions.csv", data / "contributions.csv", seed=11)
    _shuffled_copy(DEMO_DIR / "contracts.csv", data / "contracts.csv", seed=12)
    run = {
        "name": "demo",
        "vars": {},
        "inputs": [
            {"path": str(data / "contracts.csv"), "table": "demo_contracts"},
            {"path": str(data / "contributions.csv"), "table": "demo_contributions"},
            {"path": str(DEMO_DIR / "candidates.tsv"), "table": "demo_candidates", "delimiter": "\t"},
        ],
    }
    (tmp_path / "run.yml").write_text(yaml.safe_dump(run))
    out = _run(tmp_path, monkeypatch, ["run", str(tmp_path / "run.yml")])

    ours = json.loads((out / "report.json").read_text(encoding="utf-8"))
    theirs = json.loads((demo_run.out / "report.json").read_text(encoding="utf-8"))
    assert ours["run"] == theirs["run"]
    assert [i["rows"] for i in ours["inputs"]] == [i["rows"] for i in theirs["inputs"]]
    assert ours["inputs"][1]["dataset_version_id"] != theirs["inputs"][1]["dataset_version_id"]
    # ids of bundles, limit flags, timing and breadth findings and red flags hash content keys
    assert _strip_positional(ours["analyses"]) == _strip_positional(theirs["analyses"])
    # the sample of rejected rows follows input order, so only its content must match
    dq_ours, dq_theirs = _strip_positional(ours["data_quality"]), _strip_positional(theirs["data_quality"])
    for dq in (dq_ours, dq_theirs):
        dq["rejects"]["sample"].sort(key=lambda r: json.dumps(r, sort_keys=True))
    assert dq_ours == dq_theirs
    for name in FINDINGS:
        assert _content(out / f"{name}.csv") == _content(demo_run.out / f"{name}.csv"), name
    assert (out / "cross_link_summary.json").read_bytes() == (demo_run.out / "cross_link_summary.json").read_bytes()
