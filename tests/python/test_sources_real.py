"""The source presets of issue 14 on the real files shipped with their examples (byte-exact
copies, see examples/<source>/SOURCES.md), against facts computed here with plain Python over the
raw files: the models' SQL is not used for the expected values. Each run builds what the checked
analyses need (the whole example runs are `moneytrail run examples/<source>/run.yml`)."""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.python.conftest import REPO, DemoRun

pytestmark = pytest.mark.slow

EXAMPLES = REPO / "examples"
SELECT = ["+limit_flags", "+prohibited_contributions", "+dq_row_accounting", "+stg_rejects", "+stg_contracts"]
# the report's numbers for the notes these tests read (models/report/)
SELECT += ["rpt_limit_flags", "rpt_limits_not_checked"]


def _build(base: Path, run_file: Path, extra: tuple[str, ...] = ()) -> DemoRun:
    from ingest import warehouse
    from ingest.runfile import load_run_file
    from moneytrail import dbt_runner
    from moneytrail.cli import load_input

    run = load_run_file(run_file)
    db = base / "w.duckdb"
    con = warehouse.connect(db)
    try:
        for spec in run.inputs:
            load_input(con, spec)
    finally:
        con.close()
    # unit tests read seeds of other rules (FEC) that this selection does not build: they run in their own tests
    result = dbt_runner.invoke(
        ["build", "--select", *SELECT, *extra, "--exclude-resource-type", "unit_test"], run.vars, warehouse=db
    )
    return DemoRun(0 if result.success else 1, db, base, run.vars)


def _rows(path: Path, encoding: str = "utf-8", delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL):
    with gzip.open(path, "rt", encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter, quoting=quoting))


