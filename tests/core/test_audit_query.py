"""The audit trail screen's reads: filters, rows for a page of ids, targets in a line, records by name."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from steward import audit, audit_query, operations, review, validation
from steward.audit_query import AuditQuery
from steward.errors import StewardError
from steward.importer import ImportOptions, import_file
from steward.match_store import match_project
from steward.operations import FixValue, RejectCluster
from steward.project import Project
from steward.rule_store import propose_rules, save_rules
from steward.sample import sample_csv

ODD_ACTOR = "O'Brien \"Ann\" 100%_ ; DROP"


@pytest.fixture
def trail(project: Project) -> Project:
    """import, save_rules, a fix, an accepted rule, a rejection, a revert; then entries by another actor."""
    import_file(project, sample_csv(), ImportOptions())
    save_rules(project, propose_rules(project))
    validation.validate(project)
    match_project(project)
    operations.perform(project, FixValue(5, 6, "+44 20 7946 0000"), "by hand")
    operations.perform(project, operations.accept_suggestions(project, "phone_format"))
    rejected = operations.perform(project, RejectCluster(review.cluster_ids(project, "all")[0]))
    operations.revert(project, rejected.id)
    audit.set_actor(project, ODD_ACTOR)
    operations.perform(project, FixValue(7, 1, "Ann"))
    return project


def test_all_entries_newest_first_and_filtered_by_action_and_actor(trail: Project) -> None:
    every = audit_query.entry_ids(trail)
    assert every == sorted(every, reverse=True) and len(every) == 8
    fixes = audit_query.entry_ids(trail, AuditQuery(action="fix_value"))
    assert [e.action for e in map(lambda i: audit.entry(trail, i), fixes)] == ["fix_value", "fix_value"]
    assert audit_query.actions(trail) == sorted({audit.entry(trail, i).action for i in every})
    assert ODD_ACTOR in audit_query.actors(trail)
    by_odd = audit_query.entry_ids(trail, AuditQuery(actor=ODD_ACTOR))
    assert [audit.entry(trail, i).action for i in by_odd] == ["fix_value", "set_actor"]
    assert audit_query.entry_ids(trail, AuditQuery(actor="O'Brien")) == []        # exact, not a prefix
    assert audit_query.entry_ids(trail, AuditQuery(action="fix_value", actor=ODD_ACTOR)) == by_odd[:1]


def test_filtered_by_record_in_single_and_listed_targets(trail: Project) -> None:
    named = audit_query.entry_ids(trail, AuditQuery(record_id=5))
    actions = [audit.entry(trail, i).action for i in named]
    assert "fix_value" in actions                               # {"record": 5}
    accepted = audit_query.entry_ids(trail, AuditQuery(action="fix_values"))[0]
    listed = audit.entry(trail, accepted).targets["records"]
    assert accepted in audit_query.entry_ids(trail, AuditQuery(record_id=listed[-1]))
    untouched = next(r for r in range(1, 300) if r not in listed and r not in (5, 7))
    assert audit_query.entry_ids(trail, AuditQuery(record_id=untouched)) == []


def test_filtered_by_date_range(trail: Project) -> None:
    now = datetime.now(timezone.utc)
    every = audit_query.entry_ids(trail)
    assert audit_query.entry_ids(trail, AuditQuery(start=now - timedelta(days=1), end=now + timedelta(days=1))) \
        == every
    assert audit_query.entry_ids(trail, AuditQuery(start=now + timedelta(hours=1))) == []
    assert audit_query.entry_ids(trail, AuditQuery(end=now - timedelta(hours=1))) == []
    local_midnight = datetime.combine(datetime.now().date(), datetime.min.time())   # naive: local time
    assert audit_query.entry_ids(trail, AuditQuery(start=local_midnight,
                                                   end=local_midnight + timedelta(days=1))) == every


def test_rows_keep_the_order_asked_and_say_what_can_be_reverted(trail: Project) -> None:
    every = audit_query.entry_ids(trail)
    asked = [every[2], every[0], 10**9, every[-1]]
    rows = audit_query.entry_rows(trail, asked)
    assert [r.id for r in rows] == [every[2], every[0], every[-1]]
    by_action = {r.action: r for r in reversed(audit_query.entry_rows(trail, every))}   # the newest of each
    assert by_action["fix_value"].revertible and by_action["reject_cluster"].revertible
    assert not by_action["import"].revertible and by_action["save_rules"].revertible   # rules can be undone
    assert by_action["fix_value"].actor == ODD_ACTOR and by_action["fix_value"].targets == "record customers:7; column 2"
    accepted = by_action["fix_values"]
    count = len(audit.entry(trail, accepted.id).targets["records"])
    assert accepted.targets.startswith(f"{count} records: customers:") and accepted.targets.endswith(", …")
    assert audit_query.entry_rows(trail, []) == []


def test_targets_in_a_line() -> None:
    labels = {3: "a:1", 4: "a:2"}
    assert audit_query.describe_targets(None, labels) == ""
    assert audit_query.describe_targets({"records": [3]}, labels) == "record a:1"
    assert audit_query.describe_targets({"records": [3, 4, 9, 10]}, labels) == "4 records: a:1, a:2, 9, …"
    assert audit_query.describe_targets({"golden": [1, 2], "records": [4]}, labels) == "record a:2; 2 golden: G1, G2"
    assert audit_query.describe_targets({"clusters": [], "cluster": 4}, labels) == "cluster 4; no clusters"
    assert audit_query.describe_targets({"golden": 7, "field": "email"}, labels) == "golden G7; field email"
    assert audit_query.describe_targets({"source": "O'B \"x\""}, labels) == "source O'B \"x\""
    assert audit_query.describe_targets([1, "x"], labels) == '[1, "x"]'


def test_records_found_by_source_row_or_id(project: Project, write) -> None:
    name = "crm:eu 100%_'x'"
    import_file(project, write("a.csv", "name\nAnn\nBo\n"), ImportOptions(source_name=name))
    assert audit_query.find_record(project, f"{name}:2") == 2
    assert audit_query.find_record(project, f"  {name}:1 ") == 1
    assert audit_query.find_record(project, "2") == 2
    for text in ("", "nobody", f"{name}:3", f"{name}:x", "crm:1", "99", "a:b:-1"):
        with pytest.raises(StewardError):
            audit_query.find_record(project, text)
