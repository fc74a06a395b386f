"""Writing the report page to its file, whole or not at all (for ``steward report`` and the window's export)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import StewardError


def write_report(path: Path, page: str) -> None:
    """Write the page whole or not at all: a temporary sibling is renamed over the target, so a failed write
    never leaves half a page and never destroys the previous report."""
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StewardError(f"Cannot write {path}: {exc.strerror or exc}. The previous report, if any, is "
                           "unchanged.") from exc
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or exc
        raise StewardError(f"Cannot write {path}: {reason}. The previous report, if any, is unchanged.") from exc
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
