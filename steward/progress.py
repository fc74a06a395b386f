"""Progress reporting for long work, with no GUI toolkit involved.

A slow core function takes ``progress: Progress = no_progress`` and calls it at
chunk boundaries with (done, total) in bytes or items. To cancel, the callback
raises :class:`steward.errors.Cancelled`; the function's transaction then rolls
back, so cancelling is always safe.
"""

from __future__ import annotations

from typing import Callable

Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The default callback: report nothing, never cancel."""
