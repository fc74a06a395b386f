"""Demo projects for training: made whole or not at all, the same for the same parameters, their truth kept
out of sight, and reset to exactly their starting state."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from steward import audit, golden_ops, operations, review, schema, store, training_truth
from steward.demo_data import DEFECTS, HEADER, SOURCES, generate
from steward.demo_tables import SOURCE
from steward.errors import Cancelled, ProjectError, ProjectInUse
from steward.export_jobs import EXPORTERS, ExportOptions
from steward.progress import no_progress
from steward.project import Project
from steward.report import gather, render
from steward.rule_store import load_rules
from steward.trainer import create_demo_project, normalise_locales, reset_demo_project
from steward.training_truth import NotADemo

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 3, 1)
RECORDS, SEED = 300, 5
#: Words of the truth that must never reach what a steward sees.
TRUTH_WORDS = ("training_truth", "lookalike", "household", "namesakes", "typo_name", "new_phone", "new_email",
               "swap_given_family", "fullwidth_digits", "missing_fields", "case_and_spacing", "ascii_name",
               *DEFECTS[:4])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo project as made, never changed by a test (tests change copies)."""
    path = tmp_path_factory.mktemp("demo") / "demo.steward"
    create_demo_project(path, RECORDS, SEED, today=TODAY)
    return path


def copy_of(path: Path, folder: Path, name: str = "work.steward") -> Path:
    with Project.open(path, read_only=True) as opened:
        return opened.save_copy(folder / name)


def contents(path: Path) -> dict[str, list]:
    """What a demo project holds, apart from timestamps: records, truth, rules, failures, proposals, decisions."""
    with Project.open(path, read_only=True) as opened:
        conn = opened.conn

        def rows(query: str) -> list[tuple]:
            return conn.execute(query).fetchall()
        return {
            "sources": rows("SELECT id, name, file_name, sha256, record_count, rejected_count FROM sources "
                            "ORDER BY id"),
            "columns": rows("SELECT * FROM columns ORDER BY source_id, position"),
            "records": rows("SELECT id, source_id, row_no, line_no, vals, flags FROM records ORDER BY id"),
            "exercise": rows("SELECT records, seed, locales, generated_for FROM training_exercise"),
            "truth": rows("SELECT * FROM training_truth ORDER BY record_id"),
            "rules": rows("SELECT * FROM rules ORDER BY position"),
            "failures": rows("SELECT * FROM failures ORDER BY rule, record_id"),
            "clusters": rows("SELECT id, confidence, status, note, flags, size FROM clusters ORDER BY id"),
            "members": rows("SELECT * FROM cluster_members ORDER BY record_id"),
            "pairs": rows("SELECT * FROM match_pairs ORDER BY a, b"),
            "golden": rows("SELECT * FROM golden_members ORDER BY record_id"),
            "not_duplicates": rows("SELECT a, b FROM not_duplicates ORDER BY a, b"),
            "fixes": rows("SELECT record_id, position, value FROM fixes ORDER BY record_id, position"),
            "actions": [a for (a,) in rows("SELECT action FROM audit ORDER BY id")],
        }


def files_in(folder: Path, *, sidecars: bool = True) -> list[str]:
    """The folder's files; ``sidecars`` False leaves out the -wal and -shm files a read-only look leaves."""
    return sorted(p.name for p in folder.iterdir() if sidecars or not p.name.endswith(("-wal", "-shm")))


# -- making a demo project ----------------------------------------------------------------------------------


