"""Demo projects for training: made from a generated contact list whose truth is known, and reset to their start.

``create_demo_project`` generates the list (``steward.demo_data``), imports each channel as its own source,
stores the truth (``steward.training_truth``), saves the default rules, validates and matches, so the project
opens ready to review. ``reset_demo_project`` makes the same project again from the stored parameters and puts
it in place of the trained one, which is kept as a backup.

The import commits each source on its own, so one transaction cannot hold the whole build. Instead the project
is built under a hidden temporary name in the destination folder and only linked, or swapped, into place when
it is complete: a failed or cancelled build leaves no file behind and the trained project untouched.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import secrets
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

from . import demo_data, training_truth, validation
from .demo_tables import HEADER, SOURCE
from .errors import ProjectError, ProjectInUse, StewardError
from .importer import ImportOptions, import_file
from .match_store import match_project
from .progress import Progress, no_progress
from .project import Project, read_header, remove_project_files
from .rule_store import propose_rules, save_rules
from .schema import APPLICATION_ID
from .training_truth import Exercise, NotADemo, Truth

#: The schema version that brought training exercises: an older project cannot be a demo project.
_FIRST_DEMO_VERSION = 9
#: Share of the build's time each step takes (measured on 20,000 records), for one steady progress bar.
_STEPS = {"generate": 0.12, "import": 0.06, "truth": 0.02, "validate": 0.25, "match": 0.55}


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build made, to tell the trainer."""

    path: Path
    exercise: Exercise
    sources: dict[str, int]          # channel → records imported from it
    failures: int                    # validation failures of the default rules
    clusters: int                    # proposed duplicate clusters
    auto: int                        # … of which sure enough to merge automatically
    review: int                      # … and to review
    backup: Path | None = None       # where the replaced project was kept (reset, or replacing a demo)


def normalise_locales(locales: Iterable[str]) -> tuple[str, ...]:
    """Locales in the generator's own order without repeats, so "zh,en" and "en,zh" make the same exercise."""
    wanted = [name.strip().lower() for name in locales if name.strip()]
    unknown = [name for name in wanted if name not in demo_data.LOCALES]
    if unknown or not wanted:
        raise StewardError(f"Unknown locale '{unknown[0]}'; choose among {', '.join(demo_data.LOCALES)}." if unknown
                           else f"Give at least one locale: {', '.join(demo_data.LOCALES)}.")
    return tuple(name for name in demo_data.LOCALES if name in wanted)


def create_demo_project(path: str | os.PathLike[str], records: int = 2000, seed: int = 1,
                        locales: Sequence[str] = demo_data.LOCALES, *, today: date | None = None,
                        replace: bool = False, progress: Progress = no_progress) -> DemoSummary:
    """Make a demo project at ``path``: ``records`` generated records from ``locales``, the same for the same
    ``seed`` and ``today`` (default: the current date), validated and matched, with its truth stored inside.

    An existing file is refused, unless ``replace`` is set and it is a demo project itself (a real project is
    never replaced); it is then kept as ``NAME.before-demo.steward``. Safe to run on a worker thread; cancel by
    raising ``Cancelled`` from ``progress``, which leaves nothing behind.
    """
    target = Path(path)
    if records < 1:
        raise StewardError("A demo project needs at least 1 record.")
    exercise = Exercise(records, seed, normalise_locales(locales), today or date.today())
    if not target.parent.is_dir():
        raise ProjectError(f"Cannot create {target}: the folder {target.parent} does not exist. "
                           "Create the folder first, or choose another place.")
    if os.path.lexists(target):
        if not replace:
            raise ProjectError(f"{target} already exists. Choose a new file name, or replace an earlier demo "
                               "project (steward demo --force).")
        opened = open_demo(target, refusal="Steward replaces only demo projects; choose a new file name.")
        try:
            return _rebuild(opened, exercise, "before-demo", progress)
        finally:
            opened.close()
    temp = _temp_path(target)
    try:
        summary = _build(temp, exercise, progress)
        try:
            os.link(temp, target)
        except FileExistsError:
            raise ProjectError(f"{target} appeared while the demo project was made; nothing was changed. "
                               "Choose another file name.") from None
        except OSError as exc:
            raise ProjectError(f"Cannot create {target}: {exc.strerror}.") from exc
    finally:
        _remove_built(temp)
    return dataclasses.replace(summary, path=target)


