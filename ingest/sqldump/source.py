"""The dump as a stream of decompressed byte chunks, hashed and UTF-8 checked as it is read.

One pass over the file does everything: the sha256 is of the bytes as stored (for .gz the
compressed bytes, so it matches ``sha256sum`` of the user's file), the UTF-8 check covers every
decompressed byte (so values can later be sliced out of the bytes without decoding each one),
and newlines are counted per chunk so an error anywhere can be given a line number.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ingest.sqldump.errors import DumpRejected

CHUNK_BYTES = 4 << 20

_MAGIC = {
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
    b"PK\x03\x04": "zip",
}


class _Hashing:
    """Raw file wrapper feeding every byte read to the hash."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.nbytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        self.nbytes += len(data)
        return data

    def drain(self) -> None:
        while self.read(CHUNK_BYTES):
            pass


class DumpSource:
    """Sequential reader of a plain or gzip dump file."""

    def __init__(self, path: Path, label: str | None = None) -> None:
        self.path = path
        self.label = label
        self._file = open(path, "rb")
        self._hashing = _Hashing(self._file)
        magic = self._file.read(6)
        self._file.seek(0)
        for prefix, name in _MAGIC.items():
            if magic.startswith(prefix):
                self._file.close()
                raise DumpRejected(
                    f"{path.name} is {name}-compressed; only plain and gzip dumps are read (decompress it first)",
                    kind="encoding",
                    line=None,
                    source=label,
                )
        self.compressed = magic.startswith(b"\x1f\x8b")
        self._stream: BinaryIO = (
            gzip.GzipFile(fileobj=self._hashing, mode="rb")  # type: ignore[call-overload]
            if self.compressed
            else self._hashing  # type: ignore[assignment]
        )
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.offset = 0  # decompressed bytes handed out so far
        self.eof = False
        self._first = True
        self._last_high = False  # the last byte handed out was >= 0x80

    def read_chunk(self) -> bytes:
        """Next chunk of decompressed bytes (b"" at the end), UTF-8 checked."""
        if self.eof:
            return b""
        try:
            data = self._stream.read(CHUNK_BYTES)
        except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
            raise DumpRejected(
                f"broken gzip stream after {self.offset} decompressed bytes ({exc})",
                kind="encoding",
                line=self.lines_before() + 1,
                source=self.label,
            ) from None
        if self._first:
            self._first = False
            if data.startswith(b"\xef\xbb\xbf"):
                # A byte-order mark is not SQL; drop it but keep offsets true to the file.
                self.offset += 3
                data = data[3:]
        self._check_utf8(data, final=not data)
        nul = data.find(b"\x00")
        if nul >= 0:
            line = self.lines_before() + data.count(b"\n", 0, nul) + 1
            raise DumpRejected(
                f"a raw NUL byte (0x00) at byte offset {self.offset + nul}: SQL text cannot hold one, and "
                "a database reading the dump would cut or refuse the string there (dump writers "
                "write it escaped, e.g. MySQL '\\0')",
                kind="encoding",
                line=line,
                source=self.label,
            )
        if not data:
            self.eof = True
            return b""
        self.offset += len(data)
        return data

    def lines_before(self) -> int:
        """Newlines in the bytes handed out so far. Only an error needs the number, so it is
        counted then, by reading the file again up to here (counting every chunk as it went by
        cost a pass over the whole dump)."""
        with open(self.path, "rb") as raw:
            stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if self.compressed else raw  # type: ignore[assignment]
            left, lines = self.offset, 0
            while left > 0:
                try:
                    data = stream.read(min(left, CHUNK_BYTES))
                except (gzip.BadGzipFile, EOFError, zlib.error, OSError):
                    break
                if not data:
                    break
                lines += data.count(b"\n")
                left -= len(data)
            return lines

    def _check_utf8(self, data: bytes, final: bool) -> None:
        """Validate ``data`` as the continuation of the UTF-8 stream.

        ASCII bytes are valid wherever they stand and never belong to a multi-byte sequence,
        so only the runs of bytes >= 0x80 need decoding, each followed by the ASCII byte that
        ends it (which makes a run cut short an error, as in the full text). Decoding just
        those bytes is several times faster than decoding the chunk when it has non-ASCII
        text; an error is mapped back to its position in the chunk."""
        pending = len(self._decoder.getstate()[0])
        if not data or (data.isascii() and not self._last_high):
            if final:
                self._decode(b"", data, None, pending, final)
            return
        arr = np.frombuffer(data, np.uint8)
        high = arr >= 0x80
        keep = high.copy()
        keep[1:] |= high[:-1]
        keep[0] |= self._last_high
        self._last_high = bool(high[-1])
        self._decode(arr[keep].tobytes(), data, keep, pending, final)

    def _decode(self, compact: bytes, data: bytes, keep: np.ndarray | None, pending: int, final: bool) -> None:
        try:
            self._decoder.decode(compact, final)
        except UnicodeDecodeError as exc:
            # exc.start counts from the bytes the decoder still held from the previous chunk.
            at = exc.start - pending
            if at >= 0 and keep is not None:
                at = int(np.flatnonzero(keep)[at])
            bad = (exc.object[exc.start : exc.end]).hex()
            line = self.lines_before() + data.count(b"\n", 0, max(at, 0)) + 1
            raise DumpRejected(
                f"invalid UTF-8 (byte 0x{bad[:2]}) at byte offset {self.offset + at}; dumps are "
                "read as UTF-8 (mysqldump: use --hex-blob for binary columns)",
                kind="encoding",
                line=line,
                source=self.label,
            ) from None

    @property
    def stored_bytes_read(self) -> int:
        return self._hashing.nbytes

    def finish(self) -> tuple[str, int]:
        """sha256 and size of the stored file, reading any bytes the stream left unread."""
        self._hashing.drain()
        return self._hashing.sha.hexdigest(), self._hashing.nbytes

    def close(self) -> None:
        try:
            if self.compressed:
                self._stream.close()
        finally:
            self._file.close()
