"""Stand-ins for the project's macros when sqlfluff lints models with its jinja templater
(.sqlfluff: library_path). They return plain SQL of the right shape (an expression, a select,
a settings mapping) so sqlfluff lints each model's own SQL without running dbt. What the
macros really produce is tested by dbt's unit and data tests, not here.

Settings take the values that render the most SQL: FEC rules on, every optional role
configured, timing on.
"""

from __future__ import annotations

from typing import Any


def _quoted(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def accepted_rows(role: str, columns: list[str]) -> str:
    return (
        "select\n    row_ref,\n    dataset_version_id,\n    row_index,\n    "
        + ",\n    ".join(columns)
        + (f"\nfrom base_{role}\nwhere passes_when and reject_reason is null")
    )


def active_roles() -> list[str]:
    return ["contributions", "contracts"]


def best_vendor_for_employer() -> str:
    return "select employer_norm, vendor_entity_id, vendor_name_norm, link_id, confidence_tier from int_name_links"


def bundle_settings() -> dict[str, Any]:
    return {
        "min_donors": 3,
        "exclude_memo": True,
        "recipient_kinds": ["candidate"],
        "unclassified_recipients": "include",
        "payroll_memo_patterns": ["P/R DEDUCTION"],
    }


def config_error(message: str) -> str:
    return ""


def donor_identity_expr() -> str:
    return "coalesce(donor_name_norm, '')"


def is_employer_non_answer(expr: str) -> str:
    return f"{expr} in ('RETIRED', 'NONE')"


def is_own_employer_pac(c: str, r: str) -> str:
    return f"{r}.connected_org_norm = {c}.employer_norm"


def own_employer_pac_basis(c: str, r: str) -> str:
    return f"case when {r}.connected_org_norm = {c}.employer_norm then 'connected_organisation' end"


def pac_name_sponsor(name: str) -> str:
    return f"upper({name})"


def limit_settings() -> dict[str, Any]:
    return {
        "limit": 1000,
        "period": "calendar_year",
        "exclude_memo": True,
        "refunds": "exclude",
        "exclude_transaction_types": ["22Y"],
    }


def link_tiers() -> list[str]:
    return ["high", "medium", "probable", "low"]


def memo_says_payroll(c: str, patterns: list[str]) -> str:
    return f"contains(upper({c}.memo_text), 'P/R DEDUCTION')"


def min_link_tier_rank() -> int:
    return 3


def mt_literal(value: Any) -> str:
    return _quoted(value)


def normalize_org_name(expr: str) -> str:
    return f"upper({expr})"


def normalize_person_name(expr: str) -> str:
    return f"upper({expr})"


def pac_recipient_kinds() -> list[str]:
    return ["pac_connected", "pac_nonconnected"]


def person_name_key(expr: str) -> str:
    return f"upper({expr})"


def report_key(expr: str) -> str:
    return f"coalesce(cast({expr} as varchar), '(null)')"


def report_groups(parts: list[dict[str, Any]]) -> str:
    return "select dimension, group_key, count(*) as n from grouped group by dimension, group_key"


def raw_row_ref(alias: str, table_name: str) -> str:
    return f"{alias}.row_ref"


def red_flag_settings() -> dict[str, Any]:
    return {
        "min_independent_rules": 1,
        "procurement_methods": ["SOLE SOURCE"],
        "timing_max_p": 0.05,
        "timing_max_q": 0.10,
        "timing_min_effect": 1.0,
        "breadth_min_recipients": 3,
    }


def reject_tolerance(role: str) -> str:
    return "0"


def role_column(role: str, field: str) -> str:
    return field


def role_config(role: str) -> dict[str, Any]:
    return {"organisation_types": ["ORG"], "columns": {"donation_date": {"column": "d", "format": "%m/%d/%Y"}}}


def role_is_configured(role: str) -> bool:
    return True


def source_rules() -> str:
    return "fec"


def sql_string(value: Any) -> str:
    return _quoted(value)


def stable_id(prefix: str, exprs: list[str]) -> str:
    return f"left(sha256(concat_ws(':', {_quoted(prefix)}, " + ", ".join(exprs) + ")), 16)"


def stage_role(role: str) -> str:
    return "select row_ref, dataset_version_id, row_index from raw_table"


def tier_rank_expr(expr: str) -> str:
    return f"case {expr} when 'high' then 1 when 'medium' then 2 when 'probable' then 3 when 'low' then 4 end"


def timing_enabled() -> bool:
    return True


def zip5(expr: str) -> str:
    return f"left({expr}, 5)"


# ---- engine macros (macros/engine.sql): the DuckDB renderings ----


def mt_text() -> str:
    return "varchar"


def mt_regexp_matches(expr: str, pattern: str) -> str:
    return f"regexp_matches({expr}, {_quoted(pattern)})"


def tojson(value: Any, *args: Any, **kwargs: Any) -> str:
    import json

    return json.dumps(value)


def mt_regexp_full_match(expr: str, pattern: str) -> str:
    return f"regexp_full_match({expr}, {_quoted(pattern)})"


def mt_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mt_match_bucket_of(relation: str, right_name: str) -> str:
    return f"pmod(xxhash64({relation}, {right_name}), 32)"


def mt_timing_bucket_of(vendor_key: str) -> str:
    return f"pmod(xxhash64({vendor_key}), 32)"


def mt_entity_bucket_of(component: str) -> str:
    return f"pmod(xxhash64({component}), 32)"


def mt_spark_components(edges_sql: str, scratch: str, max_rounds: int = 64) -> str:
    return f"{scratch}.round_1"


def mt_match_side_names() -> str:
    return (
        "relations as (\n    select 'vendor_employer' as relation, 'employer' as right_side\n),\n\n"
        "side_names as (\n    select distinct r.relation, o.name_norm as raw_name, o.side = 'vendor' as is_left\n"
        "    from relations as r\n    inner join int_org_names as o on o.side = r.right_side\n),\n"
    )


def mt_regexp_replace_all(expr: str, pattern: str, replacement: str) -> str:
    return f"regexp_replace({expr}, {_quoted(pattern)}, {_quoted(replacement)}, 'g')"


def mt_try_date(expr: str, fmt: str) -> str:
    return f"cast(try_strptime({expr}, {_quoted(fmt)}) as date)"


def mt_list_agg(
    expr: str,
    order_by: list[str] | None = None,
    distinct: bool = False,
    filter: str | None = None,  # noqa: A002 - the macro's own argument name
    limit: int | None = None,
) -> str:
    out = f"list({'distinct ' if distinct else ''}{expr} order by {', '.join(order_by or [expr])})"
    out += f" filter (where {filter})" if filter else ""
    return out + (f"[1:{limit}]" if limit else "")


def mt_string_agg(expr: str, sep: str, order_by: list[str], filter: str | None = None) -> str:  # noqa: A002
    out = f"string_agg({expr}, {_quoted(sep)} order by {', '.join(order_by)})"
    return out + (f" filter (where {filter})" if filter else "")


def mt_first(expr: str, order_by: list[str]) -> str:
    return f"first({expr} order by {', '.join(order_by)})"


def mt_first_n(expr: str, order_by: list[str], n: int) -> str:
    return f"min_by({expr}, ({', '.join(order_by)}), {n})"


def mt_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def mt_empty_text_list() -> str:
    return "cast([] as varchar[])"


def mt_list_len(expr: str) -> str:
    return f"len({expr})"


def mt_list_filter(expr: str, lambda_: str) -> str:
    return f"list_filter({expr}, {lambda_})"


def mt_list_overlap(a: str, b: str) -> str:
    return f"list_has_any({a}, {b})"


def mt_unnest(expr: str) -> str:
    return f"unnest({expr})"


def mt_struct(fields: dict[str, str]) -> str:
    return "{" + ", ".join(f"{_quoted(k)}: {v}" for k, v in fields.items()) + "}"


def mt_starts_with(expr: str, prefix: str) -> str:
    return f"starts_with({expr}, {prefix})"


def mt_cte_inline() -> str:
    return "not materialized"


def mt_star_except(relation: Any, except_: list[str], alias: str) -> str:
    return f"{alias}.* exclude ({', '.join(except_)})"


def mt_list_head(expr: str, n: int) -> str:
    return f"{expr}[1:{n}]"


def mt_python_step(name: str, refs: dict[str, Any], config_keys: list[str]) -> str:
    return f"select * from {name}_rows"


def date_precision(role: str, field: str) -> str:
    return "day"


def date_source(role: str, field: str) -> str:
    return f"role_map.{role}.columns.{field}"


def seed_office_fits(limits: str, office: str) -> str:
    return f"(nullif({limits}.recipient_office, '') is null or {office} like {limits}.recipient_office)"


def seeded_rules() -> list[str]:
    return ["ma_ocpf", "dc_ocf", "ca_calaccess"]


class _DbtNamespace:
    """`dbt.<macro>` of dbt's own macro namespace (dbt.datediff)."""

    @staticmethod
    def datediff(first: str, second: str, part: str) -> str:
        return f"date_diff('{part}', {first}, {second})"


dbt = _DbtNamespace()


def er_link_scopes() -> list[str]:
    return ["same_organisation"]


def mt_bucketed_materialization() -> str:
    return "mt_bucketed_table"


def mt_bucket_filter(keys: list[str]) -> str:
    return f"(hash({', '.join(keys)}) % /*mt_bucket_count*/1 = /*mt_bucket_index*/0)"
