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


def min_link_tier_rank() -> str:
    return "3"


def mt_literal(value: Any) -> str:
    return _quoted(value)


def normalize_org_name(expr: str) -> str:
    return f"upper({expr})"


def normalize_person_name(expr: str) -> str:
    return f"upper({expr})"


def person_name_key(expr: str) -> str:
    return f"upper({expr})"


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
