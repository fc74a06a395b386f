"""Importing a customer list into a project: faithfully, atomically, with progress.

Every value is stored exactly as text as it arrived. Rows that cannot be
imported as they are (over-long rows, blank lines, title lines above the
header) are kept verbatim in ``rejected_rows`` with their line and reason, so
imported + rejected always equals the rows in the file. The whole import is one
transaction: an error, a cancel or a kill leaves the project as it was.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import audit
from .errors import EncodingError, ImportFailed
from .io import excel, header as header_mod, sniff, text_reader
from .mapping import check_field, suggest_mapping
from .progress import Progress, no_progress
from .project import Project, utc_now

_BATCH = 10_000


@dataclass
class ImportOptions:
    """What the user may override; None means "detect"."""

    source_name: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None          # None: detect; 0: no header; N: record N is the header
    mapping: dict[str, str] = field(default_factory=dict)   # column (header, label or #N) -> field or ''
    password: str | None = None
    replace_invalid: bool = False
    allow_duplicate: bool = False


@dataclass
class ImportResult:
    source_id: int
    source_name: str
    file_name: str
    kind: str
    encoding: str | None
    encoding_confidence: float | None
    encoding_method: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int | None
    imported: int
    rejected: int
    flagged: int
    labels: list[str]
    mapping: list[str | None]
    warnings: list[str]

    @property
    def rows_in_file(self) -> int:
        return self.imported + self.rejected


#: A row as readers hand it over: (line or sheet row, fields, raw text, notes).
#: Plain tuples, because a million of them pass through the hot loop.
_Row = tuple[int, list[str], str, list[str]]
_encode_string = json.encoder.encode_basestring  # C speed-up; keeps non-ASCII as is


def _encode(fields: list[str]) -> str:
    """A JSON array of strings, built without a per-row encoder object."""
    return "[" + ",".join(map(_encode_string, fields)) + "]"


@dataclass
class _Reading:
    """A file opened for import: how it was decoded and the rows it yields."""

    kind: str
    rows: Iterable[_Row]
    encoding: sniff.EncodingGuess | None = None
    delimiter: str | None = None
    sheet: str | None = None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_for_import(path: Path, options: ImportOptions, progress: Progress = no_progress, *,
                    whole_file: bool = False) -> _Reading:
    """Decide how to read ``path`` (kind, encoding, delimiter, sheet) and return its rows.

    ``whole_file`` makes encoding detection read all of a text file instead of its start.
    """
    if not path.exists():
        raise ImportFailed(f"{path} does not exist.")
    if not path.is_file():
        raise ImportFailed(f"{path} is not a file.")
    kind = sniff.file_kind(path)
    if kind in ("xlsx", "ole2"):
        book = excel.Workbook(path, kind, options.password)
        sheet = book.choose_sheet(options.sheet)
        rows = ((r.row_no, r.values, "\t".join(r.values), r.flags) for r in book.rows(sheet, progress=progress))
        return _Reading(book.format, rows, sheet=sheet)
    guess = sniff.detect_encoding(path, options.encoding, whole_file=whole_file)
    delimiter = options.delimiter or text_reader.sniff_delimiter(path, guess.encoding)
    if delimiter not in text_reader.DELIMITERS and len(delimiter) != 1:
        raise ImportFailed(f"The delimiter must be one character (got {delimiter!r}).")
    records = text_reader.read_records(path, guess.encoding, delimiter,
                                       replace_invalid=options.replace_invalid, progress=progress)
    return _Reading("csv", records, encoding=guess, delimiter=delimiter)


def _without_nul(fields: list[str], flags: list[str]) -> tuple[list[str], list[str]]:
    """NUL cannot live in SQLite text safely: drop it and say where it was."""
    flags = list(flags)
    cleaned = []
    for col, value in enumerate(fields, start=1):
        if "\x00" in value:
            flags.append(f"column {col}: NUL bytes removed")
            value = value.replace("\x00", "")
        cleaned.append(value)
    return cleaned, flags


def import_file(project: Project, path: str | Path, options: ImportOptions | None = None,
                progress: Progress = no_progress, then: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import one file as a new source, all or nothing.

    ``then`` runs inside the import's transaction once the rows are written (a refreshed source's carry-over):
    if it fails, nothing was imported."""
    path = Path(path)
    options = options or ImportOptions()
    if project.read_only:
        raise ImportFailed("The project is open read-only; nothing can be imported.")
    try:
        return _import(project, path, options, progress, then, whole_file=False)
    except _NotUtf8AfterAll:
        # The start of the file looked like UTF-8 but a later byte is not:
        # everything was rolled back; decide again, looking at the whole file.
        return _import(project, path, options, progress, then, whole_file=True)


class _NotUtf8AfterAll(Exception):
    """UTF-8 guessed from the start of a file failed further on."""


