"""Word lists and number reading of the organisation-name matcher (see ``matcher.py``).

The lists are the module defaults; ``MatchConfig`` can replace or extend each of them.
"""

from __future__ import annotations

import re

#: Words that carry no identity at all (weight 0).
DEFAULT_STOP_WORDS: tuple[str, ...] = (
    "A",
    "AN",
    "AND",
    "AT",
    "BY",
    "DBA",
    "DE",
    "DEL",
    "DES",
    "DI",
    "DU",
    "EL",
    "ET",
    "FOR",
    "IN",
    "LA",
    "LE",
    "LOS",
    "OF",
    "ON",
    "OR",
    "THE",
    "TO",
    "Y",
)

#: Direction, position and scope qualifiers: weak as evidence, but a name with one the other
#: lacks names another place or reach (SOUTH ALABAMA, MIDDLE TENNESSEE; NATIONAL INDUSTRIES
#: FOR THE BLIND is not a local INDUSTRIES OF THE BLIND; SPOKANE VALLEY is not a direction).
_DIRECTIONS = (
    "CENTRAL EAST EASTERN GREATER LOWER MIDDLE MIDWEST NATIONAL NORTH NORTHEAST NORTHEASTERN "
    "NORTHERN NORTHWEST NORTHWESTERN SOUTH SOUTHEAST SOUTHEASTERN SOUTHERN SOUTHWEST "
    "SOUTHWESTERN UPPER WEST WESTERN"
)

#: Places: states (names and postal codes), the country and a few others.
_PLACES = (
    "ALABAMA ALASKA ARIZONA ARKANSAS CALIFORNIA COLORADO CONNECTICUT DELAWARE FLORIDA GEORGIA "
    "HAWAII IDAHO ILLINOIS INDIANA IOWA KANSAS KENTUCKY LOUISIANA MAINE MARYLAND MASSACHUSETTS "
    "MICHIGAN MINNESOTA MISSISSIPPI MISSOURI MONTANA NEBRASKA NEVADA HAMPSHIRE JERSEY MEXICO "
    "YORK CAROLINA DAKOTA OHIO OKLAHOMA OREGON PENNSYLVANIA RHODE TENNESSEE TEXAS UTAH VERMONT "
    "VIRGINIA WASHINGTON WISCONSIN WYOMING "
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "AMERICA AMERICAN AMERICAS CANADA CHINA EUROPE GERMANY INDIA JAPAN UK"
)

