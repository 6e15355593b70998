"""The demo's outputs, byte for byte, against the committed golden copies.

Regenerate (and review the diff) with: ``.venv/bin/python tests/regenerate_golden.py``.
"""

from __future__ import annotations

import difflib

import pytest

from tests.python.conftest import DEMO_DIR
from tests.regenerate_golden import golden_files

pytestmark = pytest.mark.slow

GOLDEN = DEMO_DIR / "golden"


def test_golden_set_is_the_run_set(demo_run):
    assert demo_run.exit_code == 0
    assert sorted(p.name for p in GOLDEN.iterdir()) == golden_files(demo_run.out)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.iterdir()))
def test_output_matches_golden(demo_run, name):
    got = (demo_run.out / name).read_bytes()
    want = (GOLDEN / name).read_bytes()
    if got != want:
        diff = difflib.unified_diff(
            want.decode("utf-8").splitlines(),
            got.decode("utf-8").splitlines(),
            f"golden/{name}",
            f"run/{name}",
            lineterm="",
            n=1,
        )
        pytest.fail(
            "output differs from golden (regenerate with tests/regenerate_golden.py if intended):\n"
            + "\n".join(list(diff)[:60])
        )
