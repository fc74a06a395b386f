"""Deciding what a file is before reading it: container kind and text encoding.

The kind comes from magic bytes, never the extension. The encoding is decided
in a fixed order (byte-order mark, then a UTF-16 heuristic, then strict UTF-8
on the first megabyte — the import itself decodes strictly and comes back for
the whole file if a later byte fails — then charset-normalizer weighed against
common code pages) and every guess says how sure it is, so the user can
confirm or override it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from ..errors import ImportFailed
from ..mapping import suggest_field

SAMPLE_BYTES = 1 << 20

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# Decode a legacy family with its superset, so that characters the narrow
# codec lacks (髙, ①, 𠮷) still decode.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "gb18030": "gb18030",
    "shift_jis": "cp932", "shift_jis_2004": "cp932", "shift_jisx0213": "cp932", "cp932": "cp932",
    "euc_kr": "cp949", "ascii": "utf-8", "latin_1": "cp1252", "iso8859_1": "cp1252",
}

_MAGIC = [
    (b"PK\x03\x04", "xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7z"),
    (b"Rar!", "rar"),
]

_BINARY_NAMES = {
    "sqlite": "an SQLite database", "pdf": "a PDF document", "image": "an image",
    "gzip": "a gzip archive", "7z": "a 7-Zip archive", "rar": "a RAR archive",
}


def file_kind(path: Path) -> str:
    """'text', 'xlsx' (any zip), 'ole2' (.xls or encrypted workbook); refuses other binaries."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        raise ImportFailed(f"{path.name}: the file is empty (0 bytes). Nothing was imported.")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind in _BINARY_NAMES:
                raise ImportFailed(
                    f"{path.name} is {_BINARY_NAMES[kind]}, not a customer list. "
                    "Import a CSV, TSV, TXT or Excel file."
                )
            return kind
    if _looks_binary(head):
        raise ImportFailed(
            f"{path.name} is a binary file of an unknown kind, not text or Excel. "
            "Import a CSV, TSV, TXT or Excel file."
        )
    return "text"


def _looks_binary(head: bytes) -> bool:
    """NUL bytes that no text encoding explains (UTF-16 is recognised before this)."""
    if any(head.startswith(bom) for bom, _ in _BOMS) or utf16_without_bom(head):
        return False
    nuls = head.count(0)
    if nuls > len(head) * 0.10:
        return True
    if not nuls:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return False
    except UnicodeDecodeError:
        return from_bytes(head).best() is None


@dataclass(frozen=True)
class EncodingGuess:
    """The encoding used to decode a text file and how it was chosen."""

    encoding: str
    confidence: float
    method: str  # bom | utf-8 | utf-16-heuristic | detected | user
    note: str = ""

    @property
    def certain(self) -> bool:
        return self.method in ("bom", "utf-8", "user")


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit at alternating positions (mostly-ASCII UTF-16)."""
    sample = head[: len(head) - len(head) % 2]
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even = sum(1 for i in range(0, len(sample), 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, len(sample), 2) if sample[i] == 0)
    if odd > pairs * 0.4 and even < pairs * 0.05:
        return "utf-16-le"
    if even > pairs * 0.4 and odd < pairs * 0.05:
        return "utf-16-be"
    return None


@dataclass(frozen=True)
class DecodeProblem:
    """Where strict decoding first failed: byte offset, 1-based line, and the bytes."""

    offset: int
    line: int
    bad_bytes: bytes


def first_decode_problem(path: Path, encoding: str, chunk_size: int = SAMPLE_BYTES,
                         limit: int | None = None) -> DecodeProblem | None:
    """Strictly decode the file (or its first ``limit`` bytes) in chunks; return the first failure or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    lines = 1
    with open(path, "rb") as handle:
        while True:
            if limit is not None and offset >= limit:
                return None  # a character cut at the limit is not a problem
            chunk = handle.read(chunk_size)
            final = not chunk
            try:
                decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                # exc.start is relative to the decoder's buffered input, which
                # starts at most a few bytes before this chunk.
                pending = len(exc.object) - len(chunk)
                bad_at = offset - pending + exc.start
                with open(path, "rb") as again:
                    prefix = again.read(bad_at)
                    bad = again.read(max(1, exc.end - exc.start))
                return DecodeProblem(bad_at, prefix.count(b"\n") + 1, bad)
            if final:
                return None
            lines += chunk.count(b"\n")
            offset += len(chunk)


