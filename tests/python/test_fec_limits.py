"""Contribution limits on real FEC slices, checked against answers computed here by
independent SQL (plain duckdb over the raw bulk files, a person-name key written in Python)
rather than by the models' own SQL.

Slices: the FEC x ICE example (first 20,000 rows of indiv18/itcont.txt) and the random 5,000
and 10,000-row samples of 2015-2018 in tests/fixtures/fec, each with the 2023-24 committee
master of the example."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import REPO, DemoRun

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "fec_ice"
FIXTURES = REPO / "tests" / "fixtures" / "fec"
HEADERS = REPO / "ingest" / "presets" / "fec"
SLICES = {
    "head20k": EXAMPLE / "itcont_indiv18_head20k.txt.gz",
    "random5k": FIXTURES / "itcont_2015_2018_random5k.txt.gz",
    "random10k": FIXTURES / "itcont_2015_2018_random10k.txt.gz",
}

# ---------------------------------------------------------------------------------------------
# The independent rules (FEC pages: contribution limits per cycle, committee types, transaction
# types), written out here without the project's seeds or models.
# ---------------------------------------------------------------------------------------------
NATIONAL_PARTIES = [
    "C00003418",
    "C00010603",
    "C00027466",
    "C00042366",
    "C00075820",
    "C00000935",
    "C00255695",
    "C00279802",
]
CONDUITS = ["C00401224", "C00694323"]
GENERAL_ELECTIONS = {2014: date(2014, 11, 4), 2016: date(2016, 11, 8), 2018: date(2018, 11, 6)}
CANDIDATE_LIMIT = {2016: 2700, 2018: 2700}  # individual -> candidate, per election
NATIONAL_LIMIT = {2016: 33400, 2018: 33900}  # individual -> national party, per year
TITLES = {"MR", "MRS", "MS", "MISS", "MX", "DR", "HON", "REV", "PROF", "SIR", "MD", "PHD", "DDS", "DMD", "DVM"}
TITLES |= {"ESQ", "CPA", "JD", "RN", "DO", "OD", "RET", "SGT", "COL", "CAPT", "GEN", "MAJ", "LT", "CDR", "ADM"}
GENERATIONS = {"JR", "SR", "II", "III", "IV"}


def person_key(name: str | None) -> str | None:
    """LAST, FIRST (+ generation): titles, professional suffixes and middle names dropped."""
    if name is None:
        return None
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", name.upper()) if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Z0-9, ]+", " ", folded).strip()
    if "," in text:
        last, rest = text.split(",", 1)
        last_words, rest_words = last.split(), [w for w in re.split(r"[ ,]+", rest) if w]
        generation = [w for w in last_words + rest_words if w in GENERATIONS]
        given = [w for w in rest_words if w not in TITLES | GENERATIONS]
        key = " ".join(w for w in last_words if w not in TITLES | GENERATIONS) + ", " + (given[0] if given else "")
    else:
        words = text.split()
        generation = [w for w in words if w in GENERATIONS]
        key = " ".join(w for w in words if w not in TITLES | GENERATIONS and len(w) > 1)
    if generation:
        key += " " + generation[0]
    key = key.strip()
    return None if key in ("", ",") else key


def zip5(z: str | None) -> str:
    if z is None or not z.strip():
        return ""
    return z[:5] if re.match(r"^[0-9]{5}", z) else z.strip().upper()


def _columns(header: str) -> str:
    names = (HEADERS / header).read_text(encoding="utf-8").strip().split("|")
    return "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"


def independent_connection(itcont: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.create_function("pkey", person_key, ["VARCHAR"], "VARCHAR", null_handling="special")
    con.create_function("zip5", zip5, ["VARCHAR"], "VARCHAR", null_handling="special")
    opts = "delim='|', quote='', escape='', header=false"
    con.execute(
        f"create view itcont as select * from read_csv('{itcont}', {opts}, columns={_columns('indiv_header_file.csv')})"
    )
    cm = EXAMPLE / "fec2024_cm.txt.gz"
    con.execute(f"create view cm as select * from read_csv('{cm}', {opts}, columns={_columns('cm_header_file.csv')})")
    return con


def independent_flags(itcont: Path) -> list[tuple[str, str, Decimal, str]]:
    """(recipient, period, total, status) of every limit excess, from the raw files."""
    con = independent_connection(itcont)
    gen = " ".join(f"when {y} then date '{d}'" for y, d in GENERAL_ELECTIONS.items())
    cand = " ".join(f"when {y} then {v}" for y, v in CANDIDATE_LIMIT.items())
    nat = " ".join(f"when {y} then {v}" for y, v in NATIONAL_LIMIT.items())
    parties = ", ".join(f"'{c}'" for c in NATIONAL_PARTIES)
    conduits = ", ".join(f"'{c}'" for c in CONDUITS)
    rows = con.execute(f"""
        with r as (
            select *, upper(TRANSACTION_TP) as tp, cast(TRANSACTION_AMT as decimal(18, 2)) as amt,
                   cast(strptime(TRANSACTION_DT, '%m%d%Y') as date) as d,
                   pkey(NAME) || '|' || zip5(ZIP_CODE) as donor
            from itcont
            where ENTITY_TP = 'IND' and TRANSACTION_DT is not null
              -- types that count toward a limit; memo rows only as partnership attributions
              and upper(TRANSACTION_TP) in ('11', '15', '15E', '22Y', '21Y', '24T', '24I')
              and (MEMO_CD is null or upper(TRANSACTION_TP) in ('15', '15E'))
        ),
        counted as (
            select *,
                   case when tp in ('24T', '24I') then OTHER_ID else CMTE_ID end as rcpt,
                   case when tp in ('22Y', '21Y') then -abs(amt) else amt end as camt
            from r
        ),
        once as (
            -- a conduit's pass-on row and the recipient's own row of the same gift: one gift
            select * from counted c
            where rcpt is not null
              and not (tp in ('24T', '24I') and exists (
                  select 1 from counted x
                  where x.CMTE_ID = c.OTHER_ID and x.tp in ('15', '15E') and x.donor = c.donor
                    and x.amt = c.amt and abs(x.d - c.d) <= 30))
        ),
        kinds as (
            select CMTE_ID,
                   case
                       when CMTE_ID in ({conduits}) then 'conduit'
                       when CMTE_ID in ({parties}) then 'party_national'
                       when CMTE_DSGN = 'J' then 'joint'
                       when CMTE_TP in ('H', 'S', 'P') then 'candidate'
                       when CMTE_TP in ('N', 'Q') then 'pac'
                       when CMTE_TP in ('V', 'W') then 'hybrid'
                       when CMTE_TP in ('X', 'Y') then 'party_state'
                       else 'unlimited_or_other'
                   end as kind
            from cm
        ),
        k as (
            select o.*, coalesce(kinds.kind, 'unknown') as kind,
                   year(o.d) + year(o.d) % 2 as cyc,
                   upper(left(TRANSACTION_PGI, 1)) as letter,
                   try_cast(substr(TRANSACTION_PGI, 2, 4) as integer) as code_year
            from once o left join kinds on kinds.CMTE_ID = o.rcpt
        ),
        p as (
            select *,
                case
                    when kind <> 'candidate' then cast(year(d) as varchar)
                    when letter in ('P', 'G', 'R', 'S', 'C', 'E') then letter || coalesce(code_year,
                        case when d <= (case cyc {gen} end) then cyc else cyc + 2 end)
                    else 'unknown election (cycle ' || cyc || ')'
                end as period
            from k
        ),
        limited as (
            select *,
                case
                    when kind in ('candidate', 'unknown') then (case
                        case when kind = 'candidate' and period not like 'unknown%'
                             then cast(right(period, 4) as integer) + cast(right(period, 4) as integer) % 2
                             else cyc end
                        {cand} end)
                    when kind in ('pac', 'hybrid') then 5000
                    when kind = 'party_state' then 10000
                    when kind = 'party_national' then (case cyc {nat} end)
                end as lim
            from p
        )
        select rcpt, period, sum(camt) as total, any_value(kind) as kind, any_value(lim) as lim
        from limited
        where lim is not null
        group by donor, rcpt, period
        having sum(camt) > any_value(lim)
    """).fetchall()
    flags = []
    for rcpt, period, total, kind, lim in rows:
        doubtful = (
            kind in ("unknown", "hybrid") or period.startswith("unknown") or (kind == "candidate" and total <= 2 * lim)
        )
        flags.append((rcpt, period, total, "doubtful" if doubtful else "excess"))
    return sorted(flags)


# ---------------------------------------------------------------------------------------------
# The model runs
# ---------------------------------------------------------------------------------------------


def _run(base: Path, name: str, itcont: Path, extra_vars: str = "") -> DemoRun:
    """Ingest a slice through the FEC preset and build what the limit analyses need (the
    other analyses have their own end-to-end tests)."""
    from ingest import warehouse
    from ingest.runfile import load_run_file
    from moneytrail import dbt_runner
    from moneytrail.cli import load_input

    run_file = base / "run.yml"
    (base / "contracts.csv").write_text("award_id,vendor_name\nA1,GEO GROUP INC\n", encoding="utf-8")
    run_file.write_text(
        f"name: {name}\nsource: fec\nfec_files:\n"
        f"  contributions: {itcont}\n"
        f"  committees: {EXAMPLE / 'fec2024_cm.txt.gz'}\n"
        f"  candidates: {EXAMPLE / 'fec2024_cn.txt.gz'}\n"
        f"  candidate_links: {EXAMPLE / 'fec2024_ccl.txt.gz'}\n"
        "inputs:\n  - {path: contracts.csv, table: contracts}\n"
        "vars:\n  role_map:\n"
        "    contracts:\n      table: contracts\n      timing: {enabled: false}\n"
        "      columns: {award_id: award_id, vendor_name: vendor_name}\n"
        f"{extra_vars}",
        encoding="utf-8",
    )
    run = load_run_file(run_file)
    db = base / "w.duckdb"
    con = warehouse.connect(db)
    try:
        for spec in run.inputs:
            load_input(con, spec)
    finally:
        con.close()
    selection = ["--select", "+limit_flags", "+prohibited_contributions", "+dq_row_accounting", "+stg_rejects"]
    result = dbt_runner.invoke(["build", *selection], run.vars, warehouse=db)
    return DemoRun(0 if result.success else 1, db, base, {})


@pytest.fixture(scope="module")
def runs(tmp_path_factory, _block_network) -> dict[str, DemoRun]:
    result = {}
    for name, itcont in SLICES.items():
        # the random 5k sample has one row without a date: the user says so (a reject tolerated)
        extra = "    contributions: {reject_tolerance: 1}\n" if name == "random5k" else ""
        result[name] = _run(tmp_path_factory.mktemp(name), name, itcont, extra)
    return result


@pytest.mark.parametrize("name", list(SLICES))
def test_runs_cleanly(runs, name):
    assert runs[name].exit_code == 0


KNOWN = {  # (excess, doubtful) per slice, each read by hand (README, limits)
    "head20k": (1, 2),
    "random5k": (1, 10),
    "random10k": (1, 21),
}


@pytest.mark.parametrize("name", list(SLICES))
def test_limit_flags_equal_the_independent_answer(runs, name):
    model = sorted(
        runs[name].query(
            "select recipient_id, period, total_amount, flag_status from marts.limit_flags"
            " where contributor_kind = 'individual'"
        )
    )
    assert runs[name].query("select count(*) from marts.limit_flags where contributor_kind <> 'individual'") == [(0,)]
    assert model == independent_flags(SLICES[name])
    statuses = [s for _, _, _, s in model]
    assert (statuses.count("excess"), statuses.count("doubtful")) == KNOWN[name]


def test_the_one_real_excess_of_the_example(runs):
    assert runs["head20k"].query("""
        select donor_name, recipient_id, recipient_kind, period, total_amount, limit_amount, rule, n_contributions
        from marts.limit_flags where flag_status = 'excess'""") == [
        (
            "OLSOVSKY, JOSEPHINE M",
            "C00235739",
            "pac_connected",
            "2017",
            Decimal("5416.00"),
            Decimal("5000.00"),
            "individual -> pac_connected: $5000.00 per calendar year (2017-2018)",
            3,
        )
    ]


def test_no_flag_on_unlimited_recipients_or_refund_only_groups(runs):
    for run in runs.values():
        assert run.query(
            "select count(*) from marts.limit_flags"
            " where recipient_kind in ('super_pac', 'conduit', 'joint_fundraising', 'other')"
        ) == [(0,)]
        # every flagged group holds at least one row that is not a refund
        assert run.query("""
            select count(*) from marts.limit_flags f
            where not exists (
                select 1 from intermediate.int_contributions c
                where list_contains(f.row_refs, c.row_ref) and not c.is_refund)""") == [(0,)]


def test_refunds_count_by_type_not_by_sign(runs):
    """Positive 22Y rows are refunds: counted negative. Independent count from the raw file."""
    con = independent_connection(SLICES["head20k"])
    positive_refunds = con.execute(
        "select count(*) from itcont where TRANSACTION_TP = '22Y' and cast(TRANSACTION_AMT as decimal(18, 2)) > 0"
    ).fetchone()[0]
    assert positive_refunds == 185
    assert runs["head20k"].query(
        "select count(*) from intermediate.int_contributions"
        " where transaction_type = '22Y' and amount > 0 and counted_amount < 0"
    ) == [(positive_refunds,)]


def test_earmarks_count_at_the_ultimate_recipient_once(runs):
    run = runs["random10k"]
    # every counted 24T/24I row is attributed to OTHER_ID with the filer as conduit
    assert run.query("""
        select count(*) from intermediate.int_contributions c join staging.stg_contributions s using (row_ref)
        where c.transaction_type in ('24T', '24I') and c.counts_toward_limit
          and (c.limit_recipient_id <> s.other_id or c.conduit_id <> s.recipient_id)""") == [(0,)]
    # the pass-on rows whose gift the recipient also reported are left out: counted independently
    con = independent_connection(SLICES["random10k"])
    pairs = con.execute("""
        with x as (select *, pkey(NAME) || '|' || zip5(ZIP_CODE) as donor,
                          cast(strptime(TRANSACTION_DT, '%m%d%Y') as date) as d from itcont where ENTITY_TP = 'IND')
        select count(*) from x p
        where p.TRANSACTION_TP in ('24T', '24I') and p.MEMO_CD is null and exists (
            select 1 from x r where r.CMTE_ID = p.OTHER_ID and r.TRANSACTION_TP in ('15', '15E')
              and r.donor = p.donor and r.TRANSACTION_AMT = p.TRANSACTION_AMT and abs(r.d - p.d) <= 30)
    """).fetchone()[0]
    assert pairs == 6
    assert run.query(
        "select count(*) from intermediate.int_contributions where not_counted_reason like 'the same earmarked gift%'"
    ) == [(pairs,)]


def test_amendments_are_counted_once(runs):
    """No slice restates a transaction in an amended report (same filer, report type and
    TRAN_ID in two filings): the rule is in place and changes nothing here."""
    for name, itcont in SLICES.items():
        con = independent_connection(itcont)
        assert con.execute("""
            select count(*) from (select CMTE_ID, RPT_TP, TRAN_ID from itcont where TRAN_ID is not null
                                  group by all having count(distinct FILE_NUM) > 1)""").fetchone() == (0,), name
        assert runs[name].query(
            "select count(*) from intermediate.int_contributions where not_counted_reason like 'superseded%'"
        ) == [(0,)]


@pytest.mark.parametrize("name", list(SLICES))
def test_person_key_merges_measured(runs, name):
    con = independent_connection(SLICES[name])
    rows = con.execute(
        "select distinct NAME, zip5(ZIP_CODE) from itcont where ENTITY_TP = 'IND' and TRANSACTION_DT is not null"
    ).fetchall()
    plain = {(re.sub(r" +", " ", re.sub(r"[^A-Z0-9 ]+", " ", n.upper())).strip(), z) for n, z in rows}
    person = {(person_key(n), z) for n, z in rows}
    model = runs[name].query(
        "select count(distinct donor_key) from intermediate.int_contributions where contributor_type = 'IND'"
    )
    assert model == [(len(person),)]
    measured = (len(plain), len(person))
    print(f"{name}: name+ZIP5 keys {measured[0]}, person keys {measured[1]}, merged {measured[0] - measured[1]}")
    assert measured == NAME_KEYS_EXPECTED[name]


# (distinct name+ZIP5 keys, distinct person-key+ZIP5 keys) of individuals; README, donor identity
NAME_KEYS_EXPECTED = {"head20k": (16986, 16950), "random5k": (4904, 4897), "random10k": (9677, 9653)}
