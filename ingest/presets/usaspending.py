"""USAspending prime contract transactions as a source (run file ``sources: {usaspending: {...}}``).

File: ``contracts``, prime award transactions (one row per action: the base award and each
modification) in the layout of the hospital COVID download cleaned by the Investigative
Reporting Workshop (irworkshop/accountability_datacleaning): comma-separated, quoted, header with
``award_id, agency_name, sub_agency, action_date (YYYY-MM-DD), mod_date, mod_number, fed_obligate,
recipient, ...``.

What counts as the award date: the action date of the base award, i.e. the transaction whose
modification number is 0. Modifications (P00001, ...) change an existing award (money, time,
scope); they are not awards and are filtered out by the role map (counted in dq_row_accounting as
filtered out). An award whose base transaction is not in the file (its base action happened before
the file's period) therefore has no row in the contracts role: the contract value is the base
action's obligation, not the award's total.

Procurement method: this file has no competition fields. Full USAspending downloads carry
``extent_competed_code`` / ``extent_competed`` (FPDS element 10A); ``seeds/usaspending_extent_competed.csv``
says which codes are competed and which are not (B, C, E, G, NDO). Map them yourself:
``vars: {role_map: {contracts: {columns: {procurement_method: extent_competed}}}}``. Parent
names: full downloads call the column ``recipient_parent_name`` (map it to parent_vendor_name).
"""

from __future__ import annotations

from typing import Any

from ingest.presets.common import FileSpec

NAME = "usaspending"

FILES = {
    "contracts": FileSpec(
        table="usaspending_transactions",
        what="USAspending prime contract transactions (CSV with award_id, action_date, mod_number, recipient)",
        required=True,
    ),
}


def preset_vars(keys: set[str]) -> dict[str, Any]:
    return {
        "role_map": {
            "contracts": {
                "table": "usaspending_transactions",
                "description": (
                    "USAspending base awards: the modification-0 "
                    "transaction of each award (its action date is the award date)."
                ),
                "when": [{"column": "mod_number", "in": ["0"]}],
                "columns": {
                    "award_id": "award_id",
                    "vendor_name": "recipient",
                    "agency": "agency_name",
                    "award_date": {"column": "action_date", "format": "%Y-%m-%d"},
                    "contract_value": "fed_obligate",
                },
            }
        }
    }
