"""Settings: one schema (moneytrail/settings.schema.yaml) for every run-file key and dbt var.

Everything a user sets is checked here before anything is ingested or built: types (no
coercion: "false" is not false, "ORG" is not a list), ranges, allowed values, required keys,
unknown keys (refused with the nearest valid name). The same schema is copied into
macros/settings_schema.sql, where macros/settings.sql applies the same rules when dbt is run
directly, and rendered into docs/SETTINGS.md.

    python -m moneytrail.settings generate   # rewrite the macro and the doc after a schema edit
    python -m moneytrail.settings check FILE # validate a run file, exit 2 naming every problem
"""

from __future__ import annotations

import copy
import datetime
import difflib
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from moneytrail.errors import UserError

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SCHEMA_PATH = PACKAGE_DIR / "settings.schema.yaml"
MACRO_PATH = PROJECT_DIR / "macros" / "settings_schema.sql"
DOC_PATH = PROJECT_DIR / "docs" / "SETTINGS.md"
RUNFILE_DOC_PATH = PROJECT_DIR / "docs" / "RUNFILE.md"

# Control characters other than tab and newline: never part of a setting.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAX_SHOWN = 60


class SettingsError(UserError, ValueError):
    """Settings that break the schema; ``problems`` holds one message per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = self.problems[:10]
        if len(self.problems) > 10:
            lines.append(f"... and {len(self.problems) - 10} more")
        super().__init__("invalid settings:\n  " + "\n  ".join(lines) if len(lines) > 1 else lines[0])


@cache
def _schema_cached() -> dict[str, Any]:
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert isinstance(schema, dict), f"{SCHEMA_PATH.name} must hold a mapping"
    return schema


def load_schema() -> dict[str, Any]:
    return copy.deepcopy(_schema_cached())


def resolve(node: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A node with its `ref:` replaced by the definition (the node's own keys win)."""
    schema = schema or _schema_cached()
    if "ref" not in node:
        return dict(node)
    base = resolve(schema["definitions"][node["ref"]], schema)
    base.update({k: v for k, v in node.items() if k != "ref"})
    return base


def show(value: Any) -> str:
    """A value as the messages show it: JSON (control characters escaped), shortened."""
    try:
        text = json.dumps(value, ensure_ascii=True, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime.date):
        return "a YAML date (write it in quotes)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def expected(node: Mapping[str, Any]) -> str:
    """What a node accepts, in words (the `allowed` part of a message)."""
    node = resolve(node)
    if "any_of" in node:
        return " or ".join(expected(n) for n in node["any_of"])
    kind = node.get("type")
    if "enum" in node:
        text = "one of " + ", ".join(str(v) for v in node["enum"])
    elif kind == "integer" or kind == "number":
        text = "an integer" if kind == "integer" else "a number"
        bounds = []
        if "minimum" in node:
            bounds.append(f">= {node['minimum']}")
        if "exclusive_minimum" in node:
            bounds.append(f"> {node['exclusive_minimum']}")
        if "maximum" in node:
            bounds.append(f"<= {node['maximum']}")
        if "exclusive_maximum" in node:
            bounds.append(f"< {node['exclusive_maximum']}")
        if bounds:
            text += " " + " and ".join(bounds)
    elif kind == "boolean":
        text = "true or false"
    elif kind == "string":
        if "pattern" in node:
            text = f"text matching {node['pattern']}"
        elif node.get("max_length") == 1 and node.get("min_length") == 1:
            text = "one character"
        else:
            text = "text"
    elif kind == "list":
        text = "a list"
        if "items" in node:
            text += " of " + expected(node["items"]).replace("one of ", "values from ")
    elif kind == "mapping":
        text = "a mapping"
        if "keys" in node:
            text += " with keys " + ", ".join(k for k in node["keys"] if k not in node.get("not_keys", ()))
    else:
        text = str(kind)
    if node.get("nullable"):
        text += ", or null"
    return text


