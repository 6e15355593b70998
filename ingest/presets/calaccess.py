"""California CAL-ACCESS receipts as a source (run file ``sources: {calaccess: {...}}``).

File: ``contributions``, RCPT_CD.TSV from the CAL-ACCESS raw data export (dbwebexport.zip):
tab-delimited, no quoting, CRLF, header row, 62 columns. Schedule A (FORM_TYPE A) are monetary
contributions received; C non-monetary, I miscellaneous increases, F496P3 and F401A other forms.
Dates are written ``M/D/YYYY 12:00:00 AM``. Field meanings:
https://calaccess.californiacivicdata.org/documentation/raw-files/rcpt-cd/.

Meaning:
- contributor: CTRIB_NAML (last name or business name) and CTRIB_NAMF, as "LAST, FIRST"; its kind
  from ENTITY_CD (IND individual, COM committee, OTH other, PTY party, SCC small contributor
  committee; ``seeds/contributor_types.csv``);
- recipient: the filer of the filing (FILING_ID). RCPT_CD does not name the filer: the filing's
  cover page (CVR_CAMPAIGN_DISCLOSURE_CD) does, so without it the recipient id is the filing id and
  the recipients directory (committees role, model src_calaccess_filings) lists filings of
  unknown kind;
- amendments: AMEND_ID 0 is the original filing, 1-999 amendments, and every version's rows are in
  the export. An amendment restates the whole filing, and CAL-ACCESS shows only the latest version
  (Secretary of State, CAL-ACCESS FAQ section 2 question 16; an amendment is made by editing the
  filed statement and submitting it again, section 3 question 7 for Forms 461, 496 and 497); the
  Civic Data Coalition's processed Schedule A items keep only the latest version of each filing
  (https://calaccess.californiacivicdata.org/documentation/processed-files). So only the rows of
  the highest AMEND_ID of each FILING_ID (file_num) count: the others stay in int_contributions
  with not_counted_reason 'superseded by amendment N of filing F'. The highest AMEND_ID is read
  from the RCPT_CD rows of the file: a later amendment without Schedule A rows (or outside a
  sample) is not seen;
- limits and prohibitions: California's limits depend on the office the recipient seeks and the
  year, which RCPT_CD does not carry: not checked (``source_rules: ca_calaccess`` has no limit
  rows); the report says so.
"""

from __future__ import annotations

from typing import Any

from ingest.presets.common import FileSpec

NAME = "calaccess"

FILES = {
    "contributions": FileSpec(
        table="calaccess_rcpt",
        what="CAL-ACCESS RCPT_CD.TSV (tab-delimited, header)",
        required=True,
        delimiter="\t",
        quote=None,
    ),
}


def preset_vars(keys: set[str]) -> dict[str, Any]:
    return {
        "source_rules": "ca_calaccess",
        "donor_identity": ["donor_person_key", "donor_zip5"],
        "source_presets": [NAME],
        "role_map": {
            "contributions": {
                "model": "src_calaccess_receipts",
                "description": "CAL-ACCESS receipts (RCPT_CD); the recipient is the filer of FILING_ID.",
                "columns": {
                    "contribution_id": "tran_id",
                    "contributor_type": "entity_cd",
                    "donor_name": "contributor_name",
                    "donor_zip": "ctrib_zip4",
                    "employer": "ctrib_emp",
                    "occupation": "ctrib_occ",
                    "recipient_id": "filing_id",
                    "donation_date": {"column": "rcpt_date", "format": "%m/%d/%Y %I:%M:%S %p"},
                    "amount": "amount",
                    "memo_code": "memo_code",
                    "transaction_type": "tran_type",
                    "tran_id": "tran_id",
                    "amendment_indicator": "amend_id",
                    "file_num": "filing_id",
                },
                "organisation_types": ["COM", "OTH", "PTY", "SCC", "RCP", "CAO", "CTL"],
            },
            "committees": {
                "model": "src_calaccess_filings",
                "description": "The filings the receipts belong to (the filer, not in RCPT_CD, is the recipient).",
                "columns": {"committee_id": "filing_id", "committee_name": "filing_label"},
            },
        },
    }
