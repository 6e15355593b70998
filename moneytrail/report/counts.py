"""Each analysis's counts (what report.json tallies) and notes (what could not run, and what the
analysis's scope leaves out, in words). Every number comes from a dbt model of models/report/
(schema report): this module only reads those small relations and writes the sentences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from moneytrail.report.common import group_counts, report_row, report_rows


def counts_cross_links(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_cross_links")
    return {
        "edges": row["edges"],
        "by_relation": group_counts(con, "cross_links", "by_relation"),
        "by_match_type": group_counts(con, "cross_links", "by_match_type"),
        "by_confidence_tier": group_counts(con, "cross_links", "by_confidence_tier"),
        "distinct_vendors": row["distinct_vendors"],
        "distinct_donors": row["distinct_donors"],
        "distinct_recipients": row["distinct_recipients"],
        "distinct_contributions": row["distinct_contributions"],
        "total_amount": row["total_amount"],
        "analysis_tier": row["analysis_tier"],
        "edges_at_analysis_tier": row["edges_at_analysis_tier"],
        "edges_below_analysis_tier": row["edges_below_analysis_tier"],
    }


def notes_cross_links(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    row = report_row(con, "rpt_cross_links")
    return [
        f"This section counts and quotes only links at the analysis tier ({row['analysis_tier']} or "
        f"better, vars.min_link_tier); {row['edges_below_analysis_tier']} edge(s) at lower tiers "
        f"({row['tiers_below_analysis_tier']}) are left out of every analysis and are in cross_links.csv only."
    ]


def counts_bundles(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_bundles")
    out = {k: row[k] for k in ("bundles", "contributions", "total_amount", "linked_to_vendor")}
    out["same_day_groups_by_status"] = group_counts(con, "bundles", "same_day_groups_by_status")
    return out


def notes_bundles(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    cfg = report_row(con, "rpt_bundles")
    unclassified = cfg["unclassified_recipients"]
    notes = [
        f"Bundles count gifts to recipients of kind {cfg['recipient_kinds']} (vars.bundles.recipient_kinds): same "
        f"employer, same day, at least {cfg['min_donors']} distinct donors. Employees' giving to their own "
        "employer's PAC is payroll giving, never a bundle."
    ]
    if not cfg["recipient_kinds_known"] and unclassified == "exclude":
        notes.append(
            "Not run: bundles need the candidates role (or a committees role) to know which recipients are "
            "candidates, and neither is mapped, so no recipient has a kind and no group counts as a bundle. "
            "Map role_map.candidates, or, where every recipient is a candidate (contributions that name "
            "their candidate), set vars.bundles.unclassified_recipients: include."
        )
    for g in report_rows(con, "rpt_bundle_groups_not_bundled", "group_status"):
        groups, contributions, recipients = g["n_groups"], g["n_contributions"], g["n_recipients"]
        if g["group_status"] == "payroll_giving":
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) are employees giving to their own "
                "employer's PAC (its sponsor, from the connected organisation or the PAC's name, is the employer) "
                "or by payroll deduction (the memo says so): not bundles, see payroll_giving."
            )
        elif g["group_status"] == "recipient_kind_not_bundled":
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) went to {recipients} recipient(s) "
                f"of kinds outside vars.bundles.recipient_kinds ({', '.join(g['recipient_kinds'])}): not bundles."
            )
        elif g["group_status"] == "recipient_unclassified":
            action = "counted as bundles" if unclassified == "include" else "not counted as bundles"
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) went to {recipients} recipient(s) "
                f"whose kind could not be classified (no committee-kind data for them, e.g. "
                f"{', '.join(g['sample_recipients'])}): {action} (vars.bundles.unclassified_recipients: "
                f"{unclassified}); all of them are in bundle_groups.csv."
            )
    return notes


def counts_payroll(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_payroll_giving")
    keys = (
        "employer_pacs",
        "contributions",
        "total_amount",
        "contributions_to_own_employer_pac",
        "of_which_sponsor_from_pac_name",
        "contributions_with_payroll_memo",
        "linked_to_vendor",
    )
    return {k: row[k] for k in keys}


def notes_payroll(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    row = report_row(con, "rpt_payroll_giving")
    notes = []
    if not row["known_pacs"]:
        notes.append(
            "Own-employer-PAC signal not evaluated: no recipient is known to be a PAC "
            "(no committee-kind data, e.g. no committees role)."
        )
    if not row["contributions_with_memo_text"]:
        notes.append(
            "Memo signal not evaluated: no contribution carries memo text "
            "(map role_map.contributions.columns.memo_text to use it)."
        )
    return notes


def counts_limit_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_limit_flags")
    return {k: row[k] for k in ("flags", "donors", "recipients", "total_excess")}


def counts_vendor_breadth(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_vendor_breadth")
    return {k: row[k] for k in ("vendors", "max_recipients", "total_amount", "payroll_amount")}


def counts_timing(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_timing_signals")
    return {
        "pairs": row["pairs"],
        "signals": row["signals"],
        "by_status": group_counts(con, "timing_signals", "by_status"),
    }


def notes_timing(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    notes = []
    if not report_row(con, "rpt_timing_signals")["timing_enabled"]:
        notes.append(
            "Not run: the contracts role has no award dates (role_map.contracts.timing.enabled is false), "
            "so no pair was tested."
        )
    notes += notes_date_precision(con)
    for status, n in group_counts(con, "timing_signals", "by_status").items():
        if status == "too_few_donations":
            notes.append(f"{n} pair(s) not tested: fewer linked donations than vars.timing.min_donations.")
        elif status == "no_award_dates":
            notes.append(f"{n} pair(s) not tested: the vendor has no award dates.")
    return notes


def notes_date_precision(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Dates declared without a day (a year- or month-only format) never enter the timing test:
    say so naming the input column and its format (int_timing_*.date_source)."""
    return [
        f"Not run on {d['n_dates']:,} {d['date_kind']} date(s): they have {d['date_precision']} precision "
        f"({d['date_source']}), and a date without a day never enters the timing test (its distances in days "
        "would be artefacts of the format)."
        for d in report_rows(con, "rpt_timing_dates_without_day", "date_kind, date_precision, date_source")
    ]


