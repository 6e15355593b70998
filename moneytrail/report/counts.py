"""Each analysis's counts (what report.json tallies) and notes (what could not run, and what the
analysis's scope leaves out, in words). Bounded aggregate queries on the marts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from moneytrail import exports
from moneytrail.report.common import (
    LINK_TIERS,
    analysis_tier,
    query_grouped,
    query_rows,
    query_scalar,
    tier_rank,
)


def counts_cross_links(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = exports.cross_link_summary(con)
    rank = tier_rank(settings)
    out["analysis_tier"] = analysis_tier(settings)
    out["edges_at_analysis_tier"] = query_scalar(
        con, f"select count(*) from marts.cross_links where tier_rank <= {rank}"
    )
    out["edges_below_analysis_tier"] = query_scalar(
        con, f"select count(*) from marts.cross_links where tier_rank > {rank}"
    )
    return out


def notes_cross_links(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    rank = tier_rank(settings)
    below = query_scalar(con, f"select count(*) from marts.cross_links where tier_rank > {rank}")
    tiers = ", ".join(LINK_TIERS[rank:]) or "none"
    return [
        f"This section counts and quotes only links at the analysis tier ({analysis_tier(settings)} or "
        f"better, vars.min_link_tier); {below} edge(s) at lower tiers ({tiers}) are left out of every "
        "analysis and are in cross_links.csv only."
    ]


def counts_bundles(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = query_rows(
        con,
        """
        select count(*) as bundles, coalesce(sum(n_contributions), 0) as contributions,
               coalesce(sum(total_amount), 0) as total_amount,
               count(linked_vendor_entity_id) as linked_to_vendor
        from marts.bundles""",
    )[0]
    out["same_day_groups_by_status"] = query_grouped(con, "marts.bundle_groups", "group_status")
    return out


def notes_bundles(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    cfg = settings.get("bundles") or {}
    kinds = ", ".join(cfg.get("recipient_kinds") or ["candidate"])
    unclassified = cfg.get("unclassified_recipients", "exclude")
    notes = [
        f"Bundles count gifts to recipients of kind {kinds} (vars.bundles.recipient_kinds): same employer, "
        f"same day, at least {cfg.get('min_donors', 3)} distinct donors. Employees' giving to their own "
        "employer's PAC is payroll giving, never a bundle."
    ]
    role_map = settings.get("role_map") or {}
    if not role_map.get("candidates") and not role_map.get("committees") and unclassified == "exclude":
        notes.append(
            "Not run: bundles need the candidates role (or a committees role) to know which recipients are "
            "candidates, and neither is mapped, so no recipient has a kind and no group counts as a bundle. "
            "Map role_map.candidates, or, where every recipient is a candidate (contributions that name "
            "their candidate), set vars.bundles.unclassified_recipients: include."
        )
    rows = con.execute(
        """
        select group_status, count(*), coalesce(sum(n_contributions), 0),
               count(distinct recipient_id),
               list(distinct recipient_kind order by recipient_kind)
        from marts.bundle_groups where group_status <> 'bundle'
        group by group_status order by group_status"""
    ).fetchall()
    for status, groups, contributions, recipients, rkinds in rows:
        if status == "payroll_giving":
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) are employees giving to their own "
                "employer's PAC (connected organisation or payroll-deduction memo): not bundles, see payroll_giving."
            )
        elif status == "recipient_kind_not_bundled":
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) went to {recipients} recipient(s) "
                f"of kinds outside vars.bundles.recipient_kinds ({', '.join(rkinds)}): not bundles."
            )
        elif status == "recipient_unclassified":
            action = "counted as bundles" if unclassified == "include" else "not counted as bundles"
            sample = [
                r
                for (r,) in con.execute(
                    "select distinct recipient_id from marts.bundle_groups "
                    "where group_status = 'recipient_unclassified' order by recipient_id limit 10"
                ).fetchall()
            ]
            notes.append(
                f"{groups} same-day group(s) ({contributions} contributions) went to {recipients} recipient(s) "
                f"whose kind could not be classified (no committee-kind data for them, e.g. "
                f"{', '.join(sample)}): {action} (vars.bundles.unclassified_recipients: {unclassified}); "
                "all of them are in bundle_groups.csv."
            )
    return notes


def counts_payroll(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return query_rows(
        con,
        """
        select count(*) as employer_pacs, coalesce(sum(n_contributions), 0) as contributions,
               coalesce(sum(total_amount), 0) as total_amount,
               coalesce(sum(n_to_own_employer_pac), 0) as contributions_to_own_employer_pac,
               coalesce(sum(n_memo_payroll), 0) as contributions_with_payroll_memo,
               count(linked_vendor_entity_id) as linked_to_vendor
        from marts.payroll_giving""",
    )[0]


def notes_payroll(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    notes = []
    if exports.relation_columns(con, "intermediate", "int_recipients"):
        pacs = query_scalar(
            con,
            "select count(*) from intermediate.int_recipients "
            "where recipient_kind in ('pac_connected', 'pac_nonconnected')",
        )
        if not pacs:
            notes.append(
                "Connected-organisation signal not evaluated: no recipient is known to be a PAC "
                "(no committee-kind data, e.g. no committees role)."
            )
    if "memo_text" in exports.relation_columns(con, "staging", "stg_contributions"):
        if not query_scalar(con, "select count(*) from staging.stg_contributions where memo_text is not null"):
            notes.append(
                "Memo signal not evaluated: no contribution carries memo text "
                "(map role_map.contributions.columns.memo_text to use it)."
            )
    return notes


def counts_limit_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return query_rows(
        con,
        """
        select count(*) as flags, count(distinct donor_key) as donors,
               count(distinct recipient_id) as recipients,
               coalesce(sum(excess_amount), 0) as total_excess
        from marts.limit_flags""",
    )[0]


def counts_vendor_breadth(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return query_rows(
        con,
        """
        select count(*) as vendors, coalesce(max(n_recipients), 0) as max_recipients,
               coalesce(sum(total_amount), 0) as total_amount,
               coalesce(sum(payroll_amount), 0) as payroll_amount
        from marts.vendor_breadth""",
    )[0]


def counts_timing(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = query_rows(
        con, "select count(*) as pairs, count(*) filter (where is_signal) as signals from marts.timing_signals"
    )[0]
    out["by_status"] = query_grouped(con, "marts.timing_signals", "status")
    return out


def notes_timing(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    contracts = ((settings.get("role_map") or {}).get("contracts") or {}) if isinstance(settings, Mapping) else {}
    timing = contracts.get("timing") or {}
    notes = []
    if timing.get("enabled") is False:
        notes.append(
            "Not run: the contracts role has no award dates (role_map.contracts.timing.enabled is false), "
            "so no pair was tested."
        )
    notes += notes_date_precision(con)
    for status, n in query_grouped(con, "marts.timing_signals", "status").items():
        if status == "too_few_donations":
            notes.append(f"{n} pair(s) not tested: fewer linked donations than vars.timing.min_donations.")
        elif status == "no_award_dates":
            notes.append(f"{n} pair(s) not tested: the vendor has no award dates.")
    return notes


def notes_date_precision(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Dates declared without a day (a year- or month-only format) never enter the timing test:
    say so naming the input column and its format (int_timing_*.date_source)."""
    notes = []
    for table, what in (("int_timing_awards", "award"), ("int_timing_donations", "donation")):
        if "date_source" not in exports.relation_columns(con, "intermediate", table):
            continue
        for precision, source, rows in con.execute(
            f"select date_precision, date_source, count(*) from intermediate.{table} "
            "where date_precision <> 'day' group by all order by 1, 2"
        ).fetchall():
            notes.append(
                f"Not run on {rows:,} {what} date(s): they have {precision} precision ({source}), and a date "
                "without a day never enters the timing test (its distances in days would be artefacts of the format)."
            )
    return notes


