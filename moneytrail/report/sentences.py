"""One sentence per finding, for report.md and the HTML finding pages: who gave what to whom,
and the ids and row refs behind it. A sentence reads only the finding's own fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moneytrail.report.common import LINK_TIERS, money, num, recipient_label, ref_list

# How to read a row reference, said once in report.md and on the HTML overview.
ROW_REF_SENTENCE = (
    "A row reference `db://<dataset_version_id>#row_index=<n>` is data row n of the input that "
    "ingest_manifest.json names for that dataset version, counted from 0 in file order: the first "
    "row after the header is 0, skipped lines and the header are not counted, and a quoted value "
    "that spans lines stays one row (for a SQL dump, row n of that table's inserted rows)."
)


def sentence_cross_links(f: dict[str, Any]) -> str:
    via = "employer" if f.get("relation") == "vendor_employer" else "business donor"
    return (
        f"{f.get('donor_name')} gave {money(f.get('amount'))} to {recipient_label(f)} on "
        f'{f.get("donation_date")}; {via} "{f.get("other_name_raw")}" links to vendor '
        f"{f.get('vendor_name')} ({f.get('match_type')} match, {f.get('confidence_tier')} "
        f"confidence, score {num(f.get('score'))}). Edge `{f.get('edge_id')}`; rows: "
        f"contribution `{f.get('contribution_row_ref')}`, vendor `{f.get('vendor_row_ref')}`."
    )


def sentence_bundles(f: dict[str, Any]) -> str:
    vendor = f.get("linked_vendor_name_norm")
    link = (
        f" The employer links to vendor {vendor} ({f.get('link_confidence_tier')} confidence)."
        if vendor
        else " The employer links to no vendor."
    )
    return (
        f"{f.get('n_donors')} donors employed by {f.get('employer_norm')} gave "
        f"{money(f.get('total_amount'))} in {f.get('n_contributions')} contributions to "
        f"{recipient_label(f)} [{f.get('recipient_kind')}] on {f.get('donation_date')}.{link} Bundle "
        f"`{f.get('bundle_id')}`; rows: {ref_list(f.get('row_refs'), 'bundles.csv', f.get('row_refs_count'))}."
    )


def sentence_payroll(f: dict[str, Any]) -> str:
    vendor = f.get("linked_vendor_name_norm")
    link = f" The employer links to vendor {vendor}." if vendor else ""
    return (
        f"{f.get('n_donors')} employees of {f.get('employer_norm')} gave "
        f"{money(f.get('total_amount'))} in {f.get('n_contributions')} contributions on "
        f"{f.get('n_days')} day(s) ({f.get('first_date')} to {f.get('last_date')}) to "
        f"{recipient_label(f)} [{f.get('recipient_kind')}; connected organisation "
        f"{f.get('connected_org_name') or 'unknown'}], found by {', '.join(f.get('detected_by') or [])}."
        f"{link} Finding `{f.get('finding_id')}`; rows: "
        f"{ref_list(f.get('row_refs'), 'payroll_giving.csv', f.get('row_refs_count'))}."
    )


def sentence_limit_flags(f: dict[str, Any]) -> str:
    return (
        f"{f.get('donor_name')} gave {money(f.get('total_amount'))} to {recipient_label(f)} "
        f"{_limit_period(f)} ({f.get('n_contributions')} contributions, "
        f"{f.get('first_date')} to {f.get('last_date')}), {money(f.get('excess_amount'))} over "
        f"the {money(f.get('limit_amount'))} limit{_limit_status(f)}. Rule: {f.get('rule')}"
        f"{_rule_source(f)}. Flag `{f.get('flag_id')}`; rows: "
        f"{ref_list(f.get('row_refs'), 'limit_flags.csv', f.get('row_refs_count'))}."
    )


def _limit_period(f: Mapping[str, Any]) -> str:
    """'in calendar_year 2022', 'in election P2018'; a campaign limit covers the whole campaign."""
    if f.get("period_kind") == "campaign":
        return "over the campaign (primary and general together)"
    return f"in {f.get('period_kind')} {f.get('period')}"


def _limit_status(f: Mapping[str, Any]) -> str:
    if f.get("flag_status") == "doubtful":
        return f" (doubtful: {f.get('doubt_reason')})"
    return ""


def _rule_source(f: Mapping[str, Any]) -> str:
    title, url = f.get("rule_source_title"), f.get("rule_source_url")
    if title and url:
        return f" (source: {title}, {url})"
    return f" (source: {title})" if title else ""


def sentence_prohibited(f: dict[str, Any]) -> str:
    status = f.get("finding_status")
    doubt = f" (doubtful: {f.get('doubt_reason')})" if status != "probable" and f.get("doubt_reason") else ""
    return (
        f"{f.get('donor_name')} ({f.get('organisation_form') or f.get('contributor_type')}) gave "
        f"{money(f.get('amount'))} to {recipient_label(f)} on {f.get('donation_date')}{doubt}. Rule: "
        f"{f.get('rule')}{_rule_source(f)}. Finding `{f.get('finding_id')}`; row: "
        f"{ref_list([f.get('row_ref')], 'prohibited_contributions.csv', 1)}."
    )


def _payroll_apart(f: Mapping[str, Any]) -> str:
    n = f.get("n_payroll_contributions") or 0
    if not n:
        return ""
    return (
        f"; not counted: {money(f.get('payroll_amount'))} in {n} payroll contributions "
        "(to the vendor's own PAC or by payroll deduction, see payroll_giving)"
    )


def sentence_vendor_breadth(f: dict[str, Any]) -> str:
    tiers = ", ".join(f"{f.get('n_links_' + t)} {t}" for t in LINK_TIERS if f.get("n_links_" + t))
    names = f.get("recipient_names") or {}
    recipients = ", ".join(f"{r} ({names.get(r) or 'name unknown'})" for r in f.get("recipients") or [])
    return (
        f"#{f.get('breadth_rank')} {f.get('vendor_name')}: linked donations reach "
        f"{f.get('n_recipients')} recipients ({recipients}) from "
        f"{f.get('n_donors')} donors, {money(f.get('total_amount'))} in "
        f"{f.get('n_linked_contributions')} contributions (links: {tiers or 'none'})"
        f"{_payroll_apart(f)}. Finding "
        f"`{f.get('finding_id')}`; edges: "
        f"{ref_list(f.get('sample_edge_ids'), 'cross_links.csv', f.get('sample_edge_ids_count'))}."
    )


def sentence_timing(f: dict[str, Any]) -> str:
    verdict = "signal" if f.get("is_signal") else "no signal"
    if f.get("status") != "tested":
        return (
            f"{f.get('vendor_name_norm')} -> {recipient_label(f)}: {f.get('status_reason')} "
            f"({f.get('status')}, {f.get('n_donations')} donations). Finding `{f.get('finding_id')}`."
        )
    return (
        f"{f.get('vendor_name_norm')} -> {recipient_label(f)} ({verdict}): "
        f"{f.get('n_donations')} donations were on average {num(f.get('observed_mean_days'))} days "
        f"from the nearest of {f.get('n_awards')} award dates, against "
        f"{num(f.get('null_mean_days'))} under the null ({f.get('null_model')}); p = {num(f.get('p_value'))}, "
        f"q = {num(f.get('q_value'))}, effect size {num(f.get('effect_size'))}, "
        f"{f.get('n_permutations')} permutations. Finding `{f.get('finding_id')}`; donation rows: "
        f"{ref_list(f.get('donation_row_refs'), 'timing_signals.csv', f.get('donation_row_refs_count'))}; "
        f"award rows: {ref_list(f.get('award_row_refs'), 'timing_awards.csv', f.get('award_row_refs_count'))}."
    )


def sentence_red_flags(f: dict[str, Any]) -> str:
    evidence = []
    if f.get("bundle_ids"):
        evidence.append(f"bundles {ref_list(f['bundle_ids'], 'red_flags.csv', f.get('bundle_ids_count'), 3)}")
    if f.get("limit_flag_ids"):
        evidence.append(
            f"limit flags {ref_list(f['limit_flag_ids'], 'red_flags.csv', f.get('limit_flag_ids_count'), 3)}"
        )
    if f.get("prohibited_finding_ids"):
        evidence.append(
            f"prohibited contributions {ref_list(f['prohibited_finding_ids'], 'red_flags.csv', f.get('prohibited_finding_ids_count'), 3)}"  # noqa: E501
        )
    if f.get("timing_cluster") and f.get("timing_finding_id"):
        evidence.append(f"timing finding `{f['timing_finding_id']}`")
    context = []
    if f.get("non_competitive_award"):
        context.append(
            f"the vendor holds non-competitive awards ({', '.join(f.get('procurement_methods') or [])}; award rows "
            f"{ref_list(f.get('non_competitive_award_row_refs'), 'non_competitive_awards.csv', f.get('non_competitive_award_row_refs_count'), 3)})"  # noqa: E501
        )
    if f.get("broad_influence"):
        context.append(f"the vendor's linked donations reach {f.get('vendor_n_recipients')} recipients")
    not_evaluated = list(f.get("rules_not_evaluated") or []) + list(f.get("context_not_evaluated") or [])
    return (
        f"{f.get('vendor_name_norm')} -> {recipient_label(f)} [{f.get('recipient_kind')}]: "
        f"{f.get('severity')} severity, {f.get('n_rules')} pair rule(s) fired "
        f"({', '.join(f.get('rules_fired') or [])}), {f.get('n_independent_rules')} independent "
        f"(rules resting on the same rows count once); {money(f.get('linked_amount'))} in "
        f"{f.get('n_linked_contributions')} linked contributions. Flag `{f.get('flag_id')}`; evidence: "
        f"{'; '.join(evidence) or 'none'}. Context (vendor level, not counted): "
        f"{'; '.join(context) or 'none'}. Not evaluated: {'; '.join(not_evaluated) or 'none'}. Edges: "
        f"{ref_list(f.get('edge_ids'), 'red_flags.csv', f.get('edge_ids_count'), 3)}."
    )
