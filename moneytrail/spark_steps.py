"""The project's Python steps as SQL functions on a Spark session.

dbt-spark runs Python models only on Databricks. On the `spark` target the Python models
(models/intermediate/*.py) are disabled and their Spark variants (models/spark/*.sql) call a
function registered here: ``mt_step_<model>(config_json, named_struct(<ref> => array of rows,
...))`` returns the model's rows as an array of structs, which the SQL model explodes with
``inline``.

One definition of the logic: the function runs the Python model file itself
(``model(dbt, session)``), with a stand-in ``dbt`` object whose ``ref()`` hands the rows over as
in-memory DuckDB relations (the models use DuckDB's relational API to filter and project) and
whose ``config.get()`` answers from the config the SQL variant passes. The logic stays in
python_udfs/ and in the model file, for both engines.

The matcher and the timing test are distributed: word frequencies, blocking and candidate
pairs are SQL and ``mt_match_bucket`` scores one bucket of right names per call
(models/spark/int_name_matches.sql, python_udfs/matcher_parallel.py); ``mt_timing_bucket``
tests one bucket of vendors per call, with the calendar and q-values of the whole file
computed in SQL (models/spark/int_timing_tests.sql, python_udfs/timing_parallel.py);
``mt_entity_bucket`` clusters one bucket of connected components per call, the components found
by label propagation in SQL (models/spark/int_entity_components.sql). Only the steps that read
the decisions and aliases files (seeds and user files, not the data) still receive all their
input rows in one call (one Spark task); see README "Running on Apache Spark".

The column types of each step's inputs and output are declared below (Spark DDL); a test checks
them against the DuckDB build, so a model that changes its columns fails there first.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moneytrail.dbt_runner import PROJECT_DIR

MODEL_DIR = PROJECT_DIR / "models" / "intermediate"

_DECISIONS = (
    "decision_id string, origin string, relation string, left_name string, right_name string, "
    "left_name_norm string, right_name_norm string, decision string, note string, reviewer string, "
    "decided_on string, source string"
)
_ALIASES = (
    "alias_id string, origin string, name string, alias_of string, name_norm string, alias_of_norm string, "
    "relation_kind string, link_scope string, note string, source string"
)
_MATCHES = (
    "left_name string, right_name string, tier string, tier_rank tinyint, match_type string, score double, "
    "token_sort_score double, coverage_left double, coverage_right double, overlap double, shared_tokens string, "
    "max_idf double, mean_idf double, number_mismatch boolean, type_conflict boolean, link_scope string, "
    "matcher_tier string, review_decision string, decision_id string, alias_id string, knowledge_note string, "
    "relation string"
)

#: Spark DDL of every relation a step reads (by the name the model passes to dbt.ref).
INPUTS: dict[str, str] = {
    "int_org_names": (
        "side string, role string, field string, name_norm string, n_rows bigint, n_spellings bigint, "
        "sample_spellings array<string>"
    ),
    "int_er_decisions": _DECISIONS,
    "int_er_aliases": _ALIASES,
    "int_name_matches": _MATCHES,
    "er_link_decisions": (
        "left_name string, right_name string, decision string, relation string, note string, reviewer string, "
        "decided_on string, source string"
    ),
    "er_aliases": (
        "name string, alias_of string, relation_kind string, note string, source string, reviewer string, "
        "decided_on string"
    ),
    "int_timing_donations": (
        "vendor_key string, recipient_key string, donation_date date, row_ref string, edge_id string, "
        "date_precision string, date_source string, date_column string"
    ),
    "int_timing_awards": (
        "vendor_key string, award_date date, row_ref string, date_precision string, date_source string, "
        "date_column string"
    ),
}

#: Each step: the relations it reads, the config keys it reads, the Spark DDL of its rows.
STEPS: dict[str, dict[str, Any]] = {
    "int_er_decisions": {"refs": ["er_link_decisions"], "config": ["decisions_file"], "returns": _DECISIONS},
    # the aliases the contract data states are SQL on Spark (models/spark/int_er_aliases.sql)
    "int_er_aliases": {
        "refs": ["er_aliases"],
        "config": ["aliases_file", "data_aliases_in_sql"],
        "returns": _ALIASES,
    },
}


def parse_ddl(ddl: str) -> list[tuple[str, str]]:
    """``name type, ...`` -> [(name, type)]; types may hold commas inside <> or ()."""
    out, depth, current = [], 0, ""
    for ch in ddl + ",":
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        if ch == "," and depth == 0:
            name, _, typ = current.strip().partition(" ")
            out.append((name, typ.strip()))
            current = ""
        else:
            current += ch
    return out


def _arrow_type(spark_type: str) -> Any:
    import pyarrow as pa

    simple = {
        "string": pa.string(),
        "bigint": pa.int64(),
        "int": pa.int32(),
        "tinyint": pa.int8(),
        "double": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }
    if spark_type in simple:
        return simple[spark_type]
    if spark_type.startswith("array<") and spark_type.endswith(">"):
        return pa.list_(_arrow_type(spark_type[6:-1]))
    raise ValueError(f"spark_steps: no Arrow type for Spark type {spark_type!r}")


def arrow_schema(ddl: str) -> Any:
    import pyarrow as pa

    return pa.schema([(name, _arrow_type(typ)) for name, typ in parse_ddl(ddl)])


def _load_model(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"moneytrail_step_{name}", MODEL_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Config:
    """``dbt.config``: a no-op when called, ``get`` answers from the SQL variant's config."""

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __call__(self, **_: Any) -> None:
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)