#: Weak words: shared by countless unrelated organisations. They count in scores and coverage
#: (at ``generic_weight``) but never make a candidate or a link on their own -- except in a
#: name made of nothing else.
DEFAULT_GENERIC_WORDS: tuple[str, ...] = tuple(
    sorted(
        set(
            (
                "ACADEMY ADVANCED ADVISORS ADVISORY AEROSPACE AGENCY ALLIANCE ASSOC ASSOCIATED ASSOCIATES "
                "ASSOCIATION AUTHORITY AVIATION BANK BOARD BROTHERS BUSINESS CABLE CAPITAL CARE CENTER "
                "CENTERS CITY CLINIC COLLEGE COM COMMISSION COMMUNICATION COMMUNICATIONS COMMUNITY "
                "COMPANIES COMPUTER COMPUTERS CONCEPTS CONSTRUCTION CONSULTANTS CONSULTING CONTRACTING "
                "CONTRACTORS CORPORATE COUNCIL COUNTY DATA DEFENSE DEPARTMENT DESIGN DEVELOPMENT DIGITAL "
                "DISTRICT DISTRIBUTION DISTRIBUTORS DIVISION DRUG DRUGS EDUCATION ELECTRIC "
                "ELECTRONICS ENERGY ENGINEERING ENTERPRISE ENTERPRISES ENTERTAINMENT ENVIRONMENTAL "
                "EQUIPMENT FACILITIES FAMILY FEDERAL FINANCIAL FIRM FIRST FOUNDATION FUND GENERAL GLOBAL "
                "GOVERNMENT GROUP GROUPS HEALTH HEALTHCARE HOLDING HOLDINGS HOSPITAL HOSPITALS HOTEL "
                "HOTELS INDUSTRIES INDUSTRY INFORMATION INNOVATION INNOVATIONS INS INSTITUTE INSURANCE "
                "INTEGRATED INTERNATIONAL INVESTMENT INVESTMENTS IT LAB LABORATORIES LABORATORY LABS LAW "
                "LIFE LLC LOCAL LOGISTICS MAINTENANCE MANAGEMENT MANUFACTURING MARKETING MEDIA MEDICAL "
                "MIDWEST MOBILITY NATIONAL NET NETWORK NETWORKS NEW "
                "OFFICE OFFICES ONLINE OPERATIONS PARTNERS PARTNERSHIP "
                "PHARMA PHARMACEUTICAL PHARMACEUTICALS PRODUCTS PROFESSIONAL PROFESSIONALS PROGRAM "
                "PROPERTIES PUBLIC QUALITY REAL REALTY REGIONAL REHABILITATION RESEARCH RESORTS RESOURCES "
                "SAFETY SALES SCHOOL SCHOOLS SCIENCES SCIENTIFIC SECTOR SECURE SECURITY SEGMENT SERVICE "
                "SERVICES SOFTWARE SOLUTIONS "
                "SPECIALISTS SPECIALTY STAFFING STATE STATES STRATEGIC STRATEGIES SUPPLIES SUPPLY SUPPORT "
                "SYSTEM SYSTEMS TAX TECH TECHNICAL TECHNOLOGIES TECHNOLOGY TELECOM TELECOMMUNICATIONS "
                "TRADING TRAINING TRANSPORT TRANSPORTATION TRUST TV UNION UNIT UNITED UNIVERSITY US USA "
                "VENTURES WEB WIRELESS WORLDWIDE "
                # legal forms that survive inside a name (MCKINSEY AND COMPANY INC WASHINGTON DC)
                "COMPANY CORP CORPORATION INC INCORPORATED LIMITED LTD " + _DIRECTIONS + " " + _PLACES
            ).split()
        )
    )
)

#: Organisation-type words of government units: a name with one of these unmatched is another
#: organisation than a name with no type word at all (``COUNTY OF CLARK`` vs ``CLARK``).
DEFAULT_GOVERNMENT_TYPE_WORDS: tuple[str, ...] = (
    "AUTHORITY",
    "BOROUGH",
    "CITY",
    "COMMISSION",
    "COUNTY",
    "DEPARTMENT",
    "DISTRICT",
    "PARISH",
    "PORT",
    "SCHOOL",
    "SCHOOLS",
    "STATE",
    "TOWN",
    "TOWNSHIP",
    "VILLAGE",
)
#: Other organisation-type words: two names that each have a different one unmatched are
#: different organisations (``COUNTY OF SAN DIEGO`` vs ``UNIVERSITY OF SAN DIEGO``).
DEFAULT_ORGANISATION_TYPE_WORDS: tuple[str, ...] = (
    "ACADEMY",
    "AGENCY",
    "AIRPORT",
    "BANK",
    "BOARD",
    "CHURCH",
    "CLINIC",
    "COLLEGE",
    "COUNCIL",
    "FCU",
    "FOUNDATION",
    "HOSPITAL",
    "HOSPITALS",
    "INSTITUTE",
    "LIBRARY",
    "MUSEUM",
    "SOCIETY",
    "UNIVERSITY",
)

DIRECTION_WORDS: frozenset[str] = frozenset(_DIRECTIONS.split())
PLACE_WORDS: frozenset[str] = frozenset(_PLACES.split())
#: words a name adds to another's to name a separate body carrying its name, not a unit of it
#: (python_udfs/matcher_units.py; a credit union is CREDIT and UNION together)
SEPARATE_BODY_WORDS: frozenset[str] = frozenset("ALUMNI AUXILIARY FCU FOUNDATION PAC RETIREES".split())
CREDIT_UNION: tuple[str, str] = ("CREDIT", "UNION")

