"""Static checks that run with the suite: ruff lint and format, and no unseeded randomness."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PY_DIRS = ["ingest", "moneytrail", "python_udfs", "models", "examples", "tests"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_lint_is_clean() -> None:
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_config_keeps_npy002() -> None:
    """NPY002 (numpy's legacy global random state) stays selected through the NPY family."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    select = re.search(r"^select = \[(.*)\]$", text, re.M)
    assert select is not None and '"NPY"' in select.group(1)


# Anything that draws from a process-global or clock-seeded random source. Seeded instances
# (``random.Random(seed)``, ``np.random.default_rng(seed)``) are the allowed forms.
UNSEEDED = re.compile(
    r"(?<!np\.)\brandom\.(?!Random\(\s*[^)\s])\w+\("
    r"|np\.random\.(?!default_rng\(|Generator\b|SeedSequence\b|PCG64\b)"
    r"|default_rng\(\s*\)|SeedSequence\(\s*\)|\bsecrets\.|\buuid\.uuid[14]\b|os\.urandom"
)


def test_no_unseeded_randomness_in_source() -> None:
    offenders = []
    for folder in PY_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == Path(__file__).resolve():
                continue  # this file spells the forbidden forms out to test the pattern
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if UNSEEDED.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == []


def test_unseeded_pattern_catches_the_usual_forms() -> None:
    bad_forms = ["random.shuffle(x)", "random.Random()", "np.random.rand(3)", "np.random.default_rng()", "uuid.uuid4()"]
    for bad in bad_forms:
        assert UNSEEDED.search(bad), bad
    for good in ["rng = np.random.default_rng(seed)", "random.Random(SEED).sample(a, 3)", "np.random.PCG64(s)"]:
        assert not UNSEEDED.search(good), good
