"""The FEC x ICE real-data example end to end, checked against facts counted independently
(shared/realdata MANIFEST: largest bundle, contribution-limit groups)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.runfile import load_run_file
from tests.python.conftest import REPO, DemoRun

pytestmark = pytest.mark.slow

RUN_FILE = REPO / "examples" / "fec_ice" / "run.yml"


@pytest.fixture(scope="module")
def fec_run(fec_example_run) -> DemoRun:
    """The example, built once per session (conftest.fec_example_run; the HTML tests read it too)."""
    return fec_example_run


def test_runs_cleanly(fec_run):
    assert fec_run.exit_code == 0


def test_row_accounting(fec_run):
    assert fec_run.query(
        "select role, input_rows, filtered_out, rejected, staged from staging.dq_row_accounting order by role"
    ) == [
        ("candidate_links", 2165, 0, 0, 2165),
        ("candidates", 6406, 0, 0, 6406),
        ("committees", 15536, 0, 0, 15536),
        ("contracts", 2203, 0, 0, 2203),
        ("contributions", 20000, 0, 0, 20000),
    ]


def test_user_model_role_keeps_row_refs(fec_run):
    rows = fec_run.query("""
        select count(*), count(distinct s.row_ref), count(r.row_index)
        from staging.stg_contracts s
        left join raw.ice_freezer r on r.row_index = s.row_index and r.award_id = s.award_id""")
    assert rows == [(2203, 2203, 2203)]


def test_the_known_payroll_bundle_is_payroll_giving(fec_run):
    """Changed by issue 10: the old largest "bundle" (1,042 Ernst & Young employees giving to the
    Ernst & Young PAC on one day, every row P/R DEDUCTION) is payroll giving, not a bundle."""
    row = fec_run.query("""
        select recipient_id, cast(donation_date as varchar), employer_norm, n_contributions, total_amount,
               group_status, is_bundle, n_memo_payroll, linked_vendor_name_norm
        from marts.bundle_groups order by n_contributions desc, bundle_id limit 1""")
    assert row == [
        (
            "C00227744",
            "2017-01-31",
            "ERNST AND YOUNG",
            1042,
            Decimal("616975.00"),
            "payroll_giving",
            False,
            1042,
            "ERNST AND YOUNG",
        )
    ]
    assert fec_run.query(
        "select count(*) from marts.bundles where recipient_id = 'C00227744' or employer_norm = 'ERNST AND YOUNG'"
    ) == [(0,)]


# ----------------------------------------------------------------------------------------------
# Bundles and payroll giving against facts counted here with plain DuckDB over the raw files
# (the model's SQL is not used): recipient kinds from the committee master's CMTE_TP, earmarks
# from TRANSACTION_TP/OTHER_ID, payroll from MEMO_TEXT, names normalised by the Python normaliser.
# ----------------------------------------------------------------------------------------------

FEC_DIR = REPO / "examples" / "fec_ice"
PRESET_DIR = REPO / "ingest" / "presets" / "fec"
PAYROLL_MEMO = "P/R DEDUCTION|PAYROLL DEDUCTION"


# The sponsor a PAC's name carries (FEC: a separate segregated fund's name includes its
# connected organisation's full name, "Inc." or "Corp." too): the words before the first
# legal-form or PAC word. Written here word by word, apart from the model's regular expression.
_ENDS_SPONSOR = [
    ("AND", "COMPANY"), ("AND", "CO"), ("POLITICAL", "ACTION"), ("POLITICAL", "COMMITTEE"), ("POLITICAL", "FUND"),
    ("GOOD", "GOVERNMENT"), ("FUND", "FOR"), ("CIVIC", "ACTION"),
]  # fmt: skip
_ENDS_SPONSOR_WORD = {
    "INC", "INCORPORATED", "CORP", "CORPORATION", "COMPANY", "CO", "LLC", "LLP", "LP", "PLLC", "PC", "PAC",
    "EMPLOYEES", "EMPLOYEE",
}  # fmt: skip


def _sponsor_in_pac_name(name: str | None) -> str | None:
    from python_udfs.names import normalize_org_name

    words = (normalize_org_name(name) or "").split() if name else []
    for i in range(1, len(words)):
        if words[i] in _ENDS_SPONSOR_WORD or tuple(words[i : i + 2]) in _ENDS_SPONSOR:
            return normalize_org_name(" ".join(words[:i])) or None
    return None


def _covers(sponsor: str | None, employer: str | None) -> bool:
    """Equal; the employer is the sponsor plus more words; or the sponsor cut after >= 2 words."""
    if not sponsor or not employer or len(sponsor) < 3:
        return False
    s, e = sponsor.split(), employer.split()
    return s == e or e[: len(s)] == s and len(e) > len(s) or s[: len(e)] == e and len(e) >= 2


def _own_pac(connected_norm: str | None, committee_name: str | None, employer_norm: str | None) -> bool:
    return _covers(connected_norm, employer_norm) or _covers(_sponsor_in_pac_name(committee_name), employer_norm)


def test_sponsor_rule_on_names_read_by_hand():
    assert _sponsor_in_pac_name("DELOITTE POLITICAL ACTION COMMITTEE") == "DELOITTE"
    assert _sponsor_in_pac_name("MICROSOFT CORPORATION STAKEHOLDERS VOLUNTARY PAC - MSVPAC") == "MICROSOFT"
    assert _sponsor_in_pac_name("WELLS FARGO AND COMPANY EMPLOYEE PAC (AKA WELLS FARGO EMPLOYEE PAC)") == "WELLS FARGO"
    assert _sponsor_in_pac_name("GOOGLE LLC NETPAC") == "GOOGLE"
    assert _sponsor_in_pac_name("EMILYS LIST") is None
    assert _own_pac(None, "DELOITTE POLITICAL ACTION COMMITTEE", "DELOITTE TAX")
    assert _own_pac("CAPITAL ONE FINANCIAL", None, "CAPITAL ONE")
    assert not _own_pac("AMERICAN DENTAL ASSOCIATION", "AMERICAN DENTAL ASSOCIATION PAC", "AMERICAN")
    assert not _own_pac("NATIONAL AIR TRAFFIC CONTROLLERS ASSOCIATION", None, "FEDERAL AVIATION ADMINISTRATION")


@pytest.fixture(scope="module")
def raw():
    import duckdb

    from python_udfs.names import is_non_answer, normalize_org_name

    con = duckdb.connect()
    con.create_function(
        "norg", lambda s: normalize_org_name(s) if s else None, ["VARCHAR"], "VARCHAR", null_handling="special"
    )
    con.create_function("non_answer", lambda s: bool(is_non_answer(s)), ["VARCHAR"], "BOOLEAN", null_handling="special")
    con.create_function(
        "sponsor_covers",
        lambda org, cmte, employer: _own_pac(normalize_org_name(org) if org else None, cmte, employer),
        ["VARCHAR", "VARCHAR", "VARCHAR"],
        "BOOLEAN",
        null_handling="special",
    )
    for table, data, header in [
        ("itcont", "itcont_indiv18_head20k.txt.gz", "indiv_header_file.csv"),
        ("cm", "fec2024_cm.txt.gz", "cm_header_file.csv"),
    ]:
        columns = {c: "VARCHAR" for c in (PRESET_DIR / header).read_text().strip().split("|")}
        con.execute(
            f"create table {table} as select row_number() over () - 1 as row_index, * from read_csv(?, delim='|', "
            f"quote='', escape='', header=false, columns={columns!r}, parallel=false)",
            [str(FEC_DIR / data)],
        )
    # individuals' gifts that can bundle: a stated employer, a positive amount, not a memo row;
    # earmarked gifts passed on by a conduit (24T/24I) count at the intended recipient OTHER_ID
    # the Python normaliser runs once per distinct name, not once per row
    con.execute("""
        create table names as
        select name, norg(name) as norm, non_answer(norg(name)) as is_non_answer
        from (select EMPLOYER as name from itcont union select CONNECTED_ORG_NM from cm) where name is not null""")
    con.execute("""
        create macro org(x) as (select norm from names where name = x);
        create macro no_employer(x) as coalesce((select is_non_answer from names where name = x), true)""")
    con.execute(f"""
        create table gifts as
        select i.row_index, i.NAME || '|' || left(i.ZIP_CODE, 5) as donor, i.TRANSACTION_DT as day,
               org(i.EMPLOYER) as employer, cast(i.TRANSACTION_AMT as decimal(18, 2)) as amount,
               case when i.TRANSACTION_TP in ('24T', '24I') and i.OTHER_ID is not null then i.OTHER_ID
                    else i.CMTE_ID end as recipient,
               coalesce(regexp_matches(upper(i.MEMO_TEXT), '{PAYROLL_MEMO}'), false) as memo_payroll
        from itcont i
        where i.ENTITY_TP not in ('ORG', 'PAC', 'COM', 'PTY', 'CCM') and coalesce(i.MEMO_CD, '') <> 'X'
          and cast(i.TRANSACTION_AMT as decimal(18, 2)) > 0 and not no_employer(i.EMPLOYER)""")
    con.execute("""
        create table gifts_k as
        select g.*, cm.CMTE_TP as committee_type,
               coalesce(cm.CMTE_TP in ('Q', 'N') and coalesce(cm.CMTE_DSGN, '') <> 'D'
                        and sponsor_covers(cm.CONNECTED_ORG_NM, cm.CMTE_NM, g.employer), false) as own_pac,
               cm.CMTE_DSGN as designation
        from gifts g left join cm on cm.CMTE_ID = g.recipient""")
    return con


def test_no_candidate_committee_gets_a_bundle_in_the_slice(fec_run, raw):
    """80 rows of the slice reach candidate committees (CMTE_TP H, S, P), all of them earmarked
    gifts passed on by a conduit (24T/24I, counted at OTHER_ID); 65 state an employer, and no
    two of them share an employer, a recipient and a day: 0 bundles under the default (candidate
    committees only)."""
    con = raw
    candidate = "committee_type in ('H', 'S', 'P') and coalesce(designation, '') <> 'J'"
    assert con.execute(f"select count(*), count(distinct recipient) from gifts_k where {candidate}").fetchall() == [
        (65, 49)
    ]
    assert con.execute(
        f"select max(n) from (select count(distinct donor) as n from gifts_k where {candidate} "
        "group by recipient, day, employer)"
    ).fetchall() == [(1,)]
    assert fec_run.query("select count(*) from marts.bundles") == [(0,)]
    # no pair evidence is left: every red flag of the old report rested on payroll "bundles"
    assert fec_run.query("select count(*), count(*) filter (where is_flagged) from marts.red_flag_pairs") == [(33, 0)]
    assert fec_run.query(
        "select count(*) from marts.red_flag_pairs where list_contains(rules_not_evaluated, "
        "'timing_cluster: not evaluated - the contracts role has no award dates "
        "(role_map.contracts.timing.enabled is false)')"
    ) == [(33,)]
    assert fec_run.query(
        "select group_status, count(*), sum(n_contributions) from marts.bundle_groups group by all order by 1"
    ) == [("payroll_giving", 360, 8095), ("recipient_kind_not_bundled", 234, 2378), ("recipient_unclassified", 16, 149)]


def test_payroll_giving_matches_the_independent_count(fec_run, raw):
    """Rows whose memo says payroll deduction (4,384 in the slice, 3 of them by RETIRED donors,
    whose employer is a non-answer) and rows to a PAC whose connected organisation is the
    donor's employer, counted from the raw files."""
    con = raw
    all_memo = con.execute(
        f"select count(*) from itcont where regexp_matches(upper(MEMO_TEXT), '{PAYROLL_MEMO}')"
    ).fetchall()
    assert all_memo == [(4384,)]
    # payroll_giving keeps refunds (net totals), so count every amount here
    con.execute(f"""
        create or replace temp table payroll_any as
        select i.row_index,
               coalesce(regexp_matches(upper(i.MEMO_TEXT), '{PAYROLL_MEMO}'), false) as memo_payroll,
               coalesce(cm.CMTE_TP in ('Q', 'N') and coalesce(cm.CMTE_DSGN, '') <> 'D'
                        and sponsor_covers(cm.CONNECTED_ORG_NM, cm.CMTE_NM, org(i.EMPLOYER)), false) as own_pac
        from itcont i left join cm on cm.CMTE_ID = i.CMTE_ID
        where i.ENTITY_TP not in ('ORG', 'PAC', 'COM', 'PTY', 'CCM') and coalesce(i.MEMO_CD, '') <> 'X'
          and not no_employer(i.EMPLOYER)""")
    independent = con.execute(
        "select count(*) filter (where memo_payroll), count(*) filter (where own_pac), "
        "count(*) filter (where memo_payroll or own_pac) from payroll_any"
    ).fetchall()
    model = fec_run.query(
        "select sum(n_memo_payroll), sum(n_to_own_employer_pac), sum(n_contributions) from marts.payroll_giving"
    )
    # 3,633 through the committee master's connected organisation alone; the sponsor a PAC's own
    # name carries (Deloitte's, Ernst & Young's PACs give none) brings 3,512 more
    assert independent == [(4381, 7145, 8568)]
    assert model == [(4381, 7145, 8568)]


