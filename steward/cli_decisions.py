"""``steward fix``, ``reject``, ``accept``, ``defer`` and ``undo``: a steward's decisions, each audited and revertible."""

from __future__ import annotations

from pathlib import Path

import click

import re

from . import audit, golden_ops, operations, store
from .errors import StewardError
from .mapping import FIELDS
from .importer import find_column
from .project import Project


def _record(project: Project, where: str) -> tuple[store.Source, int]:
    """SOURCE:ROW, as export writes them, to the source and the record id."""
    name, sep, row = where.rpartition(":")
    if not sep or not (row.isascii() and row.isdecimal()):
        raise StewardError(f"'{where}' is not SOURCE:ROW, e.g. customers:17 (as steward export writes them).")
    source = store.source_named(project, name)
    found = project.conn.execute("SELECT id FROM records WHERE source_id = ? AND row_no = ?",
                                 (source.id, int(row))).fetchone()
    if found is None:
        raise StewardError(f"Source '{name}' has no imported row {row} (rejected rows have no record).")
    return source, found[0]


def record_id_of(project: Project, where: str) -> int:
    """The record id of SOURCE:ROW."""
    return _record(project, where)[1]


def _record_and_column(project: Project, where: str, column: str) -> tuple[int, int]:
    """SOURCE:ROW and a column (canonical field, header, label or #N) to record id and column position."""
    source, record_id = _record(project, where)
    columns = store.columns(project, source.id)
    by_field = [c.position for c in columns if c.field == column]
    position = by_field[0] if by_field else find_column([c.header for c in columns], [c.label for c in columns],
                                                        column)
    return record_id, position


@click.command("fix")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("record")
@click.argument("column")
@click.argument("value", required=False)
@click.option("--clear", is_flag=True, help="Remove the fix, so the imported value shows again.")
@click.option("--comment", default="", help="Why, for the audit trail.")
def fix_command(project: Path, record: str, column: str, value: str | None, clear: bool, comment: str) -> None:
    """Set VALUE for COLUMN of RECORD (SOURCE:ROW); the imported value stays untouched underneath.

    RECORD may also be a golden record (G12): COLUMN is then a canonical field and the value is set on the
    golden record itself, beating the survivorship rule and picks."""
    if clear == (value is not None):
        raise click.UsageError("Give a VALUE, or --clear to remove the fix.")
    if re.fullmatch(r"[Gg][0-9]+", record):
        if column not in FIELDS:
            raise StewardError(f"A golden record's values are canonical fields: {', '.join(FIELDS)}.")
        with Project.open(project) as opened:
            entry = operations.perform(opened, golden_ops.EditGolden(int(record[1:]), column, value), comment)
        click.echo(f"{record.upper()}, {column}: {'edit removed' if clear else repr(value)} (audit entry #{entry.id}).")
        return
    with Project.open(project) as opened:
        record_id, position = _record_and_column(opened, record, column)
        entry = operations.perform(opened, operations.FixValue(record_id, position, value), comment)
    before = entry.before["inverse"]["value"]
    click.echo(f"{record}, column {position + 1}: {'fix removed' if clear else repr(value)}"
               f" (was {'the imported value' if before is None else repr(before)}; audit entry #{entry.id}).")


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


@click.command("accept")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("rule")
@click.option("--record", "record", metavar="SOURCE:ROW", help="Only this record's failure (default: all of the rule).")
@click.option("--comment", default="", help="Why, for the audit trail.")
def accept_command(project: Path, rule: str, record: str | None, comment: str) -> None:
    """Accept the suggested fixes of RULE's failures, as one decision (one audit entry, one undo)."""
    with Project.open(project) as opened:
        record_id = _record(opened, record)[1] if record is not None else None
        entry = operations.perform(opened, operations.accept_suggestions(opened, rule, record_id), comment)
    count = len(entry.after["operation"]["fixes"])
    click.echo(f"Accepted {count} suggested fix{'es' if count != 1 else ''} of rule '{rule}' (audit entry #{entry.id}; "
               f"validate again to update the failures; undo with: steward undo {project}).")


@click.command("defer")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("cluster_id", type=int)
@click.option("--note", required=True, help="Why it waits, e.g. 'ask the dealer about the address'.")
def defer_command(project: Path, cluster_id: int, note: str) -> None:
    """Put CLUSTER_ID aside to decide later, with a note (audited; undo puts it back)."""
    with Project.open(project) as opened:
        entry = operations.perform(opened, operations.defer(cluster_id, note), note)
    click.echo(f"Cluster {cluster_id} deferred (audit entry #{entry.id}).")


@click.command("undo")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def undo_command(project: Path) -> None:
    """Undo the newest change still in effect; run it again to go further back."""
    with Project.open(project) as opened:
        entry = operations.undo(opened)
        undone = audit.entry(opened, entry.after["reverts"])
    click.echo(f"Undid entry #{undone.id} ({undone.action}{': ' + undone.comment if undone.comment else ''}); recorded as entry #{entry.id}. Redo with: steward redo {project}")


@click.command("redo")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def redo_command(project: Path) -> None:
    """Redo the newest undo, as long as no new change was made since."""
    with Project.open(project) as opened:
        entry = operations.redo(opened)
    click.echo(f"Redid what entry #{entry.after['reverts']} undid; recorded as entry #{entry.id}.")


@click.command("revert")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("entry_id", type=int)
@click.option("--comment", default="", help="Why, for the audit trail.")
def revert_command(project: Path, entry_id: int, comment: str) -> None:
    """Revert audit entry ENTRY_ID (from steward audit), however old, if it still applies cleanly."""
    with Project.open(project) as opened:
        entry = operations.revert(opened, entry_id, comment)
    click.echo(f"Reverted entry #{entry_id}; recorded as entry #{entry.id}.")
