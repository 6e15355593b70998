"""Files generated from the settings schema: the dbt macro (macros/settings_schema.sql), the
settings reference (docs/SETTINGS.md) and the run-file reference (docs/RUNFILE.md).
`python -m moneytrail.settings generate` writes them (settings.generate)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moneytrail import settings
from moneytrail.settings import expected, resolve

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
        name: _for_macro(node)
        for name, node in settings._schema_cached().items()
        if name not in ("definitions", "role_fields")
    }
    schema["role_fields"] = {
        role: {field: {k: v for k, v in spec.items() if k not in _DOC_KEYS} for field, spec in fields.items()}
        for role, fields in settings._schema_cached()["role_fields"].items()
    }
    schema["definitions"] = {name: _for_macro(node) for name, node in settings._schema_cached()["definitions"].items()}
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
    schema = settings._schema_cached()
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
    """docs/RUNFILE.md: the run file's keys, inputs, roles, field mappings, filters and role fields."""
    schema = settings._schema_cached()
    return "\n".join(_runfile_head(schema) + _runfile_columns(schema) + _runfile_tail(schema))


def _runfile_head(schema: Mapping[str, Any]) -> list[str]:
    """Introduction, example, top-level keys, inputs and roles."""
    defs = schema["definitions"]
    run_keys = schema["run_file"]["keys"]
    roles = schema["vars"]["keys"]["role_map"]["keys"]
    return [
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


def _runfile_columns(schema: Mapping[str, Any]) -> list[str]:
    """Field mapping forms, filters and the role fields."""
    defs = schema["definitions"]
    when_node = resolve(resolve(defs["role"])["keys"]["when"]["items"])
    lines: list[str] = []
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
    return lines


def _runfile_tail(schema: Mapping[str, Any]) -> list[str]:
    """Source presets, the vars list and dbt after a run."""
    run_keys = schema["run_file"]["keys"]
    source = resolve(run_keys["source"])
    return [
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
