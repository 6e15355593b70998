"""``moneytrail match LEFT RIGHT --out links.csv``: match two plain lists of names.

Each input is either one name per line (UTF-8) or, with ``--left-column``/``--right-column``,
a CSV file with a header row and that column. Raw strings are normalised
(``names.normalize_org_name``), links are computed once per distinct normalised name
(``matcher.match_to_arrow``) and joined back to every raw spelling. The CSV lists both raw
strings, both normalised forms, tier, match type and the features, sorted by right raw
string, tier, score desc, token-sort score desc, left raw string, with fixed number formats.

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
)


class InputError(UserError, ValueError):
    """An input file or column cannot be read."""


@dataclass(frozen=True)
class RunSummary:
    """What a run read and wrote."""

    left_names: int  # distinct raw strings read
    right_names: int
    left_normalized: int  # distinct normalised names
    right_normalized: int
    name_links: int  # links between normalised names
    rows: int  # CSV rows written (raw x raw)


def read_names(path: str | Path, column: str | None = None) -> list[str]:
    """Raw names from a one-per-line file or from ``column`` of a CSV file with a header.
    Blank lines and cells are skipped; order and duplicates are kept."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
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


def run(
    left_path: str | Path,
    right_path: str | Path,
    out_path: str | Path,
    left_column: str | None = None,
    right_column: str | None = None,
    config: MatchConfig | None = None,
    min_tier: str = "low",
) -> RunSummary:
    """Match the two lists and write the links CSV; returns counts."""
    if min_tier not in TIERS:
        raise ConfigError(f"min_tier must be one of {', '.join(TIERS)}, got {min_tier!r}")
    left_raw = sorted(set(read_names(left_path, left_column)))
    right_raw = sorted(set(read_names(right_path, right_column)))
    by_norm_left: dict[str, list[str]] = {}
    for raw in left_raw:
        n = normalize_org_name(raw)
        if n is not None:
            by_norm_left.setdefault(n, []).append(raw)
    by_norm_right: dict[str, list[str]] = {}
    for raw in right_raw:
        n = normalize_org_name(raw)
        if n is not None:
            by_norm_right.setdefault(n, []).append(raw)
    table = match_to_arrow(sorted(by_norm_left), sorted(by_norm_right), config)
    rows = []
    for link in table.to_pylist():
        if not tier_at_least(link["tier"], min_tier):
            continue
        for lr in by_norm_left[link["left_name"]]:
            for rr in by_norm_right[link["right_name"]]:
                rows.append((rr, link["tier_rank"], -link["score"], -link["token_sort_score"], lr, link))
    rows.sort(key=lambda r: r[:5])
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(OUTPUT_COLUMNS)
        for rr, _, _, _, lr, k in rows:
            w.writerow(
                [
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
                ]
            )
    return RunSummary(len(left_raw), len(right_raw), len(by_norm_left), len(by_norm_right), table.num_rows, len(rows))


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
    return parser


def main(args: argparse.Namespace) -> int:
    """Run from parsed arguments; prints a summary (or the error) to stderr."""
    try:
        overrides = {"workers": args.workers} if args.workers is not None else {}
        cfg = load_config(args.config, overrides)
        s = run(args.left, args.right, args.out, args.left_column, args.right_column, cfg, args.min_tier)
    except (InputError, ConfigError, json.JSONDecodeError) as e:
        print(f"moneytrail match: error: {e}", file=sys.stderr)
        return 2
    print(
        f"moneytrail match: {s.left_names} left and {s.right_names} right names "
        f"({s.left_normalized} and {s.right_normalized} normalised), {s.name_links} links, "
        f"{s.rows} rows written to {args.out}",
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
