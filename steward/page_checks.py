"""Checking pages of records, in this process or in worker processes.

Validation splits a source into pages. Each page is a ``PageJob``: plain,
picklable data saying which records to read and what to check. A worker
process opens the project read-only itself (imported records are committed
and never change), so only the compact results travel back: failures, filled
counts and keys for uniqueness. The main process keeps the one write
connection and stores what comes back, in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Iterator

from . import store
from .checks import Cache, Checker, Page, compile_rule, unique_key
from .rules import Rule, rule_from_dict

if TYPE_CHECKING:
    from .project import Project

#: Fewer records than this are checked in-process: starting workers costs more than it saves.
POOL_THRESHOLD = 50_000


@dataclass(frozen=True)
class PageJob:
    path: str
    run: str                          # identifies the run, so a worker reuses its caches across pages
    source_id: int
    offset: int
    limit: int
    first_id: int                     # records.id of the page's first record
    positions: dict[str, int]         # canonical field → column position in this source
    rules: list[dict[str, Any]]       # rules to evaluate, in flat form
    today: str
    region: str | None
    unique_fields: list[str] = field(default_factory=list)
    count_filled: bool = False


@dataclass
class PageOutcome:
    size: int
    failures: list[tuple]             # (rule, record_id, field, severity, detail, suggestion)
    filled: dict[str, int] | None
    unique_keys: dict[str, list[tuple[str, int]]]   # field → (key, record_id)


class RunState:
    """What a process keeps between pages of one run: caches and compiled checkers."""

    def __init__(self, job: PageJob) -> None:
        self.run = job.run
        self.cache = Cache()
        self.checkers: dict[str, tuple[Rule, Checker]] = {}

    def checkers_for(self, job: PageJob) -> list[tuple[Rule, Checker]]:
        result = []
        for definition in job.rules:
            name = definition["name"]
            if name not in self.checkers:
                rule = rule_from_dict(definition)
                self.checkers[name] = (rule, compile_rule(rule, date.fromisoformat(job.today)))
            result.append(self.checkers[name])
        return result


def check_rows(job: PageJob, rows: list[list[str]], state: RunState) -> PageOutcome:
    """Check one page of already-read rows: the pure part, the same in every process."""
    columns = {f: [row[p] if p < len(row) else "" for row in rows] for f, p in job.positions.items()}
    page = Page(columns, len(rows), job.region, state.cache)
    base = job.first_id
    failures: list[tuple] = []
    for rule, checker in state.checkers_for(job):
        failures += [(rule.name, base + f.index, rule.field, rule.severity, f.detail, f.suggestion)
                     for f in checker(page)]
    filled = None
    if job.count_filled:
        filled = {f: sum(1 for v in values if v and not v.isspace()) for f, values in columns.items()}
    unique_keys = {}
    for field_name in job.unique_fields:
        keys = [(unique_key(v), base + i) for i, v in enumerate(columns[field_name])]
        unique_keys[field_name] = [(k, record_id) for k, record_id in keys if k is not None]
    return PageOutcome(len(rows), failures, filled, unique_keys)


# A worker process runs one job at a time, so its run state and connection can be module globals.
_worker_state: RunState | None = None
_projects: dict[str, Any] = {}


def run_job(job: PageJob) -> PageOutcome:
    """Worker entry point: read the page through a read-only connection of this process, then check it."""
    from .project import Project

    global _worker_state
    if _worker_state is None or _worker_state.run != job.run:
        _worker_state = RunState(job)
    project = _projects.get(job.path)
    if project is None:
        project = _projects[job.path] = Project.open(Path(job.path), read_only=True)
    return check_rows(job, store.effective_rows(project, job.source_id, job.offset, job.limit), _worker_state)


#: More workers than this add memory (two pages in flight each) sooner than speed.
MAX_WORKERS = 4


def worker_count(project: "Project") -> int:
    """Worker processes for this project: one per core up to MAX_WORKERS; ``STEWARD_WORKERS`` overrides
    (0 or 1 works in-process).

    Only a project in WAL mode gets workers: with the rollback journal used in
    network and sync folders, the writer's lock would shut out their reads.
    """
    if project.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return 0
    given = os.environ.get("STEWARD_WORKERS", "").strip()
    if given.isdigit():
        return int(given)
    return min(MAX_WORKERS, os.cpu_count() or 1)


class Pages:
    """Runs page jobs on worker processes, or in-process via ``read`` when there is no pool.

    Results come back in submission order; at most ``window`` jobs are in
    flight, so memory stays bounded on any project size.
    """

    def __init__(self, workers: int, read: Callable[[PageJob], list[list[str]]]) -> None:
        self._read = read
        self._executor = None
        if workers > 1:
            # spawn, not fork: the caller may be a GUI with threads and an open SQLite connection.
            self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        self.window = 2 * workers
        self._state: RunState | None = None

    def _state_for(self, job: PageJob) -> RunState:
        """In-process runs keep their caches here, not in a global, so two threads never share them."""
        if self._state is None or self._state.run != job.run:
            self._state = RunState(job)
        return self._state

    def run(self, jobs: list[PageJob]) -> Iterator[PageOutcome]:
        """Yield each job's outcome in order.

        If the workers cannot start or die (a broken pool), the remaining
        jobs are checked in this process: slower, same results.
        """
        if self._executor is None:
            for job in jobs:
                yield check_rows(job, self._read(job), self._state_for(job))
            return
        queued = iter(jobs)
        pending: deque[tuple[PageJob, Future]] = deque()
        for job in islice(queued, self.window):
            pending.append((job, self._executor.submit(run_job, job)))
        while pending:
            job, future = pending.popleft()
            try:
                outcome = future.result()
            except BrokenProcessPool:
                self.close()
                self._executor = None
                for left in [job] + [j for j, _ in pending] + list(queued):
                    yield check_rows(left, self._read(left), self._state_for(left))
                return
            following = next(queued, None)
            if following is not None:
                pending.append((following, self._executor.submit(run_job, following)))
            yield outcome

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
