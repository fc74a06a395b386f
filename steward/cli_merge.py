"""``steward merge``, ``merge-auto``, ``split``, ``unmerge`` and ``golden``: deciding which records are one customer."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import golden, golden_ops, operations
from .audit import Entry
from .cli_decisions import record_id_of
from .errors import StewardError
from .project import Project
from .survivorship import DEFAULT_RULE, RULES

_RULE = click.option("--rule", type=click.Choice(list(RULES)), default=None,
                     help=f"How the surviving value of each field is chosen (default: {DEFAULT_RULE} for a new "
                          "golden record; one that exists keeps its own).")
_COMMENT = click.option("--comment", default="", help="Why, for the audit trail.")
_PROJECT = click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _report(entry: Entry, project: Path) -> None:
    """What a decision left: the golden records it produced and anything to check."""
    made = entry.after.get("golden", {})
    if made:
        click.echo(f"Golden record{'s' if len(made) > 1 else ''}: {', '.join(list(made)[:10])}"
                   f"{' …' if len(made) > 10 else ''}")
    for flag in entry.after.get("flags", []):
        click.echo(f"Check: {flag}.")
    click.echo(f"Audit entry #{entry.id}; undo with: steward undo {project}")


@click.command("merge")
@_PROJECT
@click.argument("cluster_id", type=int)
@_RULE
@click.option("--pick", "picks", multiple=True, metavar="FIELD=SOURCE:ROW",
              help="Take FIELD from this record, whatever the rule says; repeatable.")
@click.option("--only", "only", multiple=True, metavar="SOURCE:ROW",
              help="Merge only these records of the cluster (at least two); repeatable.")
@_COMMENT
def merge_command(project: Path, cluster_id: int, rule: str | None, picks: tuple[str, ...], only: tuple[str, ...],
                  comment: str) -> None:
    """Merge the records of CLUSTER_ID (from export --clusters) into one golden record."""
    with Project.open(project) as opened:
        chosen = []
        for pick in picks:
            name, sep, where = pick.partition("=")
            if not sep or not name:
                raise click.BadParameter(f"'{pick}' is not FIELD=SOURCE:ROW, e.g. email=crm:17.", param_hint="--pick")
            chosen.append((name, record_id_of(opened, where)))
        if only:
            members = {r for (r,) in opened.conn.execute(
                "SELECT record_id FROM cluster_members WHERE cluster_id = ?", (cluster_id,))}
            records = tuple(record_id_of(opened, where) for where in only)
            outside = [where for where, r in zip(only, records) if r not in members]
            if outside:
                raise StewardError(f"{outside[0]} is not in cluster {cluster_id}.")
            operation: golden_ops.Decision = golden_ops.MergeRecords(records, rule, tuple(chosen), cluster_id)
        else:
            operation = golden_ops.MergeClusters((cluster_id,), rule, tuple(chosen))
        entry = operations.perform(opened, operation, comment)
    click.echo(f"Cluster {cluster_id}{' (the records chosen)' if only else ''} merged"
               f"{f' by rule {rule}' if rule else ''}.")
    _report(entry, project)


@click.command("merge-auto")
@_PROJECT
@_RULE
@_COMMENT
def merge_auto_command(project: Path, rule: str | None, comment: str) -> None:
    """Merge every proposal above the auto-match threshold, as one decision (one audit entry, one undo)."""
    with Project.open(project) as opened:
        clusters = golden_ops.auto_clusters(opened)
        if not clusters:
            raise StewardError("No auto-match proposals are waiting. Run steward match first, or review the "
                               "proposals that need a decision one by one.")
        entry = operations.perform(opened, golden_ops.MergeClusters(clusters, rule), comment)
    click.echo(f"Merged {len(clusters)} auto-match clusters{f' by rule {rule}' if rule else ''}.")
    _report(entry, project)


@click.command("split")
@_PROJECT
@click.argument("record")
@click.option("--tree", is_flag=True,
              help="Take out the record together with the records that joined with it, still merged together.")
@_COMMENT
def split_command(project: Path, record: str, tree: bool, comment: str) -> None:
    """Take RECORD (SOURCE:ROW) out of its golden record or proposed cluster; remembered as a different customer."""
    with Project.open(project) as opened:
        entry = operations.perform(opened, golden_ops.SplitRecord(record_id_of(opened, record), tree), comment)
    click.echo(f"{record} split out.")
    _report(entry, project)


@click.command("unmerge")
@_PROJECT
@click.argument("golden_id")
@_COMMENT
def unmerge_command(project: Path, golden_id: str, comment: str) -> None:
    """Take golden record GOLDEN_ID (e.g. G12) apart: every member is on its own again, as imported."""
    kind, number = golden.entity_id_of(golden_id)
    if kind != "G":
        raise StewardError(f"{golden_id} is a single record, not a golden record: there is nothing to unmerge.")
    with Project.open(project) as opened:
        members = len(golden.golden_record(opened, number).members)
        entry = operations.perform(opened, golden_ops.Unmerge(number), comment)
    click.echo(f"G{number} taken apart: its {members} records are on their own again.")
    _report(entry, project)


@click.command("golden")
@_PROJECT
@click.argument("golden_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def golden_command(project: Path, golden_id: str, as_json: bool) -> None:
    """Show golden record GOLDEN_ID: each field's value, whose value it is and why."""
    kind, number = golden.entity_id_of(golden_id)
    if kind != "G":
        raise StewardError(f"{golden_id} is a single record, not a golden record.")
    with Project.open(project, read_only=True) as opened:
        record = golden.golden_record(opened, number)
        where = golden.record_labels(opened, record.members)
    rows = [{"field": name, "value": s.value, "from": where.get(s.record_id, ""), "reason": s.reason}
            for name, s in record.values.items()]
    if as_json:
        click.echo(json.dumps({"id": record.entity_id, "rule": record.rule,
                               "members": [where[r] for r in record.members], "fields": rows}, ensure_ascii=False))
        return
    click.echo(f"{record.entity_id}: {len(record.members)} records ({', '.join(where[r] for r in record.members)}), "
               f"rule {record.rule}")
    width = max((len(r["field"]) for r in rows), default=0)
    for row in rows:
        origin = f"{row['from']}, {row['reason']}" if row["from"] else row["reason"]
        click.echo(f"  {row['field']:<{width}}  {row['value']}  ({origin})")
