"""Rule sentences: the rule or statistic behind each analysis in one plain sentence, with the
run's settings (read from report.json's run.vars). One function per analysis."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from moneytrail.html.markup import money


def vars_of(report: Mapping[str, Any]) -> dict[str, Any]:
    return dict((report.get("run") or {}).get("vars") or {})


def _bundles(v: dict[str, Any]) -> str:
    """Bundles: same employer, same recipient, same day."""
    s = v.get("bundles") or {}
    memo = "; memo entries are left out" if s.get("exclude_memo", True) else ""
    kinds = ", ".join(s.get("recipient_kinds") or []) or "the configured kinds"
    return (
        f"A bundle is {s.get('min_donors', 'the configured number of')} or more distinct donors who name the "
        f"same employer (after name normalisation) and give to the same recipient (of kind {kinds}) on the "
        f"same day; employers that are non-answers never bundle{memo}."
    )


def _limit_flags(v: dict[str, Any]) -> str:
    """Limit flags under the run's source rules (FEC seeds, a state's seeds, or the flat vars)."""
    s = v.get("contribution_limits") or {}
    identity = ", ".join(v.get("donor_identity") or []) or "the configured donor identity"
    rules = v.get("source_rules") or "generic"
    if rules == "fec":  # the flat vars.contribution_limits do not apply: the FEC seeds decide
        return (
            f"A limit flag is a donor (identified by {identity}) whose contributions to one recipient add up to "
            "more than the FEC limit for the contributor kind, the recipient kind and the cycle "
            "(seeds/fec_contribution_limits.csv: candidates per election, PACs and parties per calendar year, "
            "super PACs never); memo rows, earmarks and refunds follow the FEC seeds; each flag states the "
            "limit it applies."
        )
    if rules != "generic":
        return (
            f"A limit flag is a donor (identified by {identity}) whose contributions to one recipient add up to "
            f"more than the {rules} limit for the contributor kind, the recipient kind and, where the limit "
            "depends on it, the recipient's office (seeds/state_contribution_limits.csv: per calendar year, or per "
            "campaign with primary and general together); each flag states the limit it applies."
        )
    limit = s.get("limit")
    limit_text = money(f"{limit}") if isinstance(limit, (int, float, str)) else "the configured limit"
    return (
        f"A limit flag is a donor (identified by {identity}) whose contributions to one recipient in one "
        f"{str(s.get('period', 'period')).replace('_', ' ')} add up to more than {limit_text}; "
        f"refunds: {s.get('refunds', 'net')}; memo entries "
        f"{'left out' if s.get('exclude_memo', True) else 'counted'}."
    )


def _timing_signals(v: dict[str, Any]) -> str:
    """The timing permutation test and the red-flag thresholds of a signal."""
    s = v.get("timing") or {}
    rf = v.get("red_flags") or {}
    return (
        f"For each vendor-recipient pair with at least {s.get('min_donations', 'the configured number of')} "
        "linked donations, the statistic is the mean number of days from each donation to the vendor's "
        "nearest award date; the null model keeps the donations and the vendor's first and last award dates "
        f"and redraws its other award dates {s.get('n_permutations', 'n')} times between them ("
        + (
            "every day equally likely"
            if s.get("calendar") == "uniform_days"
            else "on days weighted by the awards of all vendors in the contracts data"
        )
        + "), p = (k + 1) / (n + 1) with k the redraws at least as close as the observed one, and a pair is "
        "a signal when "
        f"p <= {rf.get('timing_max_p', 'max p')}, the Benjamini-Hochberg q <= {rf.get('timing_max_q', 'max q')} "
        f"and the effect size >= {rf.get('timing_min_effect', 'min effect')}; a small p says the donations "
        "sit closer to awards than the redrawn awards would, not that anything improper happened."
    )


def _red_flags(v: dict[str, Any]) -> str:
    """Red flags: the independent rules that count and the context rules that do not."""
    rf = v.get("red_flags") or {}
    return (
        "A red flag is a vendor-recipient pair with at least "
        f"{rf.get('min_independent_rules', 'the configured number of')} independent piece(s) of evidence about "
        "the pair: bundled_donations (a bundle to the recipient whose employer links to the vendor), "
        "limit_excess (a limit flag for the recipient with a contribution linked to the vendor), "
        "prohibited_contribution (a contribution linked to the vendor that the recipient may not accept) and "
        "timing_cluster (the pair's timing finding is a signal); rules resting on overlapping contribution rows "
        "count once, doubtful limit and prohibited findings do not count, and severity rises with the "
        "independent evidence. non_competitive_award (the vendor holds an award by "
        f"{', '.join(rf.get('procurement_methods') or []) or 'a listed procurement method'}) and broad_influence "
        f"(the vendor reaches >= {rf.get('breadth_min_recipients', 'n')} recipients) describe the vendor: "
        "context, never counted."
    )


def _payroll_giving(v: dict[str, Any]) -> str:
    """Payroll giving to the employer's own PAC."""
    patterns = ", ".join((v.get("bundles") or {}).get("payroll_memo_patterns") or []) or "the configured patterns"
    return (
        "Payroll giving is employees' giving through their workplace, per PAC and normalised employer over "
        "the whole period: contributions to a PAC whose connected organisation is the donor's employer (after "
        f"name normalisation), or whose memo text says payroll deduction ({patterns}); a payroll deduction may "
        "go to a union's or association's PAC rather than the employer's. It is context, never a bundle."
    )