def detect_encoding(path: Path, override: str | None = None, *, whole_file: bool = False) -> EncodingGuess:
    """Choose how to decode ``path``. An override is validated and used as given.

    UTF-8 is checked on the first megabyte only, unless ``whole_file``: the
    import decodes strictly anyway, and asks again with ``whole_file`` when a
    later byte turns out not to be UTF-8.
    """
    if override:
        try:
            name = codecs.lookup(override).name
        except LookupError:
            raise ImportFailed(f"Unknown encoding '{override}'. Use a name such as utf-8, cp1252, gb18030, cp932 or utf-16.") from None
        return EncodingGuess(name, 1.0, "user")
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return EncodingGuess(name, 1.0, "bom")
    wide = utf16_without_bom(sample[:4096])
    if wide:
        return EncodingGuess(wide, 0.9, "utf-16-heuristic",
                             f"no byte-order mark, but the byte pattern is {wide.upper()}")
    problem = first_decode_problem(path, "utf-8", limit=None if whole_file else SAMPLE_BYTES)
    if problem is None:
        return EncodingGuess("utf-8", 1.0, "utf-8")
    if problem.offset >= _DETECT_BYTES:
        # Let the detector see the bytes that are not UTF-8, not only the plain start.
        with open(path, "rb") as handle:
            handle.seek(max(0, problem.offset - _DETECT_BYTES // 4))
            around = handle.read(_DETECT_BYTES // 2)
        sample = sample[: _DETECT_BYTES // 2] + b"\n" + around[around.find(b"\n") + 1:]
    return _detect_legacy(sample, problem)


# Code pages of the lists Steward meets most, always weighed alongside the
# detector's own picks (on short samples it can miss them entirely).
_COMMON = ["cp1252", "cp1250", "cp1251", "gb18030", "cp932", "big5", "cp949"]
_DETECT_BYTES = 256 << 10


def _preferred_name(match: Any) -> str:
    """Of the code pages that decode these bytes to the same text, the commonest."""
    names = [_SUPERSETS.get(n, n) for n in (match.could_be_from_charset or [match.encoding])]
    return min(names, key=lambda n: _COMMON.index(n) if n in _COMMON else len(_COMMON))


def _rank(match: Any) -> tuple[float, int, float]:
    """Least mess first; among equally clean readings, the commoner code page."""
    name = _preferred_name(match)
    preference = _COMMON.index(name) if name in _COMMON else len(_COMMON)
    return (round(match.chaos, 3), preference, -match.coherence)


_NEAR_TIE = 0.05


def _header_hits(sample: bytes, encoding: str) -> int:
    """How many cells of the first line are column names Steward knows, read in ``encoding``."""
    first_line = sample.split(b"\n", 1)[0]
    try:
        text = first_line.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return 0
    cells = re.split(r"[,;\t|]", text)
    return sum(1 for cell in cells if suggest_field(cell.strip().strip('"')))


def _detect_legacy(sample: bytes, utf8_problem: DecodeProblem) -> EncodingGuess:
    sample = sample[:_DETECT_BYTES]
    note = (f"not UTF-8 (byte 0x{utf8_problem.bad_bytes.hex()} at offset {utf8_problem.offset}, line {utf8_problem.line})")
    results = list(from_bytes(sample)) + list(from_bytes(sample, cp_isolation=_COMMON))
    if results:
        best_chaos = min(round(m.chaos, 3) for m in results)
        # Near-equal readings (short samples score alike) are told apart by
        # whether the first line then reads as known column names.
        close = [m for m in results if round(m.chaos, 3) <= best_chaos + _NEAR_TIE]
        chosen = min(close, key=lambda m: (-_header_hits(sample, _preferred_name(m)),) + _rank(m))
        name = _preferred_name(chosen)
        confidence = max(0.0, 1.0 - chosen.chaos)
        if len({_preferred_name(m) for m in close}) > 1:
            confidence = min(confidence, 0.5)  # several code pages read the bytes about equally well
        return EncodingGuess(name, round(confidence, 2), "detected", note)
    for name in ("cp932", "gb18030", "cp1252"):
        try:
            codecs.getincrementaldecoder(name)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return EncodingGuess(name, 0.3, "detected", note)
    return EncodingGuess("cp1252", 0.1, "detected", note)
