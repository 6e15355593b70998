"""Size rules for the application code (issue 9): no module in ingest/, moneytrail/ or python_udfs/
over MAX_MODULE_LINES lines, no function over MAX_FUNCTION_LINES lines unless a ``# long: <reason>``
comment on its def line (or the line above it) says why it stays whole."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ingest", "moneytrail", "python_udfs")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
MARK = "# long:"


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def module_problems(path: Path, text: str) -> list[str]:
    """Every breach of the rules in one module's text, as 'path: what' sentences."""
    rel = path.relative_to(ROOT) if path.is_absolute() else path
    lines = text.splitlines()
    problems = []
    if len(lines) > MAX_MODULE_LINES:
        problems.append(f"{rel}: {len(lines)} lines (at most {MAX_MODULE_LINES}; split it along its sections)")
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length <= MAX_FUNCTION_LINES:
            continue
        here = lines[node.lineno - 1]
        above = lines[node.lineno - 2] if node.lineno >= 2 else ""
        reason = next((line.split(MARK, 1)[1].strip() for line in (here, above) if MARK in line), "")
        if not reason:
            problems.append(
                f"{rel}:{node.lineno}: function {node.name} is {length} lines (at most {MAX_FUNCTION_LINES}, "
                f"or say why on its def line or the line above: '{MARK} <reason>')"
            )
    return problems


def test_application_modules_and_functions_stay_small():
    problems = [p for path in _modules() for p in module_problems(path, path.read_text(encoding="utf-8"))]
    assert problems == []


def test_the_packages_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in _modules()}
    assert {"ingest/sqldump/loader.py", "moneytrail/cli.py", "python_udfs/timing.py"} <= names


def _function(n: int, mark: str = "", above: str = "") -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(n - 1))
    return (above + "\n" if above else "") + f"def f():{'  ' + mark if mark else ''}\n" + body


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (_function(60), []),
        (
            _function(61),
            [
                "m.py:1: function f is 61 lines (at most 60, or say why on its def line or the line above: "
                "'# long: <reason>')"
            ],
        ),
        (_function(61, mark="# long: one pass over the rows"), []),
        (_function(61, above="# long: one pass over the rows"), []),
        (
            _function(61, mark="# long:"),
            [
                "m.py:1: function f is 61 lines (at most 60, or say why on its def line or the line above: "
                "'# long: <reason>')"
            ],
        ),
        ("x = 1\n" * 601, ["m.py: 601 lines (at most 600; split it along its sections)"]),
        ("x = 1\n" * 600, []),
    ],
)
def test_the_rule_itself(text, want):
    assert module_problems(Path("m.py"), text) == want