class _Dbt:
    #: the model runs as a Spark variant's step (int_er_aliases reads data_aliases_in_sql only then)
    spark_step = True

    def __init__(self, con: Any, tables: dict[str, Any], config: dict[str, Any]):
        self._con, self._tables, self.config = con, tables, _Config(config)

    def ref(self, name: str) -> Any:
        if name not in self._tables:
            raise KeyError(f"spark_steps: the step reads ref('{name}'), which its Spark variant does not pass")
        return self._con.from_arrow(self._tables[name])


#: Seeds whose row numbers are evidence (origin ``seed:<name>:<row>``, the row of the CSV). A Spark
#: table's rows come in no set order (a cluster reads a seed's files in parallel, largest first),
#: so the step puts them back in the order of the seed file (seed_order).
ORDERED_SEEDS = ("er_aliases", "er_link_decisions")


def seed_order(name: str, rows: list[dict[str, Any]], seeds_dir: Path | None = None) -> list[dict[str, Any]]:
    """``rows`` of the seed table ``name`` in the order of ``seeds/<name>.csv``; an error naming the
    seed when the table's rows are not exactly the file's. A cell is NULL as dbt loads it (agate's
    text type): empty, blank or ``null`` in any case; a byte-order mark is skipped."""
    import csv

    def cell(value: str | None) -> str | None:
        return None if value is None or value.strip().lower() in ("", "null") else value

    columns = [col for col, _ in parse_ddl(INPUTS[name])]
    path = (seeds_dir or PROJECT_DIR / "seeds") / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        keys = [tuple(cell(row.get(c)) for c in columns) for row in csv.DictReader(f)]
    place: dict[tuple[Any, ...], list[int]] = {}
    for i, key in reversed(list(enumerate(keys))):
        place.setdefault(key, []).append(i)
    ordered: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        free = place.get(tuple(row.get(c) for c in columns))
        if not free:
            raise ValueError(f"spark_steps: the seed table {name} has a row that {path} has not: {row}")
        ordered.append((free.pop(), row))
    if len(ordered) != len(keys):
        raise ValueError(f"spark_steps: the seed table {name} has {len(ordered)} rows, {path} {len(keys)}")
    return [row for _, row in sorted(ordered, key=lambda pair: pair[0])]


def run_step(name: str, config: dict[str, Any], inputs: dict[str, list[dict[str, Any]]]) -> list[tuple[Any, ...]]:
    """Run one Python model on in-memory rows; its rows as tuples in the declared column order."""
    import duckdb
    import pyarrow as pa

    step = STEPS[name]
    inputs = {ref: seed_order(ref, rows) if ref in ORDERED_SEEDS else rows for ref, rows in inputs.items()}
    tables = {ref: pa.Table.from_pylist(inputs[ref], schema=arrow_schema(INPUTS[ref])) for ref in step["refs"]}
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        result = _load_model(name).model(_Dbt(con, tables, config), None)
        if not isinstance(result, pa.Table):
            result = result.fetch_arrow_table()
    finally:
        con.close()
    return _rows(name, result, step["returns"])


