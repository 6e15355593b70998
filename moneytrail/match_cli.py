"""``moneytrail match LEFT RIGHT --out links.csv``: match two plain lists of names.

Each input is either one name per line (UTF-8) or, with ``--left-column``/``--right-column``,
a CSV file with a header row and that column. Raw strings are normalised
(``names.normalize_org_name``), links are computed once per distinct normalised name
(``matcher.match_to_arrow``) and joined back to every raw spelling. The CSV lists both raw
strings, both normalised forms, tier, match type and the features, sorted by right raw
string, tier, score desc, token-sort score desc, left raw string, with fixed number formats.

The links are the ones a build's analyses would use: the shipped knowledge
(seeds/er_link_decisions.csv, seeds/er_aliases.csv) and any ``--decisions``/``--aliases``
files are applied as in the build (``er_decisions.apply_knowledge``: not_same > same >
alias > matcher, and units of a linked brand as family links); links a ``not_same``
decision covers are left out. Every row says its ``link_scope``; ``--scopes
same_organisation`` keeps the links the analyses count by default. ``--matcher-only`` gives
the matcher's own links, without any of that.

Wiring into an argparse CLI takes two lines::

    sub = subparsers.add_parser("match", help=match_cli.HELP)
    match_cli.add_arguments(sub); sub.set_defaults(func=match_cli.main)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moneytrail.errors import UserError
from python_udfs.er_decisions import (
    LINK_SCOPES,
    RELATIONS,
    Alias,
    Decision,
    DecisionError,
    apply_knowledge,
    combine_decisions,
    parse_aliases,
    parse_decisions,
    sort_aliases,
)
from python_udfs.er_files import csv_rows, read_csv_text
from python_udfs.matcher import TIERS, ConfigError, MatchConfig, match_to_arrow, tier_at_least
from python_udfs.names import normalize_org_name

HELP = "match two lists of organisation names (one per line, or a CSV column)"

OUTPUT_COLUMNS: tuple[str, ...] = (
    "left_raw",
    "right_raw",
    "left_normalized",
    "right_normalized",
    "tier",
    "match_type",
    "score",
    "token_sort_score",
    "coverage_left",
    "coverage_right",
    "shared_tokens",
    "max_idf",
    "mean_idf",
    "number_mismatch",
    "type_conflict",
    "link_scope",
    "matcher_tier",
    "review_decision",
    "knowledge_note",
)

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"


class InputError(UserError, ValueError):
    """An input file or column cannot be read."""


@dataclass(frozen=True)
class RunSummary:
    """What a run read and wrote."""

    left_names: int  # distinct raw strings read
    right_names: int
    left_normalized: int  # distinct normalised names
    right_normalized: int
    name_links: int  # links between normalised names, after the knowledge
    rows: int  # CSV rows written (raw x raw)
    not_same: int = 0  # name links left out by a not_same decision
    out_of_scope: int = 0  # family/ownership name links left out (not in --scopes)
    decisions: int = 0  # decisions and aliases loaded
    aliases: int = 0


@dataclass(frozen=True)
class Knowledge:
    """What is applied on top of the matcher (None in ``run``: the shipped seeds)."""

    decisions: tuple[Decision, ...] = ()
    aliases: tuple[Alias, ...] = ()


def _read_text(path: Path, what: str = "", csv_file: bool = False) -> str:
    """A UTF-8 file's text (a BOM dropped); a missing or undecodable file is an InputError.
    ``csv_file``: line breaks untouched, as the build reads decisions and aliases files
    (er_files.read_csv_text)."""
    try:
        return read_csv_text(path) if csv_file else path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file" + (f" ({what})" if what else "")) from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None


def _read_csv(path: Path, what: str) -> tuple[list[dict[str, str]], list[str]]:
    """A decisions or aliases file read as the build reads it (er_files.read_csv_text and
    csv_rows), with this command's error texts."""
    rows, header, too_long = csv_rows(_read_text(path, what, csv_file=True))
    if too_long is not None:
        raise InputError(f"{path}: row {too_long} has more cells than the header")
    return rows, header


