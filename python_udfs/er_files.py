"""Reading the decisions and aliases CSV files (vars.er_link_decisions_file, vars.er_aliases_file,
and the files of ``moneytrail match --decisions/--aliases``): one way for the build and the
command, each wording its own errors. Parsing the rows is python_udfs/er_decisions.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from python_udfs.er_decisions import DecisionError


def read_csv_file(path: str | Path, var_name: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows and header of a user CSV named by a dbt var; missing or unreadable files fail closed."""
    p = Path(path)
    try:
        text = read_csv_text(p)
    except FileNotFoundError:
        raise DecisionError(f"vars.{var_name}: {str(p)!r} does not exist") from None
    except UnicodeDecodeError as e:
        raise DecisionError(f"vars.{var_name}: {str(p)!r} is not UTF-8 ({e.reason} at byte {e.start})") from None
    rows, header, too_long = csv_rows(text)
    if too_long is not None:
        raise DecisionError(f"vars.{var_name}: {p.name} row {too_long} has more cells than the header")
    return rows, header


def read_csv_text(path: Path) -> str:
    """A CSV file's text as csv must read it: UTF-8 (a BOM dropped), line breaks untouched
    (newline=""), so rows end at CR/LF only and a quoted cell keeps its line breaks
    (str.splitlines would also break on U+2028, U+0085, form feeds... and lose them).
    FileNotFoundError and UnicodeDecodeError are the caller's to word."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return f.read()


def csv_rows(text: str) -> tuple[list[dict[str, str]], list[str], int | None]:
    """Rows and header of a decisions or aliases CSV (read_csv_text), and the number of the
    first row with more cells than the header (None when every row fits): the build
    (read_csv_file) and moneytrail match word that error each their own way."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    too_long = next((n for n, r in enumerate(rows, start=1) if None in r), None)
    return rows, list(reader.fieldnames or []), too_long