def nearest(word: str, choices: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def check(value: Any, node: Mapping[str, Any], path: str) -> list[str]:
    """Every way `value` breaks `node`, one message each; [] when it is valid."""
    node = resolve(node)
    if value is None:
        if node.get("nullable"):
            return []
        return [f"{path}: null is not allowed; expected {expected(node)}"]
    if "any_of" in node:
        for option in node["any_of"]:
            if not check(value, option, path):
                return []
        return [f"{path}: {show(value)} is not allowed; expected {expected(node)}"]
    kind = node["type"]
    bad_type = f"{path}: {show(value)} is {_kind(value)}; expected {expected(node)}"
    if kind == "boolean":
        return [] if isinstance(value, bool) else [bad_type]
    if kind in ("integer", "number"):
        is_int = isinstance(value, int) and not isinstance(value, bool)
        is_num = is_int or (isinstance(value, float) and math.isfinite(value))
        if not (is_int if kind == "integer" else is_num):
            return [bad_type]
        return _check_range(value, node, path)
    if kind == "string":
        if not isinstance(value, str):
            return [bad_type]
        return _check_string(value, node, path)
    if kind == "list":
        if not isinstance(value, list):
            return [bad_type]
        problems = []
        if len(value) < node.get("min_items", 0):
            problems.append(f"{path}: the list needs at least {node['min_items']} item(s); expected {expected(node)}")
        if "items" in node:
            for i, item in enumerate(value, start=1):
                problems += check(item, node["items"], f"{path}[{i}]")
        return problems
    if kind == "mapping":
        if not isinstance(value, Mapping):
            return [bad_type]
        return _check_mapping(value, node, path)
    raise ValueError(f"settings schema: unknown type {kind!r} at {path}")


def _check_range(value: float, node: Mapping[str, Any], path: str) -> list[str]:
    ok = (
        ("minimum" not in node or value >= node["minimum"])
        and ("maximum" not in node or value <= node["maximum"])
        and ("exclusive_minimum" not in node or value > node["exclusive_minimum"])
        and ("exclusive_maximum" not in node or value < node["exclusive_maximum"])
    )
    if ok and ("enum" not in node or value in node["enum"]):
        return []
    return [f"{path}: {show(value)} is out of range; expected {expected(node)}"]


def _check_string(value: str, node: Mapping[str, Any], path: str) -> list[str]:
    if _CONTROL.search(value):
        return [f"{path}: {show(value)} holds a control character (NUL, ...); expected {expected(node)}"]
    if "enum" in node and value not in node["enum"]:
        hint = nearest(value, [str(v) for v in node["enum"]])
        did = f" (did you mean {hint}?)" if hint else ""
        return [f"{path}: {show(value)} is not allowed{did}; expected {expected(node)}"]
    if len(value) < node.get("min_length", 0):
        return [f"{path}: {show(value)} is too short; expected {expected(node)}"]
    if "max_length" in node and len(value) > node["max_length"]:
        return [f"{path}: {show(value)} is too long; expected {expected(node)}"]
    if "pattern" in node and not re.fullmatch(node["pattern"], value):
        return [f"{path}: {show(value)} is not allowed; expected {expected(node)} ({node['description']})"]
    return []


def _check_mapping(value: Mapping[Any, Any], node: Mapping[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    keys = node.get("keys")
    if keys is not None and node.get("not_keys"):
        keys = {k: v for k, v in keys.items() if k not in node["not_keys"]}
    for key in value:
        if not isinstance(key, str):
            problems.append(f"{path}: key {show(key)} is {_kind(key)}; keys are text")
        elif keys is not None and key not in keys:
            hint = nearest(key, list(keys))
            did = f" (did you mean {hint}?)" if hint else ""
            problems.append(f"{path}.{key}: unknown key{did}; allowed: {', '.join(keys)}")
    if keys is not None:
        for key, child in keys.items():
            if key in value:
                problems += check(value[key], child, f"{path}.{key}")
            elif resolve(child).get("required"):
                problems.append(f"{path}.{key}: missing; expected {expected(child)}")
    if "values" in node:
        for key, item in value.items():
            if isinstance(key, str):
                problems += check(item, node["values"], f"{path}.{key}")
    if "exactly_one_of" in node:
        given = [k for k in node["exactly_one_of"] if k in value]
        if len(given) != 1:
            problems.append(
                f"{path}: needs exactly one of {', '.join(node['exactly_one_of'])}"
                + (f" (given: {', '.join(given)})" if given else "")
            )
    return problems


def with_defaults(value: Any, node: Mapping[str, Any]) -> Any:
    """A valid value with every absent key that has a default filled in (recursively)."""
    node = resolve(node)
    if not isinstance(value, Mapping) or "keys" not in node:
        return copy.deepcopy(value)
    out = {}
    for key, child in node["keys"].items():
        child_node = resolve(child)
        if key in value:
            out[key] = with_defaults(value[key], child_node)
        elif "default" in child_node:
            out[key] = with_defaults(copy.deepcopy(child_node["default"]), child_node)
    return out


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------


def project_vars() -> dict[str, Any]:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    return dict(project.get("vars") or {})


def role_field_problems(merged_vars: Any, where: str = "vars") -> list[str]:
    """Fields a role map's columns: name that its role does not have (schema role_fields)."""
    role_map = merged_vars.get("role_map") if isinstance(merged_vars, Mapping) else None
    if not isinstance(role_map, Mapping):
        return []
    problems = []
    for role, fields in _schema_cached()["role_fields"].items():
        cfg = role_map.get(role)
        columns = cfg.get("columns") if isinstance(cfg, Mapping) else None
        if not isinstance(columns, Mapping):
            continue
        for field in columns:
            if isinstance(field, str) and field not in fields:
                hint = nearest(field, list(fields))
                did = f" (did you mean {hint}?)" if hint else ""
                allowed = ", ".join(fields)
                problems.append(
                    f"{where}.role_map.{role}.columns.{field}: unknown field{did}; fields of {role}: {allowed}"
                )
    return problems


def validate_vars(given: Mapping[str, Any] | None, where: str = "vars") -> dict[str, Any]:
    """dbt_project.yml's vars with `given`'s top-level keys on top, validated (SettingsError).

    Returns the merged vars as they go to dbt (no defaults added: dbt applies the same ones)."""
    if given is not None and not isinstance(given, Mapping):
        raise SettingsError([f"{where}: {show(given)} is {_kind(given)}; expected a mapping"])
    merged = project_vars()
    merged.update(dict(given or {}))
    problems = check(merged, _schema_cached()["vars"], where) + role_field_problems(merged, where)
    if problems:
        raise SettingsError(problems)
    return merged


def applied(merged_vars: Mapping[str, Any]) -> dict[str, Any]:
    """Validated vars with the schema defaults filled in: the settings the build applies."""
    filled = with_defaults(merged_vars, _schema_cached()["vars"])
    assert isinstance(filled, dict)
    return filled


def validate_run_file(data: Any, where: str = "run_file") -> dict[str, Any]:
    """A run file's parsed YAML, checked against the schema (vars included, merged over the
    project's); returns it unchanged, or raises SettingsError naming every problem."""
    problems = check(data, _schema_cached()["run_file"], where)
    if isinstance(data, Mapping) and isinstance(data.get("vars", {}), Mapping):
        # the vars as dbt will see them: project vars under the run file's
        merged = project_vars()
        merged.update(dict(data.get("vars") or {}))
        problems = [p for p in problems if not p.startswith(f"{where}.vars")]
        problems += check(merged, _schema_cached()["vars"], "vars") + role_field_problems(merged)
    if problems:
        raise SettingsError(problems)
    return dict(data)


def run_name_ok(name: Any) -> bool:
    """Whether a run name is a valid output folder name (no path separators, no '..')."""
    return not check(name, _schema_cached()["run_file"]["keys"]["name"], "name")


def generate(write: bool = True) -> dict[Path, bool]:
    """Rewrite the generated files; returns {path: was it out of date}."""
    from moneytrail.settings_docs import render_doc, render_macro, render_runfile_doc

    out = {}
    generated = ((MACRO_PATH, render_macro()), (DOC_PATH, render_doc()), (RUNFILE_DOC_PATH, render_runfile_doc()))
    for path, text in generated:
        stale = not path.is_file() or path.read_text(encoding="utf-8") != text
        out[path] = stale
        if write and stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["generate"]:
        for path, stale in generate().items():
            print(f"{'rewrote' if stale else 'up to date'}: {path.relative_to(PROJECT_DIR)}")
        return 0
    if args[:1] == ["check"] and len(args) == 2:
        from ingest.runfile import RunFileError, load_run_file

        try:
            load_run_file(args[1])
        except (RunFileError, SettingsError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print("settings valid")
        return 0
    print("usage: python -m moneytrail.settings generate | check RUN_FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