#: Postal codes of US states, so TX matches TEXAS.
STATE_CODES: dict[str, str] = {
    "AL": "ALABAMA",
    "AK": "ALASKA",
    "AZ": "ARIZONA",
    "AR": "ARKANSAS",
    "CA": "CALIFORNIA",
    "CO": "COLORADO",
    "CT": "CONNECTICUT",
    "DE": "DELAWARE",
    "FL": "FLORIDA",
    "GA": "GEORGIA",
    "HI": "HAWAII",
    "ID": "IDAHO",
    "IL": "ILLINOIS",
    "IN": "INDIANA",
    "IA": "IOWA",
    "KS": "KANSAS",
    "KY": "KENTUCKY",
    "LA": "LOUISIANA",
    "ME": "MAINE",
    "MD": "MARYLAND",
    "MA": "MASSACHUSETTS",
    "MI": "MICHIGAN",
    "MN": "MINNESOTA",
    "MS": "MISSISSIPPI",
    "MO": "MISSOURI",
    "MT": "MONTANA",
    "NE": "NEBRASKA",
    "NV": "NEVADA",
    "NH": "HAMPSHIRE",
    "NJ": "JERSEY",
    "NM": "MEXICO",
    "NY": "YORK",
    "NC": "CAROLINA",
    "ND": "DAKOTA",
    "OH": "OHIO",
    "OK": "OKLAHOMA",
    "OR": "OREGON",
    "PA": "PENNSYLVANIA",
    "RI": "RHODE",
    "SC": "CAROLINA",
    "SD": "DAKOTA",
    "TN": "TENNESSEE",
    "TX": "TEXAS",
    "UT": "UTAH",
    "VT": "VERMONT",
    "VA": "VIRGINIA",
    "WA": "WASHINGTON",
    "WV": "VIRGINIA",
    "WI": "WISCONSIN",
    "WY": "WYOMING",
}

_ORDERED_TYPES = frozenset({"UNIVERSITY", "COLLEGE"})

_ROMAN = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")
_ORDINAL_WORDS = {
    "FIRST": 1,
    "SECOND": 2,
    "THIRD": 3,
    "FOURTH": 4,
    "FIFTH": 5,
    "SIXTH": 6,
    "SEVENTH": 7,
    "EIGHTH": 8,
    "NINTH": 9,
    "TENTH": 10,
}
_DIGITS = re.compile(r"[0-9]+")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_VOWELS = frozenset("AEIOUY")

# token kinds
_STOP, _WEAK, _GENERIC, _DISTINCT, _KEY = 0, 1, 2, 3, 4


# ----------------------------------------------------------------------------- numbers


def _roman_value(tok: str) -> int | None:
    """Value of a roman numeral of two letters or more (single I/V/X are initials)."""
    if len(tok) < 2 or not _ROMAN.match(tok):
        return None
    total, prev = 0, 0
    for ch in reversed(tok):
        v = _ROMAN_VALUES[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def name_numbers(name: str) -> frozenset[int]:
    """Numbers a name states: digit runs (``L0012`` -> 12, ``1ST`` -> 1), roman numerals of
    two letters or more (``VIII`` -> 8) and ordinal words (``SECOND`` -> 2)."""
    out: set[int] = set()
    for tok in name.split(" "):
        out.update(int(run) for run in _DIGITS.findall(tok))
        r = _roman_value(tok)
        if r is not None:
            out.add(r)
        o = _ORDINAL_WORDS.get(tok)
        if o is not None:
            out.add(o)
    return frozenset(out)


# word classes used by the organisation-type checks
_GOV, _ORG, _DIR, _PLACE, _LEGAL = 1, 2, 4, 8, 16
_QUAL = 32  # pseudo-bit: un_class key of qualifier words
_INIT = 64  # pseudo-bit: un_class key of single-letter initials


def _is_initial(word: str) -> bool:
    """A single letter naming a person (J ALLEN); I is the unit numeral (COMCAST OF MASSACHUSETTS I)."""
    return len(word) == 1 and word.isalpha() and word != "I"


#: legal-form words that survive normalisation inside a name: no qualifier
_LEGAL_WORDS = frozenset("COMPANY CORP CORPORATION INC INCORPORATED LIMITED LTD LLC".split())
_ORDERED_BITS = {"UNIVERSITY": 1, "COLLEGE": 2}
