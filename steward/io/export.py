"""Writing exports: every file appears whole or not at all.

A file is written to a temporary sibling, flushed to disk and then renamed
over the target, so a crash or a full disk never leaves half a file and never
destroys the previous export. CSV cells that a spreadsheet would run as a
formula are neutralised unless the user asks for exact values; XLSX cells are
written as text, which never runs.
"""

from __future__ import annotations

import csv
import errno
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from ..errors import StewardError
from . import xlsx

# OWASP's list plus the full-width forms spreadsheets also accept.
_FORMULA_STARTS = tuple("=+-@\t\r\n＝＋－＠")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote, for the summary the CLI and the window show."""

    rows: int           # data rows written, header not counted
    neutralised: int    # cells prefixed with an apostrophe (always 0 for XLSX)
    sheets: int         # 1 for CSV; XLSX continues on further sheets past Excel's row limit


def neutralise(value: str) -> str:
    """Prefix a cell a spreadsheet would evaluate with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_table(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[str]], *,
                bom: bool = True, safe: bool = True) -> ExportResult:
    """Write an XLSX when the name ends in .xlsx, else a CSV; ``bom`` and ``safe`` only matter for CSV."""
    if Path(path).suffix.lower() == ".xlsx":
        return write_xlsx(path, header, rows)
    return _write_csv(Path(path), header, rows, bom=bom, safe=safe)


def write_csv(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[str]], *,
              bom: bool = True, safe: bool = True) -> int:
    """Write a CSV atomically; return the number of cells neutralised."""
    return _write_csv(Path(path), header, rows, bom=bom, safe=safe).neutralised


def write_xlsx(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[str]], *,
               max_rows: int = xlsx.MAX_ROWS) -> ExportResult:
    """Write an XLSX atomically; values Excel cannot hold exactly are refused, never cut or altered.

    ``max_rows`` (header included) is Excel's sheet limit; it is a parameter so
    that continuing on further sheets can be tried without a million rows.
    """
    target = Path(path)
    with _replacing(target, mode="wb") as handle:
        written, sheets = xlsx.write_workbook(handle, header, rows, name=str(target), max_rows=max_rows)
    return ExportResult(written, 0, sheets)


def _write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[str]], *, bom: bool,
               safe: bool) -> ExportResult:
    written = neutralised = 0
    with _replacing(target, mode="w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL if safe else csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for row in rows:
            if safe:
                cells = [neutralise(v) for v in row]
                neutralised += sum(1 for a, b in zip(cells, row) if a is not b)
                writer.writerow(cells)
            else:
                writer.writerow(row)
            written += 1
    return ExportResult(written, neutralised, 1)


@contextmanager
def _replacing(target: Path, **open_args: Any) -> Iterator[IO[Any]]:
    """A handle on a temporary sibling of ``target`` that replaces it only once fully written and on disk."""
    directory = target.parent
    if not directory.is_dir():
        raise StewardError(f"Cannot write {target}: the folder {directory} does not exist.")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with open(fd, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise StewardError(f"Cannot write {target}: the disk is full. The previous file, if any, is unchanged.") from exc
        raise StewardError(f"Cannot write {target}: {exc.strerror}. The previous file, if any, is unchanged.") from exc
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
