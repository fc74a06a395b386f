"""What may be logged about an unexpected error: its type and where it happened.

Never the message or source lines: an exception raised on customer data often
quotes that data, and PII must not reach logs or crash reports.
"""

from __future__ import annotations

import traceback
from types import TracebackType


def where(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """``ValueError`` plus one ``file:line in function`` per frame."""
    frames = [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)]
    return "\n".join([exc_type.__name__, *frames])