def _import(project: Project, path: Path, options: ImportOptions, progress: Progress,
            then: Callable[[ImportResult], None] | None, *, whole_file: bool) -> ImportResult:
    reading = open_for_import(path, options, progress, whole_file=whole_file)
    digest = file_sha256(path)
    if not options.allow_duplicate:
        _refuse_duplicate(project, path, digest)
    conn = project.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = _write(project, path, digest, reading, options)
            if then is not None:
                then(result)
            conn.execute("COMMIT")
        except EncodingError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if not whole_file and reading.encoding is not None and reading.encoding.method == "utf-8":
                raise _NotUtf8AfterAll() from exc
            raise
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as exc:
        if "full" in str(exc):
            raise ImportFailed(f"{path.name}: the disk is full. Nothing was imported; free some space and try again.") from exc
        raise ImportFailed(f"{path.name}: the project could not be written ({exc}). Nothing was imported.") from exc
    return result


def _refuse_duplicate(project: Project, path: Path, digest: str) -> None:
    row = project.conn.execute("SELECT name, imported_at FROM sources WHERE sha256 = ?", (digest,)).fetchone()
    if row:
        raise DuplicateSource(
            f"{path.name} is identical to source '{row[0]}', imported {row[1]}. "
            "Importing it again would duplicate every record; confirm to import it anyway.")


class DuplicateSource(ImportFailed):
    """The same bytes were imported before; the user must confirm."""


def _write(project: Project, path: Path, digest: str, reading: _Reading, options: ImportOptions) -> ImportResult:
    conn = project.conn
    name = _unique_source_name(conn, options.source_name or path.stem)
    guess = reading.encoding
    cursor = conn.execute(
        "INSERT INTO sources (name, file_name, file_size, sha256, kind, encoding, encoding_confidence, "
        "encoding_method, delimiter, sheet, header_row, imported_at, record_count, rejected_count, options) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 0, 0, ?)",
        (name, path.name, path.stat().st_size, digest, reading.kind,
         guess.encoding if guess else None, guess.confidence if guess else None, guess.method if guess else None,
         reading.delimiter, reading.sheet, utc_now(), json.dumps(_options_record(options), ensure_ascii=False)),
    )
    source_id = cursor.lastrowid
    before_first = conn.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()[0]
    rows = iter(reading.rows)
    head = _take(rows, header_mod.SCAN_ROWS)
    header_index = _header_index(head, options.header_row, path)
    width = _width(head, header_index)
    headers = [""] * width
    flagged = 0
    rejected_batch: list[tuple] = []
    record_batch: list[tuple] = []
    row_no = 0
    replaced_note = "invalid bytes replaced by \ufffd" if options.replace_invalid else None
    last_skipped = -1 if header_index is None else header_index
    imported = 0
    for index, (line_no, fields, raw, flags) in enumerate(itertools.chain(head, rows)):
        if index <= last_skipped:
            if index < header_index:
                rejected_batch.append((source_id, line_no, raw, "title line above the header row"))
            else:
                headers = (_without_nul(fields, flags)[0] + [""] * width)[:width]
            continue
        row_no += 1  # every record after the header has its row number, imported or not
        if fields is None:
            rejected_batch.append((source_id, line_no, raw, flags[0]))
            continue
        if len(fields) != width or (reading.kind != "csv" and not any(fields)):
            fields, flags, reason = _fit(fields, flags, width, reading.kind)
            if reason:
                rejected_batch.append((source_id, line_no, raw, reason))
                continue
        vals = _encode(fields)
        if "\\u0000" in vals:
            fields, flags = _without_nul(fields, flags)
            vals = _encode(fields)
        if replaced_note and "\ufffd" in vals:
            flags = flags + [replaced_note]
        imported += 1
        if flags:
            flagged += 1
            record_batch.append((before_first + imported, source_id, row_no, line_no, vals,
                                 json.dumps(flags, ensure_ascii=False)))
        else:
            record_batch.append((before_first + imported, source_id, row_no, line_no, vals, None))
        if len(record_batch) >= _BATCH:
            _flush(conn, record_batch, rejected_batch)
    _flush(conn, record_batch, rejected_batch)
    rejected = conn.execute("SELECT count(*) FROM rejected_rows WHERE source_id = ?", (source_id,)).fetchone()[0]
    if imported == 0:
        what = "only a header row" if header_index is not None else "no data rows"
        raise ImportFailed(f"{path.name}: 0 data rows found (the file has {what}). Nothing was imported.")
    labels, notes = header_mod.make_labels(headers if header_index is not None else [""] * width)
    if header_index is None:
        notes = ["no header row: columns are named Column 1, Column 2, …"]
    mapping = _resolve_mapping(headers, labels, options.mapping, header_index is not None)
    if header_index is not None and options.header_row is None and not any(suggest_mapping(headers)):
        notes.append(f"row {header_index + 1} was taken as the header, but none of its names is a known column "
                     "name; if it is data, import again without a header row")
    conn.executemany(
        "INSERT INTO columns (source_id, position, header, label, field) VALUES (?, ?, ?, ?, ?)",
        [(source_id, i, headers[i], labels[i], mapping[i]) for i in range(width)],
    )
    header_row = None if header_index is None else header_index + 1
    conn.execute("UPDATE sources SET record_count = ?, rejected_count = ?, header_row = ?, first_record_id = ? "
                 "WHERE id = ?", (imported, rejected, header_row, before_first + 1, source_id))
    warnings = list(notes)
    if guess and not guess.certain:
        warnings.append(f"encoding guessed as {guess.encoding} (confidence {guess.confidence:.0%}; {guess.note}); "
                        "check the values and re-import with another encoding if they look wrong")
    if flagged:
        rows_carry = "1 imported row carries" if flagged == 1 else f"{flagged} imported rows carry"
        warnings.append(f"{rows_carry} notes (for example padded or cleaned values)")
    audit.append(project, "import", {"source": name}, None,
                 {"file": path.name, "sha256": digest, "records": imported, "rejected": rejected,
                  "mapping": {labels[i]: mapping[i] for i in range(width) if mapping[i]}})
    return ImportResult(source_id, name, path.name, reading.kind, guess.encoding if guess else None,
                        guess.confidence if guess else None, guess.method if guess else None, reading.delimiter,
                        reading.sheet, header_row, imported, rejected, flagged, labels, mapping, warnings)


