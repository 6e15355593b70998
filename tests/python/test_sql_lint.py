"""sqlfluff on the dbt SQL (.sqlfluff says which rules run and why the others do not)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


MATERIALIZATIONS = Path("macros") / "materializations"
_CONFIG_NAMES = (".sqlfluff", "setup.cfg", "tox.ini", "pep8.ini", "pyproject.toml")


def _inherited_sqlfluff_configs() -> list[str]:
    """sqlfluff also reads config files in every folder above the project and in the home
    folder; one there (say a stray /tmp/.sqlfluff with load_macros_from_path) silently changes
    what this lint means."""
    folders = [*ROOT.parents, Path.home(), Path.home() / ".config" / "sqlfluff"]
    found = []
    for folder in folders:
        for name in _CONFIG_NAMES:
            path = folder / name
            if path.is_file() and (name == ".sqlfluff" or "sqlfluff" in path.read_text(errors="replace")):
                found.append(str(path))
    return found


def test_sqlfluff_passes_on_models_and_macros():
    inherited = _inherited_sqlfluff_configs()
    if inherited:
        raise AssertionError(f"sqlfluff would also read {inherited}: remove them so only the project's config applies")
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
    # a file of dbt materializations is left to dbt (.sqlfluffignore): sqlfluff's jinja templater
    # cannot parse the materialization tag (sqlfluff issue 6215)
    expected = sorted(
        str(p.relative_to(ROOT))
        for folder in folders
        for p in (ROOT / folder).rglob("*.sql")
        if p.parent != ROOT / MATERIALIZATIONS
    )
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
    # dbt's own context functions the templater's dbt builtins lack (tojson: models/spark/)
    dbt_context = {"tojson"}
    assert stand_ins - defined - dbt_context == set()


def test_only_materializations_are_left_out_of_the_lint():
    """.sqlfluffignore leaves out the materializations folder alone, and that folder holds only
    materialization blocks: a macro put there would never be linted."""
    assert (ROOT / ".sqlfluffignore").read_text(encoding="utf-8").split() == [f"{MATERIALIZATIONS.as_posix()}/"]
    files = sorted((ROOT / MATERIALIZATIONS).iterdir())
    assert [f.name for f in files] == ["mt_bucketed_table.sql"]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert re.findall(r"\{%-?\s*(macro|materialization)\b", text) == ["materialization"]
