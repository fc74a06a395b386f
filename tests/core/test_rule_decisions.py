"""Saving rules and the default region are decisions like any other: audited with their inverse, undone by
``steward undo``, refused when a later change is in the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import operations, rule_store
from steward.errors import Conflict
from steward.project import Project
from steward.rules import Rule, RuleError
from steward.validation import validate


@pytest.fixture
def project(tmp_path: Path, build_sample) -> Project:
    with Project.open(build_sample(tmp_path / "p.steward", match=False)) as opened:
        yield opened


def failing_rules(project: Project) -> dict[str, int]:
    return dict(project.conn.execute("SELECT rule, COUNT(*) FROM failures GROUP BY rule"))


def test_undoing_a_rule_change_puts_the_earlier_rules_back_and_validation_finds_their_failures(
        project: Project) -> None:
    before_rules, before_failures = rule_store.load_rules(project), failing_rules(project)
    kept = [r for r in before_rules if r.name != "phone_format"]
    stricter = Rule("name_length", "length", "full_name", message="Name is too short", params={"min": 60})
    rule_store.save_rules(project, [*kept, stricter])
    assert "phone_format" not in failing_rules(project)          # failures of a removed rule go with it
    validate(project)
    assert failing_rules(project)["name_length"] > 0

    operations.undo(project)
    assert rule_store.load_rules(project) == before_rules
    validate(project)
    assert failing_rules(project) == before_failures


def test_the_region_is_undone_on_its_own(project: Project) -> None:
    rule_store.set_default_region(project, "Germany")
    rule_store.set_default_region(project, "GB")
    assert rule_store.default_region(project) == "GB"
    entry = operations.undo(project)
    assert entry.action == "set_default_region" and rule_store.default_region(project) == "DE"
    operations.undo(project)
    assert rule_store.default_region(project) is None
    operations.redo(project)
    assert rule_store.default_region(project) == "DE"


def test_reverting_an_old_rule_change_over_a_newer_one_is_refused_and_changes_nothing(project: Project) -> None:
    rules = rule_store.load_rules(project)
    rule_store.save_rules(project, rules[:-1])
    old_entry = project.conn.execute("SELECT MAX(id) FROM audit").fetchone()[0]
    rule_store.save_rules(project, rules[:-2])
    with pytest.raises(Conflict, match="changed since"):
        operations.revert(project, old_entry)
    assert rule_store.load_rules(project) == rules[:-2]


def test_a_broken_stored_rule_set_is_refused_before_anything_changes(project: Project) -> None:
    rules = rule_store.load_rules(project)
    broken = rule_store.SaveRules(({"name": "x", "kind": "regex", "field": "email", "pattern": "("},), None)
    with pytest.raises(RuleError, match="regular expression"):
        operations.perform(project, broken)
    assert rule_store.load_rules(project) == rules
