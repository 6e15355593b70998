"""The one registry of user-facing marts, read from dbt ``meta`` in the models' YAML.

A model joins the exports and the report by a ``meta.moneytrail`` block in its YAML entry
(``models/<folder>/*.yml``), and nowhere else::

    - name: bundles
      config:
        meta:
          moneytrail:
            id_column: bundle_id            # the stable id of one row (optional for exports)
            export: {rank: 20}              # exported as bundles.csv; rank orders the exports
            report:                         # a section of report.json/.md and an HTML page
              rank: 30                      # order of the sections
              title: Bundled donations
              evidence: measured            # measured | modelled | mixed
              order_by: total_amount desc, n_donors desc, bundle_id   # SQL, ends with the id
              ordering: largest total first, then most donors, then bundle_id

``export`` also takes ``order_by`` (leading sort columns; default ``[id_column]``) and
``jsonl: true``; ``report`` also takes ``short_title`` and ``noun`` (the HTML navigation and
finding pages), ``finding_pages: false`` and ``attach`` (columns of another registered mart
of the same schema quoted beside each finding the report and HTML pages show, joined on one
column: ``attach: {mart: timing_awards, key: vendor_entity_id, columns: [award_dates]}``; the
evidence a mart keeps once per vendor rather than in every row). The dbt schema is the ``+schema`` that
dbt_project.yml sets on the model's top-level folder under ``models/`` (``data_quality`` ->
``staging``), else the folder's name.

The YAML files are read directly (not dbt's manifest.json) so that the report step can name
every mart even when the build stopped before dbt wrote a manifest; dbt parses the same
blocks into the manifest's ``config.meta``. Exports (moneytrail/exports.py), the report
(moneytrail/report/), the HTML pages and the tests all read this registry; drift tests check
the exposures (models/marts/_exposures.yml) and report.schema.json against it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

META_KEY = "moneytrail"
EVIDENCE_KINDS = ("measured", "modelled", "mixed")
_TOP_KEYS = {"id_column", "export", "report"}
_EXPORT_KEYS = {"rank", "order_by", "jsonl"}
_REPORT_KEYS = {"rank", "title", "short_title", "noun", "evidence", "order_by", "ordering", "finding_pages", "attach"}
_ATTACH_KEYS = {"mart", "key", "columns"}
_REPORT_REQUIRED = ("rank", "title", "evidence", "order_by", "ordering")


class RegistryError(ValueError):
    """A meta.moneytrail block in the models' YAML is malformed."""


@dataclass(frozen=True)
class ExportEntry:
    rank: int
    order_by: tuple[str, ...]
    jsonl: bool


@dataclass(frozen=True)
class Attach:
    """Columns of another mart quoted beside each shown finding, joined on one column."""

    mart: str
    key: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class ReportEntry:
    rank: int
    title: str
    evidence: str
    order_by: str
    ordering: str
    short_title: str | None
    noun: str | None
    finding_pages: bool
    attach: Attach | None = None


class ModelRef:
    """A dbt model of this project by name and schema: its node id and its relation in the warehouse
    (shared by Mart, exports.ExportSpec and report.Analysis)."""

    name: str
    schema: str

    @property
    def model_id(self) -> str:
        return f"model.moneytrail.{self.name}"

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Mart(ModelRef):
    name: str  # dbt model name
    schema: str  # dbt schema (the model's folder under models/)
    yml: str  # the YAML file declaring it, relative to the project
    id_column: str | None
    export: ExportEntry | None
    report: ReportEntry | None


@dataclass(frozen=True)
class Registry:
    marts: tuple[Mart, ...]  # sorted by name

    def exported(self) -> tuple[Mart, ...]:
        """Marts with an export, in export rank order."""
        return tuple(sorted((m for m in self.marts if m.export), key=lambda m: (_rank(m.export), m.name)))

    def reported(self) -> tuple[Mart, ...]:
        """Marts with a report section, in section order."""
        return tuple(sorted((m for m in self.marts if m.report), key=lambda m: (_rank(m.report), m.name)))

    def get(self, name: str) -> Mart:
        for m in self.marts:
            if m.name == name:
                return m
        raise KeyError(name)


def _rank(entry: ExportEntry | ReportEntry | None) -> int:
    return entry.rank if entry is not None else 0


def default_project_dir() -> Path:
    from moneytrail.dbt_runner import PROJECT_DIR

    return PROJECT_DIR


def load(project_dir: Path | None = None) -> Registry:
    """The registry of the dbt project at project_dir (default: moneytrail's own project)."""
    return _load(Path(project_dir or default_project_dir()).resolve())