def test_real_links(fec_run):
    links = {
        (v, o): t
        for v, o, t in fec_run.query(
            "select vendor_name_norm, other_name_norm, confidence_tier from intermediate.int_name_links"
        )
    }
    assert links[("GEO GROUP", "GEO GROUP")] == "high"
    assert links[("ERNST AND YOUNG", "ERNST AND YOUNG")] == "high"
    assert links[("DELOITTE CONSULTING", "DELOITTE")] in {"medium", "probable"}
    usable = {k for k, t in links.items() if t in {"high", "medium", "probable"}}
    assert ("L3 TECHNOLOGIES", "LEVEL 3 COMMUNICATIONS") not in usable
    assert ("LEVEL 3 COMMUNICATIONS", "L3 TECHNOLOGIES") not in usable


def test_timing_switched_off_by_role_map(fec_run):
    assert fec_run.query("select count(*) from marts.timing_signals") == [(0,)]


def test_recipients_have_fec_kinds(fec_run):
    """Counted independently from the raw committee master over the 627 filers of the slice:
    58 not in the master; types O 10; W 4; Q/D 7; Q/N (not D or J) 501, of which 461 with an
    ORG_TP (separate segregated funds); X/Y 47, of which NRCC is a national party.
    Kept above test_limit_groups_match_the_independent_count, which rebuilds the models with
    generic rules."""
    assert fec_run.query("""
        select recipient_kind, count(*) from intermediate.int_recipients
        where recipient_id in (select "CMTE_ID" from raw.fec_itcont)
        group by 1 order by 1""") == [
        ("hybrid_pac", 4),
        ("leadership_pac", 7),
        ("pac_connected", 461),
        ("pac_nonconnected", 40),
        ("party_national", 1),
        ("party_state_local", 46),
        ("super_pac", 10),
        ("unknown", 58),
    ]


