"""Profiling a whole project: reads each source page by page and profiles its columns."""

from __future__ import annotations

from collections import Counter

from . import store
from .profiling import SourceProfile, profile_counts
from .progress import Progress, no_progress
from .project import Project

_PAGE = 20_000


def profile_project(project: Project, progress: Progress = no_progress) -> list[SourceProfile]:
    """One profile per source; progress counts records read across all sources."""
    sources = store.sources(project)
    total = sum(s.record_count for s in sources)
    done = 0
    result = []
    for source in sources:
        columns = store.columns(project, source.id)
        counters: list[Counter[str]] = [Counter() for _ in columns]
        for offset in range(0, source.record_count, _PAGE):
            page = store.value_rows(project, source.id, offset, _PAGE)
            for counter, values in zip(counters, zip(*page)):
                counter.update(values)
            done += len(page)
            progress(done, total)
        result.append(SourceProfile(source.name, source.record_count, [
            profile_counts(counter, source.record_count, position=c.position, label=c.label, field_name=c.field)
            for c, counter in zip(columns, counters)
        ]))
    progress(total, total)
    return result
