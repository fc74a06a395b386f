"""Profiling a whole project: reads each source page by page and profiles its columns.

Large projects are profiled on worker processes, each taking every n-th
column of a source (reading and counting, then profiling its share), so a
two-core laptop profiles a million records in about half the time.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable

from . import store
from .page_checks import POOL_THRESHOLD, worker_count
from .profiling import ColumnProfile, SourceProfile, profile_counts
from .progress import Progress, no_progress
from .project import Project

_PAGE = 20_000


def profile_project(project: Project, progress: Progress = no_progress) -> list[SourceProfile]:
    """One profile per source; progress counts records read across all sources."""
    sources = store.sources(project)
    total = sum(s.record_count for s in sources)
    workers = worker_count(project)
    profiles = None
    if workers > 1 and total >= POOL_THRESHOLD:
        try:
            profiles = _on_workers(project, sources, workers, total, progress)
        except BrokenProcessPool:
            profiles = None  # workers could not start or died: profile in this process instead
    if profiles is None:
        done = 0

        def advance(rows: int) -> None:
            nonlocal done
            done += rows
            progress(done, total)
        profiles = {s.id: _profile_columns(project, s, store.columns(project, s.id), advance) for s in sources}
    progress(total, total)
    return [SourceProfile(s.name, s.record_count, profiles[s.id]) for s in sources]


def _profile_columns(project: Project, source: store.Source, columns: list[store.Column],
                     advance: Callable[[int], None]) -> list[ColumnProfile]:
    """Count the given columns' values over the whole source, then profile each."""
    counters: list[Counter[str]] = [Counter() for _ in columns]
    positions = [c.position for c in columns]
    for offset in range(0, source.record_count, _PAGE):
        page = store.value_rows(project, source.id, offset, _PAGE)
        for counter, position in zip(counters, positions):
            counter.update([row[position] if position < len(row) else "" for row in page])
        advance(len(page))
    return [profile_counts(counter, source.record_count, position=c.position, label=c.label, field_name=c.field)
            for c, counter in zip(columns, counters)]


def _on_workers(project: Project, sources: list[store.Source], workers: int, total: int,
                progress: Progress) -> dict[int, list[ColumnProfile]]:
    context = multiprocessing.get_context("spawn")  # not fork: the caller may be a GUI with threads
    rows_read = context.Value("q", 0)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(rows_read,))
    parts: dict[int, list[Future]] = {}
    finished = False
    try:
        for source in sources:
            groups = _balanced(store.columns(project, source.id), store.value_rows(project, source.id, 0, _PAGE),
                               workers)
            parts[source.id] = [pool.submit(_profile_part, str(project.path), source, group) for group in groups]
        pending = [f for futures in parts.values() for f in futures]
        while pending:
            _, still = wait(pending, timeout=0.1, return_when=FIRST_EXCEPTION)
            for future in pending:
                if future.done() and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
            pending = list(still)
            progress(min(total, rows_read.value // workers), total)
        finished = True
    finally:
        pool.shutdown(wait=finished, cancel_futures=True)  # cancelled: return now, workers end on their own
    return {source_id: sorted((p for f in futures for p in f.result()), key=lambda p: p.position)
            for source_id, futures in parts.items()}


def _balanced(columns: list[store.Column], sample: list[list[str]], workers: int) -> list[list[store.Column]]:
    """Share columns among workers by expected cost: counting is alike for every column, profiling grows with
    the distinct values, estimated from the first page. Largest first, each to the least loaded worker."""
    def cost(column: store.Column) -> int:
        return len(sample) // 4 + len({row[column.position] for row in sample if column.position < len(row)})

    groups: list[list[store.Column]] = [[] for _ in range(min(workers, len(columns)) or 1)]
    loads = [0] * len(groups)
    for column in sorted(columns, key=cost, reverse=True):
        lightest = loads.index(min(loads))
        groups[lightest].append(column)
        loads[lightest] += cost(column)
    return groups


_rows_read: Any = None
_projects: dict[str, Project] = {}


def _start_worker(rows_read: Any) -> None:
    global _rows_read
    _rows_read = rows_read


def _profile_part(path: str, source: store.Source, columns: list[store.Column]) -> list[ColumnProfile]:
    """Worker: profile some of a source's columns through this process's read-only connection."""
    project = _projects.get(path)
    if project is None:
        project = _projects[path] = Project.open(Path(path), read_only=True)

    def advance(rows: int) -> None:
        with _rows_read.get_lock():
            _rows_read.value += rows
    return _profile_columns(project, source, columns, advance)
