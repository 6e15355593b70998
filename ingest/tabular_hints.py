"""Hints in the tabular loader's error messages: which delimiter a wrongly read line likely uses,
why a row may be ragged, how a name is shown (see tabular.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.tabular import TabularOptions

# delimiters a wrongly read line is checked for (the hint names the likeliest)
COMMON_DELIMITERS = ("\t", "|", ";", ",")


def _show_delimiter(char: str) -> str:
    return "tab" if char == "\t" else f"'{char}'"


def _likely_delimiter(text: str, options: TabularOptions) -> tuple[str, int] | None:
    """The common delimiter (other than the one in use) that `text` holds most often, or None."""
    counts = [(text.count(c), c) for c in COMMON_DELIMITERS if c != options.delimiter]
    count, char = max(counts, key=lambda pair: pair[0])  # ties: the earlier in COMMON_DELIMITERS
    return (char, count) if count else None


def _delimiter_advice(char: str) -> str:
    shown = "\\t" if char == "\t" else char
    return f'delimiter: "{shown}"'


def _ragged_hint(record: Sequence[str], width: int, options: TabularOptions) -> str:
    """Why a row may not have the header's number of fields, for the error message."""
    used = _show_delimiter(options.delimiter)
    if len(record) == 1:
        likely = _likely_delimiter(record[0], options)
        if likely is not None:
            char, count = likely
            return (
                f"hint: the line holds no {used} but {_show_delimiter(char)} {count} time(s): is the file "
                f"{_show_delimiter(char)}-delimited? ({_delimiter_advice(char)})"
            )
    if len(record) == width + 1 and record[-1] == "":
        return (
            f"hint: the line ends with a {used} the column names do not account for; if every row ends "
            "with it and that last field is always empty, drop it with empty_last_column: drop"
        )
    if len(record) == width - 1 and options.empty_last_column == "drop":
        return f"hint: with empty_last_column: drop every row must end with an empty field after a last {used}"
    quoting = "quoting is off" if options.quote is None else f"quote character '{options.quote}'"
    return (
        f"hint: every row needs as many fields as the header; check the delimiter ({used}) and the quoting "
        f"({quoting}): a value holding the delimiter must be quoted"
    )


def show_name(name: str, limit: int = 60) -> str:
    text = repr(name)
    return text if len(text) <= limit else text[: limit - 4] + "...'"
