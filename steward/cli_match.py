"""``steward match``: find duplicate clusters and say what was found."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, fields
from pathlib import Path

import click

from .cli_util import progress_bar
from .errors import StewardError
from .match_store import match_project
from .matching.blocking import RULES
from .matching.pipeline import MatchConfig
from .project import Project


def read_config(path: Path) -> MatchConfig:
    """A match configuration from TOML: any of rules, max_block, window, review, auto, random_pairs."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StewardError(f"{path}: cannot read the match configuration ({exc}).") from None
    known = {f.name for f in fields(MatchConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise StewardError(f"{path}: unknown setting '{unknown[0]}' (settings: {', '.join(sorted(known))}).")
    expected = {"rules": list, "max_block": int, "window": int, "review": float, "auto": float, "random_pairs": int}
    for key, value in data.items():
        wanted = expected[key]
        fits = isinstance(value, (int, float)) and not isinstance(value, bool) if wanted is float else \
            isinstance(value, wanted) and not isinstance(value, bool)
        if not fits or (wanted is list and not all(isinstance(v, str) for v in value)):
            kind = {list: "a list of rule names", int: "a whole number", float: "a number"}[wanted]
            raise StewardError(f"{path}: '{key}' must be {kind}, not {value!r}.")
    if data.get("max_block", 2) < 2 or data.get("window", 2) < 2 or data.get("random_pairs", 1) < 1:
        raise StewardError(f"{path}: max_block and window must be at least 2, random_pairs at least 1.")
    if "rules" in data:
        bad = [r for r in data["rules"] if r not in RULES]
        if bad:
            raise StewardError(f"{path}: unknown blocking rule '{bad[0]}' (rules: {', '.join(RULES)}).")
        data["rules"] = tuple(data["rules"])
    config = MatchConfig(**data)
    if not 0 < config.review <= config.auto <= 1:
        raise StewardError(f"{path}: need 0 < review <= auto <= 1 (review {config.review}, auto {config.auto}).")
    return config


@click.command("match")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file with blocking rules and thresholds (rules, max_block, window, review, auto, "
                   "random_pairs).")
@click.option("--full", is_flag=True, help="Compare all records again and re-estimate the model, even when only "
                                         "new records were added since the last run.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def match_command(project: Path, config_path: Path | None, full: bool, as_json: bool) -> None:
    """Find clusters of records that are probably the same customer, replacing earlier proposals."""
    config = read_config(config_path) if config_path else MatchConfig()
    with Project.open(project) as opened, progress_bar("matching") as report:
        summary = match_project(opened, config, progress=report, full=full)
    if as_json:
        click.echo(json.dumps(asdict(summary), indent=2))
        return
    if summary.incremental:
        click.echo("Only records added since the last run were compared (use --full to compare everything).")
    click.echo(f"Compared {summary.candidates:,} candidate pairs among {summary.records:,} records "
               f"({summary.reduction_ratio:.4%} of all pairs never compared) in {summary.seconds:.1f} s.")
    click.echo(f"Found {summary.clusters:,} clusters holding {summary.records_in_clusters:,} records: "
               f"{summary.auto:,} sure enough to merge automatically, {summary.review:,} to review.")
    if summary.estimated_missed is not None:
        click.echo(f"Estimated duplicate pairs no blocking key proposed: about {summary.estimated_missed:,}.")
    skipped = {rule: n for rule, n in summary.oversize_blocks.items() if n}
    if skipped:
        click.echo("Large blocks compared only with neighbours: " +
                   ", ".join(f"{rule} {n:,}" for rule, n in skipped.items()))
    if summary.clusters:
        click.echo(f"Export them with: steward export {project} --clusters clusters.csv")
