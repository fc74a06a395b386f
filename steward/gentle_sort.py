"""Sorting and dropping a million items without holding up other threads.

``sorted`` of a million tuples runs in C for seconds without letting another
thread run, so a window beside the worker cannot paint; freeing a list of a
million tuples at once takes a few hundred milliseconds the same way. Sorting
runs of a few thousand items and merging them gives the same order, and a list
emptied a slice at a time frees the same memory, with other threads getting
their turn in between.
"""

from __future__ import annotations

import heapq
from typing import Any, Callable, Iterable, TypeVar

T = TypeVar("T")

RUN = 10_000   # items sorted or freed in one call: a few milliseconds


def sorted_in_runs(items: Iterable[T], key: Callable[[T], Any] | None = None) -> list[T]:
    """``sorted(items, key=key)``: the same list, as stable for equal keys (runs are merged in order)."""
    values = list(items)
    if len(values) <= RUN:
        return sorted(values, key=key)
    runs = [sorted(values[start:start + RUN], key=key) for start in range(0, len(values), RUN)]
    drop(values)
    return list(heapq.merge(*runs, key=key))


def drop(values: list[Any]) -> None:
    """Empty a list a slice at a time, so freeing what it held does not hold up other threads."""
    while values:
        del values[-RUN:]
