"""Many fixes as one decision are applied set-wise, with exactly the effect and inverse of one fix after
another."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from steward import operations
from steward.errors import Conflict
from steward.operations import FixValue, FixValues
from steward.project import Project


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, build_sample) -> Path:
    path = build_sample(tmp_path_factory.mktemp("fix_values") / "t.steward", match=False)
    with Project.open(path) as project:            # some cells already fixed, so inverses put values back
        operations.perform(project, FixValues(((3, 1, "Earlier"), (5, 4, "earlier@example.com"))))
    return path


def state(project: Project) -> tuple:
    conn = project.conn
    return (conn.execute("SELECT record_id, position, value FROM fixes ORDER BY 1, 2").fetchall(),
            conn.execute("SELECT record_id FROM dirty_records ORDER BY 1").fetchall(),
            conn.execute("SELECT key, CAST(value AS INTEGER) FROM meta WHERE key LIKE 'fixes:%' ORDER BY 1").fetchall())


cells = st.lists(st.tuples(st.integers(1, 12), st.integers(0, 5), st.one_of(st.none(), st.text(max_size=5))),
                 min_size=1, max_size=15, unique_by=lambda fix: fix[:2])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fixes=cells)
def test_set_wise_fixes_do_what_one_fix_after_another_does(template: Path, tmp_path: Path, fixes) -> None:
    one, other = tmp_path / "one.steward", tmp_path / "other.steward"
    for target in (one, other):
        shutil.copy(template, target)
    with Project.open(one) as project, project.db.atomic():
        inverse = FixValues(tuple(fixes)).apply(project)
        set_wise = state(project)
    with Project.open(other) as project, project.db.atomic():
        inverses = [FixValue(*fix).apply(project) for fix in fixes]
        in_turn = state(project)
    assert set_wise == in_turn
    assert inverse.fixes == tuple((i.record_id, i.position, i.value, i.fixed_at, i.check, i.expect)
                                  for i in reversed(inverses))
    one.unlink()
    other.unlink()


def test_a_stale_inverse_is_refused_and_nothing_changes(template: Path, tmp_path: Path) -> None:
    copy = tmp_path / "c.steward"
    shutil.copy(template, copy)
    with Project.open(copy) as project:
        entry = operations.perform(project, FixValues(((1, 1, "A"), (2, 1, "B"))))
        operations.perform(project, FixValue(2, 1, "Later"))
        before = state(project)
        with pytest.raises(Conflict, match="fixed again since"):
            operations.revert(project, entry.id)
        assert state(project) == before


def test_a_cell_that_does_not_exist_is_refused(template: Path, tmp_path: Path) -> None:
    copy = tmp_path / "c.steward"
    shutil.copy(template, copy)
    with Project.open(copy) as project:
        before = state(project)
        with pytest.raises(Conflict, match="has no column 99"):
            operations.perform(project, FixValues(((1, 1, "A"), (2, 98, "B"))))
        with pytest.raises(Conflict, match="Record 999999 has no column"):
            operations.perform(project, FixValues(((999_999, 1, "A"),)))
        assert state(project) == before
