"""District of Columbia campaign contributions (OCF) and contract awards (OCP) as a source
(run file ``sources: {dc: {contributions: ..., contracts: ...}}``).

Files (both comma-separated, quoted, with a header; the contributions are Windows-1252 text, the
awards UTF-8, where some dashes were already mis-decoded upstream and appear as U+0096):
- ``contributions``: OCF contributions export with ``Committee Name, Candidate Name, Contributor
  Name, Contributor Type, Contribution Type, Employer Name, Occupation, Receipt Date (M/D/YYYY),
  Amount``; every row's ``Type`` is the recipient's committee type ('Campaign Committee': a
  candidate's committee, so the candidates role is the list of those committees);
- ``contracts``: OCP award list with ``Agency, Contract Number, Caption, Award Amount, Base
  Contract Period ('start - end'), Market Type, Vendor Name``. The award date is the first date of
  the base contract period (OCP publishes no award date). Market Type is the procurement method
  (``seeds/dc_ocp_market_types.csv``: Open and Set Aside are competed; Sole Source, Single
  Available Source and Emergency are not; the red flags' non-competitive context uses the seed's
  not-competed values). Blank rows of the list are filtered out.

Rules: contributor kinds from Contributor Type (``seeds/contributor_types.csv``, rules dc_ocf).
Limits (D.C. Code 1-1163.33, seeds/state_contribution_limits.csv): per campaign, primary and
general together, by the office the committee's Race Type Detail names (Council at-large $1,000,
ward $500) for persons and business contributors; other contributor kinds, committees whose office
the export does not give, and prohibitions are not checked, and the report says so.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ingest.presets.common import FileSpec

MARKET_TYPES = Path(__file__).resolve().parents[2] / "seeds" / "dc_ocp_market_types.csv"

NAME = "dc"

FILES = {
    "contributions": FileSpec(
        table="dc_ocf_contributions",
        what="DC OCF contributions export (CSV, Windows-1252)",
        encoding="cp1252",
    ),
    "contracts": FileSpec(
        table="dc_ocp_awards",
        what="DC OCP contract awards list (CSV, UTF-8)",
    ),
}


def not_competed_market_types() -> list[str]:
    """The Market Type values seeds/dc_ocp_market_types.csv marks as not competed."""
    with MARKET_TYPES.open(encoding="utf-8", newline="") as fh:
        return [r["market_type"] for r in csv.DictReader(fh) if r["competition"] == "not_competed"]


def preset_vars(keys: set[str]) -> dict[str, Any]:
    roles: dict[str, Any] = {}
    out: dict[str, Any] = {"source_presets": [NAME], "role_map": roles}
    if "contributions" in keys:
        out["source_rules"] = "dc_ocf"
        roles["contributions"] = _contributions_role()
        roles["candidates"] = _candidates_role()
    if "contracts" in keys:
        # red flags' non-competitive context: the market types the seed marks as not competed
        out["red_flags"] = {"procurement_methods": not_competed_market_types()}
        roles["contracts"] = _contracts_role()
    return out


def _contributions_role() -> dict[str, Any]:
    return {
        "table": "dc_ocf_contributions",
        "description": (
            "DC OCF contributions to campaign committees; contributor kinds from seeds/contributor_types.csv."
        ),
        "columns": {
            "contributor_type": "Contributor Type",
            "donor_name": "Contributor Name",
            "donor_zip": "Contributor Zip",
            "employer": "Employer Name",
            "occupation": "Occupation",
            "recipient_id": "Committee Name",
            "recipient_name": "Candidate Name",
            "donation_date": {"column": "Receipt Date", "format": "%m/%d/%Y"},
            "amount": "Amount",
            "transaction_type": "Contribution Type",
        },
        "organisation_types": [
            "CORPORATION",
            "LIMITED LIABILITY COMPANY",
            "PARTNERSHIP",
            "SOLE PROPRIETORSHIP",
            "LABOR",
            "LABOR SPONSORED PAC",
            "CORPORATE SPONSORED PAC",
            "OTHER PAC OR COMMITTEE",
            "OTHER",
        ],
    }


def _candidates_role() -> dict[str, Any]:
    return {
        "model": "src_dc_candidates",
        "description": "The campaign committees the contributions name, with their candidates.",
        "when": [{"column": "committee_type", "equals": "Campaign Committee"}],
        "columns": {
            "candidate_id": "committee_name",
            "candidate_name": "candidate_name",
            "committee_id": "committee_name",
            "office": "office",
        },
    }


def _contracts_role() -> dict[str, Any]:
    return {
        "model": "src_dc_ocp_awards",
        "description": (
            "DC OCP awards; award date = first date of the base contract period; procurement method = Market Type."
        ),
        "when": [{"column": "contract_number", "is_null": False}],
        "columns": {
            "award_id": "contract_number",
            "vendor_name": "vendor_name",
            "agency": "agency",
            "award_date": {"column": "base_period_start", "format": "%m/%d/%Y"},
            "contract_value": "award_amount",
            "procurement_method": "market_type",
        },
    }
