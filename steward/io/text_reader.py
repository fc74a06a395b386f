"""Reading delimited text as records of strings, with line numbers and raw text.

Uses the standard ``csv`` parser (quoted newlines, mixed line endings) over a
strictly decoded stream. Each record keeps the physical text it came from so a
rejected row can be shown exactly as it was in the file. Progress is reported
in bytes read.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Iterator

from ..errors import EncodingError, ImportFailed
from ..progress import Progress, no_progress
from .sniff import first_decode_problem

#: Largest single field accepted; csv's own default (128 KiB) is too small for notes.
FIELD_LIMIT = 1 << 20
DELIMITERS = [",", ";", "\t", "|"]
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def delimiter_name(delimiter: str | None) -> str:
    """How a delimiter is named to people: 'comma', 'tab', or the character itself."""
    return DELIMITER_NAMES.get(delimiter, repr(delimiter)) if delimiter else "none"
_PROGRESS_EVERY = 5000


#: (first physical line, 1-based; the parsed fields, None if unparseable; the raw text; notes)
RawRecord = tuple[int, list[str] | None, str, list[str]]
_NO_NOTES: list[str] = []  # shared and never mutated: readers of a record copy before adding notes


def open_text(path: Path, encoding: str, replace_invalid: bool = False) -> io.TextIOWrapper:
    """Open for csv: strict decoding unless the user chose replacement, untranslated newlines."""
    return open(path, "r", encoding=encoding, errors="replace" if replace_invalid else "strict", newline="")


def read_records(path: Path, encoding: str, delimiter: str, *, replace_invalid: bool = False,
                 progress: Progress = no_progress, limit: int | None = None) -> Iterator[RawRecord]:
    """Yield every record in the file.

    Blank lines come through as records with no fields. A record whose quoting
    is broken comes through with fields None and the reason as its note, so it
    can be kept aside verbatim instead of silently merging or changing rows.
    """
    csv.field_size_limit(FIELD_LIMIT)
    total = path.stat().st_size
    pending: list[str] = []

    def lines(handle: io.TextIOWrapper) -> Iterator[str]:
        for line in handle:
            pending.append(line)
            yield line

    with open_text(path, encoding, replace_invalid) as handle:
        reader = csv.reader(lines(handle), delimiter=delimiter, strict=True)
        next_line = 1
        count = 0
        while limit is None or count < limit:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise _decode_error(path, encoding) from None
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise _oversized(path, next_line, pending, delimiter) from None
                yield next_line, None, "".join(pending), [_quoting_problem(exc, next_line, reader.line_num)]
                pending.clear()
                next_line = reader.line_num + 1
                count += 1
                continue
            raw = "".join(pending)
            pending.clear()
            yield next_line, fields, raw, _NO_NOTES
            next_line = reader.line_num + 1
            count += 1
            if count % _PROGRESS_EVERY == 0:
                progress(handle.buffer.tell(), total)
        progress(total if limit is None else handle.buffer.tell(), total)


def _decode_error(path: Path, encoding: str) -> EncodingError:
    problem = first_decode_problem(path, encoding)
    where = ""
    if problem is not None:
        where = f" at line {problem.line} (byte offset {problem.offset}: 0x{problem.bad_bytes.hex()})"
    return EncodingError(
        f"{path.name}: the bytes{where} are not valid {encoding}. Nothing was imported. "
        "Choose the file's real encoding (for example cp1252, gb18030 or cp932), "
        "or import with invalid bytes replaced by \ufffd (those rows are flagged)."
    )


def _oversized(path: Path, line_no: int, pending: list[str], delimiter: str) -> ImportFailed:
    column = _column_of_oversized_field("".join(pending), delimiter)
    return ImportFailed(
        f"{path.name}, record starting at line {line_no}, column {column}: a value is larger than "
        f"{FIELD_LIMIT // (1 << 20)} MiB. Nothing was imported. Check for an unbalanced quote "
        "before this point, or shorten the value in the source file."
    )


def _quoting_problem(exc: csv.Error, first_line: int, last_line: int) -> str:
    if "unexpected end of data" in str(exc):
        return f"unclosed quote: the value opened on line {first_line} runs to the end of the file"
    return f"broken quoting on line {last_line} ({exc})"


def _column_of_oversized_field(partial: str, delimiter: str) -> int:
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, len(partial) + 1))
    try:
        fields = next(csv.reader(io.StringIO(partial, newline=""), delimiter=delimiter), [])
    except csv.Error:
        fields = []
    finally:
        csv.field_size_limit(old)
    return max(1, len(fields))


def sniff_delimiter(path: Path, encoding: str, *, replace_invalid: bool = True, records: int = 200) -> str:
    """Pick the delimiter whose parsed records have the most consistent width.

    Candidates are parsed as CSV (not split as lines), so quoted delimiters and
    quoted newlines do not mislead. One column is a valid answer.
    """
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        try:
            widths = [len(fields) for _, fields, _, _ in read_records(path, encoding, delimiter,
                                                                   replace_invalid=replace_invalid, limit=records)
                      if fields]
        except ImportFailed:
            continue
        if not widths:
            continue
        width, agreeing = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = agreeing / len(widths) * min(width, 50)
        if score > best_score:
            best, best_score = delimiter, score
    return best
