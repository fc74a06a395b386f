"""``steward report``: write the project's report as one self-contained HTML page."""

from __future__ import annotations

import errno
import os
import shlex
import tempfile
from pathlib import Path

import click

from .cli_util import progress_bar
from .errors import StewardError
from .project import Project
from .report import gather, render


def write_report(path: Path, page: str) -> None:
    """Write the page whole or not at all: a temporary sibling is renamed over the target, so a failed write
    never leaves half a page and never destroys the previous report."""
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StewardError(f"Cannot write {path}: {exc.strerror or exc}. The previous report, if any, is "
                           "unchanged.") from exc
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or exc
        raise StewardError(f"Cannot write {path}: {reason}. The previous report, if any, is unchanged.") from exc
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _check_target(project: Path, out: Path) -> None:
    """Refuse a target that cannot be written, before the project is read (profiling a big one takes a while)."""
    folder = out.parent
    if not folder.is_dir():
        raise StewardError(f"Cannot write {out}: the folder {folder} does not exist. Create it first, or choose "
                           "another place.")
    if out.exists() and project.exists() and os.path.samefile(out, project):
        raise StewardError(f"{out} is the project itself; choose another file name for the report, "
                           "e.g. report.html.")


@click.command("report")
@click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (replaced whole; a failed run leaves the previous one as it was).")
def report_command(project: Path, out: Path) -> None:
    """Write a self-contained HTML report of PROJECT: profile, failures by rule, quality score before and after,
    duplicates found, rejected and merged, and the audit trail's head hash."""
    _check_target(project, out)
    with Project.open(project, read_only=True) as opened:
        for warning in opened.warnings:
            click.echo(f"Warning: {warning}", err=True)
        with progress_bar("profiling") as report:
            figures = gather(opened, report)
    write_report(out, render(figures))
    click.echo(f"Wrote the report to {out} (sources: {len(figures.sources):,}, records: {figures.records:,}).")
    click.echo(f"Audit trail head: {figures.audit_head} ({figures.audit_entries:,} entries; check a copy of the "
               f"trail against it with: {shlex.join(['steward', 'audit', str(project), '--verify'])})")
