"""Cancelling SQLite work that reports no progress of its own: a decision applied as one transaction.

A decision (accepting 500,000 suggestions, merging every auto-match) is a
sequence of statements with no natural place to report progress. SQLite calls
a progress handler every few thousand virtual-machine steps; the handler asks
the caller's ``progress`` callback, and when that raises Cancelled the running
statement is interrupted, the transaction rolls back and Cancelled is raised
in its place.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

from .errors import Cancelled
from .progress import Progress, no_progress

STEPS = 50_000   # virtual-machine steps between two calls: about a millisecond of work


@contextmanager
def interruptible(conn: sqlite3.Connection, progress: Progress = no_progress) -> Iterator[None]:
    """Run the block with ``progress(0, 0)`` asked for a cancel every STEPS steps of SQLite work.

    ``(0, 0)`` says the amount of work is unknown. Use it around the
    transaction, not inside it, so the rollback has happened when Cancelled
    reaches the caller. Inside a transaction already open it does nothing:
    SQLite's interrupt would roll back the caller's whole transaction, not
    just this block.
    """
    if progress is no_progress or conn.in_transaction:
        yield
        return
    cancelled: list[Cancelled] = []

    def handler() -> int:
        if cancelled:
            return 0          # let the rollback run
        try:
            progress(0, 0)
        except Cancelled as exc:
            cancelled.append(exc)
            return 1          # SQLite stops the statement: "interrupted"
        return 0

    conn.set_progress_handler(handler, STEPS)
    try:
        yield
    except sqlite3.OperationalError:
        if cancelled:
            raise cancelled[0] from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