def counts_red_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    out = query_rows(con, "select count(*) as flags from marts.red_flags")[0]
    out["pairs_evaluated"] = query_scalar(con, "select count(*) from marts.red_flag_pairs")
    out["by_severity"] = query_grouped(con, "marts.red_flags", "severity")
    rows = con.execute(
        "select rule, count(*) from (select unnest(rules_fired) as rule from marts.red_flags) "
        "group by rule order by rule"
    ).fetchall()
    out["by_rule"] = {k: n for k, n in rows}
    context = query_rows(
        con,
        """
        select count(*) filter (where non_competitive_award) as non_competitive_award,
               count(*) filter (where broad_influence) as broad_influence
        from marts.red_flag_pairs where not is_flagged""",
    )[0]
    out["unflagged_pairs_with_vendor_context_only"] = context
    return out


def notes_red_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    notes = [
        "A flag needs evidence about the vendor-recipient pair (bundled_donations, limit_excess, "
        "prohibited_contribution, timing_cluster); rules resting on overlapping contribution rows count once "
        "for severity; doubtful limit and prohibited findings do not count. "
        "Non-competitive awards and breadth describe the vendor and are shown as context, never counted."
    ]
    rows = con.execute(
        """
        select reason, count(*) from (
            select unnest(list_concat(rules_not_evaluated, context_not_evaluated)) as reason
            from marts.red_flag_pairs
        ) group by reason order by reason"""
    ).fetchall()
    total = query_scalar(con, "select count(*) from marts.red_flag_pairs")
    for reason, n in rows:
        notes.append(f"{reason} ({n} of {total} pair(s)).")
    return notes


