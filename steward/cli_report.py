"""``steward report``: write the project's report as one self-contained HTML page."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from .cli_util import progress_bar
from .export_jobs import check_target
from .project import Project
from .report import gather, render
from .report_file import write_report


@click.command("report")
@click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (replaced whole; a failed run leaves the previous one as it was).")
def report_command(project: Path, out: Path) -> None:
    """Write a self-contained HTML report of PROJECT: profile, failures by rule, quality score before and after,
    duplicates found, rejected and merged, and the audit trail's head hash."""
    check_target(project, out, "the report, e.g. report.html")
    with Project.open(project, read_only=True) as opened:
        for warning in opened.warnings:
            click.echo(f"Warning: {warning}", err=True)
        with progress_bar("profiling") as report:
            figures = gather(opened, report)
    write_report(out, render(figures))
    click.echo(f"Wrote the report to {out} (sources: {len(figures.sources):,}, records: {figures.records:,}).")
    click.echo(f"Audit trail head: {figures.audit_head} ({figures.audit_entries:,} entries; check a copy of the "
               f"trail against it with: {shlex.join(['steward', 'audit', str(project), '--verify'])})")
