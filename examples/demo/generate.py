"""Generate the golden demo dataset: small, realistic in shape, every signal planted on purpose.

Run ``python examples/demo/generate.py`` to rewrite the files beside this script; the output is
byte-identical on every run (fixed seed, fixed ordering, no clocks). The planted facts, positive
and negative, are written to ``ground_truth.json``; background rows are generated so that they
can never form a signal, and the script verifies that before writing anything.

Files:
- contracts.csv       award_id, vendor_name, agency, award_date (YYYY-MM-DD), contract_value,
                      procurement_method, description
- contributions.csv   one row per contribution; dates MM/DD/YYYY as in FEC bulk files
- contributions.sql   the same rows as a mysqldump (what the demo ingests)
- candidates.tsv      candidate_id, candidate_name, committee_id, office, party, state, election_year
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20240101
LIMIT = 1000  # demo jurisdiction: $1,000 per donor per recipient per calendar year
WINDOW = (date(2021, 1, 1), date(2023, 12, 31))

CONTRIBUTION_COLUMNS = [
    "contribution_id",
    "contributor_type",
    "donor_name",
    "donor_zip",
    "employer",
    "occupation",
    "committee_id",
    "contribution_date",
    "amount",
    "memo_code",
    "transaction_type",
]
CONTRACT_COLUMNS = [
    "award_id",
    "vendor_name",
    "agency",
    "award_date",
    "contract_value",
    "procurement_method",
    "description",
]
CANDIDATE_COLUMNS = [
    "candidate_id",
    "candidate_name",
    "committee_id",
    "office",
    "party",
    "state",
    "election_year",
]

CANDIDATES = [
    ("CAND01", "Rivera, Alex", "C001", "Governor", "DEM", "MA", "2022"),
    ("CAND02", "Chen, Dana", "C002", "State Senate", "REP", "MA", "2022"),
    ("CAND03", "Okafor, Jordan", "C003", "State House", "DEM", "MA", "2022"),
    ("CAND04", "Novak, Sam", "C004", "Mayor", "IND", "MA", "2023"),
    ("CAND05", "Haddad, Lee", "C005", "State House", "REP", "MA", "2022"),
    ("CAND06", "Brennan, Kim", "C006", "City Council", "DEM", "MA", "2023"),
    ("CAND07", "Sato, Robin", "C007", "State Senate", "DEM", "MA", "2022"),
    ("CAND08", "Walsh, Casey", "C008", "Sheriff", "REP", "MA", "2022"),
]


@dataclass
class Contribution:
    sort_date: date
    contributor_type: str
    donor_name: str
    donor_zip: str
    employer: str
    occupation: str
    committee_id: str
    date_text: str
    amount: str
    memo_code: str = ""
    transaction_type: str = "15"
    tag: str = ""  # ground-truth label of a planted row, empty for background


@dataclass
class Contract:
    vendor_name: str
    agency: str
    award_date: date
    contract_value: str
    procurement_method: str
    description: str


def mdy(d: date) -> str:
    return d.strftime("%m/%d/%Y")


def planted_contracts() -> list[Contract]:
    acme_awards = [
        date(2021, 3, 15),
        date(2021, 9, 1),
        date(2022, 2, 10),
        date(2022, 8, 22),
        date(2023, 1, 18),
        date(2023, 7, 5),
    ]
    methods = ["SOLE SOURCE", "SOLE SOURCE", "EMERGENCY", "FULL AND OPEN COMPETITION", "SOLE SOURCE", "SOLE SOURCE"]
    out = [
        Contract(
            "Acme Road Builders, Inc.",
            "Department of Transportation",
            d,
            f"{1_250_000 + 75_000 * i}.00",
            m,
            "Highway resurfacing",
        )
        for i, (d, m) in enumerate(zip(acme_awards, methods, strict=False))
    ]
    harbor_awards = [date(2021, 2, 1), date(2021, 10, 1), date(2022, 6, 1), date(2023, 2, 1), date(2023, 10, 2)]
    out += [
        Contract(
            "Harbor Health Services LLC",
            "Department of Public Health",
            d,
            f"{480_000 + 10_000 * i}.00",
            "FULL AND OPEN COMPETITION",
            "Clinic staffing",
        )
        for i, d in enumerate(harbor_awards)
    ]
    out += [
        Contract(
            "The GEO Group, Inc.",
            "Department of Correction",
            date(2022, 4, 4),
            "9800000.00",
            "LIMITED COMPETITION",
            "Detention services",
        ),
        Contract(
            "Northeastern Paving LLC",
            "Department of Transportation",
            date(2022, 5, 9),
            "310000.00",
            "FULL AND OPEN COMPETITION",
            "Parking lot paving",
        ),
        Contract(
            "Deloitte Consulting LLP",
            "Executive Office of Technology",
            date(2022, 11, 14),
            "2100000.00",
            "FULL AND OPEN COMPETITION",
            "ERP modernisation",
        ),
        Contract(
            "L-3 Communications Corp",
            "State Police",
            date(2021, 12, 6),
            "760000.00",
            "FULL AND OPEN COMPETITION",
            "Radio equipment",
        ),
        Contract(
            "Bluewater Marine Systems LLC",
            "Port Authority",
            date(2022, 9, 12),
            "1500000.00",
            "EXEMPT",
            "Harbor dredging",
        ),
        Contract(
            "Summit Analytics Group",
            "Department of Revenue",
            date(2023, 3, 3),
            "95000.00",
            "FULL AND OPEN COMPETITION",
            "Tax analytics",
        ),
    ]
    return out


def planted_contributions() -> list[Contribution]:
    rows: list[Contribution] = []

    def add(
        d: date,
        donor: str,
        zip_: str,
        employer: str,
        cmte: str,
        amount: str,
        tag: str,
        *,
        ctype: str = "IND",
        occupation: str = "ENGINEER",
        memo: str = "",
        ttype: str = "15",
        date_text: str | None = None,
    ) -> None:
        rows.append(
            Contribution(
                d, ctype, donor, zip_, employer, occupation, cmte, date_text or mdy(d), amount, memo, ttype, tag
            )
        )

    # Bundle: four Acme employees, one day, one recipient, three spellings of the employer.
    bundle_day = date(2022, 3, 14)
    for donor, zip_, emp in [
        ("KOWALSKI, ANNA", "02110", "ACME ROAD BUILDERS INC"),
        ("DIAZ, MARCO", "02114", "Acme Road Builders"),
        ("LEE, GRACE", "02115", "ACME ROAD BUILDERS, INC."),
        ("PATEL, RAJ", "02116", "ACME ROAD BUILDERS INC"),
    ]:
        add(bundle_day, donor, zip_, emp, "C001", "250.00", "bundle_acme")
    # Timing: Acme donations to C001 within 0-3 days before each award.
    for i, award in enumerate(
        [date(2021, 3, 15), date(2021, 9, 1), date(2022, 2, 10), date(2022, 8, 22), date(2023, 1, 18), date(2023, 7, 5)]
    ):
        add(
            award - timedelta(days=i % 4),
            f"ACME DONOR {i + 1}, TERRY",
            f"0212{i}",
            "ACME ROAD BUILDERS INC",
            "C001",
            "300.00",
            "timing_acme",
        )
    # Limit: one Acme donor over the limit to C001 in 2022 (600 + 500 = 1,100).
    add(date(2022, 4, 2), "MORGAN, PAT", "02110", "ACME ROAD BUILDERS INC", "C001", "600.00", "limit_morgan")
    add(date(2022, 10, 30), "MORGAN, PAT", "02110", "Acme Road Builders, Inc", "C001", "500.00", "limit_morgan")
    # Breadth: Acme employees reach three more recipients.
    for cmte, d in [("C002", date(2021, 6, 1)), ("C003", date(2022, 1, 20)), ("C004", date(2023, 5, 5))]:
        add(d, f"ACME STAFF {cmte}, JO", "02130", "ACME ROAD BUILDERS", cmte, "100.00", "breadth_acme")
    # Harbor: donations spread evenly between awards, far from them (timing negative).
    for i, d in enumerate(
        [
            date(2021, 6, 2),
            date(2021, 12, 30),
            date(2022, 3, 3),
            date(2022, 10, 1),
            date(2023, 5, 3),
            date(2023, 6, 20),
            date(2023, 12, 28),
            date(2021, 5, 5),
        ]
    ):
        add(d, f"HARBOR NURSE {i + 1}, MAE", f"0245{i}", "HARBOR HEALTH SERVICES", "C003", "150.00", "timing_harbor")
    # GEO Group: employer written the way FEC filers write it; links, too few for timing.
    add(date(2022, 2, 2), "STONE, BILL", "33487", "GEO GROUP INC., THE", "C002", "500.00", "link_geo")
    add(date(2022, 7, 7), "FLYNN, ROSE", "33431", "The GEO Group", "C002", "400.00", "link_geo")
    # Look-alikes that must not link.
    add(date(2022, 5, 20), "WARD, TED", "01602", "NORTHWESTERN PAVING CO", "C004", "200.00", "lookalike_northwestern")
    add(date(2021, 11, 11), "KANE, OLIVE", "80021", "LEVEL 3 COMMUNICATIONS", "C002", "250.00", "lookalike_level3")
    # Brand family: employer DELOITTE for vendor Deloitte Consulting LLP.
    add(date(2022, 11, 1), "SINGH, PRIYA", "10017", "DELOITTE", "C001", "500.00", "link_deloitte")
    # Business donor that is itself a vendor.
    add(
        date(2022, 9, 1),
        "BLUEWATER MARINE SYSTEMS, LLC",
        "02210",
        "",
        "C004",
        "750.00",
        "link_bluewater_org",
        ctype="ORG",
        occupation="",
    )
    # Non-answer employers on one day to one recipient: never a bundle, never a link.
    for donor in ["GRAY, NOEL", "HART, JUNE", "PRICE, OWEN"]:
        add(date(2022, 6, 15), donor, "02420", "RETIRED", "C005", "100.00", "nonanswer_retired", occupation="RETIRED")
    for donor in ["BOYD, EVA", "COLE, IAN", "DUNN, AMY"]:
        add(
            date(2023, 4, 4),
            donor,
            "02421",
            "SELF-EMPLOYED",
            "C006",
            "100.00",
            "nonanswer_self",
            occupation="CONSULTANT",
        )
    # One donor three times in a day is not a bundle.
    for amount in ["50.00", "60.00", "70.00"]:
        add(
            date(2022, 8, 8),
            "BAKER, SUE",
            "02139",
            "PINE STREET BAKERY",
            "C001",
            amount,
            "bundle_negative_one_donor",
            occupation="BAKER",
        )
    # Three donors, one employer, one day, three recipients: not a bundle.
    for donor, cmte in [("ROSS, ADA", "C002"), ("MILLS, BEN", "C003"), ("WEBB, CARA", "C007")]:
        add(
            date(2022, 9, 9),
            donor,
            "02445",
            "RIVERSIDE DENTAL",
            cmte,
            "100.00",
            "bundle_negative_recipients",
            occupation="DENTIST",
        )
    # A bundle whose employer is not a vendor.
    for donor in ["ALLEN, MAX", "BROOKS, NIA", "CRUZ, OTTO"]:
        add(
            date(2022, 10, 10),
            donor,
            "02108",
            "OAKWOOD LAW PARTNERS LLP",
            "C007",
            "500.00",
            "bundle_oakwood",
            occupation="ATTORNEY",
        )
    # Limit positives and negatives.
    for amount, d in [("400.00", date(2023, 1, 10)), ("400.00", date(2023, 5, 10)), ("400.00", date(2023, 9, 10))]:
        add(d, "QUINN, LOU", "02111", "HILLTOP FARMS", "C008", amount, "limit_quinn", occupation="FARMER")
    add(
        date(2022, 3, 1),
        "ELLIS, RAE",
        "02112",
        "CEDAR BOOKS",
        "C008",
        "1000.00",
        "limit_negative_exact",
        occupation="OWNER",
    )
    for d in [date(2021, 12, 20), date(2022, 1, 5)]:
        add(
            d, "FOX, GUS", "02113", "MAPLE PRINTING", "C008", "700.00", "limit_negative_two_years", occupation="PRINTER"
        )
    for cmte in ["C005", "C006"]:
        add(
            date(2022, 7, 1),
            "HALE, IDA",
            "02117",
            "BIRCH ARCHITECTS",
            cmte,
            "800.00",
            "limit_negative_two_recipients",
            occupation="ARCHITECT",
        )
    add(
        date(2022, 2, 14),
        "IVES, JON",
        "02118",
        "ELM STREET GARAGE",
        "C005",
        "900.00",
        "limit_negative_memo",
        occupation="MECHANIC",
    )
    add(
        date(2022, 2, 15),
        "IVES, JON",
        "02118",
        "ELM STREET GARAGE",
        "C005",
        "300.00",
        "limit_negative_memo",
        occupation="MECHANIC",
        memo="X",
    )
    add(
        date(2023, 6, 1),
        "JAMES, KAY",
        "02119",
        "WILLOW YOGA",
        "C006",
        "1200.00",
        "limit_negative_refund",
        occupation="INSTRUCTOR",
    )
    add(
        date(2023, 6, 20),
        "JAMES, KAY",
        "02119",
        "WILLOW YOGA",
        "C006",
        "-300.00",
        "limit_negative_refund",
        occupation="INSTRUCTOR",
        ttype="22Y",
    )
    # Rows that cannot be parsed: rejected with a reason, never dropped silently.
    add(
        date(2022, 12, 31),
        "NASH, LIV",
        "02120",
        "ASPEN PLUMBING",
        "C008",
        "75.00",
        "reject_bad_date",
        occupation="PLUMBER",
        date_text="13/45/2022",
    )
    add(
        date(2022, 12, 31),
        "OWEN, ZED",
        "02121",
        "ASPEN PLUMBING",
        "C008",
        "12O.00",
        "reject_bad_amount",
        occupation="PLUMBER",
    )
    return rows


BG_FIRST = [
    "AVERY",
    "BLAKE",
    "CAMERON",
    "DREW",
    "EMERY",
    "FINLEY",
    "GRAY",
    "HAYDEN",
    "INDIA",
    "JESSIE",
    "KENDALL",
    "LOGAN",
    "MARLOWE",
    "NOOR",
    "OAKLEY",
    "PEYTON",
    "QUINCY",
    "REESE",
    "SAWYER",
    "TATUM",
]
BG_LAST = [
    "ABBOTT",
    "BARNES",
    "CARVER",
    "DALTON",
    "EVERETT",
    "FARRELL",
    "GALLAGHER",
    "HOLLOWAY",
    "IRWIN",
    "JENNINGS",
    "KESSLER",
    "LANDRY",
    "MERCER",
    "NORRIS",
    "OSBORNE",
    "PRESCOTT",
    "RAMSEY",
    "SHEPHERD",
    "THORNTON",
    "VAUGHN",
    "WHITAKER",
    "YORK",
]
EMPLOYER_A = [
    "BRIGHTON",
    "CLOVER",
    "DOVETAIL",
    "EMBER",
    "FOXGLOVE",
    "GRANITE",
    "HEMLOCK",
    "IVORY",
    "JUNIPER",
    "KESTREL",
    "LANTERN",
    "MARIGOLD",
    "NUTMEG",
    "OPAL",
    "PEBBLE",
    "QUARTZ",
    "RAVEN",
    "SAFFRON",
    "TULIP",
    "UMBER",
    "VIOLET",
    "WREN",
]
EMPLOYER_B = [
    "BAKERY",
    "DENTAL",
    "CAFE",
    "PHARMACY",
    "BREWING",
    "FLORIST",
    "VETERINARY",
    "BOOKSHOP",
    "PILATES",
    "TAILORS",
    "OPTICS",
    "CREAMERY",
]
OCCUPATIONS = ["TEACHER", "NURSE", "ACCOUNTANT", "OWNER", "MANAGER", "ANALYST", "PHYSICIAN"]
VENDOR_A = [
    "ALDER",
    "BEACON",
    "CASCADE",
    "DELTA",
    "ECHO",
    "FALCON",
    "GLACIER",
    "HORIZON",
    "IRONWOOD",
    "JASPER",
    "KEYSTONE",
    "LIBERTY",
    "MERIDIAN",
    "NORTHGATE",
    "ORION",
    "PINNACLE",
]
VENDOR_B = ["FACILITIES", "LOGISTICS", "ENGINEERING", "FLEET", "JANITORIAL", "LABORATORIES"]
VENDOR_SUFFIX = ["INC", "LLC", "CORP", "CO"]
AGENCIES = [
    "Department of Transportation",
    "Department of Public Health",
    "Department of Correction",
    "Executive Office of Technology",
    "Port Authority",
]
BG_METHODS = ["FULL AND OPEN COMPETITION", "FULL AND OPEN COMPETITION", "SMALL PURCHASE"]


def background(rng: random.Random) -> tuple[list[Contribution], list[Contract]]:
    """Noise that cannot form a signal: one employer per donor, at most two gifts per donor and
    recipient, small amounts, and employer vocabulary disjoint from vendor vocabulary."""
    span = (WINDOW[1] - WINDOW[0]).days
    employers = [f"{a} {b}" for a in EMPLOYER_A for b in EMPLOYER_B]
    rng.shuffle(employers)
    contributions: list[Contribution] = []
    for donor_no in range(240):
        name = f"{BG_LAST[donor_no % len(BG_LAST)]}, {BG_FIRST[(donor_no * 7) % len(BG_FIRST)]}"
        name += f" {chr(65 + donor_no % 26)}"
        zip_ = f"0{1000 + donor_no * 3:04d}"
        employer = employers[donor_no]
        occupation = OCCUPATIONS[donor_no % len(OCCUPATIONS)]
        for _ in range(rng.randint(1, 3)):
            d = WINDOW[0] + timedelta(days=rng.randrange(span))
            cmte = f"C00{rng.randint(1, 8)}"
            amount = f"{rng.choice([25, 50, 75, 100, 150, 200, 250])}.00"
            contributions.append(Contribution(d, "IND", name, zip_, employer, occupation, cmte, mdy(d), amount))
    contracts: list[Contract] = []
    vendors = [
        f"{a} {b} {VENDOR_SUFFIX[i % len(VENDOR_SUFFIX)]}"
        for i, (a, b) in enumerate((a, b) for a in VENDOR_A for b in VENDOR_B)
    ]
    rng.shuffle(vendors)
    for vendor in vendors[:40]:
        for _ in range(rng.randint(1, 4)):
            d = WINDOW[0] + timedelta(days=rng.randrange(span))
            contracts.append(
                Contract(
                    vendor,
                    rng.choice(AGENCIES),
                    d,
                    f"{rng.randint(20, 900) * 1000}.00",
                    rng.choice(BG_METHODS),
                    "Services",
                )
            )
    return contributions, contracts


def check_background(rows: list[Contribution]) -> None:
    """The background must not create bundles or limit excesses of its own."""
    per_day: dict[tuple, set] = defaultdict(set)
    per_year: dict[tuple, int] = defaultdict(int)
    for r in rows:
        per_day[(r.committee_id, r.sort_date, r.employer)].add((r.donor_name, r.donor_zip))
        per_year[(r.donor_name, r.donor_zip, r.committee_id, r.sort_date.year)] += int(float(r.amount))
    assert all(len(v) < 3 for v in per_day.values()), "background formed a bundle"
    assert all(v <= LIMIT for v in per_year.values()), "background exceeded the limit"


def write_csv(path: Path, columns: list[str], rows: list[list[str]], delimiter: str = ",") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def mysql_literal(value: str) -> str:
    if value == "":
        return "''"
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def write_mysqldump(path: Path, rows: list[list[str]], per_insert: int = 50) -> None:
    """The contributions as mysqldump writes them: header comments, conditional comments,
    DROP/CREATE TABLE, LOCK TABLES and extended INSERTs."""
    lines = [
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)",
        "--",
        "-- Host: localhost    Database: demo_finance",
        "-- ------------------------------------------------------",
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
        "/*!50503 SET NAMES utf8mb4 */;",
        "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;",
        "",
        "DROP TABLE IF EXISTS `contributions`;",
        "/*!40101 SET @saved_cs_client     = @@character_set_client */;",
        "CREATE TABLE `contributions` (",
        "  `contribution_id` varchar(16) NOT NULL,",
        "  `contributor_type` varchar(3) NOT NULL,",
        "  `donor_name` varchar(200) NOT NULL,",
        "  `donor_zip` varchar(10) DEFAULT NULL,",
        "  `employer` varchar(200) DEFAULT NULL,",
        "  `occupation` varchar(200) DEFAULT NULL,",
        "  `committee_id` varchar(9) NOT NULL,",
        "  `contribution_date` varchar(10) DEFAULT NULL,",
        "  `amount` varchar(20) DEFAULT NULL,",
        "  `memo_code` varchar(1) DEFAULT NULL,",
        "  `transaction_type` varchar(3) DEFAULT NULL,",
        "  PRIMARY KEY (`contribution_id`)",
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
        "/*!40101 SET character_set_client = @saved_cs_client */;",
        "",
        "LOCK TABLES `contributions` WRITE;",
        "/*!40000 ALTER TABLE `contributions` DISABLE KEYS */;",
    ]
    for start in range(0, len(rows), per_insert):
        chunk = rows[start : start + per_insert]
        values = ",".join("(" + ",".join(mysql_literal(v) for v in row) + ")" for row in chunk)
        lines.append(f"INSERT INTO `contributions` VALUES {values};")
    lines += [
        "/*!40000 ALTER TABLE `contributions` ENABLE KEYS */;",
        "UNLOCK TABLES;",
        "/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;",
        "",
        "-- Dump completed",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def build(out_dir: Path = HERE) -> dict:
    rng = random.Random(SEED)
    bg_rows, bg_contracts = background(rng)
    check_background(bg_rows)
    rows = planted_contributions() + bg_rows
    # Filing order: by date, then a content key, so row_index is stable and realistic.
    rows.sort(key=lambda r: (r.sort_date, r.committee_id, r.donor_name, r.amount, r.tag))
    contracts = planted_contracts() + bg_contracts
    contracts.sort(key=lambda c: (c.award_date, c.vendor_name, c.contract_value))

    contribution_rows = []
    truth_rows: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        contribution_rows.append(
            [
                f"SA{i + 1:06d}",
                r.contributor_type,
                r.donor_name,
                r.donor_zip,
                r.employer,
                r.occupation,
                r.committee_id,
                r.date_text,
                r.amount,
                r.memo_code,
                r.transaction_type,
            ]
        )
        if r.tag:
            truth_rows[r.tag].append(i)
    contract_rows = [
        [
            f"AWD-{i + 1:05d}",
            c.vendor_name,
            c.agency,
            c.award_date.isoformat(),
            c.contract_value,
            c.procurement_method,
            c.description,
        ]
        for i, c in enumerate(contracts)
    ]

    write_csv(out_dir / "contracts.csv", CONTRACT_COLUMNS, contract_rows)
    write_csv(out_dir / "contributions.csv", CONTRIBUTION_COLUMNS, contribution_rows)
    write_mysqldump(out_dir / "contributions.sql", contribution_rows)
    write_csv(out_dir / "candidates.tsv", CANDIDATE_COLUMNS, [list(c) for c in CANDIDATES], "\t")

    truth = ground_truth(truth_rows, len(contribution_rows), len(contract_rows))
    (out_dir / "ground_truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return truth


def ground_truth(tags: dict[str, list[int]], n_contributions: int, n_contracts: int) -> dict:
    """Expected results, by contribution row_index (0-based file order) where rows matter."""
    return {
        "generator": {"script": "examples/demo/generate.py", "seed": SEED},
        "staging": {
            "contributions": {"raw_rows": n_contributions, "staged": n_contributions - 2, "rejected": 2},
            "contracts": {"raw_rows": n_contracts, "staged": n_contracts, "rejected": 0},
            "candidates": {"raw_rows": len(CANDIDATES), "staged": len(CANDIDATES), "rejected": 0},
        },
        "rejects": [
            {"role": "contributions", "row_index": tags["reject_bad_date"][0], "reason": "unparseable donation_date"},
            {"role": "contributions", "row_index": tags["reject_bad_amount"][0], "reason": "unparseable amount"},
        ],
        "links": {
            "positive": [
                {"vendor": "Acme Road Builders, Inc.", "name": "ACME ROAD BUILDERS INC", "relation": "vendor_employer"},
                {"vendor": "Acme Road Builders, Inc.", "name": "Acme Road Builders", "relation": "vendor_employer"},
                {
                    "vendor": "Acme Road Builders, Inc.",
                    "name": "ACME ROAD BUILDERS, INC.",
                    "relation": "vendor_employer",
                },
                {
                    "vendor": "Harbor Health Services LLC",
                    "name": "HARBOR HEALTH SERVICES",
                    "relation": "vendor_employer",
                },
                {"vendor": "The GEO Group, Inc.", "name": "GEO GROUP INC., THE", "relation": "vendor_employer"},
                {"vendor": "The GEO Group, Inc.", "name": "The GEO Group", "relation": "vendor_employer"},
                {"vendor": "Deloitte Consulting LLP", "name": "DELOITTE", "relation": "vendor_employer"},
                {
                    "vendor": "Bluewater Marine Systems LLC",
                    "name": "BLUEWATER MARINE SYSTEMS, LLC",
                    "relation": "vendor_business_donor",
                },
            ],
            "negative": [
                {"vendor": "Northeastern Paving LLC", "name": "NORTHWESTERN PAVING CO"},
                {"vendor": "L-3 Communications Corp", "name": "LEVEL 3 COMMUNICATIONS"},
                {"vendor": "*", "name": "RETIRED"},
                {"vendor": "*", "name": "SELF-EMPLOYED"},
                {"vendor": "Summit Analytics Group", "name": "*"},
            ],
            "linked_contribution_rows": sorted(
                tags["bundle_acme"]
                + tags["timing_acme"]
                + tags["limit_morgan"]
                + tags["breadth_acme"]
                + tags["timing_harbor"]
                + tags["link_geo"]
                + tags["link_deloitte"]
                + tags["link_bluewater_org"]
            ),
        },
        "bundles": {
            "positive": [
                {
                    "recipient": "C001",
                    "date": "2022-03-14",
                    "employer_norm": "ACME ROAD BUILDERS",
                    "donors": 4,
                    "total": "1000.00",
                    "rows": tags["bundle_acme"],
                    "linked_vendor": "Acme Road Builders, Inc.",
                },
                {
                    "recipient": "C007",
                    "date": "2022-10-10",
                    "employer_norm": "OAKWOOD LAW PARTNERS",
                    "donors": 3,
                    "total": "1500.00",
                    "rows": tags["bundle_oakwood"],
                    "linked_vendor": None,
                },
            ],
            "negative": [
                {"why": "non-answer employer RETIRED", "rows": tags["nonanswer_retired"]},
                {"why": "non-answer employer SELF-EMPLOYED", "rows": tags["nonanswer_self"]},
                {"why": "one donor, three gifts", "rows": tags["bundle_negative_one_donor"]},
                {"why": "three recipients", "rows": tags["bundle_negative_recipients"]},
            ],
        },
        "limit_flags": {
            "rule": {
                "limit": str(LIMIT),
                "period": "calendar_year",
                "donor_key": ["donor_name", "donor_zip"],
                "memo": "excluded",
                "refunds": "netted",
            },
            "positive": [
                {
                    "donor_name": "MORGAN, PAT",
                    "recipient": "C001",
                    "period": "2022",
                    "total": "1100.00",
                    "excess": "100.00",
                    "rows": tags["limit_morgan"],
                },
                {
                    "donor_name": "QUINN, LOU",
                    "recipient": "C008",
                    "period": "2023",
                    "total": "1200.00",
                    "excess": "200.00",
                    "rows": tags["limit_quinn"],
                },
            ],
            "negative": [
                {"why": "exactly at the limit", "rows": tags["limit_negative_exact"]},
                {"why": "split over two calendar years", "rows": tags["limit_negative_two_years"]},
                {"why": "two recipients", "rows": tags["limit_negative_two_recipients"]},
                {"why": "memo row excluded", "rows": tags["limit_negative_memo"]},
                {"why": "refund nets below the limit", "rows": tags["limit_negative_refund"]},
            ],
        },
        "timing": {
            "positive": [{"vendor": "Acme Road Builders, Inc.", "recipient": "C001", "max_p": 0.01}],
            "negative": [{"vendor": "Harbor Health Services LLC", "recipient": "C003", "min_p": 0.2}],
        },
        "breadth": {
            "positive": [{"vendor": "Acme Road Builders, Inc.", "min_recipients": 4}],
            "negative": [{"vendor": "Summit Analytics Group", "recipients": 0}],
        },
        # A flag needs evidence about the vendor-recipient pair; rules resting on overlapping
        # rows count once. Acme -> C001: the timing test's donations include the bundle's and
        # the limit flag's rows, so three rules are one independent piece of evidence (low).
        # Sole-source awards and breadth describe the vendor: context, never a flag alone.
        "red_flags": {
            "positive": [
                {
                    "vendor": "Acme Road Builders, Inc.",
                    "recipient": "C001",
                    "rules_fired": ["bundled_donations", "limit_excess", "timing_cluster"],
                    "independent_rules": 1,
                    "severity": "low",
                    "context": ["non_competitive_award", "broad_influence"],
                }
            ],
            "negative": [
                {"vendor": "Harbor Health Services LLC", "recipient": "C003", "why": "no pair rule fires"},
                {"vendor": "Northeastern Paving LLC", "recipient": "*", "why": "no linked donations"},
                {
                    "vendor": "Acme Road Builders, Inc.",
                    "recipient": "C002",
                    "why": "one $100 gift; sole-source awards and breadth are vendor context only",
                },
                {
                    "vendor": "Acme Road Builders, Inc.",
                    "recipient": "C003",
                    "why": "one $100 gift; sole-source awards and breadth are vendor context only",
                },
                {
                    "vendor": "Acme Road Builders, Inc.",
                    "recipient": "C004",
                    "why": "one $100 gift; sole-source awards and breadth are vendor context only",
                },
                {"vendor": "The GEO Group, Inc.", "recipient": "C002", "why": "sole-source awards only"},
            ],
        },
    }


if __name__ == "__main__":
    result = build()
    print(json.dumps(result["staging"], sort_keys=True))
