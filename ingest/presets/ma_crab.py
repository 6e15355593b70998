"""Massachusetts Central Register contract award notices as a source (run file
``sources: {ma_crab: {contracts: ...}}``), the contracts side for Massachusetts.

File: ``contracts``, award notices as collected by MASSInvestigators/CRAB-data-analysis:
comma-separated, quoted, header ``Agency, ContactEmail, ContactName, ContactPhone, CustomId,
ProjectNumber, ProjectType, additional_information, award_description, awarded_to,
contract_amount, published_date, sub_contract_award``. ``published_date`` is ``M/D/YYYY`` with a
leading space; it is the date the notice was published in the Central Register, used as the award
date (the award itself is earlier, by days to weeks). ``awarded_to`` holds the vendor's name and
address in one field, sometimes several vendors separated by ';': the vendor name used is the
text before the first comma of the first vendor (model src_crab_awards keeps the whole field as
vendor_name_raw). ``contract_amount`` is free text: only a plain dollar figure becomes a value.
"""

from __future__ import annotations

from typing import Any

from ingest.presets.common import FileSpec

NAME = "ma_crab"

FILES = {
    "contracts": FileSpec(
        table="crab_awards",
        what="Massachusetts Central Register award notices (CSV)",
        required=True,
    ),
}


def preset_vars(keys: set[str]) -> dict[str, Any]:
    return {
        "source_presets": [NAME],
        "role_map": {
            "contracts": {
                "model": "src_crab_awards",
                "description": (
                    "Massachusetts Central Register award notices; award date = publication date of the notice."
                ),
                "columns": {
                    "award_id": "notice_id",
                    "vendor_name": "vendor_name",
                    "agency": "agency",
                    "award_date": {"column": "published_date", "format": "%m/%d/%Y"},
                    "contract_value": "contract_amount",
                },
            }
        },
    }
