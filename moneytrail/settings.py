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


# ----------------------------------------------------------------------------------------------
# Generated files: the dbt macro and the reference doc
# ----------------------------------------------------------------------------------------------

_DOC_KEYS = ("description", "example")


def _for_macro(node: Any) -> Any:
    """A schema node without its doc fields (a pattern keeps its description: the message
    quotes it); the names under keys: are setting names and are all kept."""
    if not isinstance(node, Mapping):
        return node
    drop = ("example",) if "pattern" in node else _DOC_KEYS
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k in drop:
            continue
        if k in ("keys", "definitions"):
            out[k] = {name: _for_macro(child) for name, child in v.items()}
        elif k in ("items", "values"):
            out[k] = _for_macro(v)
        elif k == "any_of":
            out[k] = [_for_macro(n) for n in v]
        else:
            out[k] = v
    return out


def render_macro() -> str:
    schema = {
        name: _for_macro(node) for name, node in _schema_cached().items() if name not in ("definitions", "role_fields")
    }
    schema["role_fields"] = {
        role: {field: {k: v for k, v in spec.items() if k not in _DOC_KEYS} for field, spec in fields.items()}
        for role, fields in _schema_cached()["role_fields"].items()
    }
    schema["definitions"] = {name: _for_macro(node) for name, node in _schema_cached()["definitions"].items()}
    # the description of a pattern is part of its message
    text = json.dumps(schema, ensure_ascii=True, separators=(",", ":"))  # key order kept: messages list keys in it
    literal = text.replace("\\", "\\\\").replace("'", "\\'")
    return (
        "{#- GENERATED from moneytrail/settings.schema.yaml by `python -m moneytrail.settings generate`.\n"
        "    Do not edit: tests/python/test_settings.py fails when this copy is out of date. -#}\n"
        "{% macro mt_settings_schema() %}{{ return(fromjson('" + literal + "')) }}{% endmacro %}\n"
    )


