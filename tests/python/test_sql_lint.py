"""sqlfluff on the dbt SQL (.sqlfluff says which rules run and why the others do not)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sqlfluff_passes_on_models_and_macros():
    folders = [f for f in ("models", "macros", "analyses") if (ROOT / f).is_dir()]
    result = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", *folders, "--processes", "2", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    files = json.loads(result.stdout)
    linted = sorted(f["filepath"] for f in files)
    expected = sorted(str(p.relative_to(ROOT)) for folder in folders for p in (ROOT / folder).rglob("*.sql"))
    assert linted == expected  # no file skipped (a templating failure is reported, not skipped)
    violations = [
        f"{f['filepath']}:{v['start_line_no']} {v['code']} {v['description']}" for f in files for v in f["violations"]
    ]
    assert violations == []
    assert result.returncode == 0


def test_every_stand_in_is_a_project_macro():
    """The jinja templater's stand-ins (tests/sqlfluff_stubs) replace real macros only: a macro
    that is renamed or removed must leave the stand-ins too."""
    defined = set(re.findall(r"\{%-?\s*macro\s+(\w+)", "".join(p.read_text() for p in (ROOT / "macros").glob("*.sql"))))
    stubs = (ROOT / "tests" / "sqlfluff_stubs" / "__init__.py").read_text(encoding="utf-8")
    stand_ins = set(re.findall(r"^def ([a-z]\w*)\(", stubs, re.M))
    assert stand_ins - defined == set()