def counts_prohibited(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> dict[str, Any]:
    return query_rows(
        con,
        """
        select count(*) as findings,
               count(*) filter (where finding_status = 'probable') as probable,
               count(*) filter (where finding_status <> 'probable') as doubtful,
               coalesce(sum(amount), 0) as total_amount
        from marts.prohibited_contributions""",
    )[0]


# ---- seeded source rules (ma_ocpf, dc_ocf, ca_calaccess): what was not checked ----
# the same list as macros/analysis_config.sql seeded_rules() (tests/python/test_source_presets.py)
SEEDED_RULES = ("ma_ocpf", "dc_ocf", "ca_calaccess")


def notes_limit_flags(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
    rules = settings.get("source_rules") if isinstance(settings, Mapping) else None
    if rules not in SEEDED_RULES or not exports.relation_columns(con, "intermediate", "int_contributions"):
        return []
    rows = con.execute(
        """
        select c.contributor_kind, coalesce(r.recipient_kind, 'unknown') as recipient_kind, count(*) as n,
               any_value(l.note) as note, bool_or(l.rules is not null) as has_row
        from intermediate.int_contributions c
        left join intermediate.int_recipients r on r.recipient_id = c.limit_recipient_id
        left join reference.state_contribution_limits l
          on l.rules = ? and l.contributor_kind = c.contributor_kind
         and l.recipient_kind = coalesce(r.recipient_kind, 'unknown')
        where c.counts_toward_limit
        group by all
        having not bool_or(l.limit_amount is not null)
        order by n desc, c.contributor_kind, recipient_kind""",
        [rules],
    ).fetchall()
    notes = []
    if rules == "ca_calaccess":
        n_sup, n_filings = con.execute(
            "select count(*), count(distinct file_num) from intermediate.int_contributions "
            "where not_counted_reason like 'superseded by amendment %'"
        ).fetchone() or (0, 0)
        if n_sup:
            notes.append(
                f"Amendments: {n_sup} row(s) of {n_filings} filing(s) belong to a version the filing's latest "
                "amendment (highest AMEND_ID in the file) restates; they are kept, not counted "
                "(not_counted_reason 'superseded by amendment N of filing F'). In a sample of the export "
                "the latest version's own rows may be missing, so a sample's totals understate the filing."
            )
    if rules == "ma_ocpf":
        n_party, n_unknown = con.execute(
            "select count(*), count(*) filter (where nullif(trim(r.party), '') is null) "
            "from intermediate.int_contributions c "
            "join intermediate.int_recipients r on r.recipient_id = c.limit_recipient_id "
            "where c.counts_toward_limit and r.recipient_kind = 'party'"
        ).fetchone() or (0, 0)
        if n_party:
            notes.append(
                f"Massachusetts party committees: the $5,000 limit is per party (M.G.L. c. 55 s. 7A(a)(2)); {n_party} "
                f"contribution(s) to party committees are summed per party, except {n_unknown} to committees whose "
                "party the committees role does not give: summed per committee, and their flags are doubtful."
            )
    for kind, recipient_kind, n, note, has_row in rows:
        why = note if has_row and note else f"no limit with a source in seeds/state_contribution_limits.csv for {rules}"
        notes.append(f"Not checked: {n} contribution(s) from {kind} to {recipient_kind}: {why}.")
    return notes


def notes_prohibited(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> list[str]:
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
