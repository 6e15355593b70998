"""report.schema.json and the check that report.json matches it.

The file holds the shape of every section; the names of the analyses come from the mart
registry (moneytrail/registry.py) and are added here, so a mart registered in its YAML is a
required key of report.json without an edit to the schema file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moneytrail.report.analyses import ANALYSES
from moneytrail.report.common import REPORT_SCHEMA_PATH, ReportSchemaError


def load_schema() -> dict[str, Any]:
    """report.schema.json with the registered analyses as the required and only keys of `analyses`."""
    schema: dict[str, Any] = json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    names = [a.name for a in ANALYSES]
    block = schema["properties"]["analyses"]
    block["required"] = names
    block["properties"] = {name: {"$ref": "#/$defs/analysis"} for name in names}
    block["additionalProperties"] = False
    return schema


def validate_report(report: Mapping[str, Any]) -> None:
    """Raise ReportSchemaError naming every place report.json breaks its schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema())
    problems = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in problems[:20]]
        raise ReportSchemaError("report.json does not match moneytrail/report.schema.json:\n" + "\n".join(lines))