def load_knowledge(
    decisions_file: str | Path | None = None, aliases_file: str | Path | None = None, shipped: bool = True
) -> Knowledge:
    """The shipped decisions and aliases (unless ``shipped`` is false) plus the given files,
    validated as the build validates them (a malformed row or conflicting decisions fail)."""
    decisions: list[list[Decision]] = []
    aliases: list[Alias] = []
    sources: list[tuple[str, Path, str]] = []
    if shipped:
        sources += [("decisions", SEEDS_DIR / "er_link_decisions.csv", "seed:er_link_decisions")]
        sources += [("aliases", SEEDS_DIR / "er_aliases.csv", "seed:er_aliases")]
    if decisions_file is not None:
        sources.append(("decisions", Path(decisions_file), f"file:{Path(decisions_file).name}"))
    if aliases_file is not None:
        sources.append(("aliases", Path(aliases_file), f"file:{Path(aliases_file).name}"))
    try:
        for kind, path, origin in sources:
            rows, header = _read_csv(path, kind)
            if kind == "decisions":
                decisions.append(parse_decisions(rows, origin, header))
            else:
                aliases += parse_aliases(rows, origin, header)
        combined = combine_decisions(*decisions)
    except DecisionError as e:
        raise InputError(str(e)) from None
    return Knowledge(tuple(combined), tuple(sort_aliases(aliases)))


