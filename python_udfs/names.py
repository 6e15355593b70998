"""The one definition of organisation-name normalisation, shared by Python and dbt SQL.

The rules are data (``STEPS``): an ordered list of steps, each either ``strip_accents``,
``upper`` or a regex replacement. Python interprets them with :mod:`re`; the generator
(``python -m python_udfs.names --write-macros``) turns the same list into nested DuckDB
``regexp_replace(..., 'g')`` calls in ``macros/normalize_org_name.sql``. A parity test runs
both on real names, so a rule changed here changes both or the tests fail.

Regex dialect: only features that behave identically in Python ``re`` and RE2 (DuckDB):
literal text, character classes with ``\\xNN`` escapes, alternation, groups, ``+``, ``^``, ``$``
(never after a newline: control characters are blanked first), ``\\b`` (ASCII; Python is run
with ``re.ASCII`` and the text is ASCII by the time ``\\b`` is used) and ``\\1`` back-references
in the replacement only. No lookaround, no ``\\s``/``\\w``/``\\d`` (their classes differ), and no
pattern may match the empty string (the engines advance differently after empty matches).

Decisions:

* Accents: DuckDB's ``strip_accents`` is canonical decomposition, drop every mark (Mn, Mc, Me),
  recompose. :func:`strip_accents` does exactly that, so ``Zürich`` -> ``Zurich`` on both sides.
  Compatibility forms (ligatures, superscripts) are *not* decomposed by DuckDB, so a handful of
  letters that do not decompose are folded by explicit rules (ß, Æ, Ø, Œ, Ł, Đ, Þ, ı, ﬁ, ﬂ);
  whatever is still non-ASCII afterwards becomes a space (word break), never a guess.
* Legal forms are removed only at the end of the name (repeatedly: ``GEO GROUP, INC., THE``),
  and never when they are the first word, so ``CO OP`` or ``PC CONNECTION`` keep their words.
  COMPANY and CO count as legal forms at the end (``BNSF RAILWAY COMPANY`` is ``BNSF
  RAILWAY``); COMPANIES does not (``ANTHEM COMPANIES`` names a group). ``PA`` and ``NA`` at the
  end (professional association, national association) are removed; as the only word they stay.
  Spelled-out forms (``LIMITED LIABILITY COMPANY``), forms cut off by FEC's 38-character limit
  (``CORPORAT``), a trailing ``US``/``USA`` (``HOME DEPOT U.S.A., INC.``) and a trailing
  ``.COM`` go too, and so does a number right after a legal form, a vendor code in USAspending
  (``BOOZ ALLEN HAMILTON INCORPORATED (3626)``, ``3M COMPANY (7775)``).
* ``&`` between letter groups of one or two letters joins them (``AT&T``, ``AT & T`` and
  ``ATT`` agree; ``S&P`` is ``SP``); any other ``&`` becomes ``AND`` (``ERNST & YOUNG`` and
  ``ERNST AND YOUNG`` agree).
* Apostrophes are deleted (``MCDONALD'S`` -> ``MCDONALDS``); other punctuation is a word break.
  A single letter followed by a dot loses the dot (``J.P.`` -> ``JP``), and runs of single
  letters are joined (``I B M`` -> ``IBM``, ``N/A`` -> ``NA``).
* A few unambiguous abbreviations are expanded (INTL, NATL, SVCS, MGMT, UNIV, ...); ambiguous
  ones (ASSOC, TECH, SYS, ST, CO mid-name) are left alone.
* A name that is only noise (punctuation, a legal form, THE) normalises to ``None``.
* Known limit: a combining mark assigned in a newer Unicode version than Python's
  ``unicodedata`` (14.0 in Python 3.11) is dropped by DuckDB (utf8proc is newer) but becomes a
  word break in Python (42 code points, e.g. U+0CF3). The parity test covers every code point
  Python knows.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from python_udfs.non_answer_terms import DEFAULT_NON_ANSWER_PREFIXES, DEFAULT_NON_ANSWERS

__all__ = [
    "DEFAULT_NON_ANSWERS",
    "DEFAULT_NON_ANSWER_PREFIXES",
    "MACRO_PATH",
    "STEPS",
    "NonAnswerMatcher",
    "aggressive_key",
    "is_non_answer",
    "non_answer_prefixes",
    "non_answer_terms",
    "normalize_org_name",
    "render_macros",
    "sql_expression",
    "strip_accents",
    "write_macros",
]

StepKind = Literal["strip_accents", "upper", "regex"]


@dataclass(frozen=True)
class Step:
    """One normalisation step; ``why`` is rendered as a comment in the generated macro."""

    kind: StepKind
    why: str
    pattern: str = ""
    replacement: str = ""


def _alt(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so RE2 and ``re`` pick the same one."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in ordered)


#: Legal forms removed at the end of a name, after punctuation is gone and initials are joined
#: (``L.L.C.`` and ``L L C`` arrive here as ``LLC``, ``N.V.`` as ``NV``).
LEGAL_FORMS: tuple[str, ...] = (
    "INC",
    "INCORPORATED",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "AND CO",
    "AND COMPANY",
    "LLC",
    "LLLP",
    "LC",
    "LTD",
    "LIMITED",
    "LLP",
    "LP",
    "PLLC",
    "PLC",
    "PC",
    "PA",
    "PSC",
    "APC",
    "NA",
    "NV",
    "BV",
    "GMBH",
    "AG",
    "SA",
    "SAS",
    "SARL",
    "SPA",
    "SRL",
    "AB",
    "AS",
    "ASA",
    "OY",
    "KK",
    "PTY",
    "PTE",
    "BHD",
    "SDN",
    "ULC",
    "US",
    "USA",
    # spelled-out forms as USAspending writes them
    "LIMITED LIABILITY",
    "LIMITED LIABILITY COMPANY",
    "LIMITED LIABILITY CO",
    "LIMITED PARTNERSHIP",
    "LIMITED LIABILITY PARTNERSHIP",
    # FEC truncates employers at 38 characters: CORPORATION and INCORPORATED lose their tails
    "CORPORA",
    "CORPORAT",
    "CORPORATI",
    "CORPORATIO",
    "INCORP",
    "INCORPO",
    "INCORPOR",
    "INCORPORA",
    "INCORPORAT",
    "INCORPORATE",
    # a dot-com suffix is not part of the name (AMAZON.COM, STAMPS.COM)
    "COM",
)

#: A name made only of one of these words (or THE, AND) carries no identity: it becomes None.
#: Foreign and two-letter forms are not here, since ``NA`` or ``AG`` alone mean something else.
NOISE_ONLY: tuple[str, ...] = (
    "INC",
    "INCORPORATED",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "LLC",
    "LTD",
    "LIMITED",
    "LLP",
    "LP",
    "PLLC",
    "PLC",
    "THE",
    "AND",
)

#: Unambiguous abbreviations, expanded anywhere in the name (whole words only).
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("INTL", "INTERNATIONAL"),
    ("NATL", "NATIONAL"),
    ("SVCS", "SERVICES"),
    ("SVC", "SERVICE"),
    ("MGMT", "MANAGEMENT"),
    ("MGT", "MANAGEMENT"),
    ("UNIV", "UNIVERSITY"),
    ("DEPT", "DEPARTMENT"),
    ("GOVT", "GOVERNMENT"),
    ("MFG", "MANUFACTURING"),
    ("ASSN", "ASSOCIATION"),
    ("ASSOCS", "ASSOCIATES"),
    ("BROS", "BROTHERS"),
    ("HOSP", "HOSPITAL"),
    ("CTR", "CENTER"),
    ("CNTR", "CENTER"),
    ("CNTY", "COUNTY"),
    ("LABS", "LABORATORIES"),
)

#: Letters that canonical decomposition leaves alone but have a safe ASCII spelling.
LETTER_FOLDS: tuple[tuple[str, str], ...] = (
    ("ß", "SS"),
    ("ẞ", "SS"),
    ("[Ææ]", "AE"),
    ("[Øø]", "O"),
    ("[Œœ]", "OE"),
    ("[Łł]", "L"),
    ("[ĐđÐð]", "D"),
    ("[Þþ]", "TH"),
    ("ı", "I"),
    ("ﬁ", "FI"),
    ("ﬂ", "FL"),
)


def _build_steps() -> tuple[Step, ...]:
    steps: list[Step] = [
        Step("strip_accents", "accents: canonical decomposition minus marks (DuckDB semantics)"),
    ]
    for pattern, repl in LETTER_FOLDS:
        steps.append(Step("regex", f"fold {pattern} to {repl}", pattern, repl))
    steps += [
        Step(
            "regex", "typographic apostrophes and backticks are apostrophes", "[\u2018\u2019\u201b\u02bc`\u00b4]", "'"
        ),
        Step("regex", "unicode dashes are hyphens (word breaks later)", "[\u2010-\u2015\u2212]", "-"),
        Step("regex", "anything still non-ASCII (and control characters) is a word break", "[^\\x20-\\x7e]", " "),
        Step("upper", "case-insensitive from here on"),
        Step("regex", "apostrophes join: MCDONALD'S -> MCDONALDS, O'NEIL -> ONEIL", "'", ""),
        Step("regex", "dotted initials lose the dot: J.P. -> JP, L.L.C. -> LLC", "\\b([A-Z])\\.", "\\1"),
        Step(
            "regex",
            "an ampersand between short letter groups joins them: AT&T -> ATT, "
            "S & P -> SP, BB&T -> BBT (as these names are also written)",
            "\\b([A-Z][A-Z]?) ?& ?([A-Z][A-Z]?)\\b",
            "\\1\\2",
        ),
        Step("regex", "any other & is the word AND", "&", " AND "),
        Step("regex", "all other punctuation is a word break", "[^A-Z0-9 ]+", " "),
        Step("regex", "collapse spaces", "  +", " "),
        Step("regex", "trim", "^ | $", ""),
        Step("regex", "mark single-letter words", "\\b([A-Z])\\b", "<\\1>"),
        Step("regex", "join adjacent single-letter words: I B M -> IBM", "> <", ""),
        Step("regex", "drop the marks", "[<>]", ""),
    ]
    for short, full in ABBREVIATIONS:
        steps.append(Step("regex", f"{short} -> {full}", f"\\b{short}\\b", full))
    legal = _alt(LEGAL_FORMS + ("THE",))
    steps += [
        Step("regex", "a leading THE goes", "^(THE )+", ""),
        Step(
            "regex",
            "trailing legal forms (with a vendor number after them) and a trailing THE go, never the first word",
            f"( ({legal})( [0-9]+)?)+$",
            "",
        ),
        Step("regex", "a name that is only a legal form or THE is noise", f"^({_alt(NOISE_ONLY)})$", ""),
    ]
    return tuple(steps)


STEPS: tuple[Step, ...] = _build_steps()
_COMPILED: tuple[tuple[Step, re.Pattern[str] | None], ...] = tuple(
    (s, re.compile(s.pattern, re.ASCII) if s.kind == "regex" else None) for s in STEPS
)

_MARKS = frozenset({"Mn", "Mc", "Me"})


def strip_accents(s: str) -> str:
    """Drop combining marks the way DuckDB's ``strip_accents`` does (NFD, drop marks, NFC).

    Characters assigned after the Python build's Unicode version may differ (DuckDB's utf8proc
    can be newer); they are non-ASCII and become word breaks either way.
    """
    if s.isascii():
        return s
    decomposed = unicodedata.normalize("NFD", s)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _MARKS)
    return unicodedata.normalize("NFC", kept)


def normalize_org_name(s: str | None) -> str | None:
    """Normalise an organisation name; ``None`` for null, blank or noise-only input."""
    if s is None:
        return None
    for step, rx in _COMPILED:
        if step.kind == "strip_accents":
            s = strip_accents(s)
        elif step.kind == "upper":
            s = s.upper()
        else:
            assert rx is not None
            s = rx.sub(step.replacement, s)
    s = s.strip(" ")
    return s or None


def aggressive_key(norm: str | None) -> str | None:
    """Unique words of a normalised name, sorted (byte order), space-joined."""
    if norm is None:
        return None
    return " ".join(sorted(set(norm.split(" "))))


# ----------------------------------------------------------------------------- non-answers

# The default lists live in non_answer_terms.py (data only); re-exported here.


def _normalized_terms(terms: Iterable[str]) -> frozenset[str]:
    out = set()
    for t in terms:
        n = normalize_org_name(t)
        if n is not None:
            out.add(n)
    return frozenset(out)


_DEFAULT_TERMS = _normalized_terms(DEFAULT_NON_ANSWERS)
_DEFAULT_PREFIXES = tuple(sorted(_normalized_terms(DEFAULT_NON_ANSWER_PREFIXES)))


def non_answer_terms(extra: Iterable[str] = (), terms: Iterable[str] | None = None) -> list[str]:
    """Sorted normalised non-answer terms: ``terms`` (default list if None) plus ``extra``."""
    base = _DEFAULT_TERMS if terms is None else _normalized_terms(terms)
    return sorted(base | _normalized_terms(extra))


def non_answer_prefixes(prefixes: Iterable[str] | None = None) -> list[str]:
    """Sorted normalised non-answer prefixes (default list if None)."""
    if prefixes is None:
        return list(_DEFAULT_PREFIXES)
    return sorted(_normalized_terms(prefixes))


class NonAnswerMatcher:
    """Reusable non-answer test; build once when checking many names."""

    def __init__(
        self, extra: Iterable[str] = (), terms: Iterable[str] | None = None, prefixes: Iterable[str] | None = None
    ) -> None:
        self.terms = frozenset(non_answer_terms(extra, terms))
        self.prefixes = tuple(p + " " for p in non_answer_prefixes(prefixes))

    def __call__(self, norm: str | None) -> bool:
        if norm is None or norm in self.terms:
            return True
        # whole words only: SELF EMPLOYED X is a non-answer, SELFHELP is not
        return (norm + " ").startswith(self.prefixes)


_DEFAULT_MATCHER = NonAnswerMatcher()


def is_non_answer(
    norm: str | None,
    extra: Iterable[str] = (),
    terms: Iterable[str] | None = None,
    prefixes: Iterable[str] | None = None,
) -> bool:
    """True when a normalised employer says "no employer" (a null/blank one included).

    ``extra`` adds terms to the list, ``terms`` replaces the default list, ``prefixes``
    replaces the default prefix list; all of them are normalised first.
    """
    if not extra and terms is None and prefixes is None:
        return _DEFAULT_MATCHER(norm)
    return NonAnswerMatcher(extra, terms, prefixes)(norm)


# ----------------------------------------------------------------------------- SQL generator

MACRO_PATH = Path(__file__).resolve().parent.parent / "macros" / "normalize_org_name.sql"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _jinja_safe(s: str) -> str:
    """Guard a SQL snippet against Jinja delimiters ({{, {%, {#) inside literals."""
    if any(tok in s for tok in ("{{", "{%", "{#", "#}", "%}", "}}")):
        raise ValueError(f"rule text would confuse Jinja: {s!r}")
    return s


def sql_expression(expr: str, dialect: str = "duckdb") -> str:
    """SQL expression that normalises ``expr`` (text in, text or NULL out), for DuckDB or Spark.

    Spark: the same steps with Java regexes (the rules use only syntax both engines read alike),
    accents through the session function ``mt_strip_accents`` (this module's
    :func:`strip_accents`, registered by moneytrail/spark_steps.py), literals escaped with
    backslashes, ``$1`` back-references, and ``trim(BOTH ' ' FROM x)`` (Spark's two-argument
    ``trim`` takes its arguments the other way round)."""
    spark = dialect == "spark"
    lit = _spark_str if spark else _sql_str
    sql = f"CAST({expr} AS {'STRING' if spark else 'VARCHAR'})"
    for step in STEPS:
        if step.kind == "strip_accents":
            sql = f"{'mt_strip_accents' if spark else 'strip_accents'}({sql})"
        elif step.kind == "upper":
            sql = f"upper({sql})"
        elif spark:
            sql = f"regexp_replace({sql}, {lit(step.pattern)}, {lit(_java_replacement(step.replacement))})"
        else:
            sql = f"regexp_replace({sql}, {lit(step.pattern)}, {lit(step.replacement)}, 'g')"
    return f"nullif(trim(BOTH ' ' FROM {sql}), '')" if spark else f"nullif(trim({sql}, ' '), '')"


def _spark_str(s: str) -> str:
    """A Spark SQL string literal: Spark unescapes backslashes in literals (``'\\b'`` would be a
    backspace) and reads ``''`` as two adjacent literals, so both are escaped with a backslash."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _java_replacement(repl: str) -> str:
    """A replacement for Java's regex engine: ``$`` is literal, ``\\1`` back-references are ``$1``."""
    out = repl.replace("$", "\\$")
    return re.sub(r"\\([0-9])", r"$\1", out)


# long: one f-string template of macros/normalize_org_name.sql, kept whole so it reads like the file it writes
def render_macros() -> str:
    """The full text of ``macros/normalize_org_name.sql`` (deterministic)."""
    body = _jinja_safe(sql_expression("__EXPR__")).replace("__EXPR__", "{{ expr }}")
    spark_body = _jinja_safe(sql_expression("__EXPR__", "spark")).replace("__EXPR__", "{{ expr }}")
    steps_doc = "\n".join(f"    {i:2d}. {s.why}" for i, s in enumerate(STEPS, 1))
    terms = ", ".join(_sql_str(t) for t in non_answer_terms())
    prefixes = ", ".join(_sql_str(p) for p in non_answer_prefixes())
    return f"""{{#-
  GENERATED by `python -m python_udfs.names --write-macros` from python_udfs/names.py.
  Do not edit: change the rules in names.py and regenerate (a test checks for drift).

  normalize_org_name(expr): organisation name -> normalised VARCHAR, NULL for null/noise.
  Steps, in order:
{steps_doc}

  org_name_aggressive(expr): unique words of a normalised name, sorted, space-joined.

  is_employer_non_answer(expr): true when a normalised employer says "no employer"
  (NULL counts as a non-answer). Terms: var employer_non_answers (replaces the default
  list) plus var employer_non_answers_extra (added); both are normalised with the macro
  above. Prefixes (whole words): var employer_non_answer_prefixes replaces the default.
-#}}

{{% macro normalize_org_name(expr) -%}}
{{{{ adapter.dispatch('normalize_org_name', 'moneytrail')(expr) }}}}
{{%- endmacro %}}

{{% macro default__normalize_org_name(expr) -%}}
{body}
{{%- endmacro %}}

{{% macro spark__normalize_org_name(expr) -%}}
{spark_body}
{{%- endmacro %}}

{{% macro org_name_aggressive(expr) -%}}
{{{{ adapter.dispatch('org_name_aggressive', 'moneytrail')(expr) }}}}
{{%- endmacro %}}

{{% macro default__org_name_aggressive(expr) -%}}
array_to_string(list_sort(list_distinct(string_split({{{{ expr }}}}, ' '))), ' ')
{{%- endmacro %}}

{{% macro spark__org_name_aggressive(expr) -%}}
array_join(array_sort(array_distinct(split({{{{ expr }}}}, ' '))), ' ')
{{%- endmacro %}}

{{% macro is_employer_non_answer(expr) -%}}
{{%- set replaced = var('employer_non_answers', none) -%}}
{{%- set extra = var('employer_non_answers_extra', []) -%}}
{{%- set var_prefixes = var('employer_non_answer_prefixes', none) -%}}
{{%- set default_terms = [{terms}] -%}}
{{%- set default_prefixes = [{prefixes}] -%}}
{{%- set ns = namespace(terms=[], prefixes=[]) -%}}
{{%- if replaced is none -%}}
{{%- for t in default_terms %}}
{{%- set ns.terms = ns.terms + [moneytrail_sql_quote(t)] %}}
{{%- endfor -%}}
{{%- else -%}}
{{%- for t in replaced %}}
{{%- set ns.terms = ns.terms + [normalize_org_name(moneytrail_sql_quote(t))] %}}
{{%- endfor -%}}
{{%- endif -%}}
{{%- for t in extra %}}
{{%- set ns.terms = ns.terms + [normalize_org_name(moneytrail_sql_quote(t))] %}}
{{%- endfor -%}}
{{%- if var_prefixes is none -%}}
{{%- for p in default_prefixes %}}
{{%- set ns.prefixes = ns.prefixes + [moneytrail_sql_quote(p)] %}}
{{%- endfor -%}}
{{%- else -%}}
{{%- for p in var_prefixes %}}
{{%- set ns.prefixes = ns.prefixes + [normalize_org_name(moneytrail_sql_quote(p))] %}}
{{%- endfor -%}}
{{%- endif -%}}
{{%- if adapter.type() == 'spark' %}}
(({{{{ expr }}}}) IS NULL
  OR coalesce(array_contains(array({{{{ ns.terms | join(', ') }}}}), ({{{{ expr }}}})), false)
{{%- for p in ns.prefixes %}}
  OR coalesce(startswith(({{{{ expr }}}}) || ' ', ({{{{ p }}}}) || ' '), false)
{{%- endfor %}})
{{%- else %}}
(({{{{ expr }}}}) IS NULL
  OR coalesce(list_contains([{{{{ ns.terms | join(', ') }}}}], ({{{{ expr }}}})), false)
{{%- for p in ns.prefixes %}}
  OR coalesce(starts_with(({{{{ expr }}}}) || ' ', ({{{{ p }}}}) || ' '), false)
{{%- endfor %}})
{{%- endif %}}
{{%- endmacro %}}

{{#- a text literal in this engine's quoting (Spark: backslash escapes; others: doubled quote) -#}}
{{% macro moneytrail_sql_quote(s) -%}}
{{%- if adapter.type() == 'spark' -%}}
'{{{{ s | replace("\\\\", "\\\\\\\\") | replace("'", "\\\\'") }}}}'
{{%- else -%}}
'{{{{ s | replace("'", "''") }}}}'
{{%- endif -%}}
{{%- endmacro %}}
"""


def write_macros(path: Path = MACRO_PATH) -> Path:
    """Write the generated macro file; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_macros(), encoding="utf-8", newline="\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m python_udfs.names --write-macros | --check | NAME...``"""
    p = argparse.ArgumentParser(prog="python -m python_udfs.names", description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write-macros", action="store_true", help=f"write {MACRO_PATH.name}")
    g.add_argument("--check", action="store_true", help="exit 1 if the macro file is stale")
    g.add_argument("names", nargs="*", default=[], help="names to normalise and print")
    args = p.parse_args(argv)
    if args.write_macros:
        print(write_macros())
        return 0
    if args.check:
        current = MACRO_PATH.read_text(encoding="utf-8") if MACRO_PATH.exists() else ""
        if current != render_macros():
            print(f"{MACRO_PATH} is stale: run python -m python_udfs.names --write-macros", file=sys.stderr)
            return 1
        return 0
    for n in args.names:
        print(f"{n}\t{normalize_org_name(n)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
