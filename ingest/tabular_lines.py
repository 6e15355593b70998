"""Lines of one chunk of an unquoted text file, for the chunked reader of ingest/tabular.py:
UTF-8 checked and split by Arrow (no Python string per line), other encodings decoded by Python;
a chunk that does not decode raises the row reader's error for its first bad line."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import NoReturn

import pyarrow as pa


def chunk_lines(chunk: bytes, utf8: bool, first: bool, path: Path, lines_before: int, encoding: str) -> pa.Array | None:
    """A chunk's lines as an Arrow string array (no Python string per line); None when the chunk
    holds a carriage return or a NUL byte (the caller then reads the file with the csv module).
    UTF-8 is checked and split by Arrow; any other encoding is decoded by Python first."""
    import pyarrow.compute as pc

    if utf8:
        if first and chunk.startswith(codecs.BOM_UTF8):
            chunk = chunk[len(codecs.BOM_UTF8) :]
            if not chunk:
                return pa.array([], pa.string())
        if b"\r" in chunk or b"\x00" in chunk:
            return None
        try:
            whole = pa.array([chunk], pa.binary()).cast(pa.string())  # strict UTF-8, as bytes.decode
        except pa.ArrowInvalid:
            raise_decode_error(path, chunk, lines_before, encoding)
    else:
        try:
            text = chunk.decode(encoding)
        except UnicodeDecodeError:
            raise_decode_error(path, chunk, lines_before, encoding)
        if "\r" in text or "\x00" in text:
            return None
        whole = pa.array([text], pa.string())
    lines = pc.list_flatten(pc.split_pattern(whole, "\n"))
    return lines.slice(0, len(lines) - 1) if chunk.endswith(b"\n") else lines


def raise_decode_error(path: Path, chunk: bytes, lines_before: int, encoding: str) -> NoReturn:
    """The line reader's error for the first line of ``chunk`` that does not decode (Python's
    decoder says which line; Arrow's UTF-8 check refused the chunk as a whole)."""
    from ingest.tabular import TabularError  # tabular imports this module

    for number, raw in enumerate(chunk.split(b"\n"), start=lines_before + 1):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise TabularError(
                f"{path.name} line {number}: bytes {raw[exc.start : exc.end]!r} at column "
                f"{exc.start + 1} are not valid {encoding}; nothing was loaded"
            ) from None
    raise AssertionError(f"a chunk refused as {encoding} has no line that Python refuses")