def test_a_demo_project_opens_ready_to_review(demo: Path) -> None:
    held = contents(demo)
    with Project.open(demo, read_only=True) as opened:
        sources = store.sources(opened)
        assert [s.name for s in sources] == list(SOURCES) and sum(s.record_count for s in sources) == RECORDS
        for source in sources:
            fields = [c.field for c in store.columns(opened, source.id)]
            assert fields == [h for i, h in enumerate(HEADER) if i != SOURCE]  # every column mapped, no channel
        assert [r.name for r in load_rules(opened)][:3] == ["customer_id_required", "customer_id_unique",
                                                             "name_required"]
        found = training_truth.exercise(opened)
        assert (found.records, found.seed, found.locales, found.generated_for) == \
            (RECORDS, SEED, ("en", "de", "zh"), TODAY)
        entry = audit.entries(opened, action="training_exercise")[0]
        assert entry.after == {"records": RECORDS, "seed": SEED, "locales": ["en", "de", "zh"],
                               "generated_for": "2026-03-01", "steward_version": found.steward_version}
        truth = training_truth.truth(opened)
        failing = {(rule, record) for rule, record, _, _, _, _ in held["failures"]}
    assert held["actions"] == ["import"] * len(SOURCES) + ["training_exercise", "save_rules"]
    assert len(truth) == RECORDS and held["clusters"] and held["pairs"]
    assert not held["golden"] and not held["not_duplicates"] and not held["fixes"]
    rule_of = {"bad_email": "email_valid", "impossible_phone": "phone_valid",
               "future_birth_date": "date_of_birth_plausible", "missing_name": "name_required",
               "stale": "updated_at_fresh"}
    planted = [(rule_of[d], record) for record, t in truth.items() for d in t.defects]
    assert planted and all(p in failing for p in planted)   # validated as of the day the list is dated


def test_each_record_holds_its_generated_row_and_truth(demo: Path) -> None:
    data = generate(RECORDS, SEED, today=TODAY)
    with Project.open(demo, read_only=True) as opened:
        truth = training_truth.truth(opened)
        for source in store.sources(opened):
            generated = [i for i, row in enumerate(data.rows) if row[SOURCE] == source.name]
            records = store.records(opened, source.id, 0, RECORDS)
            assert len(records) == len(generated)
            for record, index in zip(records, generated):
                assert record.values == [v for i, v in enumerate(data.rows[index]) if i != SOURCE]
                assert truth[record.id] == training_truth.Truth(data.entity[index], data.variations[index],
                                                                data.defects[index], data.lookalike[index])


def test_the_same_parameters_make_the_same_project_and_another_seed_another(demo: Path, tmp_path: Path) -> None:
    again = create_demo_project(tmp_path / "again.steward", RECORDS, SEED, ("zh", "de", "en"), today=TODAY).path
    other = create_demo_project(tmp_path / "other.steward", RECORDS, SEED + 1, today=TODAY).path
    first, second, third = contents(demo), contents(again), contents(other)
    assert first == second
    assert first["records"] != third["records"] and first["truth"] != third["truth"]


def test_locales_are_read_in_one_order_and_checked() -> None:
    assert normalise_locales(["zh", " EN", "zh"]) == ("en", "zh") == normalise_locales(["en", "zh"])
    with pytest.raises(Exception, match="Unknown locale 'fr'; choose among en, de, zh"):
        normalise_locales(["en", "fr"])
    with pytest.raises(Exception, match="at least one locale"):
        normalise_locales(["", " "])


def test_an_existing_file_is_refused_and_force_replaces_only_a_demo_project(demo: Path, tmp_path: Path,
                                                                             build_sample) -> None:
    work = copy_of(demo, tmp_path)
    before = work.read_bytes()
    with pytest.raises(ProjectError, match="already exists. Choose a new file name, or replace an earlier demo"):
        create_demo_project(work, 50, 9, today=TODAY)
    assert work.read_bytes() == before
    real = build_sample(tmp_path / "real.steward", validate=False, match=False)
    real_bytes = real.read_bytes()
    with pytest.raises(NotADemo, match="real.steward is not a demo project: it holds no training exercise. "
                                       "Steward replaces only demo projects"):
        create_demo_project(real, 50, 9, today=TODAY, replace=True)
    assert real.read_bytes() == real_bytes
    replaced = create_demo_project(work, 50, 9, today=TODAY, replace=True)
    assert replaced.backup == tmp_path / "work.before-demo.steward" and replaced.exercise.seed == 9
    assert contents(work)["exercise"] == [(50, 9, '["en", "de", "zh"]', "2026-03-01")]
    assert contents(replaced.backup)["records"] == contents(demo)["records"]