@functools.lru_cache(maxsize=8)
def _load(project_dir: Path) -> Registry:
    models = project_dir / "models"
    schemas = _folder_schemas(project_dir)
    marts: dict[str, Mart] = {}
    for path in sorted(models.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for node in doc.get("models") or []:
            meta = ((node.get("config") or {}).get("meta") or {}).get(META_KEY)
            if meta is None:
                continue
            rel = path.relative_to(project_dir).as_posix()
            folder = path.relative_to(models).parts[0]
            mart = _mart(str(node.get("name")), schemas.get(folder, folder), rel, meta)
            if mart.name in marts:
                raise RegistryError(f"{rel}: model {mart.name} is registered twice (also in {marts[mart.name].yml})")
            marts[mart.name] = mart
    registry = Registry(tuple(marts[n] for n in sorted(marts)))
    _check_ranks(registry)
    _check_attached(registry)
    return registry


def _folder_schemas(project_dir: Path) -> dict[str, str]:
    """The `+schema` each top-level model folder sets in dbt_project.yml (data_quality -> staging)."""
    doc = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    name = doc.get("name")
    folders = ((doc.get("models") or {}).get(name) or {}) if isinstance(name, str) else {}
    return {
        folder: str(cfg["+schema"])
        for folder, cfg in folders.items()
        if isinstance(cfg, Mapping) and isinstance(cfg.get("+schema"), str)
    }


def _mart(name: str, schema: str, yml: str, meta: Any) -> Mart:
    where = f"{yml}: model {name}: meta.{META_KEY}"
    block = _mapping(meta, where, _TOP_KEYS)
    id_column = block.get("id_column")
    if id_column is not None and not isinstance(id_column, str):
        raise RegistryError(f"{where}.id_column: expected a column name, got {id_column!r}")
    export = None
    if "export" in block:
        e = _mapping(block["export"], f"{where}.export", _EXPORT_KEYS)
        order_by = e.get("order_by", [id_column] if id_column else None)
        if not isinstance(order_by, list) or not order_by or not all(isinstance(c, str) for c in order_by):
            raise RegistryError(f"{where}.export.order_by: expected a list of columns (or an id_column)")
        export = ExportEntry(_int(e.get("rank"), f"{where}.export.rank"), tuple(order_by), bool(e.get("jsonl", False)))
    report = None
    if "report" in block:
        r = _mapping(block["report"], f"{where}.report", _REPORT_KEYS)
        missing = [k for k in _REPORT_REQUIRED if k not in r]
        if missing or id_column is None:
            raise RegistryError(f"{where}.report: missing {', '.join(missing or ['id_column (one level up)'])}")
        if r["evidence"] not in EVIDENCE_KINDS:
            raise RegistryError(f"{where}.report.evidence: expected one of {', '.join(EVIDENCE_KINDS)}")
        report = ReportEntry(
            _int(r["rank"], f"{where}.report.rank"),
            str(r["title"]),
            str(r["evidence"]),
            str(r["order_by"]),
            str(r["ordering"]),
            r.get("short_title"),
            r.get("noun"),
            bool(r.get("finding_pages", True)),
            _attach(r["attach"], f"{where}.report.attach") if "attach" in r else None,
        )
    return Mart(name, schema, yml, id_column, export, report)


def _attach(value: Any, where: str) -> Attach:
    a = _mapping(value, where, _ATTACH_KEYS)
    mart, key, columns = a.get("mart"), a.get("key"), a.get("columns")
    if not isinstance(mart, str) or not isinstance(key, str):
        raise RegistryError(f"{where}: expected mart and key, each a name")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise RegistryError(f"{where}.columns: expected a list of columns")
    return Attach(mart, key, tuple(columns))


def _mapping(value: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RegistryError(f"{where}: expected a mapping")
    unknown = sorted(map(str, set(value) - allowed))
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return value


def _int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RegistryError(f"{where}: expected an integer, got {value!r}")
    return value


def _check_attached(registry: Registry) -> None:
    """An attached mart is registered, in the same schema, and attaches nothing itself."""
    names = {m.name: m for m in registry.marts}
    for m in registry.marts:
        attach = m.report.attach if m.report else None
        if attach is None:
            continue
        other = names.get(attach.mart)
        where = f"{m.yml}: model {m.name}: meta.{META_KEY}.report.attach"
        if other is None:
            raise RegistryError(f"{where}: mart {attach.mart} is not registered (give it a meta.{META_KEY} block)")
        if other.schema != m.schema:
            raise RegistryError(f"{where}: mart {attach.mart} is in schema {other.schema}, not {m.schema}")
        if other.report is not None and other.report.attach is not None:
            raise RegistryError(f"{where}: mart {attach.mart} attaches {other.report.attach.mart} itself; attach that")


def _check_ranks(registry: Registry) -> None:
    for kind in ("export", "report"):
        seen: dict[int, str] = {}
        for m in registry.marts:
            entry = getattr(m, kind)
            if entry is None:
                continue
            if entry.rank in seen:
                raise RegistryError(f"{kind} rank {entry.rank} is used by both {seen[entry.rank]} and {m.name}")
            seen[entry.rank] = m.name