def _doc_rows(node: Mapping[str, Any], path: str, rows: list[tuple[str, Mapping[str, Any]]]) -> None:
    node_r = resolve(node)
    rows.append((path, node_r))
    for key, child in (node_r.get("keys") or {}).items():
        _doc_rows(child, f"{path}.{key}", rows)
    if "items" in node_r and "keys" in resolve(node_r["items"]):
        _doc_rows(node_r["items"], f"{path}[]", rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_doc() -> str:
    schema = _schema_cached()
    lines = [
        "# Settings reference",
        "",
        "Generated from `moneytrail/settings.schema.yaml` by `python -m moneytrail.settings generate`;",
        "do not edit by hand (a test fails when this file and the schema disagree).",
        "",
        "Every setting is validated before anything is ingested or built: a wrong type, a value out",
        "of range, a value not in the allowed list or an unknown key stops the run with exit code 2",
        "and a message naming the key, the value and what is allowed (unknown keys: the nearest",
        'valid name). Nothing is coerced: `"false"` is not `false`, `ORG` is not `[ORG]`. Running',
        "dbt directly applies the same schema (macros/settings.sql): `dbt build` with a bad var fails",
        "before any model runs.",
        "",
    ]
    sections = [
        ("Run file", "run_file", schema["run_file"]),
        ("dbt vars", "vars", schema["vars"]),
        ("Role map role", "role", schema["definitions"]["role"]),
        ("Run-file input", "input", schema["definitions"]["input"]),
    ]
    for title, root, node in sections:
        rows: list[tuple[str, Mapping[str, Any]]] = []
        _doc_rows(node, root, rows)
        lines += [f"## {title}", "", "| key | accepts | default | description | example |", "|---|---|---|---|---|"]
        for path, n in rows:
            if path in (root,) or (root == "vars" and path.startswith("vars.role_map.")):
                continue
            if root == "run_file" and path.startswith("run_file.inputs[]"):
                continue
            if root == "run_file" and path.startswith("run_file.vars."):
                continue
            default = f"`{json.dumps(n['default'])}`" if "default" in n else ("required" if n.get("required") else "")
            example = f"`{json.dumps(n['example'])}`" if "example" in n else ""
            lines.append(
                f"| `{path}` | {_cell(expected(n))} | {default} | {_cell(n.get('description', ''))} | {example} |"
            )
        lines.append("")
    return "\n".join(lines)


# The example at the top of docs/RUNFILE.md; tests/python/test_settings.py validates it.
RUNFILE_EXAMPLE = """\
name: boston_2021                    # output/boston_2021; letters, digits, . _ -
description: Boston 2021 mayoral contributions against city contract awards.
inputs:
  - path: data/contributions.csv     # relative to this file; .gz is read directly
    table: boston_contributions
  - path: data/all_filers.txt        # MA OCPF: tab-delimited, header and rows end with a tab
    table: ocpf_filers
    delimiter: "\\t"
    empty_last_column: drop
  - path: data/awards.csv
    table: city_awards
    skip_lines: 2                    # a title and a blank line above the header
vars:
  role_map:
    contributions:
      table: boston_contributions
      columns:
        donor_name: {concat: [FirstName, LastName], sep: " "}
        employer: Employer
        occupation: Occupation
        donor_zip: ZipCode
        recipient_id: Candidate
        donation_date: {column: Date, format: "%Y-%m-%d"}
        amount: Amount
      when:
        - {column: Employer, not_in: [N/A]}
    contracts:
      table: city_awards
      columns:
        award_id: Contract Number
        vendor_name: Vendor Name
        award_date: {column: Award Date, format: "%m/%d/%Y"}
        contract_value: Award Amount
    candidates:
      table: ocpf_filers
      when:
        - {column: Is_Candidate_Only, equals: "True"}
      columns:
        candidate_id: CPF ID
        candidate_name: {concat: [Candidate First Name, Candidate Last Name]}
  contribution_limits: {limit: 1000, period: calendar_year}
"""


def _doc_table(rows: list[tuple[str, Mapping[str, Any]]], default_column: bool = True) -> list[str]:
    head = (
        "| key | accepts | default | description | example |"
        if default_column
        else "| key | accepts | description | example |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for path, n in rows:
        default = f"`{json.dumps(n['default'])}`" if "default" in n else ("required" if n.get("required") else "")
        example = f"`{json.dumps(n['example'], ensure_ascii=False)}`" if "example" in n else ""
        cells = [f"`{path}`", _cell(expected(n))] + ([default] if default_column else [])
        cells += [_cell(n.get("description", "")), example]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _children(node: Mapping[str, Any], prefix: str) -> list[tuple[str, Mapping[str, Any]]]:
    node = resolve(node)
    keys = {k: v for k, v in (node.get("keys") or {}).items() if k not in node.get("not_keys", ())}
    return [(f"{prefix}{key}", resolve(child)) for key, child in keys.items()]


def render_runfile_doc() -> str:
    schema = _schema_cached()
    defs = schema["definitions"]
    run_keys = schema["run_file"]["keys"]
    roles = schema["vars"]["keys"]["role_map"]["keys"]
    role_node = resolve(defs["role"])
    when_node = resolve(role_node["keys"]["when"]["items"])
    lines = [
        "# Run file reference",
        "",
        "Generated from `moneytrail/settings.schema.yaml` by `python -m moneytrail.settings generate`;",
        "do not edit by hand (tests/python/test_settings.py fails when this page and the schema disagree).",
        "",
        "A run file is one YAML file saying which files to load and which dbt vars (the role map and",
        "the analysis settings) to build them with: `moneytrail run FILE`. Every key below is checked",
        "before anything is loaded (`python -m moneytrail.settings check FILE` checks only): a wrong",
        "type, a value out of range or not allowed, a missing required key and an unknown key stop the",
        "run with exit code 2 and one message per problem naming the key's path and what is allowed,",
        "e.g. `run_file.inputs[1].delimeter: unknown key (did you mean delimiter?); allowed: path, ...`.",
        "Nothing is coerced and no setting is ignored. The settings under `vars:` are listed in",
        "[SETTINGS.md](SETTINGS.md), which the same schema generates.",
        "",
        "## Example",
        "",
        "```yaml",
        RUNFILE_EXAMPLE.rstrip("\n"),
        "```",
        "",
        "## Top-level keys",
        "",
        *_doc_table([(f"{k}", resolve(v)) for k, v in run_keys.items()]),
        "",
        "## Inputs: `inputs[]`",
        "",
        "Each input is one file: a CSV/TSV file (every value loaded as text into `raw.<table>`) or a SQL",
        "dump (its tables keep their names). Keys marked *Dumps only* are refused on CSV/TSV inputs, and",
        "the CSV/TSV keys on dumps.",
        "",
        *_doc_table(_children(defs["input"], "")),
        "",
        "## Roles: `vars.role_map.<role>`",
        "",
        "Which table (or dbt model) plays each role. "
        + "; ".join(
            f"`{role}`: {'required' if resolve(node).get('required') else 'optional'}"
            + (f" (not: {', '.join(node['not_keys'])})" if node.get("not_keys") else "")
            for role, node in roles.items()
        )
        + ". Each role takes exactly one of `table:` and `model:`.",
        "",
        *_doc_table(_children(defs["role"], "")),
        "",
        "### Field mappings: `columns.<field>`",
        "",
        "| form | for | description | example |",
        "|---|---|---|---|",
    ]
    forms = resolve(defs["column_ref"])["any_of"]
    kinds = ["every field", "date fields", "text fields"]
    for kind, form in zip(kinds, forms, strict=True):
        form = resolve(form)
        example = json.dumps(form.get("example", "Employer"), ensure_ascii=False)
        lines.append(f"| {_cell(expected(form))} | {kind} | {_cell(form['description'])} | `{example}` |")
    concat_keys = _children(forms[2], "")
    lines += ["", *_doc_table(concat_keys), "", "### Filters: `when[]`", ""]
    lines += [
        _cell(when_node["description"]) + " Rows that fail a filter are counted as filtered out",
        "(staging.dq_row_accounting), never silently dropped. Values are compared as text.",
        "",
        *_doc_table(_children(when_node, "")),
        "",
        "## Role fields",
        "",
        "The canonical fields each role's `columns:` can map (an unknown field is refused). Required",
        "fields must be mapped; a field that must hold a value makes a row without one a counted reject",
        "(staging.stg_rejects). Dates are `{column, format}`; amounts are dollars with at most two",
        "decimals.",
        "",
    ]
    for role, fields in schema["role_fields"].items():
        lines += [f"### {role}", "", "| field | type | required | must hold a value | description | example |"]
        lines.append("|---|---|---|---|---|---|")
        for field, spec in fields.items():
            lines.append(
                f"| `{field}` | {spec['type']} | {'yes' if spec['required'] else 'no'} | "
                f"{'yes' if spec['nonempty'] else 'no'} | {_cell(spec['description'])} | "
                f"`{json.dumps(spec['example'], ensure_ascii=False)}` |"
            )
        lines.append("")
    source = resolve(run_keys["source"])
    lines += [
        "## Source presets: `source:`",
        "",
        f"Known sources: {', '.join(f'`{v}`' for v in source['enum'])}. {_cell(source['description'])}",
        "",
        *_doc_table(_children(run_keys["fec_files"], "fec_files.")),
        "",
        "## Settings: `vars:`",
        "",
        "Each top-level key replaces dbt_project.yml's; all are listed with their sub-keys in",
        "[SETTINGS.md](SETTINGS.md).",
        "",
        "| key | description |",
        "|---|---|",
        *[f"| `vars.{k}` | {_cell(resolve(v).get('description', ''))} |" for k, v in schema["vars"]["keys"].items()],
        "",
        "## After a run: dbt directly",
        "",
        "`moneytrail run FILE` remembers the run's resolved vars in the warehouse (`meta.run_config`) and",
        "beside it (`warehouse/moneytrail.run_vars.json`, git-ignored). A later `dbt build`, `dbt test` or",
        "`dbt docs generate` with other vars (a plain `dbt build` has dbt_project.yml's demo role map)",
        "stops before changing anything and names the command to use: `moneytrail dbt build` (any dbt",
        'command after `moneytrail dbt`) or `dbt build --vars "$(cat warehouse/moneytrail.run_vars.json)"`.',
        "",
    ]
    return "\n".join(lines)


def generate(write: bool = True) -> dict[Path, bool]:
    """Rewrite the generated files; returns {path: was it out of date}."""
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
