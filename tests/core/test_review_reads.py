"""Review reads added for the review screen, checked without a window."""

from __future__ import annotations

from pathlib import Path

from steward import operations, review, store
from steward.importer import ImportOptions, import_file
from steward.match_store import match_project
from steward.project import Project
from steward.sample import sample_csv


def test_field_position_names_the_column_a_fix_must_target(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p.steward")
    try:
        first = import_file(project, sample_csv(), ImportOptions())
        other = tmp_path / "other.csv"
        other.write_text("note,e-mail,name\nhello,ann@example.com,Ann Lee\n", encoding="utf-8")
        second = import_file(project, other, ImportOptions())
        match_project(project)
        email_column = next(c.position for c in store.columns(project, first.source_id) if c.field == "email")
        record = store.records(project, first.source_id, 0, 1)[0].id
        assert review.field_position(project, record, "email") == email_column
        late = store.records(project, second.source_id, 0, 1)[0].id
        assert review.field_position(project, late, "email") == 1
        assert review.field_position(project, late, "phone") is None

        cluster_id = review.cluster_ids(project, "all")[0]
        member = review.cluster_detail(project, cluster_id).members[0].record_id
        position = review.field_position(project, member, "email")
        operations.perform(project, operations.FixValue(member, position, "fixed@example.com"))
        shown = next(m for m in review.cluster_detail(project, cluster_id).members if m.record_id == member)
        assert shown.values["email"] == "fixed@example.com" and "email" in shown.fixed
    finally:
        project.close()
