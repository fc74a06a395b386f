"""The audit trail: append-only, hash-chained, verified; rule changes and the actor are recorded."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from steward import audit, rule_store, schema
from steward.cli import main
from steward.project import Project
from steward.rules import Rule


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "p.steward") as opened:
        yield opened


def test_entries_chain_by_hash_and_verify(project: Project) -> None:
    with project.db.atomic():
        first = audit.append(project, "fix", {"record": 1}, {"email": "a@x"}, {"email": "b@x"}, "typo")
        second = audit.append(project, "fix", {"record": 2}, None, {"email": "c@x"})
    assert first.previous == audit.GENESIS and second.previous == first.hash
    assert audit.head_hash(project) == second.hash
    assert [e.id for e in audit.entries(project)] == [second.id, first.id]
    result = audit.verify(project)
    assert (result.entries, result.head, result.problem) == (2, second.hash, None)


def test_the_trail_cannot_be_changed_or_shortened(project: Project) -> None:
    with project.db.atomic():
        audit.append(project, "fix", {"record": 1}, None, {"email": "b@x"})
    for statement in ("UPDATE audit SET comment = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            project.conn.execute(statement)
    assert audit.verify(project).problem is None


def test_tampering_behind_the_triggers_is_found(project: Project) -> None:
    with project.db.atomic():
        audit.append(project, "fix", {"record": 1}, None, {"email": "b@x"})
        entry = audit.append(project, "fix", {"record": 2}, None, {"email": "c@x"})
    project.conn.execute("DROP TRIGGER audit_is_append_only_update")  # what a hand edit of the file could do
    project.conn.execute("UPDATE audit SET after = ? WHERE id = ?", (json.dumps({"email": "evil@x"}), entry.id))
    result = audit.verify(project)
    assert result.broken_at == entry.id and "content" in result.problem


def test_append_needs_the_change_transaction(project: Project) -> None:
    with pytest.raises(RuntimeError):
        audit.append(project, "fix", None, None, None)


def test_rule_and_region_changes_are_audited_with_the_actor(project: Project) -> None:
    audit.set_actor(project, "  Anna   Berg ")
    rule = Rule("email_valid", "email", "email")
    rule_store.save_rules(project, [rule])
    rule_store.set_default_region(project, "gb")
    rule_store.set_default_region(project, "GB")  # no change, no entry
    found = audit.entries(project)
    assert [e.action for e in found] == ["set_default_region", "save_rules", "set_actor"]
    assert {e.actor for e in found[:2]} == {"Anna Berg"}
    saved, region = found[1], found[0]
    assert saved.before["inverse"]["rules"] == [] and saved.after["operation"]["rules"][0]["name"] == "email_valid"
    assert region.before["inverse"]["region"] is None and region.after["operation"]["region"] == "GB"


def test_a_failed_change_leaves_no_entry(project: Project) -> None:
    from steward.rules import RuleError

    with pytest.raises(RuleError):
        rule_store.set_default_region(project, "Atlantis")
    assert audit.entries(project) == []


def test_an_older_project_is_upgraded_when_opened_read_only(tmp_path: Path) -> None:
    path = tmp_path / "old.steward"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:3])
    conn.close()
    with Project.open(path, read_only=True) as opened:
        assert audit.entries(opened) == []
        assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert (tmp_path / "old.steward.v3.bak").exists()


def test_cli_audit_lists_verifies_and_sets_the_actor(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(project.path)
    project.close()
    assert main(["audit", path, "--set-actor", "Anna Berg"]) == 0
    assert main(["rules", path, "--region", "DE"]) == 0
    capsys.readouterr()
    assert main(["audit", path, "--verify", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in shown["entries"]] == ["set_default_region", "set_actor"]
    assert shown["verification"]["problem"] is None and shown["head"] == shown["entries"][0]["hash"]
    out = Path(path).with_name("records.csv")
    assert main(["export", path, "--records", str(out)]) == 0
    assert shown["head"] in capsys.readouterr().out


def test_imports_and_mappings_are_audited(project: Project, tmp_path: Path) -> None:
    from steward import store
    from steward.importer import import_file
    from steward.sample import sample_csv

    result = import_file(project, sample_csv())
    store.set_mapping(project, result.source_id, 0, None)
    mapped, imported = audit.entries(project)
    assert imported.action == "import" and imported.targets == {"source": result.source_name}
    assert imported.after["records"] == result.imported and imported.after["mapping"]["customer_id"] == "customer_id"
    assert mapped.action == "map_column" and mapped.before["0"] == "customer_id" and "0" not in mapped.after
    assert audit.verify(project).problem is None
