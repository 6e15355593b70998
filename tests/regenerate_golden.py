"""Regenerate the demo's golden outputs: ``.venv/bin/python tests/regenerate_golden.py``.

Runs the demo into a temporary folder and copies every hashed artifact (everything the
evidence index lists, plus report.json/.md and the two index files) to examples/demo/golden/.
run_metadata.json holds timings and paths, so it is never golden. The HTML report's pages
(html/) are not copied: evidence_index.json, which is golden, pins each page by its sha256. Review the diff before you
commit it: a change in a golden file is a change in what the demo finds.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "examples" / "demo" / "golden"
sys.path.insert(0, str(REPO))


def golden_files(out: Path) -> list[str]:
    """The files of a run folder that must match the golden copy byte for byte."""
    index = json.loads((out / "evidence_index.json").read_text(encoding="utf-8"))
    # the HTML pages (html/) are pinned by their sha256 in evidence_index.json, not copied
    names = {a["path"] for a in index["artifacts"] if "/" not in a["path"]}
    names |= {"report.json", "report.md", "evidence_index.json", "evidence_index.md"}
    return sorted(names)


def main() -> int:
    from moneytrail.cli import main as cli_main

    with tempfile.TemporaryDirectory(prefix="moneytrail-golden-") as tmp:
        out = Path(tmp) / "out"
        code = cli_main(["demo", "--db", str(Path(tmp) / "demo.duckdb"), "--out", str(out)])
        if code != 0:
            print(f"the demo run failed (exit {code}); golden files left unchanged", file=sys.stderr)
            return code
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        GOLDEN.mkdir(parents=True)
        for name in golden_files(out):
            shutil.copyfile(out / name, GOLDEN / name)
            print(f"golden: {GOLDEN.relative_to(REPO) / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
