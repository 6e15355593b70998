"""Massachusetts OCPF contributions as a source (run file ``sources: {ma_ocpf: {...}}``).

File: ``contributions``, itemised receipts of candidates' deposit reports in the layout of the
Boston 2021 mayoral scrape (smach/BostonMayor21OCFPScraper): comma-separated, quoted, header
``Date, Candidate, FirstName, LastName, City, State, ZipCode, Amount, Occupation, Employer, Report,
InBostonZipCode``; dates ``YYYY-MM-DD``; negative amounts are refunds or processors' fees.

Meaning (seeds with a source per row):
- recipients: every row names a candidate's committee by its candidate ("Last, First"); the
  candidates role is the list of those names (model src_ocpf_candidates), so their kind is
  ``candidate``;
- contributor kind: the file carries no OCPF record type (``seeds/ma_ocpf_record_types.csv`` lists
  them: 201 individual, 202 committee, 203 union/association, 211 business...); a row with a first
  name is a person, a row without one is of unknown kind (``seeds/contributor_types.csv``);
- limits: ``seeds/state_contribution_limits.csv`` (rules ma_ocpf, M.G.L. c. 55 s. 7A and OCPF's
  limits chart): a person may give a candidate $1,000 per calendar year; refunds (negative rows)
  net against the donor's total; other kinds are not checked for this file;
- prohibited: business and professional corporations, partnerships and LLCs may not give to a
  candidate (M.G.L. c. 55 s. 8): rows without a first name to a candidate are listed as doubtful
  (the kind is unknown);
- "Aggregated Unitemized Receipts" rows (record type 220, receipts of $50 or less a year that need
  not be itemised) name no contributor: filtered out, and counted as such.
"""

from __future__ import annotations

from typing import Any

from ingest.presets.common import FileSpec

NAME = "ma_ocpf"

FILES = {
    "contributions": FileSpec(
        table="ocpf_receipts",
        what="OCPF itemised deposit-report receipts, Boston 2021 scrape layout (CSV)",
        required=True,
    ),
}


def preset_vars(keys: set[str]) -> dict[str, Any]:
    return {
        "source_rules": "ma_ocpf",
        "donor_identity": ["donor_person_key", "donor_zip5"],
        "source_presets": [NAME],
        # employer entries of this file that name no employer: "At Home" (a homemaker, as HOMEMAKER
        # in the default list) and "Letter Sent <date>", the committee's note that it wrote to ask
        # for the missing occupation and employer (both columns carry it); the default prefixes
        # (macro is_employer_non_answer) plus LETTER SENT
        "employer_non_answers_extra": ["AT HOME"],
        "employer_non_answer_prefixes": [
            "INFORMATION REQUESTED",
            "NONE",
            "NOT EMPLOYED",
            "RETIRED",
            "SELF EMPLOYED",
            "LETTER SENT",
        ],
        "role_map": {
            "contributions": {
                "model": "src_ocpf_contributions",
                "description": (
                    "Massachusetts OCPF itemised receipts (deposit reports); meaning from the ma_ocpf seeds."
                ),
                "when": [{"column": "donor_name", "not_in": ["Aggregated Unitemized Receipts"]}],
                "columns": {
                    "contributor_type": "contributor_type",
                    "donor_name": "donor_name",
                    "donor_zip": "zip_code",
                    "employer": "employer",
                    "occupation": "occupation",
                    "recipient_id": "candidate",
                    "recipient_name": "candidate",
                    "donation_date": {"column": "contribution_date", "format": "%Y-%m-%d"},
                    "amount": "amount",
                    "report_type": "report",
                },
                "organisation_types": ["NO FIRST NAME", "PAC (BY NAME)", "COMMITTEE (BY NAME)"],
            },
            "candidates": {
                "model": "src_ocpf_candidates",
                "description": "The candidates the contributions name (each row names a candidate's committee).",
                "columns": {"candidate_id": "candidate", "candidate_name": "candidate", "committee_id": "candidate"},
            },
        },
    }
