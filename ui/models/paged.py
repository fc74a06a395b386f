"""The page cache behind the lazily loaded tables.

A table over a million records holds only its row count or ids; rows are read
from the core a page at a time when the view shows them, and only the few most
recently used pages are kept, so memory stays flat however far one scrolls.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Generic, Sequence, TypeVar

Row = TypeVar("Row")


class PageCache(Generic[Row]):
    """The most recently used pages of rows, read on demand."""

    def __init__(self) -> None:
        self._pages: OrderedDict[int, Sequence[Row | None]] = OrderedDict()
        self.loads = 0   # pages read from the project (for tests and tuning)

    def row(self, row: int, read: Callable[[int, int], Sequence[Row | None]], size: int, keep: int) -> Row | None:
        """Row ``row`` (None past the end of its page), reading its page with ``read(offset, limit)`` unless
        cached; past ``keep`` pages the least recently used one is dropped. Size and keep are passed per call
        so a model reads its module's current settings."""
        number, offset = divmod(row, size)
        page = self._pages.get(number)
        if page is None:
            page = read(number * size, size)
            self.loads += 1
            self._pages[number] = page
            while len(self._pages) > keep:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def clear(self) -> None:
        self._pages.clear()

    def numbers(self) -> list[int]:
        """The cached pages' numbers, least recently used first."""
        return list(self._pages)
