"""Finding the header row and turning header text into safe display labels.

Header text is data, never an SQL identifier: it is stored as given, and a
label unique within the source is derived for display and for ``--map``.
"""

from __future__ import annotations

import re
from typing import Sequence

_DATA_LIKE = re.compile(
    r"""^\s*(
        [+(]?[\d\s().\-/+]{4,}            # numbers, phones, dates
      | [^@\s]+@[^@\s]+\.[^@\s]+          # emails
      | \d+([.,]\d+)?                     # plain numbers
      | (true|false)
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
SCAN_ROWS = 20


def looks_like_header(row: Sequence[str], width: int) -> bool:
    """A header row: at least half its cells filled and none shaped like data."""
    filled = [cell.strip() for cell in row if cell.strip()]
    if not filled or len(filled) * 2 < max(width, 1):
        return False
    return not any(_DATA_LIKE.match(cell) for cell in filled)


def find_header_row(rows: Sequence[Sequence[str]]) -> int | None:
    """0-based index of the header among the first rows, or None when there is none.

    Rows above it (title lines such as "Contact export 2024") are skipped; a
    row is only a header when its width matches the widest of the rows that
    follow, so a one-cell title never wins.
    """
    candidates = [list(r) for r in rows[:SCAN_ROWS]]
    nonblank = [r for r in candidates if any(c.strip() for c in r)]
    if not nonblank:
        return None
    width = max(len(r) for r in nonblank)
    for index, row in enumerate(candidates):
        if looks_like_header(row, width):
            return index
        if any(cell.strip() for cell in row) and sum(1 for c in row if c.strip()) * 2 >= width:
            return None  # a full row of data came first: no header
    return None


def make_labels(headers: Sequence[str]) -> tuple[list[str], list[str]]:
    """Display labels unique within the source, plus notes about odd headers.

    Blank headers become "Column N"; repeated headers get " (2)", " (3)".
    The original text is kept separately and exported unchanged.
    """
    labels: list[str] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    first_at: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        text = " ".join(header.split())
        if not text:
            label = f"Column {position}"
            notes.append(f"column {position} has a blank header; shown as '{label}'")
        else:
            label = text if len(text) <= 80 else text[:77] + "…"
        key = label.casefold()
        if key in seen:
            seen[key] += 1
            notes.append(f"duplicate header '{header}' (columns {first_at[key]} and {position}); both kept")
            label = f"{label} ({seen[key]})"
        else:
            seen[key] = 1
            first_at[key] = position
        labels.append(label)
    return labels, notes
