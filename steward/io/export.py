"""Writing exports: every file appears whole or not at all.

A file is written to a temporary sibling, flushed to disk and then renamed
over the target, so a crash or a full disk never leaves half a file and never
destroys the previous export. CSV cells that a spreadsheet would run as a
formula are neutralised unless the user asks for exact values.
"""

from __future__ import annotations

import csv
import errno
import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import StewardError

# OWASP's list plus the full-width forms spreadsheets also accept.
_FORMULA_STARTS = tuple("=+-@\t\r\n＝＋－＠")


def neutralise(value: str) -> str:
    """Prefix a cell a spreadsheet would evaluate with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_csv(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[str]], *,
              bom: bool = True, safe: bool = True) -> int:
    """Write a CSV atomically; return the number of cells neutralised."""
    target = Path(path)
    neutralised = 0
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise StewardError(f"Cannot write {target}: the folder {directory} does not exist.")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with open(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL if safe else csv.QUOTE_MINIMAL)
            writer.writerow(header)
            for row in rows:
                if safe:
                    cells = [neutralise(v) for v in row]
                    neutralised += sum(1 for a, b in zip(cells, row) if a is not b)
                    writer.writerow(cells)
                else:
                    writer.writerow(row)
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
    return neutralised
