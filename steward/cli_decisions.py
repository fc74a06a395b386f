"""``steward reject`` and ``steward undo``: a steward's decisions, each audited and revertible."""

from __future__ import annotations

from pathlib import Path

import click

from . import operations
from .project import Project


@click.command("reject")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("cluster_id", type=int)
@click.option("--comment", default="", help="Why, for the audit trail.")
def reject_command(project: Path, cluster_id: int, comment: str) -> None:
    """Mark the records of CLUSTER_ID (from export --clusters) as not duplicates; they are never proposed again."""
    with Project.open(project) as opened:
        entry = operations.perform(opened, operations.RejectCluster(cluster_id), comment)
    members = len(entry.before["inverse"]["members"])
    click.echo(f"Cluster {cluster_id}: its {members} records are marked as not duplicates (audit entry #{entry.id}; "
               f"undo with: steward undo {project}).")


@click.command("undo")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def undo_command(project: Path) -> None:
    """Revert the newest revertible audit entry (running it again redoes what was undone)."""
    with Project.open(project) as opened:
        entry = operations.undo(opened)
    click.echo(f"Reverted entry #{entry.after['reverts']} ({entry.comment}); recorded as entry #{entry.id}.")