def counts_red_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_red_flags")
    return {
        "flags": row["flags"],
        "pairs_evaluated": row["pairs_evaluated"],
        "by_severity": group_counts(con, "red_flags", "by_severity"),
        "by_rule": group_counts(con, "red_flags", "by_rule"),
        "unflagged_pairs_with_vendor_context_only": {
            "non_competitive_award": row["unflagged_non_competitive_award"],
            "broad_influence": row["unflagged_broad_influence"],
        },
    }


def notes_red_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    notes = [
        "A flag needs evidence about the vendor-recipient pair (bundled_donations, limit_excess, "
        "prohibited_contribution, timing_cluster); rules resting on overlapping contribution rows count once "
        "for severity; doubtful limit and prohibited findings do not count. "
        "Non-competitive awards and breadth describe the vendor and are shown as context, never counted."
    ]
    total = report_row(con, "rpt_red_flags")["pairs_evaluated"]
    for reason, n in group_counts(con, "red_flags", "not_evaluated").items():
        notes.append(f"{reason} ({n} of {total} pair(s)).")
    return notes


def counts_prohibited(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    row = report_row(con, "rpt_prohibited_contributions")
    return {k: row[k] for k in ("findings", "probable", "doubtful", "total_amount")}


# ---- seeded source rules (ma_ocpf, dc_ocf, ca_calaccess): what was not checked ----
# the same list as macros/analysis_config.sql seeded_rules() (tests/python/test_source_presets.py)
SEEDED_RULES = ("ma_ocpf", "dc_ocf", "ca_calaccess")


def notes_limit_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    row = report_row(con, "rpt_limit_flags")
    rules = row["source_rules"]
    notes = []
    if row["flags"]:
        notes.append(
            f"Refunds: {row['refund_rows']} row(s) of these receipts are refunds (a negative amount; under FEC rules a "
            "refund transaction type) and net against their donors' totals. A refund a committee reports as a "
            "disbursement or expenditure is not in a receipts file, so an excess here may already have been "
            "refunded: check the recipient's disbursements before publishing it."
        )
    if rules not in SEEDED_RULES:
        return notes
    if rules == "ca_calaccess" and row["superseded_rows"]:
        notes.append(
            f"Amendments: {row['superseded_rows']} row(s) of {row['superseded_filings']} filing(s) belong to a "
            "version the filing's latest amendment (highest AMEND_ID in the file) restates; they are kept, not "
            "counted (not_counted_reason 'superseded by amendment N of filing F'). In a sample of the export "
            "the latest version's own rows may be missing, so a sample's totals understate the filing."
        )
    if rules == "ma_ocpf" and row["party_rows"]:
        notes.append(
            f"Massachusetts party committees: the $5,000 limit is per party (M.G.L. c. 55 s. 7A(a)(2)); "
            f"{row['party_rows']} contribution(s) to party committees are summed per party, except "
            f"{row['party_rows_without_party']} to committees whose party the committees role does not give: "
            "summed per committee, and their flags are doubtful."
        )
    order = "n_contributions desc, contributor_kind, recipient_kind, office_unknown"
    for r in report_rows(con, "rpt_limits_not_checked", order):
        note = r["note"]
        if r["office_unknown"]:
            why = (
                f"the {rules} limit depends on the office sought (seeds/state_contribution_limits.csv "
                "recipient_office), and the data gives no office for these recipients"
            )
        elif r["has_seed_row"] and note:
            why = note
        else:
            why = f"no limit with a source in seeds/state_contribution_limits.csv for {rules}"
        kinds = f"{r['contributor_kind']} to {r['recipient_kind']}"
        notes.append(f"Not checked: {r['n_contributions']} contribution(s) from {kinds}: {why}.")
    return notes


def notes_prohibited(con: duckdb.DuckDBPyConnection | None, settings: Mapping[str, Any]) -> list[str]:
    """Words only: which sentence follows from the source rules the run applied (no number)."""
    rules = settings.get("source_rules") if isinstance(settings, Mapping) else None
    if rules in ("dc_ocf", "ca_calaccess"):
        return [
            f"Not checked: which contributors may not give at all is not encoded for {rules} "
            "(no prohibition with a source in the seeds), so no contribution is listed here."
        ]
    if rules == "ma_ocpf":
        return [
            "Massachusetts: a business or professional corporation, partnership or LLC may not give to a "
            "candidate (M.G.L. c. 55 s. 8). Contributors whose kind the file does not state are listed as doubtful."
        ]
    return []