def test_limit_groups_match_the_independent_count(fec_example_copy):
    """404 donor (NAME + ZIP5) x committee x calendar-year groups of individuals sum above
    $2,700 with memo rows excluded, counted independently from the raw file."""
    from moneytrail import dbt_runner

    run_vars = load_run_file(RUN_FILE).vars  # the FEC preset's role map, expanded
    run_vars["source_rules"] = "generic"  # the configured flat limit, not the FEC seeds
    run_vars["role_map"]["contributions"]["when"] = [{"column": "ENTITY_TP", "equals": "IND"}]
    run_vars["donor_identity"] = ["donor_name", "donor_zip5"]
    run_vars["contribution_limits"] = {"limit": 2700, "period": "calendar_year", "exclude_memo": True, "refunds": "net"}
    result = dbt_runner.invoke(["run", "--select", "+limit_flags"], run_vars, warehouse=fec_example_copy.db)
    assert result.success, result.error_text()
    assert fec_example_copy.query("select count(*), min(limit_amount) from marts.limit_flags") == [
        (404, Decimal("2700.00"))
    ]


def test_no_bundle_is_payroll_giving_even_when_pacs_may_bundle(fec_example_copy, raw):
    """With PACs allowed as bundle recipients, the bundles are exactly the same-day groups of >= 3
    donors with no payroll row, counted independently; none rests on a payroll-deduction row or
    on employees giving to their own employer's PAC."""
    from moneytrail import dbt_runner

    run_vars = load_run_file(RUN_FILE).vars
    kinds = ["candidate", "pac_connected", "pac_nonconnected", "leadership_pac"]
    run_vars["bundles"] = {"recipient_kinds": kinds}
    result = dbt_runner.invoke(["run", "--select", "+bundles"], run_vars, warehouse=fec_example_copy.db)
    assert result.success, result.error_text()
    con = raw
    groups = con.execute("""
        select count(*) from (
            select recipient, day, employer
            from gifts_k where committee_type in ('H', 'S', 'P', 'Q', 'N') and coalesce(designation, '') <> 'J'
            group by recipient, day, employer
            having count(distinct donor) >= 3 and not bool_or(memo_payroll or own_pac))""").fetchall()
    assert groups == [(233,)]
    assert fec_example_copy.query("select count(*) from marts.bundles") == groups
    bundled = [
        int(ref.rsplit("=", 1)[1])
        for (refs,) in fec_example_copy.query("select row_refs from marts.bundles")
        for ref in refs
    ]
    con.execute("create or replace temp table bundled as select unnest(?::bigint[]) as row_index", [bundled])
    assert con.execute("""
        select count(*), count(*) filter (where k.memo_payroll), count(*) filter (where k.own_pac)
        from bundled b join gifts_k k using (row_index)""").fetchall() == [(len(bundled), 0, 0)]


