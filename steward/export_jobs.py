"""One function per kind of export, for callers that want a result instead of printed lines (the window).

Each reads the project in one snapshot, writes its file whole or not at all
(``write_table`` and ``write_report`` replace the target only once it is
complete), reports progress in rows and stops when the callback raises
:class:`~steward.errors.Cancelled`, leaving any previous file as it was.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import audit, store
from .audit_export import AUDIT_COLUMNS, audit_rows
from .errors import StewardError
from .exports import (CLUSTER_COLUMNS, CROSSWALK_COLUMNS, FAILURE_COLUMNS, cluster_rows, crosswalk_rows, failure_rows,
                      golden_header, golden_rows, record_columns, record_rows)
from .io.export import write_table
from .progress import Progress, no_progress
from .project import Project
from .report import gather, render
from .report_file import write_report

_REPORT_EVERY = 1_000  # rows between progress calls


@dataclass(frozen=True)
class ExportOptions:
    """How to write: ``safe`` neutralises formula-looking CSV cells, ``bom`` adds the mark Excel wants,
    ``source`` limits records, failures and clusters to one source (by name), ``columns`` adds unmapped columns
    (by header text) to the golden records."""

    safe: bool = True
    bom: bool = True
    source: str | None = None
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Written:
    """What an export wrote, for the summary shown afterwards."""

    path: Path
    rows: int              # data rows written (for the report: the records it covers)
    noun: str              # what a row is: "records", "customers", "audit entries"...
    neutralised: int       # cells prefixed with an apostrophe (CSV only)
    sheets: int            # XLSX sheets used; 1 for CSV and HTML
    audit_head: str        # the audit trail's head hash when the snapshot was read
    notes: tuple[str, ...] = ()  # what the reader should know about the content


def check_target(project_file: Path, path: Path, instead: str = "the export") -> None:
    """Refuse a target that cannot be written before anything is read (a big project takes a while);
    ``instead`` names what to choose another file name for."""
    if not path.parent.is_dir():
        raise StewardError(f"Cannot write {path}: the folder {path.parent} does not exist. Create it first, or "
                           "choose another place.")
    if path.exists() and project_file.exists() and os.path.samefile(path, project_file):
        raise StewardError(f"{path} is the project itself; choose another file name for {instead}.")


def validated(project: Project) -> bool:
    """The project was validated at least once, so its failures are known."""
    return _count(project, "SELECT COUNT(*) FROM validation_runs") > 0


def matched(project: Project) -> bool:
    """The project was matched at least once, so its clusters are known."""
    return _count(project, "SELECT COUNT(*) FROM match_runs") > 0


def clustered(project: Project) -> int:
    """How many of the project's records are in a cluster."""
    return _count(project, "SELECT COUNT(*) FROM cluster_members")


@contextmanager
def _snapshot(project: Project) -> Iterator[None]:
    """Read everything in one transaction, so a decision made meanwhile is either wholly in or wholly out."""
    project.conn.execute("BEGIN")
    try:
        yield
    finally:
        project.conn.execute("ROLLBACK")


def _counted(rows: Iterable[Sequence[str]], total: int, progress: Progress) -> Iterator[Sequence[str]]:
    """Pass rows through, calling ``progress`` every so often (it raises Cancelled to stop the writer)."""
    progress(0, total)
    for done, row in enumerate(rows, 1):
        if done % _REPORT_EVERY == 0:
            progress(min(done, total), total)
        yield row
    progress(total, total)


def _chosen(project: Project, options: ExportOptions) -> list[store.Source]:
    return [store.source_named(project, options.source)] if options.source else store.sources(project)


def _write(project: Project, path: Path, header: list[str], rows: Iterable[Sequence[str]], total: int,
           progress: Progress, options: ExportOptions, noun: str, notes: tuple[str, ...] = (), *,
           exact: bool = False) -> Written:
    result = write_table(path, header, _counted(rows, total, progress), bom=options.bom,
                         safe=options.safe and not exact)
    if result.sheets > 1:
        notes += (f"More rows than one Excel sheet holds: they continue on {result.sheets} sheets.",)
    return Written(path, result.rows, noun, result.neutralised, result.sheets, audit.head_hash(project), notes)


def _count(project: Project, query: str, parameters: Sequence[object] = ()) -> int:
    return project.conn.execute(query, tuple(parameters)).fetchone()[0]