@pytest.mark.parametrize("stop_at", [0, 100, 600, 999])
def test_a_cancelled_build_leaves_no_file_behind(tmp_path: Path, stop_at: int) -> None:
    seen: list[int] = []

    def cancel(done: int, total: int) -> None:
        seen.append(done)
        if done >= stop_at:
            raise Cancelled()

    with pytest.raises(Cancelled):
        create_demo_project(tmp_path / "d.steward", 200, 1, today=TODAY, progress=cancel)
    assert files_in(tmp_path) == [] and seen[-1] >= stop_at


def test_a_failed_build_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("matching failed")

    monkeypatch.setattr("steward.trainer.match_project", broken)
    with pytest.raises(RuntimeError):
        create_demo_project(tmp_path / "d.steward", 200, 1, today=TODAY)
    assert files_in(tmp_path) == []
    with pytest.raises(ProjectError, match="the folder .* does not exist"):
        create_demo_project(tmp_path / "missing" / "d.steward", 20, today=TODAY)


def test_progress_rises_to_the_end(tmp_path: Path) -> None:
    reports: list[tuple[int, int]] = []
    create_demo_project(tmp_path / "d.steward", 100, 2, today=TODAY, progress=lambda d, t: reports.append((d, t)))
    done = [d for d, _ in reports]
    assert done == sorted(done) and done[0] == 0 and reports[-1] == (1000, 1000)


# -- the truth stays hidden ---------------------------------------------------------------------------------


def test_the_truth_is_not_in_exports_review_or_report(demo: Path, tmp_path: Path) -> None:
    work = copy_of(demo, tmp_path)
    with Project.open(work) as opened:
        operations.perform(opened, golden_ops.MergeClusters(golden_ops.auto_clusters(opened)))
        details = [str(review.cluster_detail(opened, c)) for c in review.cluster_ids(opened, "all")]
    written = {}
    with Project.open(work, read_only=True) as opened:
        written["report"] = render(gather(opened))
        for kind in ("records", "golden", "clusters", "crosswalk", "failures", "audit"):
            target = tmp_path / f"{kind}.csv"
            EXPORTERS[kind](opened, target, ExportOptions(safe=False, bom=False), no_progress)
            written[kind] = target.read_text(encoding="utf-8")
    written["review"] = "\n".join(details)
    for name, text in written.items():
        assert not [w for w in TRUTH_WORDS if w in text], name
    data = generate(RECORDS, SEED, today=TODAY)
    expected = [["source", "row"] + [h for i, h in enumerate(HEADER) if i != SOURCE]]
    for name in SOURCES:   # --records holds the imported values exactly, and nothing else
        rows = [row for row in data.rows if row[SOURCE] == name]
        expected += [[name, str(n)] + [v for i, v in enumerate(row) if i != SOURCE] for n, row in enumerate(rows, 1)]
    assert list(csv.reader(io.StringIO(written["records"]))) == expected


def test_only_the_truth_module_reads_the_truth_tables() -> None:
    sql = re.compile(r"(FROM|JOIN|INTO|UPDATE|TABLE)\s+training_(truth|exercise)", re.IGNORECASE)
    readers = sorted(str(p.relative_to(ROOT)) for folder in ("steward", "ui") for p in (ROOT / folder).rglob("*.py")
                     if sql.search(p.read_text(encoding="utf-8")))
    assert readers == ["steward/schema.py", "steward/training_truth.py"]


# -- resetting ----------------------------------------------------------------------------------------------


