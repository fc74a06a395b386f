"""The truth a demo project keeps about its generated records, for the trainer's scorecard only.

A demo project (``steward demo``) is made from a contact list whose truth is
known: which person each record belongs to, how a duplicate differs, which
people only look alike, which defects were planted. It is stored in the
project so the exercise travels with the file, and this module is the only
one that reads it: the review screens, golden records, exports and the report
never do, so a steward in training cannot see the answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from . import __version__, audit
from .errors import StewardError
from .project import Project, utc_now


class NotADemo(StewardError):
    """The project was not made by ``steward demo``, so it has no truth to score against or reset to."""


@dataclass(frozen=True)
class Exercise:
    """What a demo project was generated from: the same values give the same project."""

    records: int
    seed: int
    locales: tuple[str, ...]
    generated_for: date           # the day the generator took as today; dates in the data are relative to it
    created_at: str = ""          # when this project was made (UTC ISO 8601)
    steward_version: str = ""


@dataclass(frozen=True)
class Truth:
    """One record's truth: its person, how it differs from that person's first record, planted defects, and the
    look-alike group (household, colleagues, namesakes) of people it must not be merged with."""

    entity: int
    variations: tuple[str, ...]
    defects: tuple[str, ...]
    lookalike: tuple[str, int] | None


def is_demo(project: Project) -> bool:
    """Whether the project holds a training exercise."""
    return exercise_or_none(project) is not None


def exercise_or_none(project: Project) -> Exercise | None:
    """The project's exercise, or None when it is not a demo project."""
    row = project.conn.execute("SELECT records, seed, locales, generated_for, created_at, steward_version "
                               "FROM training_exercise WHERE id = 1").fetchone()
    if row is None:
        return None
    records, seed, locales, generated_for, created_at, version = row
    return Exercise(records, seed, tuple(json.loads(locales)), date.fromisoformat(generated_for), created_at, version)


def exercise(project: Project) -> Exercise:
    """The project's exercise; NotADemo (with what to do instead) when it has none."""
    found = exercise_or_none(project)
    if found is None:
        raise NotADemo(f"{project.path} is not a demo project: it holds no training exercise to score or reset. "
                       f"Make one with: steward demo NEW.steward")
    return found


def truth(project: Project) -> dict[int, Truth]:
    """record id → its truth, for every generated record."""
    found = {}
    for record_id, entity, variations, defects, kind, group in project.conn.execute(
            "SELECT record_id, entity, variations, defects, lookalike_kind, lookalike_group FROM training_truth"):
        found[record_id] = Truth(entity, tuple(json.loads(variations)), tuple(json.loads(defects)),
                                 None if kind is None else (kind, group))
    return found


def store_truth(project: Project, exercise: Exercise, rows: Iterable[tuple[int, Truth]]) -> None:
    """Write the exercise (stamped with this Steward's version and the time now) and its truth, with an audit
    entry naming only the parameters: the truth stays out of the trail, which stewards read and export."""
    with project.db.atomic():
        if project.conn.execute("SELECT 1 FROM training_exercise").fetchone():
            raise StewardError(f"{project.path} already holds a training exercise.")
        project.conn.execute(
            "INSERT INTO training_exercise (id, records, seed, locales, generated_for, created_at, steward_version) "
            "VALUES (1, ?, ?, ?, ?, ?, ?)",
            (exercise.records, exercise.seed, json.dumps(list(exercise.locales)), exercise.generated_for.isoformat(),
             utc_now(), __version__))
        project.conn.executemany(
            "INSERT INTO training_truth (record_id, entity, variations, defects, lookalike_kind, lookalike_group) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(record_id, t.entity, json.dumps(list(t.variations)), json.dumps(list(t.defects)),
              t.lookalike[0] if t.lookalike else None, t.lookalike[1] if t.lookalike else None)
             for record_id, t in rows])
        audit.append(project, "training_exercise", None, None,
                     {"records": exercise.records, "seed": exercise.seed, "locales": list(exercise.locales),
                      "generated_for": exercise.generated_for.isoformat(), "steward_version": __version__})
