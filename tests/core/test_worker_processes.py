"""Large projects are validated and profiled on worker processes; the results must equal the in-process ones."""

from __future__ import annotations

import shutil
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from steward import page_checks, profile_sources, rule_store, validation
from steward.errors import Cancelled
from steward.importer import ImportOptions, import_file
from steward.profile_sources import profile_project
from steward.project import Project
from steward.sample import sample_csv


@pytest.fixture()
def sample_project(tmp_path: Path) -> Path:
    path = tmp_path / "sample.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions())
        rule_store.save_rules(project, rule_store.propose_rules(project))
        rule_store.set_default_region(project, "GB")
    return path


def _validated(path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> list[tuple]:
    monkeypatch.setenv("STEWARD_WORKERS", str(workers))
    monkeypatch.setattr(validation, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(validation, "_PAGE", 37)  # many pages, so results must come back in order
    with Project.open(path) as project:
        validation.validate(project)
        return project.conn.execute("SELECT * FROM failures ORDER BY rule, record_id").fetchall()


def test_validation_on_workers_equals_in_process(sample_project: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copy.steward"
    shutil.copy(sample_project, copy)
    in_process = _validated(sample_project, monkeypatch, workers=0)
    on_workers = _validated(copy, monkeypatch, workers=2)
    assert len(in_process) > 100
    assert on_workers == in_process


def test_profiling_on_workers_equals_in_process(sample_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_sources, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(profile_sources, "_PAGE", 41)
    with Project.open(sample_project, read_only=True) as project:
        monkeypatch.setenv("STEWARD_WORKERS", "0")
        alone = profile_project(project)
        monkeypatch.setenv("STEWARD_WORKERS", "2")
        seen: list[tuple[int, int]] = []
        shared = profile_project(project, progress=lambda done, total: seen.append((done, total)))
    assert shared == alone
    assert seen[-1] == (293, 293) and all(done <= total for done, total in seen)


def test_cancelling_validation_on_workers_keeps_the_previous_results(
        sample_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_WORKERS", "2")
    monkeypatch.setattr(validation, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(validation, "_PAGE", 50)

    def cancel(done: int, total: int) -> None:
        if done >= 100:
            raise Cancelled()

    with Project.open(sample_project) as project:
        with pytest.raises(Cancelled):
            validation.validate(project, progress=cancel)
        assert project.conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 0
        assert project.conn.execute("SELECT COUNT(*) FROM validation_runs").fetchone()[0] == 0


class _BrokenExecutor:
    """Stands in for a pool whose workers could not start."""

    def submit(self, *args: object) -> Future:
        future: Future = Future()
        future.set_exception(BrokenProcessPool("workers died"))
        return future

    def shutdown(self, **kwargs: object) -> None:
        pass


def test_a_broken_pool_finishes_the_work_in_process(sample_project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copy.steward"
    shutil.copy(sample_project, copy)
    expected = _validated(sample_project, monkeypatch, workers=0)
    original_init = page_checks.Pages.__init__

    def broken_init(self: page_checks.Pages, workers: int, read: object) -> None:
        original_init(self, 0, read)
        self._executor = _BrokenExecutor()
        self.window = 4

    monkeypatch.setattr(page_checks.Pages, "__init__", broken_init)
    assert _validated(copy, monkeypatch, workers=2) == expected