def _rows(name: str, table: Any, ddl: str) -> list[tuple[Any, ...]]:
    """A step's Arrow table as the rows its session function returns: tuples of the columns of
    ``ddl``, in that order; a missing column is an error naming the step."""
    columns = [col for col, _ in parse_ddl(ddl)]
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValueError(f"spark_steps: {name} returned no column(s) {', '.join(missing)}")
    return list(zip(*(table.column(c).to_pylist() for c in columns), strict=True)) if table.num_rows else []


def _udf(name: str) -> Callable[[str, Any], list[tuple[Any, ...]]]:
    def call(config_json: str, refs: Any) -> list[tuple[Any, ...]]:
        config = json.loads(config_json)
        inputs = {ref: [row.asDict(recursive=True) for row in (refs[ref] or [])] for ref in STEPS[name]["refs"]}
        return run_step(name, config, inputs)

    return call


#: Models that exist on Spark only: the distributed matcher's whole-data steps (before
#: int_name_matches) and the timing test's per-bucket tests (before int_timing_tests);
#: DuckDB does each in one process.
SPARK_ONLY_MODELS = (
    "int_entity_components",
    "int_match_knowledge",
    "int_match_pairs",
    "int_match_tokens",
    "int_timing_bucket_tests",
)

#: Spark DDL of the rows mt_timing_bucket returns: int_timing_tests' columns.
TIMING_RETURNS = (
    "vendor_key string, recipient_key string, status string, status_reason string, n_donations bigint, "
    "n_awards bigint, n_award_rows bigint, observed_mean_days double, null_mean_days double, "
    "null_sd_days double, effect_size double, k_as_extreme bigint, n_tied bigint, n_permutations bigint, "
    "p_value double, q_value double, seed bigint, calendar string, first_award_date date, "
    "last_award_date date, null_model string, timing_settings string, finding_id string"
)

#: Spark DDL of the rows mt_entity_bucket returns: int_entity_map's columns.
ENTITY_RETURNS = "normalized_name string, entity_id string, canonical_name string, cluster_size bigint"

#: Spark DDL of the rows mt_match_bucket returns: int_name_matches' columns.
MATCH_RETURNS = _MATCHES


def _match_bucket(
    settings: str | None,
    relation: str,
    n_names: int | None,
    pairs: Any,
    tokens: Any,
    left_known: Any,
    right_known: Any,
    decisions: Any,
    aliases: Any,
) -> list[tuple[Any, ...]]:
    from python_udfs.er_decisions import Alias, Decision
    from python_udfs.matcher_parallel import bucket_links

    table = bucket_links(
        settings,
        relation,
        n_names or 0,
        [(p["left_name"], p["right_name"], p["kind"]) for p in pairs or []],
        {t["token"]: t["df"] for t in tokens or []},
        list(left_known or []),
        list(right_known or []),
        [Decision(*d) for d in decisions or []],
        [Alias(**a.asDict()) for a in aliases or []],
    )
    return _rows("int_name_matches", table, MATCH_RETURNS)


def _entity_bucket(counts: Any, matches: Any, decisions: Any) -> list[tuple[Any, ...]]:
    import pyarrow as pa

    from python_udfs.entities import entity_map

    links = pa.Table.from_pylist(
        [m.asDict() for m in matches or []],
        schema=pa.schema([("left_name", pa.string()), ("right_name", pa.string()), ("tier", pa.string())]),
    )
    table = entity_map({c["name"]: c["n_rows"] for c in counts or []}, links, [tuple(d) for d in decisions or []])
    return _rows("int_entity_map", table, ENTITY_RETURNS)


def _timing_days(awards: Any) -> list[tuple[int, int, int]]:
    from python_udfs.timing_parallel import day_counts

    return day_counts(_table("int_timing_awards", awards))


