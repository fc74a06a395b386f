"""``steward audit``: read and verify the project's audit trail, and set who changes are recorded as."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from . import audit
from .project import Project


@click.command("audit")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--verify", is_flag=True, help="Recompute the hash chain and exit 1 if any entry does not hold.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest entries to list.")
@click.option("--action", help="Only entries of this action (e.g. save_rules).")
@click.option("--set-actor", "new_actor", metavar="NAME",
              help="Record this project's changes under NAME from now on (default: the operating-system user).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def audit_command(project: Path, verify: bool, limit: int, action: str | None, new_actor: str | None,
                  as_json: bool) -> None:
    """List PROJECT's audit trail, newest first, with the chain's head hash; --verify checks the whole chain."""
    with Project.open(project, read_only=new_actor is None) as opened:
        if new_actor is not None:
            audit.set_actor(opened, new_actor)
        checked = audit.verify(opened) if verify else None
        found = audit.entries(opened, limit=limit, action=action)
        head = audit.head_hash(opened)
    if as_json:
        click.echo(json.dumps({"head": head, "verification": asdict(checked) if checked else None,
                               "entries": [asdict(e) for e in found]}, ensure_ascii=False, indent=2))
    else:
        for entry in found:
            targets = "" if entry.targets is None else f" {json.dumps(entry.targets, ensure_ascii=False)}"
            click.echo(f"#{entry.id} {entry.at} {entry.actor}: {entry.action}{targets}"
                       + (f" — {entry.comment}" if entry.comment else ""))
        click.echo(f"Head of the audit trail: {head}")
        if checked is not None:
            if checked.problem is None:
                click.echo(f"Verified: all {checked.entries} entries hold.")
            else:
                where = f"entry #{checked.broken_at}" if checked.broken_at else "the trail"
                click.echo(f"NOT VERIFIED: {where}: {checked.problem}. The trail was changed outside Steward "
                           "or the file is damaged; compare with a saved copy.")
    if checked is not None and checked.problem is not None:
        raise SystemExit(1)