def _seed(name: str) -> list[dict[str, str]]:
    with (REPO / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _accounting(run: DemoRun) -> list[tuple]:
    return run.query(
        "select role, input_rows, filtered_out, rejected, staged from staging.dq_row_accounting order by role"
    )


# ---------------------------------------------------------------------------------------------
# Massachusetts: Boston 2021 mayoral contributions x Central Register award notices
# ---------------------------------------------------------------------------------------------

BOSTON = EXAMPLES / "ma_ocpf" / "boston2021_contributions.csv.gz"
CRAB = EXAMPLES / "ma_ocpf" / "crab_contract_awards.csv.gz"
TITLES = {"MR", "MRS", "MS", "MISS", "MX", "DR", "HON", "REV", "PROF", "SIR", "MD", "PHD", "DDS", "DMD", "DVM"}
TITLES |= {"ESQ", "CPA", "JD", "RN", "DO", "OD", "RET", "SGT", "COL", "CAPT", "GEN", "MAJ", "LT", "CDR", "ADM"}
GENERATIONS = {"JR", "SR", "II", "III", "IV"}


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return [w for w in re.split(r"[^A-Z0-9]+", folded) if w]


def _person(last: str, first: str, zip_code: str) -> str:
    """LAST, FIRST (no titles, middle names or initials; a generation suffix kept) | ZIP5."""
    last_words, first_words = _words(last), _words(first)
    gens = [w for w in last_words + first_words if w in GENERATIONS]
    last_words = [w for w in last_words if w not in TITLES | GENERATIONS]
    first_words = [w for w in first_words if w not in TITLES | GENERATIONS]
    key = " ".join(last_words) + ", " + (first_words[0] if first_words else "")
    key += f" {gens[0]}" if gens else ""
    zip_code = zip_code.strip()
    return key + "|" + (zip_code[:5] if re.match(r"[0-9]{5}", zip_code) else zip_code.upper())


def _is_candidate(row: dict[str, str]) -> bool:
    last, _, first = row["Candidate"].partition(",")
    return (
        row["LastName"].strip().upper() == last.strip().upper()
        and row["FirstName"].split()[0].upper() == first.strip().split(" ")[0].upper()
    )


def _name_words(row: dict[str, str]) -> str:
    return " " + " ".join(re.sub(r"[^A-Z0-9]+", " ", row["LastName"].upper()).split()) + " "


def _pac_by_name(row: dict[str, str]) -> bool:
    # PAC, Political Action (Committee), or the deposit reports' "Pol Action Comm" / "Pol. Action Comm."
    words = _name_words(row)
    return not row["FirstName"].strip() and any(w in words for w in (" PAC ", " POLITICAL ACTION ", " POL ACTION "))


def _committee_by_name(row: dict[str, str]) -> bool:
    words = _name_words(row)
    return (
        not row["FirstName"].strip()
        and not _pac_by_name(row)
        and any(w in words for w in (" COMMITTEE ", " CTTE ", " CTTEE "))
    )


@pytest.fixture(scope="module")
def boston(tmp_path_factory, _block_network) -> DemoRun:
    return _build(tmp_path_factory.mktemp("ma_ocpf"), EXAMPLES / "ma_ocpf" / "run.yml")


@pytest.fixture(scope="module")
def boston_rows() -> list[dict[str, str]]:
    return _rows(BOSTON)


def _aggregated(row: dict[str, str]) -> bool:
    return not row["FirstName"].strip() and row["LastName"].strip() == "Aggregated Unitemized Receipts"


def test_boston_runs_cleanly(boston):
    assert boston.exit_code == 0


def test_boston_letter_sent_and_at_home_name_no_employer(boston, boston_rows):
    # "Letter Sent 4/29/21" (the committee asked for the missing employer) and "At Home" are not
    # employers: never an organisation to bundle or link on (they made a false 10-donor bundle)
    said = [
        r
        for r in boston_rows
        if r["Employer"].strip().lower().startswith("letter sent") or r["Employer"].strip().lower() == "at home"
    ]
    assert len(said) == 98
    assert boston.query(
        "select count(*), count(*) filter (where employer_is_non_answer) from intermediate.int_contributions "
        "where lower(trim(employer)) like 'letter sent%' or lower(trim(employer)) = 'at home'"
    ) == [(len([r for r in said if not _aggregated(r)]), len([r for r in said if not _aggregated(r)]))]


def test_boston_row_accounting(boston, boston_rows):
    crab = _rows(CRAB)
    no_vendor = sum(1 for r in crab if not r["awarded_to"].split(";")[0].split(",")[0].strip())
    filtered = sum(1 for r in boston_rows if _aggregated(r))
    assert (len(boston_rows), filtered, no_vendor) == (28347, 72, 8)
    assert _accounting(boston) == [
        ("candidates", 5, 0, 0, 5),
        ("contracts", len(crab), 0, no_vendor, len(crab) - no_vendor),
        ("contributions", len(boston_rows), filtered, 0, len(boston_rows) - filtered),
    ]


def test_boston_refunds_net_against_the_donor(boston, boston_rows):
    negative = [r for r in boston_rows if Decimal(r["Amount"]) < 0 and not _aggregated(r)]
    assert len(negative) == 168
    assert boston.query("select count(*) from intermediate.int_contributions where is_refund") == [(len(negative),)]
    # a refund counts (negative) toward the donor's total: none is left out of the limit sums
    assert boston.query(
        "select count(*) from intermediate.int_contributions where is_refund and not counts_toward_limit"
    ) == [(0,)]


def test_boston_limit_flags_equal_the_independent_answer(boston, boston_rows):
    """$1,000 per person per candidate per calendar year (M.G.L. c. 55 s. 7A(a)(1)), refunds
    netted, the candidates' own money and rows without a first name left out."""
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in boston_rows:
        if not r["FirstName"].strip() or not r["LastName"].strip() or _is_candidate(r):
            continue
        totals[(_person(r["LastName"], r["FirstName"], r["ZipCode"]), r["Candidate"], r["Date"][:4])] += Decimal(
            r["Amount"]
        )
    refunded = {
        (_person(r["LastName"], r["FirstName"], r["ZipCode"]), r["Candidate"], r["Date"][:4])
        for r in boston_rows
        if r["FirstName"].strip() and "refund" in r["Employer"].lower()
    }
    people = {k: (v, "doubtful" if k in refunded else "excess") for k, v in totals.items() if v > 1000}
    got = boston.query(
        "select donor_key, recipient_id, period, total_amount, flag_status, limit_amount, limit_basis "
        "from marts.limit_flags where contributor_kind = 'individual'"
    )
    assert {(k, r, p): (t, f) for k, r, p, t, f, *_ in got} == people
    assert len(people) == 129 and sum(v - 1000 for v, _ in people.values()) == Decimal("64276.42")
    assert Counter(f for _, f in people.values()) == {"excess": 128, "doubtful": 1}
    assert {(g[5], g[6]) for g in got} == {(Decimal("1000.00"), "state_contribution_limits")}


def test_boston_pac_limit_is_doubtful_when_the_kind_comes_from_the_name(boston, boston_rows):
    """A PAC may give a candidate $500 a year (OCPF chart); the file has no record type, so a PAC
    is known only by its name and its flags are doubtful."""
    from python_udfs.names import normalize_org_name

    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in boston_rows:
        if _pac_by_name(r):
            zip5 = (
                r["ZipCode"].strip()[:5]
                if re.match(r"[0-9]{5}", r["ZipCode"].strip())
                else r["ZipCode"].strip().upper()
            )
            totals[(f"{normalize_org_name(r['LastName'])}|{zip5}", r["Candidate"], r["Date"][:4])] += Decimal(
                r["Amount"]
            )
    expected = {k: v for k, v in totals.items() if v > 500}
    got = boston.query(
        "select donor_key, recipient_id, period, total_amount, flag_status, limit_amount from marts.limit_flags "
        "where contributor_kind = 'pac'"
    )
    assert {(k, r, p): t for k, r, p, t, *_ in got} == expected
    assert {(g[4], g[5]) for g in got} <= {("doubtful", Decimal("500.00"))}


def test_boston_candidate_own_money_is_not_an_excess(boston, boston_rows):
    own = [r for r in boston_rows if r["FirstName"].strip() and r["LastName"].strip() and _is_candidate(r)]
    by_candidate = Counter(r["Candidate"] for r in own)
    assert by_candidate == {"Barros, John F.": 5}
    assert sum(Decimal(r["Amount"]) for r in own) == Decimal("25025")
    assert boston.query(
        "select count(*), sum(amount) from intermediate.int_contributions where contributor_kind = 'candidate_self'"
    ) == [(5, Decimal("25025.00"))]
    assert boston.query(
        "select count(*) from marts.limit_flags where recipient_id = 'Barros, John F.' and donor_name like 'Barros%'"
    ) == [(0,)]


def test_boston_business_rule_is_doubtful_without_a_record_type(boston, boston_rows):
    """M.G.L. c. 55 s. 8: a business may not give to a candidate; the file does not say which
    contributors are businesses, so every row without a first name is listed as doubtful."""
    expected = [
        r
        for r in boston_rows
        if not r["FirstName"].strip()
        and not _aggregated(r)
        and not _pac_by_name(r)
        and not _committee_by_name(r)
        and Decimal(r["Amount"]) >= 0
    ]
    assert boston.query(
        "select finding_status, count(*), sum(amount), min(rule_source_url) from marts.prohibited_contributions "
        "group by all"
    ) == [
        (
            "doubtful",
            len(expected),
            sum(Decimal(r["Amount"]) for r in expected),
            "https://malegislature.gov/Laws/GeneralLaws/PartI/TitleVIII/Chapter55/Section8",
        )
    ]
    # 25 PACs the deposit reports abbreviate "Pol Action Comm" and one "People's Cttee" are not
    # businesses: never listed; the doubt says the row may not be a contribution at all
    assert len(expected) == 31
    assert boston.query(
        "select count(*) from marts.prohibited_contributions "
        "where donor_name ilike '%pol%action%' or donor_name ilike '%cttee%'"
    ) == [(0,)]
    assert boston.query(
        "select contributor_kind, count(*) from intermediate.int_contributions "
        "where donor_name in ('MA Bankers Pol Action Comm', "
        "'MA Assoc. of Nursing Homes Education & Pol. Action Comm.', "
        "'Elevator Constructors Local 4 People''s Cttee') group by all order by 1"
    ) == [("committee", 1), ("pac", 3)]
    assert boston.query(
        "select doubt_reason from marts.prohibited_contributions where donor_name = 'Previously deposited 4/30/21'"
    ) == [
        (
            "contributor type NO FIRST NAME: committees, PACs, unions and businesses alike, and receipts that are "
            "not contributions (a vendor's refund or rebate, bank interest, a processor's adjustment, a bookkeeping "
            "line such as Previously deposited): the file has no OCPF record type, so neither the contributor's "
            "kind nor whether the row is a contribution is known; a committee, union or association may give, a "
            "business may not; organisation of unknown form by its name",
        )
    ]


def test_boston_not_checked_pairs_are_said(boston, boston_rows):
    import duckdb

    from moneytrail.report.counts import notes_limit_flags

    con = duckdb.connect(str(boston.db), read_only=True)
    try:
        notes = notes_limit_flags(con, {"source_rules": "ma_ocpf"})
    finally:
        con.close()
    no_first = [r for r in boston_rows if not r["FirstName"].strip() and not _aggregated(r)]
    unknown = sum(1 for r in no_first if not _pac_by_name(r) and not _committee_by_name(r))
    committees = sum(1 for r in no_first if _committee_by_name(r))
    assert unknown + committees + sum(1 for r in no_first if _pac_by_name(r)) == 271
    # every negative row of the file nets against its donor; a refund paid as an expenditure is not here
    refunds = sum(1 for r in boston_rows if Decimal(r["Amount"]) < 0)
    assert refunds == 168
    assert notes[0] == (
        f"Refunds: {refunds} row(s) of these receipts are refunds (a negative amount; under FEC rules a refund "
        "transaction type) and net against their donors' totals. A refund a committee reports as a disbursement "
        "or expenditure is not in a receipts file, so an excess here may already have been refunded: check the "
        "recipient's disbursements before publishing it."
    )
    assert notes[1:] == [
        f"Not checked: {n} contribution(s) from {k} to candidate: {why}"
        for n, k, why in sorted(
            [
                (unknown, "unknown", "no limit with a source in seeds/state_contribution_limits.csv for ma_ocpf."),
                (committees, "committee", "no limit with a source in seeds/state_contribution_limits.csv for ma_ocpf."),
                (5, "candidate_self", "no limit: a candidate may give their own campaign any amount."),
            ],
            key=lambda t: (-t[0], t[1]),
        )
    ]


# ---------------------------------------------------------------------------------------------
# District of Columbia: OCF contributions x OCP awards
# ---------------------------------------------------------------------------------------------

DC_CONTRIBUTIONS = EXAMPLES / "dc" / "dc_contribs_since_7may15.csv.gz"
DC_AWARDS = EXAMPLES / "dc" / "ocp_awards.csv.gz"


@pytest.fixture(scope="module")
def dc(tmp_path_factory, _block_network) -> DemoRun:
    # and the link graph, for the unit rule (test_dc_gifts_count_once_under_the_brand_written)
    return _build(tmp_path_factory.mktemp("dc"), EXAMPLES / "dc" / "run.yml", ("+cross_links", "+er_review_summary"))


def _staged_awards() -> list[dict[str, str]]:
    rows = _rows(DC_AWARDS)
    return [
        r for r in rows if r["Contract Number"].strip() and not re.search(r"\.[0-9]{2}[0-9]*[1-9]", r["Award Amount"])
    ]


def test_dc_runs_cleanly(dc):
    assert dc.exit_code == 0


def test_dc_row_accounting(dc):
    contributions, awards = _rows(DC_CONTRIBUTIONS, encoding="cp1252"), _rows(DC_AWARDS)
    blank = sum(1 for r in awards if not r["Contract Number"].strip())
    assert (len(contributions), len(awards), blank) == (2242, 7005, 4)
    committees = {r["Committee Name"] for r in contributions}
    assert _accounting(dc) == [
        ("candidates", len(committees), 0, 0, len(committees)),
        ("contracts", len(awards), blank, 1, len(_staged_awards())),
        ("contributions", len(contributions), 0, 0, len(contributions)),
    ]


def test_dc_gifts_count_once_under_the_brand_written(dc):
    """Employees who wrote HOWARD UNIVERSITY also matched the vendor Howard University Hospital,
    so their gifts counted in both vendors' breadth. Checked here by words, independently of
    the unit rule's code: no contribution row counted by default reaches two vendors where one
    vendor's name is the other's plus words the employer did not write."""
    doubled = dc.query("""
        with e as (
            select distinct contribution_row_ref, other_name_norm, vendor_name_norm
            from marts.cross_links where relation = 'vendor_employer' and tier_rank <= 3
        ),
        w as (select *, string_split(vendor_name_norm, ' ') as vw, string_split(other_name_norm, ' ') as ow from e)
        select count(*) from w a join w b
          on a.contribution_row_ref = b.contribution_row_ref and a.vendor_name_norm <> b.vendor_name_norm
        where list_has_all(b.vw, a.vw)
          and len(list_filter(b.vw, x -> not list_contains(a.vw, x) and not list_contains(b.ow, x)
                              and x not in ('OF', 'THE', 'AND', 'INC', 'LLC', 'CORP', 'CO'))) > 0""")
    assert doubled == [(0,)]
    howard = dc.query(
        "select vendor_name, count(*), sum(amount) from marts.cross_links "
        "where relation = 'vendor_employer' and other_name_norm in ('HOWARD', 'HOWARD UNIVERSITY') group by 1"
    )
    assert howard == [("Howard University", 5, Decimal("1275.00"))]
    family = dc.query(
        "select vendor_name_norm, other_name_norm, knowledge_note from intermediate.int_name_links "
        "where link_scope = 'family' and vendor_name_norm = 'HOWARD UNIVERSITY HOSPITAL' order by 2"
    )
    assert [(v, o) for v, o, _ in family] == [
        ("HOWARD UNIVERSITY HOSPITAL", "HOWARD"),
        ("HOWARD UNIVERSITY HOSPITAL", "HOWARD UNIVERSITY"),
    ]
    assert all(n.startswith("unit of a linked brand: this name also links to HOWARD UNIVERSITY,") for _, _, n in family)
    # family links: 9 units of a linked brand and the matcher's 16 unit links (matcher_units.py),
    # read by hand: 14 are a body and its unit or the same organisation; two are doubtful (the
    # GW Medical Faculty Associates were a separately incorporated practice group; TOTAL
    # HEALTHCARE and TOTAL HEALTHCARE SOLUTIONS may be two firms). Family links are not counted
    # by default, which the first query of this test checks.
    summary = "select unit_links, unit_match_links, family_links, link_scopes_counted from marts.er_review_summary"
    # (US ARMY / US ARMY CORPS OF ENGINEERS BALTIMORE DISTRICT is no unit link: DISTRICT is a
    # government word, and another kind of public body is no unit)
    assert dc.query(summary) == [(9, 16, 25, "same_organisation")]
    units = dc.query(
        "select vendor_name_norm, other_name_norm from intermediate.int_name_links "
        "where match_type = 'unit' and link_scope = 'family' order by 1, 2"
    )
    assert units == [
        ("AETNA LIFE INSURANCE COMPANY INC AETNA", "AETNA"),
        ("AMERICAN RED CROSS NATIONAL CAPITAL CHAPTER", "AMERICAN RED CROSS"),
        ("ARAMARK CORRECTIONAL SERVICES", "ARAMARK"),
        ("GEORGE WASHINGTON UNIVERSITY CENTER FOR EXCELLENCE IN MUNICIPAL MANAGEMENT", "GEORGE WASHINGTON UNIVERSITY"),
        (
            "GEORGE WASHINGTON UNIVERSITY MEDICAL CENTER RONALD REAGAN INSTITUTE OF EMERGENCY MEDICINE",
            "GEORGE WASHINGTON UNIVERSITY",
        ),
        ("GEORGE WASHINGTON UNIVERSITY MEDICAL FACULTY ASSOCIATES", "GEORGE WASHINGTON UNIVERSITY"),
        ("GEORGETOWN UNIVERSITY CHILD AND HUMAN DEVELOPMENT CENTER", "GEORGETOWN UNIVERSITY"),
        ("HOWARD UNIVERSITY", "HOWARD UNIVERSITY COLEGE OF DENISTRY"),
        ("HOWARD UNIVERSITY", "HOWARD UNIVERSITY LIBRARIES"),
        ("HOWARD UNIVERSITY LEARNING ACADEMY", "HOWARD UNIVERSITY"),
        ("JOHNS HOPKINS UNIVERSITY APPLIED PHYSICS LABORATORY", "JOHNS HOPKINS UNIVERSITY"),
        ("JOHNS HOPKINS UNIVERSITY BLOOMBERG SCHOOL OF PUBLIC HEALTH", "JOHNS HOPKINS UNIVERSITY"),
        ("MARYS CENTER FOR MATERNAL AND CHILD CARE", "MARYS CENTER"),
        ("MARYS CENTER MATERNAL CHILD CARE", "MARYS CENTER"),
        ("PROVIDENCE HOSPITAL UMOJO", "PROVIDENCE HOSPITAL"),
        ("TOTAL HEALTHCARE", "TOTAL HEALTHCARE SOLUTIONS THS"),
    ]


def test_dc_award_date_is_the_start_of_the_base_period(dc):
    starts = [
        datetime.strptime(r["Base Contract Period"].split("-")[0].strip(), "%m/%d/%Y").date() for r in _staged_awards()
    ]
    assert dc.query("select min(award_date), max(award_date), count(award_date) from staging.stg_contracts") == [
        (min(starts), max(starts), len(starts))
    ]
    assert (min(starts), max(starts)) == (date(2001, 1, 3), date(2014, 9, 6))


def test_dc_market_type_is_the_procurement_method(dc):
    staged = Counter((r["Market Type"] or "").strip().upper() for r in _staged_awards())
    got = dict(
        dc.query(
            "select procurement_method_norm, count(*) from staging.stg_contracts "
            "where procurement_method_norm in ('SOLE SOURCE', 'EMERGENCY', 'OPEN') group by 1"
        )
    )
    assert got == {k: staged[k] for k in ("SOLE SOURCE", "EMERGENCY", "OPEN")}
    assert (staged["SOLE SOURCE"], staged["EMERGENCY"]) == (787, 44)


def test_dc_contributor_kinds_come_from_the_seed(dc):
    kinds = {r["contributor_type"]: r["contributor_kind"] for r in _seed("contributor_types") if r["rules"] == "dc_ocf"}
    expected = Counter(
        kinds.get((r["Contributor Type"] or "").strip().upper(), "unknown")
        for r in _rows(DC_CONTRIBUTIONS, encoding="cp1252")
    )
    assert (
        dict(dc.query("select contributor_kind, count(*) from intermediate.int_contributions group by 1")) == expected
    )
    assert expected["individual"] == 1985 and expected["business"] == 208


def test_dc_limit_flags_equal_the_independent_answer(dc):
    """D.C. Code 1-1163.33: a person or business contributor may give a Council at-large campaign
    $1,000 and a ward campaign $500, primary and general together. Counted here from the raw file:
    the office from the committee's Race Type Detail ('?' or blank: no office, not checked), the
    contributor kind from the seed, the donor as the upper-cased name with its ZIP5."""
    kinds = {r["contributor_type"]: r["contributor_kind"] for r in _seed("contributor_types") if r["rules"] == "dc_ocf"}
    rows = _rows(DC_CONTRIBUTIONS, encoding="cp1252")
    office: dict[str, str] = {}
    for r in rows:
        detail = (r["Race Type Detail"] or "").strip()
        if detail not in ("", "?"):
            office[r["Committee Name"]] = min(office.get(r["Committee Name"], detail), detail)
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for r in rows:
        kind = kinds.get((r["Contributor Type"] or "").strip().upper(), "unknown")
        if kind not in ("individual", "business") or r["Committee Name"] not in office:
            continue
        donor = " ".join(r["Contributor Name"].upper().split()) + "|" + r["Contributor Zip"].strip()[:5]
        totals.setdefault((donor, r["Committee Name"]), []).append(Decimal(r["Amount"]))
    expected = sorted(
        (committee, len(amounts), sum(amounts), limit)
        for (donor, committee), amounts in totals.items()
        for limit in [Decimal(1000) if office[committee] == "Council - At-Large" else Decimal(500)]
        if office[committee].startswith("Council - Ward ") or office[committee] == "Council - At-Large"
        if sum(amounts) > limit
    )
    assert expected == [
        ("Committee to Elect Ron Austin For Ward 4", 2, Decimal("1000"), Decimal(500)),
        ("Re-Elect LaRuby May", 2, Decimal("878.5"), Decimal(500)),
        ("Robert White At-Large 2016", 2, Decimal("1244"), Decimal(1000)),
    ]
    assert (
        sorted(
            dc.query(
                "select recipient_id, n_contributions, total_amount, limit_amount from marts.limit_flags "
                "where period_kind = 'campaign' and period = 'campaign' and flag_status = 'excess'"
            )
        )
        == expected
    )
    assert dc.query("select count(*) from marts.limit_flags") == [(3,)]
    # 12 of the 26 committees have no office in the export: nothing to them is checked, and the
    # report's "Not checked" notes count those gifts (persons and businesses)
    assert dc.query("select count(*), count(office) from intermediate.int_recipients") == [(26, 14)]
    no_office = Counter(
        kinds.get((r["Contributor Type"] or "").strip().upper(), "unknown")
        for r in rows
        if r["Committee Name"] not in office
    )
    assert (no_office["individual"], no_office["business"]) == (514, 24)
    assert dc.query(
        "select contributor_kind, n_contributions from report.rpt_limits_not_checked where office_unknown order by 1"
    ) == [("business", 24), ("individual", 514)]


def test_dc_prohibitions_are_not_checked_and_say_so(dc):
    from moneytrail.report.counts import notes_prohibited

    assert dc.query("select count(*) from marts.prohibited_contributions") == [(0,)]
    assert notes_prohibited(None, {"source_rules": "dc_ocf"}) == [
        "Not checked: which contributors may not give at all is not encoded for dc_ocf "
        "(no prohibition with a source in the seeds), so no contribution is listed here."
    ]


# ---------------------------------------------------------------------------------------------
# CAL-ACCESS receipts x USAspending transactions (examples/calaccess): the base award is the award
# ---------------------------------------------------------------------------------------------

USA = EXAMPLES / "usaspending" / "hospital_covid_contracts.csv.gz"
RCPT = EXAMPLES / "calaccess" / "RCPT_CD.TSV.gz"


@pytest.fixture(scope="module")
def usaspending(tmp_path_factory, _block_network) -> DemoRun:
    return _build(tmp_path_factory.mktemp("calaccess"), EXAMPLES / "calaccess" / "run.yml")


def _receipts() -> list[dict[str, str]]:
    return _rows(RCPT, delimiter="\t", quoting=csv.QUOTE_NONE)


def test_calaccess_receipts_and_their_kinds(usaspending):
    rows = _receipts()
    kinds = {
        r["contributor_type"]: r["contributor_kind"] for r in _seed("contributor_types") if r["rules"] == "ca_calaccess"
    }
    expected = Counter(kinds.get(r["ENTITY_CD"].strip().upper(), "unknown") for r in rows)
    assert (
        dict(usaspending.query("select contributor_kind, count(*) from intermediate.int_contributions group by 1"))
        == expected
    )
    assert expected["individual"] == 671
    filings = {r["FILING_ID"] for r in rows}
    assert [r for r in _accounting(usaspending) if r[0] != "contracts"] == [
        ("committees", len(filings), 0, 0, len(filings)),
        ("contributions", len(rows), 0, 0, len(rows)),
    ]
    # every receipt date 'M/D/YYYY 12:00:00 AM' parsed; refunds (negative) and memo rows as written
    dates = [datetime.strptime(r["RCPT_DATE"], "%m/%d/%Y %I:%M:%S %p").date() for r in rows]
    assert usaspending.query(
        "select min(donation_date), max(donation_date), count(*) filter (where is_refund), "
        "count(*) filter (where is_memo) from intermediate.int_contributions"
    ) == [
        (
            min(dates),
            max(dates),
            sum(1 for r in rows if Decimal(r["AMOUNT"]) < 0),
            sum(1 for r in rows if r["MEMO_CODE"] == "X"),
        )
    ]
    # the recipients are filings of unknown kind: nothing is checked against a limit, and the report says so
    assert usaspending.query("select distinct recipient_kind from intermediate.int_recipients") == [("unknown",)]
    assert usaspending.query("select count(*) from marts.limit_flags") == [(0,)]


def test_calaccess_amendments_count_once(usaspending):
    """An amendment restates its filing: only the rows of the highest AMEND_ID of each FILING_ID
    count (CAL-ACCESS shows only the latest version; the Civic Data Coalition's processed Schedule A
    items keep only it). Expected rows from SQL written here over the raw file, not the models'."""
    import duckdb

    raw = duckdb.connect()
    raw.execute(
        "create table r as select * from read_csv(?, delim='\t', header=true, quote='', all_varchar=true)",
        [str(RCPT)],
    )
    expected = raw.execute(
        """
        select r.FILING_ID, r.AMEND_ID, r.TRAN_ID, cast(r.AMOUNT as decimal(18, 2)),
               'superseded by amendment ' || m.latest || ' of filing ' || r.FILING_ID
        from r
        join (select FILING_ID, max(cast(AMEND_ID as integer)) as latest from r group by FILING_ID) m
          on m.FILING_ID = r.FILING_ID
        where cast(r.AMEND_ID as integer) < m.latest
        order by all"""
    ).fetchall()
    assert (len(expected), sum(e[3] for e in expected)) == (71, Decimal("38867.34"))
    assert len({e[0] for e in expected}) == 31
    assert (
        usaspending.query(
            "select file_num, amendment_indicator, tran_id, amount, not_counted_reason "
            "from intermediate.int_contributions where not_counted_reason like 'superseded%' order by all"
        )
        == expected
    )
    # the filing with the most versions in the sample: 18 rows over amendments 0-4, 5 count
    assert usaspending.query(
        "select amendment_indicator, count(*), bool_and(counts_toward_limit) from intermediate.int_contributions "
        "where file_num = '1364931' group by 1 order by 1"
    ) == [("0", 3, False), ("1", 3, False), ("2", 5, False), ("3", 2, False), ("4", 5, True)]
    from moneytrail.report.counts import notes_limit_flags

    con = duckdb.connect(str(usaspending.db), read_only=True)
    try:
        notes = notes_limit_flags(con, {"source_rules": "ca_calaccess"})
    finally:
        con.close()
    assert notes[0] == (
        "Amendments: 71 row(s) of 31 filing(s) belong to a version the filing's latest amendment (highest "
        "AMEND_ID in the file) restates; they are kept, not counted (not_counted_reason 'superseded by "
        "amendment N of filing F'). In a sample of the export the latest version's own rows may be missing, "
        "so a sample's totals understate the filing."
    )


def test_usaspending_runs_cleanly(usaspending):
    assert usaspending.exit_code == 0


def test_usaspending_keeps_the_base_award_of_each_award(usaspending):
    rows = _rows(USA)
    base = [r for r in rows if r["mod_number"] == "0"]
    assert (len(rows), len(base), len({r["award_id"] for r in base})) == (6872, 990, 990)
    assert [r for r in _accounting(usaspending) if r[0] == "contracts"] == [
        ("contracts", len(rows), len(rows) - len(base), 0, len(base))
    ]
    dates = [date.fromisoformat(r["action_date"]) for r in base]
    assert usaspending.query(
        "select min(award_date), max(award_date), count(distinct award_id), sum(contract_value) "
        "from staging.stg_contracts"
    ) == [(min(dates), max(dates), len(base), sum(Decimal(r["fed_obligate"]) for r in base))]


def test_usaspending_awards_without_their_base_in_the_file_have_no_date(usaspending):
    rows = _rows(USA)
    with_base = {r["award_id"] for r in rows if r["mod_number"] == "0"}
    only_modified = {r["award_id"] for r in rows} - with_base
    assert len(only_modified) == 2108
    assert usaspending.query(
        "select count(*) from staging.stg_contracts where award_id in (select unnest(?::varchar[]))",
        [sorted(only_modified)],
    ) == [(0,)]