def test_reset_gives_the_starting_state_and_keeps_the_trained_project(demo: Path, tmp_path: Path) -> None:
    work = copy_of(demo, tmp_path)
    with Project.open(work) as opened:
        operations.perform(opened, golden_ops.MergeClusters(golden_ops.auto_clusters(opened)))
        first = next(iter(training_truth.truth(opened)))
        operations.perform(opened, operations.FixValue(first, 5, "someone@example.com"))
    trained = contents(work)
    assert trained["golden"] and trained["fixes"]
    summary = reset_demo_project(work)
    assert summary.backup == tmp_path / "work.before-reset.steward"
    assert (summary.exercise.records, summary.exercise.seed, summary.exercise.generated_for) == (RECORDS, SEED, TODAY)
    assert contents(work) == contents(demo)
    assert contents(summary.backup) == trained
    assert reset_demo_project(work).backup == tmp_path / "work.before-reset-2.steward"
    assert files_in(tmp_path, sidecars=False) == ["work.before-reset-2.steward", "work.before-reset.steward",
                                                  "work.steward", "work.steward.lock"]
    with Project.open(work) as opened:
        assert opened.integrity_check() == ["ok"] and training_truth.is_demo(opened)


def test_reset_refuses_a_project_that_is_not_a_demo(tmp_path: Path, build_sample) -> None:
    real = build_sample(tmp_path / "real.steward", validate=False, match=False)
    before = real.read_bytes()
    with pytest.raises(NotADemo, match="not a demo project: it holds no training exercise. Only a project made "
                                       "by steward demo can be reset."):
        reset_demo_project(real)
    assert real.read_bytes() == before and files_in(tmp_path) == ["real.steward", "real.steward.lock"]
    with pytest.raises(ProjectError, match="does not exist"):
        reset_demo_project(tmp_path / "none.steward")


def test_reset_refuses_while_the_project_is_open_elsewhere(demo: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("steward.project.BUSY_TIMEOUT_MS", 50)
    work = copy_of(demo, tmp_path)
    before = contents(work)
    with Project.open(work):
        with pytest.raises(ProjectInUse, match="in use by"):
            reset_demo_project(work)
    with Project.open(work, read_only=True) as reader:
        with pytest.raises(ProjectInUse, match="open elsewhere .*close it there and try again"):
            reset_demo_project(work)
        assert reader.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == RECORDS
    assert contents(work) == before
    assert [n for n in files_in(tmp_path) if not n.startswith("work.steward")] == []


def test_a_cancelled_reset_leaves_the_project_as_it_was(demo: Path, tmp_path: Path) -> None:
    work = copy_of(demo, tmp_path)
    with Project.open(work) as opened:
        operations.perform(opened, golden_ops.MergeClusters(golden_ops.auto_clusters(opened)[:1]))
    before = contents(work)

    def cancel(done: int, total: int) -> None:
        if done > 500:
            raise Cancelled()

    with pytest.raises(Cancelled):
        reset_demo_project(work, progress=cancel)
    assert contents(work) == before
    assert [n for n in files_in(tmp_path) if not n.startswith("work.steward")] == []


# -- the schema -----------------------------------------------------------------------------------------------


def test_a_version_8_project_is_upgraded_to_hold_exercises(tmp_path: Path, build_sample) -> None:
    path = build_sample(tmp_path / "old.steward", validate=False, match=False)
    conn = sqlite3.connect(path, isolation_level=None)   # take it back to version 8, as an older Steward left it
    conn.execute("PRAGMA journal_mode = DELETE")
    for statement in ("DROP TABLE training_truth", "DROP TABLE training_exercise", "PRAGMA user_version = 8"):
        conn.execute(statement)
    conn.close()
    with pytest.raises(NotADemo, match="made before Steward kept training exercises"):
        reset_demo_project(path)
    assert not (tmp_path / "old.steward.v8.bak").exists()     # refused without upgrading it
    with Project.open(path) as opened:
        assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION == 9
        assert not training_truth.is_demo(opened) and training_truth.truth(opened) == {}
        assert len(store.sources(opened)) == 1 and store.sources(opened)[0].record_count > 0
    assert (tmp_path / "old.steward.v8.bak").exists()
