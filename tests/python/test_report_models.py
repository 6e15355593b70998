"""The report's numbers come from dbt (models/report/, schema report): moneytrail/report/ only
reads small, already aggregated relations and a mart's finding rows, and writes sentences.
These checks run on the files (no dbt run); the demo build runs the models and their tests."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from moneytrail import registry
from moneytrail.report import analyses as analyses_mod

ROOT = Path(__file__).resolve().parents[2]
REPORT_PACKAGE = ROOT / "moneytrail" / "report"
# the HTML report formats too: it reads report.json and the report models, and counts nothing itself
REPORT_PACKAGES = (REPORT_PACKAGE, ROOT / "moneytrail" / "html")
REPORT_MODELS = ROOT / "models" / "report"

# SQL that aggregates, groups, ranks or reshapes: it belongs in a dbt model of models/report/
AGGREGATE_SQL = re.compile(
    r"""
      \b(?:count|sum|avg|min|max|any_value|bool_or|bool_and|string_agg|list|array_agg|median|quantile\w*)\s*\(
    | \bgroup\s+by\b
    | \bhaving\b
    | \bqualify\b
    | \bover\s*\(
    | \bunnest\s*\(
    | \bfilter\s*\(\s*where\b
    | \bdistinct\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module (f-strings' text included), with its line."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
    return out


def aggregate_sql_in(path: Path) -> list[str]:
    """Lines of a module whose string literals look like SQL that aggregates (docstrings and
    sentences do not: the pattern needs SQL's shape, e.g. `count(`, `group by`)."""
    found = []
    for line, text in _string_literals(path):
        if re.search(r"\b(select|from|where|order by)\b", text, re.IGNORECASE) or text.strip().endswith("("):
            match = AGGREGATE_SQL.search(text)
            if match:
                found.append(f"{path.name}:{line}: {match.group(0)!r} in {text.strip()[:80]!r}")
    return found


def test_the_report_package_runs_no_aggregate_sql():
    modules = [path for package in REPORT_PACKAGES for path in sorted(package.glob("*.py"))]
    modules.append(ROOT / "moneytrail" / "exports.py")  # cross_link_summary.json states the report models' counts
    found = [f for path in modules for f in aggregate_sql_in(path)]
    assert found == [], "aggregate in dbt (models/report/), read the result in Python"


def test_the_rule_catches_what_counts_py_used_to_run(tmp_path):
    """The check above would have failed on the report before its numbers moved into dbt."""
    old = tmp_path / "counts.py"
    old.write_text(
        "def counts(con):\n"
        '    a = con.execute("select count(*) from marts.cross_links where tier_rank <= 3")\n'
        "    b = con.execute(f\"select coalesce(cast({expr} as varchar), '(null)') as k, count(*) from {rel} "
        'group by k order by k")\n'
        '    c = con.execute("select rule, n from (select unnest(rules_fired) as rule from marts.red_flags)")\n'
        '    d = con.execute("select role from staging.stg_rejects '
        'qualify row_number() over (partition by role) <= 5")\n'
        '    e = con.execute("select count(distinct file_num) from intermediate.int_contributions")\n'
        "    return a, b, c, d, e\n",
        encoding="utf-8",
    )
    lines = {int(f.split(":")[1]) for f in aggregate_sql_in(old)}
    assert lines == {2, 3, 4, 5, 6}  # every query, each a statement of the report before the move


def test_the_report_reads_report_models_that_exist():
    models = {p.stem for p in REPORT_MODELS.glob("*.sql")}
    read = set()
    for path in [p for package in REPORT_PACKAGES for p in package.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"""\b(rpt_\w+)["' ]""", text))
    # the sections' own models, named from the mart: rpt_<mart> and the extras' (rpt_<mart>_groups, ...)
    read |= {m for a in analyses_mod.ANALYSES for m in a.report_models}
    assert read, "the report reads no report model"
    assert read - models == set()
    # every report model is read by the report (a model nothing reads is dead weight)
    assert models - read == set()
    for a in analyses_mod.ANALYSES:
        assert set(a.report_models) <= models, a.name


def _yaml_columns() -> dict[str, list[str]]:
    columns = {}
    for path in (ROOT / "models").rglob("*.yml"):
        for node in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            columns[node["name"]] = [c["name"] for c in node.get("columns") or []]
    return columns


def test_every_report_section_has_its_report_models():
    """Every mart with a report section has rpt_<mart> (one row with section_rows: the section's
    count) and, when the mart has an evidence_kind column, rpt_<mart>_groups with the counts by
    evidence kind; the report reads both for every section."""
    columns = _yaml_columns()
    for m in registry.load().reported():
        assert "section_rows" in columns.get(f"rpt_{m.name}", []), f"models/report/rpt_{m.name}.sql"
        (a,) = [a for a in analyses_mod.ANALYSES if a.name == m.name]
        assert a.report_models[0] == f"rpt_{m.name}"
        if "evidence_kind" in columns[m.name]:
            assert f"rpt_{m.name}_groups" in a.report_models, m.name
            sql = (REPORT_MODELS / f"rpt_{m.name}_groups.sql").read_text(encoding="utf-8")
            assert "'evidence_kind'" in sql, m.name


def test_report_models_read_only_their_own_analysis():
    """A report model of one analysis reads no mart of another section (a failed or skipped mart
    must leave the other sections their numbers)."""
    reported = {m.name for m in registry.load().reported()}
    for path in REPORT_MODELS.glob("rpt_*.sql"):
        refs = set(re.findall(r"""\bref\(\s*['"](\w+)['"]\s*\)""", path.read_text(encoding="utf-8")))
        owner = next((m for m in sorted(reported, key=len, reverse=True) if path.stem.startswith(f"rpt_{m}")), None)
        others = (refs & reported) - {owner}
        assert others == set(), f"{path.name} reads {sorted(others)}"


def test_report_models_are_not_user_facing_marts():
    """No meta.moneytrail block (the registry: exports and report sections) in models/report/, and
    their schema is report."""
    reg = registry.load()
    assert not [m for m in reg.marts if m.yml.startswith("models/report/")]
    assert registry._folder_schemas(ROOT)["report"] == "report"


def test_a_section_whose_report_models_did_not_build_is_missing_alone():
    """Only the section whose report model failed or was skipped loses its numbers (and says why)."""
    from moneytrail.report import write

    reason = "model.moneytrail.rpt_timing_signals_groups did not build in this run (status skipped)"

    def not_built(model_id: str) -> str | None:
        return reason if model_id == "model.moneytrail.rpt_timing_signals_groups" else None

    assert write._report_missing({}, not_built) == {"timing_signals": reason}
    # a missing mart keeps its own reason, which comes first
    assert write._report_missing({"bundles": "gone"}, not_built) == {"bundles": "gone", "timing_signals": reason}