def reset_demo_project(path: str | os.PathLike[str], *, progress: Progress = no_progress) -> DemoSummary:
    """Put a demo project back to its starting state: made again from its stored parameters (the same records,
    truth, rules, failures and proposals; no decisions), with the trained project kept as
    ``NAME.before-reset.steward`` (``-2``, ``-3`` … when that exists).

    Refused with NotADemo for a project that is not a demo, and with ProjectInUse while it is open anywhere,
    also read-only and in this process (a window closes its own project first and opens the reset one after).
    Safe to run on a worker thread; a cancel (``Cancelled`` from ``progress``) or a failure leaves the project
    exactly as it was.
    """
    opened = open_demo(path, refusal="Only a project made by steward demo can be reset.")
    try:
        return _rebuild(opened, training_truth.exercise(opened), "before-reset", progress)
    finally:
        opened.close()


# -- building ---------------------------------------------------------------------------------------------


class _Steps:
    """One progress bar across the build: each step reports within its share of the whole."""

    SCALE = 1000

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.starts: dict[str, float] = {}
        done = 0.0
        for name, share in _STEPS.items():
            self.starts[name] = done
            done += share

    def part(self, step: str, low: float = 0.0, high: float = 1.0) -> Progress:
        """A callback for the stretch ``low``–``high`` (fractions) of ``step``."""
        start, share = self.starts[step], _STEPS[step]

        def report(done: int, total: int) -> None:
            fraction = min(done / total, 1.0) if total > 0 else 1.0
            self.progress(round(self.SCALE * (start + share * (low + (high - low) * fraction))), self.SCALE)
        return report


def _build(path: Path, exercise: Exercise, progress: Progress) -> DemoSummary:
    """Make the complete demo project at the new file ``path`` and close it."""
    steps = _Steps(progress)
    steps.part("generate")(0, 1)
    data = demo_data.generate(exercise.records, exercise.seed, exercise.locales, exercise.generated_for)
    steps.part("generate")(1, 1)
    rows_of: dict[str, list[int]] = {}
    for index, row in enumerate(data.rows):
        rows_of.setdefault(row[SOURCE], []).append(index)
    channels = [name for name in demo_data.SOURCES if name in rows_of]
    project = Project.create(path)
    try:
        truth: list[tuple[int, Truth]] = []
        with tempfile.TemporaryDirectory(prefix="steward-demo-") as folder:
            files = {name: _write_channel(Path(folder), name, [data.rows[i] for i in rows_of[name]])
                     for name in channels}
            sizes = {name: file.stat().st_size for name, file in files.items()}
            total, done = sum(sizes.values()), 0
            for name in channels:
                span = steps.part("import", done / total, (done + sizes[name]) / total)
                result = import_file(project, files[name], ImportOptions(source_name=name), progress=span)
                done += sizes[name]
                if result.imported != len(rows_of[name]) or result.rejected:
                    raise StewardError(f"The generated list for {name} did not import whole ({result.imported} of "
                                       f"{len(rows_of[name])} rows); the demo project was not made.")
                for record_id, row_no in project.conn.execute("SELECT id, row_no FROM records WHERE source_id = ?",
                                                              (result.source_id,)):
                    index = rows_of[name][row_no - 1]
                    truth.append((record_id, Truth(data.entity[index], data.variations[index], data.defects[index],
                                                   data.lookalike[index])))
        with project.db.atomic():  # truth, rules, their failures and the proposals commit together
            training_truth.store_truth(project, exercise, truth)
            steps.part("truth")(1, 1)
            save_rules(project, propose_rules(project))
            checked = validation.validate(project, today=exercise.generated_for, progress=steps.part("validate"))
            matched = match_project(project, progress=steps.part("match"))
        stored = training_truth.exercise(project)
    finally:
        project.close()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        raise StewardError(f"{path} could not be closed cleanly (another program has it open); "
                           "the demo project was not made.")
    return DemoSummary(path, stored, {name: len(rows_of[name]) for name in channels},
                       checked.errors + checked.warnings, matched.clusters, matched.auto, matched.review)