def _options_record(options: ImportOptions) -> dict:
    record = asdict(options)
    record.pop("password", None)  # never stored
    return record


def _take(rows: Iterator[_Row], n: int) -> list[_Row]:
    head = []
    for row in rows:
        head.append(row)
        if len(head) == n:
            break
    return head


def _header_index(head: list[_Row], requested: int | None, path: Path) -> int | None:
    if requested is None:
        return header_mod.find_header_row([fields or [] for _, fields, _, _ in head])
    if requested == 0:
        return None
    if requested > len(head):
        limit = (f"the header must be within the first {header_mod.SCAN_ROWS} rows" if len(head) == header_mod.SCAN_ROWS
                 else f"the file has only {len(head)} rows")
        raise ImportFailed(f"{path.name}: cannot use row {requested} as the header: {limit}.")
    if head[requested - 1][1] is None:
        raise ImportFailed(f"{path.name}: row {requested} cannot be the header: {head[requested - 1][3][0]}.")
    return requested - 1


def _width(head: list[_Row], header_index: int | None) -> int:
    if header_index is not None:
        return max(1, len(head[header_index][1]))
    widths = [len(fields) for _, fields, _, _ in head if fields]
    return Counter(widths).most_common(1)[0][0] if widths else 1


def _fit(fields: list[str], flags: list[str], width: int, kind: str) -> tuple[list[str], list[str], str | None]:
    """Shape a row to the header's width: pad short rows, quarantine long ones and blank lines."""
    flags = list(flags)
    if not fields or (kind != "csv" and not any(fields)):
        return fields, flags, "blank line" if kind == "csv" else "blank row"
    if len(fields) < width:
        flags.append(f"missing trailing fields: had {len(fields)} of {width}")
        fields = fields + [""] * (width - len(fields))
    elif len(fields) > width:
        extra = fields[width:]
        if any(extra):
            return fields, flags, f"{len(fields)} fields where the header has {width}"
        if kind == "csv":
            flags.append(f"{len(extra)} empty fields beyond the header dropped")
        fields = fields[:width]
    return fields, flags, None


def _flush(conn: sqlite3.Connection, records: list[tuple], rejected: list[tuple]) -> None:
    if records:
        conn.executemany("INSERT INTO records (id, source_id, row_no, line_no, vals, flags) VALUES (?, ?, ?, ?, ?, ?)",
                         records)
        records.clear()
    if rejected:
        conn.executemany("INSERT INTO rejected_rows (source_id, line_no, raw_text, reason) VALUES (?, ?, ?, ?)",
                         rejected)
        rejected.clear()


def _unique_source_name(conn: sqlite3.Connection, wanted: str) -> str:
    name, n = wanted, 1
    while conn.execute("SELECT 1 FROM sources WHERE name = ?", (name,)).fetchone():
        n += 1
        name = f"{wanted} ({n})"
    return name


def _resolve_mapping(headers: list[str], labels: list[str], overrides: dict[str, str], has_header: bool) -> list[str | None]:
    mapping = suggest_mapping(headers) if has_header else [None] * len(headers)
    for column, wanted in overrides.items():
        position = find_column(headers, labels, column)
        try:
            mapped = check_field(wanted)
        except ValueError as exc:
            raise ImportFailed(str(exc)) from None
        if mapped:
            mapping = [None if m == mapped else m for m in mapping]
        mapping[position] = mapped
    return mapping


def find_column(headers: list[str], labels: list[str], column: str) -> int:
    """Resolve a column named by the user: exact header, label, '#N', or a unique case-insensitive match."""
    for names in (headers, labels):
        matches = [i for i, h in enumerate(names) if h == column]
        if len(matches) == 1:
            return matches[0]
    if column.startswith("#") and column[1:].isdigit() and 1 <= int(column[1:]) <= len(headers):
        return int(column[1:]) - 1
    folded = [i for i, label in enumerate(labels) if label.casefold() == column.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ImportFailed(f"No single column is called '{column}'. Columns: {', '.join(labels)}. "
                       "Use the label as shown, or #N for the N-th column.")
