"""``steward rules`` and ``steward validate``: the data dictionary and checking a project against it."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from . import rule_store, rules_file
from .cli_util import progress_bar
from .errors import StewardError
from .project import Project
from .rules import Rule
from .validation import ValidationResult, validate


@click.command("rules")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--propose", is_flag=True, help="Replace the rules with the default set for the mapped fields.")
@click.option("--load", "load_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Replace the rules with those in this TOML rules file.")
@click.option("--save", "save_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the project's rules to this TOML file to share or edit.")
@click.option("--region", help="Default country (ISO code, e.g. GB) for phones and postcodes of records "
                               "without one; '-' to clear.")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules_command(project: Path, propose: bool, load_file: Path | None, save_file: Path | None,
                  region: str | None, as_json: bool) -> None:
    """Show, propose, load or save PROJECT's rules (its data dictionary)."""
    if propose and load_file:
        raise click.UsageError("--propose and --load exclude each other.")
    changing = propose or load_file is not None or region is not None
    with Project.open(project, read_only=not changing) as opened:
        if changing:
            with opened.db.atomic():
                _change_rules(opened, propose, load_file, region)
        current = rule_store.load_rules(opened)
        current_region = rule_store.default_region(opened)
        anything_mapped = bool(rule_store.mapped_fields(opened))
        if save_file is not None:
            rules_file.write(save_file, current, current_region)
    if as_json:
        click.echo(json.dumps({"default_region": current_region, "rules": [r.to_dict() for r in current]},
                              ensure_ascii=False, indent=2))
        return
    if save_file is not None:
        click.echo(f"Wrote {len(current)} rules to {save_file}.")
    _print_rules(project, current, current_region, anything_mapped)


def _change_rules(project: Project, propose: bool, load_file: Path | None, region: str | None) -> None:
    """Rules and region change together or not at all (the caller's transaction)."""
    if load_file is not None:
        loaded, file_region = rules_file.read(load_file)
        rule_store.save_rules(project, loaded)
        if file_region is not None and region is None:
            rule_store.set_default_region(project, file_region)
    if propose:
        rule_store.save_rules(project, rule_store.propose_rules(project))
    if region is not None:
        rule_store.set_default_region(project, None if region == "-" else region)


_NOTHING_MAPPED = ("No column is mapped to a canonical field (email, phone, …), so there is nothing to check yet. "
                   "Map columns first: import with --map COLUMN=FIELD, or choose the mapping in the app.")


def _print_rules(project: Path, rules: list[Rule], region: str | None, anything_mapped: bool) -> None:
    click.echo(f"Default region: {region or 'none (phones need +country code; records need a country)'}")
    if not rules:
        click.echo(f"No rules yet. Propose the defaults with: steward rules {project} --propose" if
                   anything_mapped else _NOTHING_MAPPED)
        return
    for rule in rules:
        settings = ", ".join(f"{k}={v!r}" for k, v in rule.params.items())
        click.echo(f"  {rule.name}: {rule.kind} on {rule.field}, {rule.severity}"
                   f"{' (' + settings + ')' if settings else ''} — {rule.message}")


@click.command("validate")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Load this TOML rules file into the project first (it replaces the project's rules).")
@click.option("--region", help="Default country (ISO code) for records without one; saved with the rules.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def validate_command(project: Path, rules_path: Path | None, region: str | None, as_json: bool) -> None:
    """Check every record of PROJECT against its rules and store the failures.

    A project without rules gets the default set for its mapped fields first.
    Only what changed since the last run is checked again.
    """
    proposed = False
    with Project.open(project) as opened, progress_bar("validating") as report:
        with opened.db.atomic():  # new rules and their results commit together
            if rules_path is not None or region is not None:
                _change_rules(opened, False, rules_path, region)
            if not rule_store.load_rules(opened):
                proposals = rule_store.propose_rules(opened)
                if not proposals:
                    raise StewardError(_NOTHING_MAPPED)
                rule_store.save_rules(opened, proposals)
                proposed = True
            result = validate(opened, progress=report)
    if as_json:
        click.echo(json.dumps(asdict(result) | {"proposed_default_rules": proposed}, ensure_ascii=False, indent=2))
        return
    if proposed:
        click.echo(f"The project had no rules: saved the default set (see them with: steward rules {project}).")
    _print_result(project, result)


def _print_result(project: Path, result: ValidationResult) -> None:
    click.echo(f"Checked {result.records:,} records ({result.rechecked:,} read again) in {result.seconds:.1f} s.")
    width = max((len(c.name) for c in result.rules), default=0)
    for count in result.rules:
        click.echo(f"  {count.name:<{width}}  {count.severity:<7}  {count.failures:>9,}  ({count.field})")
    click.echo(f"Errors: {result.errors:,}; warnings: {result.warnings:,}.")
    for score in result.scores:
        label = "Project" if score.source is None else f"  {score.source}"
        completeness = "n/a" if score.completeness is None else f"{score.completeness:.1%}"
        click.echo(f"{label}: quality {score.score:.1f}/100 ({score.error_free:.1%} of {score.records:,} records "
                   f"without errors; mapped fields {completeness} filled)")
    for note in result.notes:
        click.echo(f"Note: {note}")
    if result.errors or result.warnings:
        click.echo(f"Export the failures with: steward export {project} --failures failures.csv")
