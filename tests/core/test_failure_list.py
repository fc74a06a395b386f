"""The rules and failures screen's reads, checked without a window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steward import failure_list, operations, store, validation
from steward.importer import ImportOptions, import_file
from steward.operations import FixValue
from steward.project import Project
from steward.rule_store import propose_rules, save_rules


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory, build_sample) -> Path:
    return build_sample(tmp_path_factory.mktemp("failures") / "p.steward", match=False)


@pytest.fixture
def copy(validated: Path, tmp_path: Path):
    with Project.open(validated, read_only=True) as project:
        project.save_copy(tmp_path / "copy.steward")
    with Project.open(tmp_path / "copy.steward") as opened:
        yield opened


def test_every_rule_in_order_with_its_counts(validated: Path) -> None:
    with Project.open(validated, read_only=True) as project:
        listed = failure_list.rule_failures(project)
        conn = project.conn
        assert [r.rule for r in listed] == [n for (n,) in conn.execute("SELECT name FROM rules ORDER BY position")]
        counted = dict(conn.execute("SELECT rule, COUNT(*) FROM failures GROUP BY rule").fetchall())
        assert {r.rule: r.failures for r in listed if r.failures} == counted
        assert any(r.failures == 0 for r in listed)          # a rule nothing fails is still listed
        phone = next(r for r in listed if r.rule == "phone_format")
        assert phone.field == "phone" and phone.severity == "warning" and phone.message.startswith("Phone number")
        assert 0 < phone.suggestions == len(operations.accept_suggestions(project, "phone_format").fixes)
        assert failure_list.failure_count(project, "phone_format") == phone.failures
        assert failure_list.failure_count(project, "no such rule") == 0


def test_pages_join_up_in_record_order(validated: Path) -> None:
    with Project.open(validated, read_only=True) as project:
        count = failure_list.failure_count(project, "phone_format")
        whole = failure_list.failure_rows(project, "phone_format", 0, count + 10)
        paged = [row for offset in range(0, count, 7)
                 for row in failure_list.failure_rows(project, "phone_format", offset, 7)]
        assert paged == whole and len(whole) == count
        assert [r.record_id for r in whole] == sorted(r.record_id for r in whole)
        assert failure_list.failure_rows(project, "phone_format", count, 50) == []
        assert failure_list.failure_rows(project, "phone_format", 0, 0) == []


def test_a_row_names_its_record_column_value_and_suggestion(validated: Path) -> None:
    with Project.open(validated, read_only=True) as project:
        source = store.current_sources(project)[0]
        phone = next(c.position for c in store.columns(project, source.id) if c.field == "phone")
        for row in failure_list.failure_rows(project, "phone_format", 0, 20):
            record = project.conn.execute("SELECT row_no, vals FROM records WHERE id = ?", (row.record_id,)).fetchone()
            assert row.label == f"{source.name}:{record[0]}" and row.position == phone
            assert row.value == row.imported == json.loads(record[1])[phone] and not row.fixed
            assert row.suggestion and row.suggestion != row.value
        unique = failure_list.failure_rows(project, "customer_id_unique", 0, 1)[0]
        assert "shared by" in unique.detail and unique.suggestion is None


def test_a_fix_shows_over_the_imported_value(copy: Project) -> None:
    row = failure_list.failure_rows(copy, "email_valid", 0, 1)[0]
    operations.perform(copy, FixValue(row.record_id, row.position, "fixed@example.com"))
    again = failure_list.failure_rows(copy, "email_valid", 0, 1)[0]
    assert again.fixed and again.value == "fixed@example.com" and again.imported == row.imported
    assert again.record_id == row.record_id          # failures stay until the next validation


def test_a_field_no_longer_mapped_has_no_position(copy: Project) -> None:
    source = store.current_sources(copy)[0]
    email = next(c.position for c in store.columns(copy, source.id) if c.field == "email")
    store.set_mapping(copy, source.id, email, None)
    rows = failure_list.failure_rows(copy, "email_valid", 0, 5)
    assert rows and all(r.position is None and r.value == "" for r in rows)


def test_odd_source_names_and_values(project: Project, write) -> None:
    name = "O'Brien; \"list\" 100%_x:2"
    path = write("odd.csv", "email,name\n\"a@@b, c\",x\nquote\"in@x,y\nok@example.com,z\n")
    import_file(project, path, ImportOptions(source_name=name))
    save_rules(project, propose_rules(project))
    assert failure_list.last_run(project) is None
    validation.validate(project)
    rows = failure_list.failure_rows(project, "email_valid")
    assert [r.label for r in rows] == [f"{name}:1", f"{name}:2"]
    assert [r.value for r in rows] == ["a@@b, c", "quote\"in@x"]
    run = failure_list.last_run(project)
    assert run is not None and run.records == 3 and run.errors >= 2


def test_the_version_moves_with_validation_and_rules_only(copy: Project) -> None:
    start = failure_list.version(copy)
    row = failure_list.failure_rows(copy, "email_valid", 0, 1)[0]
    operations.perform(copy, FixValue(row.record_id, row.position, "x@example.com"))
    assert failure_list.version(copy) == start
    validation.validate(copy)
    validated = failure_list.version(copy)
    assert validated[0] == start[0] + 1 and validated[1] == start[1]
    save_rules(copy, propose_rules(copy)[:-1])
    assert failure_list.version(copy)[1] != start[1]
