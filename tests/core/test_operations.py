"""Decisions as operations: applied with their audit entry, reverted from the stored inverse, conflicts refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import audit, operations
from steward.cli import main
from steward.errors import StewardError
from steward.importer import ImportOptions, import_file
from steward.match_store import match_project
from steward.project import Project
from steward.sample import sample_csv

DECISION_TABLES = ("not_duplicates", "cluster_members", "clusters")


def state(project: Project) -> dict[str, list[tuple]]:
    return {t: project.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in DECISION_TABLES}


@pytest.fixture
def matched(tmp_path: Path, build_sample) -> Path:
    return build_sample(tmp_path / "p.steward", validate=False)


def a_cluster(project: Project) -> tuple[int, list[int]]:
    cluster_id, = project.conn.execute("SELECT id FROM clusters WHERE size >= 2 ORDER BY id LIMIT 1").fetchone()
    members = [r for (r,) in project.conn.execute(
        "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (cluster_id,))]
    return cluster_id, members


def test_rejecting_a_cluster_is_audited_and_undone_exactly(matched: Path) -> None:
    with Project.open(matched) as project:
        before = state(project)
        cluster_id, members = a_cluster(project)
        entry = operations.perform(project, operations.RejectCluster(cluster_id), "two people")
        marked = project.conn.execute("SELECT a, b FROM not_duplicates").fetchall()
        assert marked == [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
        assert project.conn.execute("SELECT 1 FROM cluster_members WHERE cluster_id = ?", (cluster_id,)).fetchone() \
            is None
        assert entry.action == "reject_cluster" and entry.comment == "two people"
    with Project.open(matched) as project:  # after a restart, from the stored inverse
        undone = operations.undo(project)
        assert state(project) == before and undone.after["reverts"] == entry.id
        operations.redo(project)
        assert project.conn.execute("SELECT COUNT(*) FROM not_duplicates").fetchone()[0] == len(marked)
        assert audit.verify(project).problem is None


def test_a_revert_that_no_longer_applies_is_refused_and_changes_nothing(matched: Path) -> None:
    with Project.open(matched) as project:
        cluster_id, _ = a_cluster(project)
        entry = operations.perform(project, operations.RejectCluster(cluster_id))
        match_project(project, full=True)  # the proposals are replaced
        before = state(project)
        with pytest.raises(operations.Conflict, match="no longer exists"):
            operations.revert(project, entry.id)
        assert state(project) == before and len(audit.entries(project, action="restore_cluster")) == 0


def test_rejected_records_are_not_proposed_together_again(matched: Path) -> None:
    with Project.open(matched) as project:
        cluster_id, members = a_cluster(project)
        operations.perform(project, operations.RejectCluster(cluster_id))
        match_project(project, full=True)
        clusters = {c for (c,) in project.conn.execute(
            f"SELECT cluster_id FROM cluster_members WHERE record_id IN ({','.join('?' * len(members))})", members)}
        together = project.conn.execute(
            f"SELECT cluster_id, COUNT(*) FROM cluster_members WHERE record_id IN ({','.join('?' * len(members))}) "
            "GROUP BY cluster_id HAVING COUNT(*) > 1", members).fetchall()
    assert together == [] and len(clusters) <= len(members)


def test_entries_without_an_inverse_cannot_be_reverted(matched: Path) -> None:
    with Project.open(matched) as project:
        imported = audit.entries(project, action="import")[0]
        with pytest.raises(StewardError, match="cannot be reverted"):
            operations.revert(project, imported.id)
        with pytest.raises(StewardError, match="no entry #999"):
            operations.revert(project, 999)
    with Project.create(matched.with_name("empty.steward")) as empty:
        with pytest.raises(StewardError, match="nothing to undo"):
            operations.undo(empty)


def test_cli_reject_and_undo(matched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(matched) as project:
        cluster_id, members = a_cluster(project)
    assert main(["reject", str(matched), str(cluster_id), "--comment", "siblings"]) == 0
    assert f"its {len(members)} records are marked as not duplicates" in capsys.readouterr().out
    assert main(["reject", str(matched), str(cluster_id)]) == 1
    assert "is not a proposal waiting for a decision" in capsys.readouterr().err
    assert main(["undo", str(matched)]) == 0
    assert "Undid entry" in capsys.readouterr().out


def test_a_fix_is_a_layer_that_validation_reads_and_undo_removes(tmp_path: Path) -> None:
    from steward import rule_store, store
    from steward.rules import Rule
    from steward.validation import validate

    path = tmp_path / "p.steward"
    with Project.create(path) as project:
        result = import_file(project, sample_csv(), ImportOptions())
        rule_store.save_rules(project, [Rule("email_valid", "email", "email")])
        failing = validate(project).rules[0].failures
        record_id, = project.conn.execute("SELECT record_id FROM failures LIMIT 1").fetchone()
        raw = project.conn.execute("SELECT vals FROM records WHERE id = ?", (record_id,)).fetchone()[0]
        position = next(c.position for c in store.columns(project, result.source_id) if c.field == "email")
        operations.perform(project, operations.FixValue(record_id, position, "fixed@example.com"))
        after_fix = validate(project)
        # The fixed record is checked on its own; the source is only read again to recount its completeness,
        # and each record read counts once.
        assert after_fix.rules[0].failures == failing - 1 and after_fix.rechecked == result.imported
        state = project.conn.execute("SELECT COUNT(*) FROM dirty_records").fetchone()[0]
        assert state == 0
        assert project.conn.execute("SELECT vals FROM records WHERE id = ?", (record_id,)).fetchone()[0] == raw
        first = project.conn.execute("SELECT first_record_id FROM sources").fetchone()[0]
        assert store.effective_rows(project, result.source_id, record_id - first, 1)[0][position] == \
            "fixed@example.com"
        assert store.value_rows(project, result.source_id, record_id - first, 1)[0][position] != "fixed@example.com"
        operations.undo(project)
        assert validate(project).rules[0].failures == failing
        assert project.conn.execute("SELECT COUNT(*) FROM fixes").fetchone()[0] == 0
        with pytest.raises(operations.Conflict, match="no column"):
            operations.perform(project, operations.FixValue(record_id, 999, "x"))


def test_a_fix_makes_the_next_match_run_compare_everything(matched: Path) -> None:
    with Project.open(matched) as project:
        record_id, = project.conn.execute("SELECT MIN(id) FROM records").fetchone()
        operations.perform(project, operations.FixValue(record_id, 1, "Thomasina"))
        assert not match_project(project).incremental


def test_cli_fix(matched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", str(matched), "customers:1", "email", "new@example.com", "--comment", "phoned"]) == 0
    assert "'new@example.com' (was the imported value" in capsys.readouterr().out
    assert main(["fix", str(matched), "customers:1", "email", "--clear"]) == 0
    assert "fix removed (was 'new@example.com'" in capsys.readouterr().out
    assert main(["fix", str(matched), "customers:99999", "email", "x"]) == 1
    assert "has no imported row 99999" in capsys.readouterr().err
    assert main(["fix", str(matched), "customers:1", "email"]) == 2


def test_accepting_a_rules_suggestions_is_one_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from steward import rule_store
    from steward.rules import Rule
    from steward.validation import validate

    path = tmp_path / "p.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions())
        rule_store.set_default_region(project, "GB")
        rule = Rule("phone_format", "phone", "phone", params={"require": "international_form"})
        rule_store.save_rules(project, [rule])
        before = validate(project).rules[0].failures
        suggested = project.conn.execute("SELECT COUNT(*) FROM failures WHERE suggestion IS NOT NULL").fetchone()[0]
        assert before > 0 and suggested == before
        entry = operations.perform(project, operations.accept_suggestions(project, "phone_format"))
        assert len(entry.after["operation"]["fixes"]) == suggested and entry.targets["records"]
        assert validate(project).rules[0].failures == 0
        operations.undo(project)
        assert validate(project).rules[0].failures == before
        assert project.conn.execute("SELECT COUNT(*) FROM fixes").fetchone()[0] == 0
        with pytest.raises(StewardError, match="no suggested fixes"):
            operations.accept_suggestions(project, "no_such_rule")
    assert main(["accept", str(path), "phone_format"]) == 0
    assert f"Accepted {suggested} suggested fixes of rule 'phone_format'" in capsys.readouterr().out
    assert main(["accept", str(path), "phone_format", "--record", "customers:99999"]) == 1
    assert "has no imported row" in capsys.readouterr().err


def test_deferring_a_cluster_keeps_the_note_and_undo_restores_it(matched: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(matched) as project:
        cluster_id, _ = a_cluster(project)
        before = project.conn.execute("SELECT status, note FROM clusters WHERE id = ?", (cluster_id,)).fetchone()
    assert main(["defer", str(matched), str(cluster_id), "--note", "ask the dealer"]) == 0
    with Project.open(matched) as project:
        assert project.conn.execute("SELECT status, note FROM clusters WHERE id = ?", (cluster_id,)).fetchone() == \
            ("deferred", "ask the dealer")
        assert audit.entries(project, limit=1)[0].comment == "ask the dealer"
        operations.undo(project)
        assert project.conn.execute("SELECT status, note FROM clusters WHERE id = ?", (cluster_id,)).fetchone() == \
            before
    assert main(["defer", str(matched), "999999", "--note", "x"]) == 1
    assert "no longer exists" in capsys.readouterr().err


def test_fixed_records_are_rechecked_on_their_own_with_the_same_result_as_a_full_run(tmp_path: Path) -> None:
    from steward import rule_store, store
    from steward.validation import validate

    path = tmp_path / "p.steward"
    with Project.create(path) as project:
        result = import_file(project, sample_csv(), ImportOptions())
        rule_store.set_default_region(project, "GB")
        rule_store.save_rules(project, rule_store.propose_rules(project))
        validate(project)
        columns = {c.field: c.position for c in store.columns(project, result.source_id) if c.field}
        first = project.conn.execute("SELECT first_record_id FROM sources").fetchone()[0]
        for offset, field, value in [(0, "email", "bad@@x"), (5, "phone", "+44 20 7946 0958"), (9, "email", "")]:
            operations.perform(project, operations.FixValue(first + offset, columns[field], value))
        validate(project)
        incremental = project.conn.execute("SELECT * FROM failures ORDER BY rule, record_id").fetchall()
        project.conn.execute("DELETE FROM validation_state")
        validate(project)
        full = project.conn.execute("SELECT * FROM failures ORDER BY rule, record_id").fetchall()
    assert incremental == full
    assert any(r[1] == first and r[0] == "email_valid" for r in full)


def test_undo_goes_back_step_by_step_and_redo_forward_until_a_new_change(matched: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(matched) as project:
        clusters = [c for (c,) in project.conn.execute("SELECT id FROM clusters WHERE size >= 2 ORDER BY id LIMIT 3")]
        states = [state(project)]
        for cluster_id in clusters[:2]:
            operations.perform(project, operations.RejectCluster(cluster_id))
            states.append(state(project))
        operations.undo(project)
        assert state(project) == states[1]
        operations.undo(project)
        assert state(project) == states[0]
        with pytest.raises(StewardError, match="nothing to undo"):
            operations.undo(project)
        operations.redo(project)
        assert state(project) == states[1]
        operations.undo(project)                       # undoing a redo goes back again
        assert state(project) == states[0]
        operations.redo(project)
        operations.redo(project)
        assert state(project) == states[2]
        with pytest.raises(StewardError, match="nothing to redo"):
            operations.redo(project)
        operations.undo(project)
        operations.perform(project, operations.defer(clusters[2], "later"))
        with pytest.raises(StewardError, match="nothing to redo"):
            operations.redo(project)                   # a new change ends what can be redone
    assert main(["undo", str(matched)]) == 0
    assert "(set_cluster_status)" in capsys.readouterr().out
    assert main(["redo", str(matched)]) == 0
    assert "Redid what entry" in capsys.readouterr().out
    assert main(["revert", str(matched), "1"]) == 1
    assert "cannot be reverted" in capsys.readouterr().err


def test_reverting_an_old_fix_over_a_newer_one_is_refused(matched: Path) -> None:
    with Project.open(matched) as project:
        first = operations.perform(project, operations.FixValue(1, 5, "first@example.com"))
        operations.perform(project, operations.FixValue(1, 5, "second@example.com"))
        with pytest.raises(operations.Conflict, match="was fixed again since"):
            operations.revert(project, first.id)
        assert project.conn.execute("SELECT value FROM fixes WHERE record_id = 1").fetchone()[0] == \
            "second@example.com"


def test_undo_steps_back_a_revert_like_any_change(matched: Path) -> None:
    with Project.open(matched) as project:
        a = operations.perform(project, operations.FixValue(1, 5, "a@example.com"))
        operations.perform(project, operations.FixValue(2, 5, "b@example.com"))
        operations.revert(project, a.id)
        undone = operations.undo(project)
        assert audit.entry(project, undone.after["reverts"]).action == "fix_value"
        assert project.conn.execute("SELECT value FROM fixes WHERE record_id = 1").fetchone()[0] == "a@example.com"
        operations.undo(project)
        assert project.conn.execute("SELECT COUNT(*) FROM fixes WHERE record_id = 2").fetchone()[0] == 0