def _prohibited_contributions(v: dict[str, Any]) -> str:
    """Contributions the recipient may not accept, under the run's source rules."""
    rules = v.get("source_rules") or "generic"
    if rules == "fec":
        return (
            "A contribution the recipient may not accept at all (FEC rules, never a limit excess): an "
            "organisation (ENTITY_TP ORG) giving to a candidate, party or PAC; super PACs and non-contribution "
            "accounts may accept corporate and union money, Native American tribes may give. The file does not "
            "record the organisation's legal form, so it is read from the name: a corporation or labor "
            "organisation is probable; a partnership, an LLC, an unknown form or a recipient missing from the "
            "committee master is doubtful, with the reason."
        )
    if rules == "ma_ocpf":
        return (
            "A contribution the recipient may not accept at all (Massachusetts, M.G.L. c. 55 s. 8): a business "
            "or professional corporation, partnership or LLC giving to a candidate; probable for a business "
            "contributor kind, doubtful when the file does not state the kind."
        )
    if rules != "generic":
        return f"Not checked: which contributors may not give at all is not encoded for {rules}."
    return (
        "A contribution the recipient may not accept at all, never a limit excess: with generic rules, an "
        "organisation's contribution to a candidate, always doubtful (the source's own rules are not encoded)."
    )


def _vendor_breadth(v: dict[str, Any]) -> str:
    """Vendor breadth: recipients and donors reached through links."""
    return (
        "For each vendor: the distinct recipients and donors reached by contributions linked to it "
        f"(links at tier {v.get('min_link_tier', 'probable')} or better), the money, and a rank by most "
        "recipients, then most money. Employees' payroll giving (to the vendor's own PAC or by payroll "
        "deduction) is counted apart, never as breadth."
    )


def _cross_links(v: dict[str, Any]) -> str:
    """Cross links: contribution rows matched to vendor names."""
    return (
        "One edge per contribution row whose donor's employer (or the giving organisation) matches a vendor "
        "name; the match type, confidence tier and features (score, token overlap, rarity) say how strong "
        "the name match is."
    )


_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    "bundles": _bundles,
    "limit_flags": _limit_flags,
    "timing_signals": _timing_signals,
    "red_flags": _red_flags,
    "payroll_giving": _payroll_giving,
    "prohibited_contributions": _prohibited_contributions,
    "vendor_breadth": _vendor_breadth,
    "cross_links": _cross_links,
}


def rule_sentence(name: str, report: Mapping[str, Any]) -> str:
    """The rule or statistic behind an analysis, in one plain sentence, with this run's settings."""
    sentence = _SENTENCES.get(name)
    return sentence(vars_of(report)) if sentence is not None else "No rule sentence is known for this analysis."