def test_flat_limit_settings_are_refused_under_fec_rules(fec_example_copy):
    """With the FEC preset the seeds decide limits; a contribution_limits setting would be
    ignored, so it stops the limit models with a message instead."""
    from moneytrail import dbt_runner

    run_vars = load_run_file(RUN_FILE).vars
    run_vars["contribution_limits"] = {"limit": 2700}
    result = dbt_runner.invoke(["run", "--select", "limit_flags"], run_vars, warehouse=fec_example_copy.db)
    assert not result.success
    assert (
        "analysis config: vars.contribution_limits does not apply with source_rules fec (limits, periods, "
        "memo rows and refunds follow the FEC seeds in seeds/fec_*.csv): remove it, or set source_rules: "
        "generic for a flat limit. Set it under vars in dbt_project.yml or in your run file's vars."
    ) in result.error_text()


def test_vendor_breadth_counts_payroll_giving_apart(fec_run, raw):
    """Employees' payroll giving (to the employer's own PAC, or by a payroll-deduction memo) is
    how a company or union PAC raises money, not a vendor's reach: cross_links marks those edges
    (is_payroll_giving) by the same rule as the independent count above, and vendor_breadth
    counts them apart from its recipients and money."""
    import re

    con = raw
    con.execute(f"""
        create or replace temp table payroll_rows as
        select i.row_index
        from itcont i left join cm on cm.CMTE_ID = i.CMTE_ID
        where i.ENTITY_TP not in ('ORG', 'PAC', 'COM', 'PTY', 'CCM') and coalesce(i.MEMO_CD, '') <> 'X'
          and not no_employer(i.EMPLOYER)
          and (coalesce(regexp_matches(upper(i.MEMO_TEXT), '{PAYROLL_MEMO}'), false)
               or coalesce(cm.CMTE_TP in ('Q', 'N') and coalesce(cm.CMTE_DSGN, '') <> 'D'
                           and sponsor_covers(cm.CONNECTED_ORG_NM, cm.CMTE_NM, org(i.EMPLOYER)), false))""")
    payroll = {r for (r,) in con.execute("select row_index from payroll_rows").fetchall()}
    edges = fec_run.query(
        "select contribution_row_ref, is_payroll_giving from marts.cross_links "
        "where relation = 'vendor_employer' and not is_memo"
    )
    index = {ref: int(re.search(r"row_index=(\d+)$", ref).group(1)) for ref, _ in edges}
    marked = sorted(index[ref] for ref, flag in edges if flag)
    assert marked == sorted(index[ref] for ref, _ in edges if index[ref] in payroll)
    assert len(marked) > 1000  # most linked money in the slice is payroll giving
    # breadth + payroll = every analysis-tier, non-memo edge of the vendor; payroll never reaches
    # breadth; a vendor with payroll edges only reaches no recipient and has no breadth row
    per_vendor = fec_run.query("""
        select count(b.vendor_entity_id), count(*) filter (where b.vendor_entity_id is null and e.other > 0),
               count(*) filter (where b.total_amount + b.payroll_amount <> e.amount
                                   or b.payroll_amount <> coalesce(e.payroll, 0))
        from (select vendor_entity_id, sum(amount) as amount,
                     sum(amount) filter (where is_payroll_giving) as payroll,
                     count(*) filter (where not is_payroll_giving) as other
              from marts.cross_links
              where tier_rank <= 3 and not is_memo group by 1) e
        left join marts.vendor_breadth b using (vendor_entity_id)""")
    assert per_vendor == [(16, 0, 0)]
    # before, Ernst & Young "reached" $635,125 and Deloitte & Touche $78,550: all but $250 of it is
    # their people's giving to their own PACs (E&Y: 1,042 rows say payroll deduction, the other 29
    # go to the PAC whose name says it is Ernst & Young's)
    assert fec_run.query("select count(*) from marts.vendor_breadth where vendor_name_norm = 'ERNST AND YOUNG'") == [
        (0,)
    ]
    assert fec_run.query(
        "select sum(amount), count(*) from marts.cross_links where vendor_name_norm = 'ERNST AND YOUNG' "
        "and tier_rank <= 3 and not is_memo and is_payroll_giving"
    ) == [(Decimal("635125.00"), 1071)]
    assert fec_run.query(
        "select n_recipients, total_amount, n_payroll_contributions, payroll_amount "
        "from marts.vendor_breadth where vendor_name_norm = 'DELOITTE AND TOUCHE'"
    ) == [(1, Decimal("250.00"), 142, Decimal("78300.00"))]