def _timing_bucket(
    settings: str,
    seed: str,
    donations: Any,
    awards: Any,
    days: Any,
    award_columns: Any,
    donation_columns: Any,
    n_award_rows: int,
) -> list[tuple[Any, ...]]:
    from python_udfs.timing_parallel import bucket_tests

    table = bucket_tests(
        settings,
        seed,
        _table("int_timing_donations", donations),
        _table("int_timing_awards", awards),
        [(d["day"], d["awarded"], d["change"]) for d in days or []],
        list(award_columns or []),
        list(donation_columns or []),
        n_award_rows,
    )
    return _rows("int_timing_bucket_tests", table, TIMING_RETURNS)


def _table(ref: str, rows: Any) -> Any:
    """Spark rows of an input relation as an Arrow table of its declared columns."""
    import pyarrow as pa

    return pa.Table.from_pylist([row.asDict() for row in rows or []], schema=arrow_schema(INPUTS[ref]))


def _register_distributed(session: Any) -> list[str]:
    """The distributed steps' functions: the matcher's (models/spark/int_match_*.sql,
    int_name_matches.sql), the entity map's and the timing test's."""
    from python_udfs import matcher_parallel as mp
    from python_udfs.er_decisions import alias_key

    functions: dict[str, tuple[Callable[..., Any], str]] = {
        "mt_match_clean": (mp.clean_name, "string"),
        "mt_match_word": (mp.word_facts, "struct<kind: int, prefix: string>"),
        "mt_match_acronym": (mp.acronym_facts, "struct<initials: string, is_short: boolean>"),
        "mt_match_limits": (
            mp.limits,
            "struct<block_max_df: bigint, block_max_pairs: bigint, acronym_max_word_df: bigint>",
        ),
        "mt_alias_key": (lambda name: None if name is None else alias_key(name), "string"),
        "mt_data_alias_fields": (
            _data_alias_fields,
            "array<struct<field: string, relation_kind: string, link_scope: string, note: string>>",
        ),
        "mt_match_bucket": (_match_bucket, f"array<struct<{_struct_fields(MATCH_RETURNS)}>>"),
        "mt_entity_bucket": (_entity_bucket, f"array<struct<{_struct_fields(ENTITY_RETURNS)}>>"),
        "mt_timing_days": (_timing_days, "array<struct<day: bigint, awarded: bigint, change: bigint>>"),
        "mt_timing_bucket": (_timing_bucket, f"array<struct<{_struct_fields(TIMING_RETURNS)}>>"),
    }
    for name, (fn, returns) in functions.items():
        session.udf.register(name, fn, returnType=returns)
    return list(functions)


def _data_alias_fields() -> list[tuple[str, str, str, str]]:
    """The fields whose names the contract data states as aliases (er_decisions.DATA_ALIAS_FIELDS):
    (field, relation kind, link scope, note), for models/spark/int_er_aliases.sql."""
    from python_udfs.er_decisions import ALIAS_KINDS, DATA_ALIAS_FIELDS

    return [(field, kind, ALIAS_KINDS[kind], note) for field, (kind, _, note) in sorted(DATA_ALIAS_FIELDS.items())]


def _strip_accents(text: str | None) -> str | None:
    from python_udfs.names import strip_accents

    return None if text is None else strip_accents(text)


def register(session: Any) -> list[str]:
    """Register mt_strip_accents, the distributed steps' functions and mt_step_<model> for
    every other step; returns the function names."""
    session.udf.register("mt_strip_accents", _strip_accents, returnType="string")
    names = ["mt_strip_accents", *_register_distributed(session)]
    for name, step in STEPS.items():
        fn = f"mt_step_{name}"
        session.udf.register(fn, _udf(name), returnType=f"array<struct<{_struct_fields(step['returns'])}>>")
        names.append(fn)
    return names


def _struct_fields(ddl: str) -> str:
    return ", ".join(f"{name}: {typ}" for name, typ in parse_ddl(ddl))


def model_files() -> list[Path]:
    return [MODEL_DIR / f"{name}.py" for name in STEPS]
