"""The FEC bulk files as a first-class source.

A run file says ``source: fec`` and names the files exactly as the FEC publishes them
(pipe-delimited, no header line); the preset adds the inputs with the official headers shipped
in ``ingest/presets/fec/`` and the role map for them. Keys the user writes win: a user input
adds to the preset's inputs, and ``vars`` are merged over the preset's vars key by key (a
user's ``role_map.contributions.when`` replaces the preset's, the rest of the role stays).

    source: fec
    fec_files:
      contributions: itcont.txt        # individual contributions (indivYY.zip), required
      committees: cm.txt               # committee master (cmYY.zip), required
      candidates: cn.txt               # candidate master (cnYY.zip), optional
      candidate_links: ccl.txt         # candidate-committee linkage (cclYY.zip), optional
    # any file may also be {path: ..., encoding: latin-1}

File descriptions: https://www.fec.gov/campaign-finance-data/contributions-individuals-file-description/,
.../committee-master-file-description/, .../candidate-master-file-description/,
.../candidate-committee-linkage-file-description/ (the ccl header is not published as a file;
its column list comes from that page).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ingest.presets.common import PresetError, merge, user_parts

HEADERS = Path(__file__).resolve().parent / "fec"

# file key -> (raw table, header file, required)
FILES: dict[str, tuple[str, str, bool]] = {
    "contributions": ("fec_itcont", "indiv_header_file.csv", True),
    "committees": ("fec_cm", "cm_header_file.csv", True),
    "candidates": ("fec_cn", "cn_header_file.csv", False),
    "candidate_links": ("fec_ccl", "ccl_header_file.csv", False),
}

ROLES: dict[str, dict[str, Any]] = {
    "contributions": {
        "table": "fec_itcont",
        "description": "FEC individual contributions (itcont), every entity type; meaning from the FEC seeds.",
        "columns": {
            "contribution_id": "SUB_ID",
            "contributor_type": "ENTITY_TP",
            "donor_name": "NAME",
            "donor_zip": "ZIP_CODE",
            "employer": "EMPLOYER",
            "occupation": "OCCUPATION",
            "recipient_id": "CMTE_ID",
            "donation_date": {"column": "TRANSACTION_DT", "format": "%m%d%Y"},
            "amount": "TRANSACTION_AMT",
            "memo_code": "MEMO_CD",
            "transaction_type": "TRANSACTION_TP",
            "election_code": "TRANSACTION_PGI",
            "other_id": "OTHER_ID",
            "memo_text": "MEMO_TEXT",
            "amendment_indicator": "AMNDT_IND",
            "report_type": "RPT_TP",
            "tran_id": "TRAN_ID",
            "file_num": "FILE_NUM",
        },
        # ENTITY_TP codes of contributors that are not people
        "organisation_types": ["ORG", "PAC", "COM", "PTY", "CCM"],
    },
    "committees": {
        "table": "fec_cm",
        "description": "FEC committee master (cm): the recipients directory.",
        "columns": {
            "committee_id": "CMTE_ID",
            "committee_name": "CMTE_NM",
            "committee_type": "CMTE_TP",
            "committee_designation": "CMTE_DSGN",
            "organisation_type": "ORG_TP",
            "connected_org_name": "CONNECTED_ORG_NM",
            "candidate_id": "CAND_ID",
            "party": "CMTE_PTY_AFFILIATION",
            "state": "CMTE_ST",
            "filing_frequency": "CMTE_FILING_FREQ",
        },
    },
    "candidates": {
        "table": "fec_cn",
        "description": "FEC candidate master (cn).",
        "columns": {
            "candidate_id": "CAND_ID",
            "candidate_name": "CAND_NAME",
            "committee_id": "CAND_PCC",
            "office": "CAND_OFFICE",
            "party": "CAND_PTY_AFFILIATION",
            "state": "CAND_OFFICE_ST",
            "election_year": "CAND_ELECTION_YR",
        },
    },
    "candidate_links": {
        "table": "fec_ccl",
        "description": "FEC candidate-committee linkage (ccl).",
        "columns": {
            "candidate_id": "CAND_ID",
            "committee_id": "CMTE_ID",
            "candidate_election_year": "CAND_ELECTION_YR",
            "fec_election_year": "FEC_ELECTION_YR",
            "committee_type": "CMTE_TP",
            "committee_designation": "CMTE_DSGN",
            "linkage_id": "LINKAGE_ID",
        },
    },
}

_FILE_KEYS = {"path", "encoding"}


def expand(run_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The run file's mapping with the FEC inputs and role map added (user keys win)."""
    files = data.get("fec_files")
    if not isinstance(files, dict) or not files:
        raise PresetError(
            f"{run_path}: source: fec needs fec_files: a mapping with contributions: (itcont) and "
            f"committees: (cm), optionally candidates: (cn) and candidate_links: (ccl)"
        )
    unknown = sorted(set(files) - set(FILES))
    if unknown:
        raise PresetError(f"{run_path}: fec_files has unknown key(s) {unknown}; allowed: {sorted(FILES)}")
    missing = [key for key, (_, _, required) in FILES.items() if required and key not in files]
    if missing:
        raise PresetError(f"{run_path}: fec_files is missing {missing} (the FEC preset needs the itcont and cm files)")

    inputs: list[dict[str, Any]] = []
    roles: dict[str, Any] = {}
    for key, (table, header, _) in FILES.items():
        if key not in files:
            continue
        spec = files[key]
        if isinstance(spec, str):
            spec = {"path": spec}
        if not isinstance(spec, dict) or "path" not in spec or set(spec) - _FILE_KEYS:
            raise PresetError(f"{run_path}: fec_files.{key} must be a path or {{path:, encoding:}}")
        item = {
            "path": spec["path"],
            "table": table,
            "delimiter": "|",
            "quote": None,
            "header_file": str(HEADERS / header),
        }
        if "encoding" in spec:
            item["encoding"] = spec["encoding"]
        inputs.append(item)
        roles[key] = copy.deepcopy(ROLES[key])

    user_inputs, user_vars = user_parts(run_path, data, inputs, "the FEC preset's")
    # one key per person: "LAST, FIRST" without titles, suffixes or middle initials, + ZIP5
    preset_vars = {"source_rules": "fec", "role_map": roles, "donor_identity": ["donor_person_key", "donor_zip5"]}
    expanded = {k: v for k, v in data.items() if k not in {"source", "fec_files"}}
    expanded["inputs"] = inputs + list(user_inputs)
    expanded["vars"] = merge(preset_vars, user_vars)
    return expanded