def export_records(project: Project, path: Path, options: ExportOptions = ExportOptions(),
                   progress: Progress = no_progress) -> Written:
    """Every imported record, values exactly as imported."""
    check_target(project.path, path)
    with _snapshot(project):
        chosen = _chosen(project, options)
        header, placement = record_columns(project, chosen)
        rows = record_rows(project, chosen, placement, len(header) - 2)
        return _write(project, path, header, rows, sum(s.record_count for s in chosen), progress, options,
                      "records")


def export_failures(project: Project, path: Path, options: ExportOptions = ExportOptions(),
                    progress: Progress = no_progress) -> Written:
    """One row per validation failure, followed by the record's original values."""
    check_target(project.path, path)
    with _snapshot(project):
        chosen = _chosen(project, options)
        header, placement = record_columns(project, chosen)
        ids = [s.id for s in chosen]
        total = _count(project, "SELECT COUNT(*) FROM failures f JOIN records r ON r.id = f.record_id "
                                f"WHERE r.source_id IN ({','.join('?' * len(ids))})", ids) if ids else 0
        notes = () if validated(project) else ("The project has not been validated yet, so there are no failures to list.",)
        rows = failure_rows(project, chosen, placement, len(header) - 2)
        return _write(project, path, FAILURE_COLUMNS + header[2:], rows, total, progress, options, "failures", notes)


def export_clusters(project: Project, path: Path, options: ExportOptions = ExportOptions(),
                    progress: Progress = no_progress) -> Written:
    """Every imported record with its duplicate cluster and confidence."""
    check_target(project.path, path)
    with _snapshot(project):
        chosen = _chosen(project, options)
        header, placement = record_columns(project, chosen)
        notes = (f"{clustered(project):,} of the project's records are in a cluster.",) if matched(project) else \
            ("The project has not been matched yet, so no record is in a cluster.",)
        rows = cluster_rows(project, chosen, placement, len(header) - 2)
        return _write(project, path, CLUSTER_COLUMNS + header[2:], rows, sum(s.record_count for s in chosen),
                      progress, options, "records", notes)


def export_golden(project: Project, path: Path, options: ExportOptions = ExportOptions(),
                  progress: Progress = no_progress) -> Written:
    """One row per customer (golden records and records on their own, fixes applied); XLSX by the suffix."""
    check_target(project.path, path)
    with _snapshot(project):
        header, keys = golden_header(project, list(options.columns))
        current = store.current_sources(project)
        members, goldens = project.conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT m.golden_id) FROM golden_members m JOIN records r ON r.id = m.record_id "
            f"WHERE r.source_id IN ({','.join('?' * len(current))})", [s.id for s in current]).fetchone() \
            if current else (0, 0)
        total = sum(s.record_count for s in current) - members + goldens
        notes = (f"{goldens:,} golden records merged from several records, the rest on their own.",)
        return _write(project, path, header, golden_rows(project, keys), total, progress, options, "customers",
                      notes)


def export_crosswalk(project: Project, path: Path, options: ExportOptions = ExportOptions(),
                     progress: Progress = no_progress) -> Written:
    """Each imported record's source, row and the golden_id of the customer it belongs to."""
    check_target(project.path, path)
    with _snapshot(project):
        total = sum(s.record_count for s in store.current_sources(project))
        return _write(project, path, CROSSWALK_COLUMNS, crosswalk_rows(project), total, progress, options, "records")


def export_audit(project: Project, path: Path, options: ExportOptions = ExportOptions(),
                 progress: Progress = no_progress) -> Written:
    """The audit trail exactly as stored (never neutralised, so each entry's hash can be checked)."""
    check_target(project.path, path)
    with _snapshot(project):
        total = _count(project, "SELECT COUNT(*) FROM audit")
        notes = ("Entries are written exactly as stored, so a copy re-hashes to the head hash.",)
        return _write(project, path, AUDIT_COLUMNS, audit_rows(project), total, progress, options, "audit entries",
                      notes, exact=True)


def export_report(project: Project, path: Path, options: ExportOptions = ExportOptions(),
                  progress: Progress = no_progress) -> Written:
    """The self-contained HTML report; progress counts records profiled."""
    check_target(project.path, path)
    figures = gather(project, progress)  # reads in its own snapshot
    write_report(path, render(figures))
    return Written(path, figures.records, "records", 0, 1, figures.audit_head,
                   (f"Sources: {len(figures.sources):,}; audit entries: {figures.audit_entries:,}.",))


Exporter = Callable[[Project, Path, ExportOptions, Progress], Written]

#: Every kind, by the name the window and tests use.
EXPORTERS: dict[str, Exporter] = {
    "golden": export_golden, "crosswalk": export_crosswalk, "audit": export_audit, "failures": export_failures,
    "records": export_records, "clusters": export_clusters, "report": export_report,
}