def read_names(path: str | Path, column: str | None = None) -> list[str]:
    """Raw names from a one-per-line file or from ``column`` of a CSV file with a header.
    Blank lines and cells are skipped; order and duplicates are kept."""
    p = Path(path)
    text = _read_text(p)
    if column is None:
        lines = text.split("\n")
        return [ln.rstrip("\r") for ln in lines if ln.strip(" \t\r")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if column not in header:
        listed = ", ".join(repr(h) for h in header) or "no header"
        raise InputError(f"{p}: no column {column!r}; columns are {listed}")
    return [row[column] for row in reader if row[column] and row[column].strip()]


def _fmt(value: Any, digits: int) -> str:
    return f"{value:.{digits}f}"


def _by_norm(raws: Sequence[str]) -> dict[str, list[str]]:
    """Raw spellings under their normalised name (names that normalise to nothing dropped)."""
    out: dict[str, list[str]] = {}
    for raw in raws:
        n = normalize_org_name(raw)
        if n is not None:
            out.setdefault(n, []).append(raw)
    return out


def _check_options(
    min_tier: str, scopes: Sequence[str] | None, relation: str | None, matcher_only: bool, knowledge: Knowledge | None
) -> None:
    if min_tier not in TIERS:
        raise ConfigError(f"min_tier must be one of {', '.join(TIERS)}, got {min_tier!r}")
    if scopes is not None and (not scopes or any(x not in LINK_SCOPES for x in scopes)):
        raise ConfigError(f"scopes must be one or more of {', '.join(LINK_SCOPES)}, got {list(scopes)!r}")
    if relation is not None and relation not in RELATIONS:
        raise ConfigError(f"relation must be one of {', '.join(RELATIONS)}, got {relation!r}")
    given = [n for n, v in (("knowledge", knowledge), ("scopes", scopes), ("relation", relation)) if v is not None]
    if matcher_only and given:
        raise ConfigError(f"matcher_only applies no knowledge, so {' and '.join(given)} would be ignored")


def _csv_row(lr: str, rr: str, k: Mapping[str, Any]) -> list[str]:
    return [
        lr,
        rr,
        k["left_name"],
        k["right_name"],
        k["tier"],
        k["match_type"],
        _fmt(k["score"], 2),
        _fmt(k["token_sort_score"], 2),
        _fmt(k["coverage_left"], 4),
        _fmt(k["coverage_right"], 4),
        k["shared_tokens"],
        _fmt(k["max_idf"], 4),
        _fmt(k["mean_idf"], 4),
        "true" if k["number_mismatch"] else "false",
        "true" if k["type_conflict"] else "false",
        k.get("link_scope", "same_organisation"),
        k.get("matcher_tier", k["tier"]) or "",
        k.get("review_decision") or "",
        k.get("knowledge_note") or "",
    ]


def run(
    left_path: str | Path,
    right_path: str | Path,
    out_path: str | Path,
    left_column: str | None = None,
    right_column: str | None = None,
    config: MatchConfig | None = None,
    min_tier: str = "low",
    knowledge: Knowledge | None = None,
    scopes: Sequence[str] | None = None,
    relation: str | None = None,
    matcher_only: bool = False,
) -> RunSummary:
    """Match the two lists and write the links CSV; returns counts. ``knowledge`` None means
    the shipped seeds, ``scopes`` None all three, ``relation`` None vendor_employer;
    ``matcher_only`` writes the matcher's links with no knowledge applied (and refuses those
    three rather than ignore them)."""
    _check_options(min_tier, scopes, relation, matcher_only, knowledge)
    left_raw = sorted(set(read_names(left_path, left_column)))
    right_raw = sorted(set(read_names(right_path, right_column)))
    by_norm_left, by_norm_right = _by_norm(left_raw), _by_norm(right_raw)
    left_norm, right_norm = sorted(by_norm_left), sorted(by_norm_right)
    table = match_to_arrow(left_norm, right_norm, config)
    know = Knowledge() if matcher_only else (load_knowledge() if knowledge is None else knowledge)
    not_same = out_of_scope = 0
    if matcher_only:
        links = table.to_pylist()
    else:
        rel = relation or "vendor_employer"
        applied = apply_knowledge(table, rel, left_norm, right_norm, list(know.decisions), list(know.aliases))
        links = []
        for link in applied.to_pylist():
            if link["review_decision"] == "not_same":
                not_same += 1
            elif link["link_scope"] not in (scopes or LINK_SCOPES):
                out_of_scope += 1
            else:
                links.append(link)
    rows = []
    for link in links:
        if tier_at_least(link["tier"], min_tier):
            rank = TIERS.index(link["tier"])
            for lr in by_norm_left[link["left_name"]]:
                for rr in by_norm_right[link["right_name"]]:
                    rows.append((rr, rank, -link["score"], -link["token_sort_score"], lr, link))
    rows.sort(key=lambda r: r[:5])
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(OUTPUT_COLUMNS)
        w.writerows(_csv_row(lr, rr, k) for rr, _, _, _, lr, k in rows)
    counts = (len(left_raw), len(right_raw), len(by_norm_left), len(by_norm_right), len(links), len(rows))
    return RunSummary(*counts, not_same, out_of_scope, len(know.decisions), len(know.aliases))


def load_config(path: str | Path | None, overrides: Mapping[str, Any] | None = None) -> MatchConfig:
    """Matcher settings from a JSON (or YAML) mapping file plus overrides; unknown keys and
    bad values fail with ConfigError."""
    values: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{p}: no such file") from None
        if p.suffix.lower() in (".yml", ".yaml"):
            import yaml

            loaded = yaml.safe_load(text)
        else:
            loaded = json.loads(text)
        if not isinstance(loaded, dict):
            raise ConfigError(f"{p}: expected a mapping of matcher settings")
        values.update(loaded)
    values.update(overrides or {})
    return MatchConfig.from_mapping(values)


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``match`` arguments to a (sub)parser."""
    parser.add_argument("left", help="left names (vendors): one per line, or a CSV with --left-column")
    parser.add_argument("right", help="right names (employers/donors): one per line, or a CSV with --right-column")
    parser.add_argument("--out", required=True, help="links CSV to write")
    parser.add_argument("--left-column", help="CSV column holding the left names")
    parser.add_argument("--right-column", help="CSV column holding the right names")
    parser.add_argument(
        "--min-tier", choices=TIERS, default="low", help="lowest tier written (default: low, i.e. every link)"
    )
    parser.add_argument("--config", help="JSON or YAML file of matcher settings (same names as the dbt vars)")
    parser.add_argument(
        "--workers", type=int, default=None, help="threads for rapidfuzz scoring (default: setting or 1)"
    )
    parser.add_argument(
        "--decisions", help="reviewed link decisions CSV (as seeds/er_link_decisions.csv or match-review's file)"
    )
    parser.add_argument("--aliases", help="aliases CSV (as seeds/er_aliases.csv)")
    parser.add_argument(
        "--scopes",
        nargs="+",
        default=None,
        metavar="SCOPE",
        help="link scopes written (default: all three, each row says its scope): same_organisation, family, "
        "ownership; the analyses count same_organisation only unless vars.er_link_scopes adds the others",
    )
    parser.add_argument(
        "--relation",
        default=None,
        help="relation a decision may be limited to: vendor_employer (default) or vendor_business_donor",
    )
    parser.add_argument(
        "--matcher-only",
        action="store_true",
        help="the matcher's own links: no shipped or given decisions, aliases or unit rule",
    )
    return parser


def main(args: argparse.Namespace) -> int:
    """Run from parsed arguments; prints a summary (or the error) to stderr."""
    try:
        overrides = {"workers": args.workers} if args.workers is not None else {}
        cfg = load_config(args.config, overrides)
        given = [f"--{n}" for n in ("decisions", "aliases", "scopes", "relation") if getattr(args, n) is not None]
        if args.matcher_only and given:
            raise InputError(
                f"--matcher-only applies no knowledge, so {' and '.join(given)} would be ignored; drop one"
            )
        know = None if args.matcher_only else load_knowledge(args.decisions, args.aliases)
        s = run(
            args.left,
            args.right,
            args.out,
            args.left_column,
            args.right_column,
            cfg,
            args.min_tier,
            knowledge=know,
            scopes=args.scopes,
            relation=args.relation,
            matcher_only=args.matcher_only,
        )
    except (InputError, ConfigError, json.JSONDecodeError) as e:
        print(f"moneytrail match: error: {e}", file=sys.stderr)
        return 2
    knowledge = (
        "matcher only"
        if args.matcher_only
        else f"{s.decisions} decision(s) and {s.aliases} alias(es) applied, {s.not_same} link(s) left out "
        f"by not_same decisions, {s.out_of_scope} outside --scopes {' '.join(args.scopes or LINK_SCOPES)}"
    )
    print(
        f"moneytrail match: {s.left_names} left and {s.right_names} right names "
        f"({s.left_normalized} and {s.right_normalized} normalised), {s.name_links} links, "
        f"{s.rows} rows written to {args.out}; {knowledge}",
        file=sys.stderr,
    )
    return 0


# ----------------------------------------------------------------------------- review queue

REVIEW_HELP = "write the entity-resolution review queue of a built warehouse as a decisions CSV"

#: The first columns are those of a decisions file (seeds/er_link_decisions.csv); the rest
#: are the evidence a reviewer reads. Filled in and named by vars.er_link_decisions_file, the
#: file is read back as decisions (rows with a blank decision are skipped).
REVIEW_COLUMNS: tuple[str, ...] = (
    "queue_rank",
    "left_name",
    "right_name",
    "decision",
    "note",
    "reviewer",
    "decided_on",
    "relation",
    "confidence_tier",
    "match_type",
    "link_scope",
    "score",
    "token_sort_score",
    "coverage_left",
    "coverage_right",
    "shared_tokens",
    "token_rarity",
    "number_mismatch",
    "type_conflict",
    "knowledge_note",
    "donations_at_stake",
    "contract_value_at_stake",
    "other_rows",
    "vendor_rows",
    "vendor_examples",
    "other_examples",
    "link_id",
)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def export_review_queue(
    db: str | Path, out: str | Path, limit: int | None = None, html_out: str | Path | None = None
) -> int:
    """Write ``marts.er_review_queue`` (in queue order) as CSV, and optionally as an offline
    HTML page (no scripts, no network); returns the rows written."""
    import duckdb

    p = Path(db)
    if not p.is_file():
        raise InputError(f"{p}: no such warehouse (run `moneytrail run` or `moneytrail demo` first)")
    con = duckdb.connect(str(p), read_only=True)
    try:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'er_review_queue'"
        ).fetchone()
        if not found or not found[0]:
            raise InputError(f"{p}: no marts.er_review_queue (the last dbt build did not build it)")
        sql = "select " + ", ".join(REVIEW_COLUMNS) + " from marts.er_review_queue order by queue_rank"
        if limit is not None:
            sql += f" limit {int(limit)}"
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REVIEW_COLUMNS)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    Path(out).write_text(buf.getvalue(), encoding="utf-8")
    if html_out is not None:
        Path(html_out).write_text(review_queue_html([[_cell(v) for v in r] for r in rows]), encoding="utf-8")
    return len(rows)


def review_queue_html(rows: Sequence[Sequence[str]]) -> str:
    """The offline review page of the queue's CSV cells: the one review rendering
    (moneytrail/html/review.py, also the HTML report's review page), without a script."""
    from moneytrail.html import review

    return review.standalone_page([dict(zip(REVIEW_COLUMNS, r, strict=True)) for r in rows])


def add_review_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--db", required=True, help="warehouse file of a finished build")
    parser.add_argument("--out", required=True, help="CSV to write (a decisions file once filled in)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows of the queue")
    parser.add_argument("--html", default=None, help="also write the queue as an offline HTML page")
    return parser


def review_main(args: argparse.Namespace) -> int:
    try:
        if args.limit is not None and args.limit < 1:
            raise InputError(f"--limit={args.limit}: expected an integer >= 1")
        n = export_review_queue(args.db, args.out, args.limit, args.html)
    except InputError as e:
        print(f"moneytrail match-review: error: {e}", file=sys.stderr)
        return 2
    print(
        f"moneytrail match-review: {n} links to review written to {args.out}; fill in decision "
        "(same, not_same, unsure), note, reviewer and decided_on (YYYY-MM-DD), then rebuild with "
        f"--vars '{{er_link_decisions_file: {args.out}}}' (or that var in your run file)",
        file=sys.stderr,
    )
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    """``python -m moneytrail.match_cli LEFT RIGHT --out links.csv``"""
    parser = argparse.ArgumentParser(prog="moneytrail match", description=HELP)
    add_arguments(parser)
    return main(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(cli())
