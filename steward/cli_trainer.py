"""``steward demo``, ``score`` and ``reset``: training exercises on generated data whose truth is known."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .cli_util import progress_bar
from .demo_data import LOCALES
from .scorecard import SCORE_FORMULA, Scorecard, counts_text, score, summary_rows
from .trainer import DemoSummary, create_demo_project, open_demo, reset_demo_project

_PROJECT = click.argument("project", type=click.Path(dir_okay=False, path_type=Path))


@click.command("demo")
@_PROJECT
@click.option("--records", type=click.IntRange(1, 1_000_000), default=2000, show_default=True,
              help="How many customer records to generate.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="The same seed (on the same day) makes the same records.")
@click.option("--locales", default="en,zh,de", show_default=True,
              help=f"Where the people come from, comma-separated: {', '.join(LOCALES)}.")
@click.option("--force", is_flag=True,
              help="Replace PROJECT if it is an earlier demo project (kept as NAME.before-demo.steward).")
def demo_command(project: Path, records: int, seed: int, locales: str, force: bool) -> None:
    """Make PROJECT from a generated contact list with known duplicates, look-alikes and defects, ready to review."""
    with progress_bar("making demo project") as report:
        summary = create_demo_project(project, records, seed, locales.split(","), replace=force, progress=report)
    exercise = summary.exercise
    click.echo(f"Made demo project {project}: {sum(summary.sources.values()):,} records from "
               f"{len(summary.sources)} sources (" + ", ".join(f"{n} {c:,}" for n, c in summary.sources.items())
               + f"); locales {', '.join(exercise.locales)}, seed {exercise.seed}, dated "
               f"{exercise.generated_for.isoformat()}.")
    _describe(summary)
    if summary.backup is not None:
        click.echo(f"The earlier demo project was kept as {summary.backup}.")
    click.echo("The truth of the exercise is kept in the project, out of sight of review and exports. "
               f"See how a steward did with: steward score {project}")


@click.command("score")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard as JSON.")
def score_command(project: Path, as_json: bool) -> None:
    """Compare the decisions taken on demo project PROJECT with its truth: merges, rejections and fixes."""
    with open_demo(project, read_only=True, refusal="Only a project made by steward demo can be scored.") \
            as opened:
        card = score(opened)
    if as_json:
        click.echo(json.dumps(card.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in _lines(card, project):
        click.echo(line)


@click.command("reset")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def reset_command(project: Path) -> None:
    """Put demo project PROJECT back to its starting state, keeping the trained project as a backup."""
    with progress_bar("resetting demo project") as report:
        summary = reset_demo_project(project, progress=report)
    exercise = summary.exercise
    click.echo(f"Reset {project} to its starting state: {exercise.records:,} records, seed {exercise.seed}, "
               f"locales {', '.join(exercise.locales)}, dated {exercise.generated_for.isoformat()}; no decisions.")
    _describe(summary)
    click.echo(f"The trained project was kept as {summary.backup}.")


def _describe(summary: DemoSummary) -> None:
    click.echo(f"Validated with the default rules: {summary.failures:,} failures. Proposed {summary.clusters:,} "
               f"duplicate clusters: {summary.auto:,} sure enough to merge automatically, {summary.review:,} to "
               "review.")


def _lines(card: Scorecard, project: Path) -> list[str]:
    """The scorecard as a readable table: each figure, then what it is made of."""
    exercise = card.exercise
    rows = summary_rows(card)
    label = max(len(r[0]) for r in rows)
    value = max(len(r[1]) for r in rows)
    lines = [f"Scorecard of {project}: {card.records:,} records, seed {exercise.seed}, locales "
             f"{', '.join(exercise.locales)}, dated {exercise.generated_for.isoformat()}",
             f"Score: {card.score:.1f} / 100 ({SCORE_FORMULA})", ""]
    lines += [f"{name:<{label}}  {figure:>{value}}  {note}".rstrip() for name, figure, note in rows]
    if card.missed_by_variation:
        lines += ["", "Missed duplicates by how a record differs from its person: "
                  + counts_text(card.missed_by_variation)]
    if card.mistakes:
        lines += ["", "Wrong decisions" + (" (the first of each kind)" if len(card.mistakes) < card.wrong_merges +
                                           card.wrong_rejections else "") + ":"]
        lines += [f"  {m.decision:<9}  {m.records[0]} + {m.records[1]}  ({m.detail})" for m in card.mistakes]
    return lines