def _write_channel(folder: Path, name: str, rows: list[list[str]]) -> Path:
    """One channel's records as that system would export them: UTF-8 CSV without the channel column, since a
    system does not name itself on every row (the source's name says where the records came from)."""
    path = folder / f"{name}.csv"
    keep = [i for i in range(len(HEADER)) if i != SOURCE]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([HEADER[i] for i in keep])
        writer.writerows([row[i] for i in keep] for row in rows)
    return path


# -- replacing a project ----------------------------------------------------------------------------------


def open_demo(path: str | os.PathLike[str], *, read_only: bool = False, refusal: str = "") -> Project:
    """Open a demo project, refusing anything else with NotADemo (``refusal`` says what to do instead) before
    it is changed: an older project is not upgraded just to find it holds no exercise."""
    path = Path(path)
    if not path.exists():
        raise ProjectError(f"{path} does not exist. Check the path, or make a demo project with: steward demo "
                           f"{path}")
    application_id, version = read_header(path)
    if application_id == APPLICATION_ID and 0 < version < _FIRST_DEMO_VERSION:
        raise NotADemo(f"{path} is not a demo project (it was made before Steward kept training exercises). "
                       f"{refusal}".rstrip())
    opened = Project.open(path, read_only=read_only)
    try:
        if not training_truth.is_demo(opened):
            raise NotADemo(f"{path} is not a demo project: it holds no training exercise. {refusal}".rstrip())
    except BaseException:
        opened.close()
        raise
    return opened


def _rebuild(opened: Project, exercise: Exercise, label: str, progress: Progress) -> DemoSummary:
    """Build the exercise afresh and swap it in for the open project, keeping that as a backup."""
    temp = _temp_path(opened.path)
    try:
        summary = _build(temp, exercise, progress)
        backup = _free_backup_path(opened.path, label)
        _swap_in(opened, temp, backup)
    finally:
        _remove_built(temp)
    return dataclasses.replace(summary, path=opened.path, backup=backup)


def _swap_in(opened: Project, built: Path, backup: Path) -> None:
    """Replace the open project's file by ``built``, after copying it to ``backup``.

    The caller holds the write lock through ``opened``. Leaving WAL mode needs the only connection to the file,
    so it also proves no reader has it open; afterwards no ``-wal`` or ``-shm`` file of the old project is left
    for the new one to be mistaken with.
    """
    opened.save_copy(backup)
    try:
        try:
            mode = opened.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = None
        if mode != "delete":
            raise ProjectInUse(f"{opened.path} is open elsewhere (perhaps read-only, in a window or an export); "
                               "close it there and try again. Nothing was changed.")
        opened.conn.close()   # Windows cannot replace a file that is open; the write lock is still held
        os.replace(built, opened.path)
    except BaseException:
        backup.unlink(missing_ok=True)
        raise


def _temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.building")


def _remove_built(temp: Path) -> None:
    remove_project_files(temp)
    Path(f"{temp}.lock").unlink(missing_ok=True)


def _free_backup_path(path: Path, label: str) -> Path:
    """``NAME.LABEL.steward``, or with -2, -3 … when taken: earlier backups are never overwritten."""
    number = 1
    while True:
        candidate = path.with_name(f"{path.stem}.{label}{'' if number == 1 else f'-{number}'}{path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
        number += 1

