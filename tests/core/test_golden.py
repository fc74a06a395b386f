"""Merging, splitting and unmerging golden records: survivorship, the golden view, and the unmerge contract U1–U7."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from steward import audit, golden, operations
from steward.errors import Conflict, StewardError
from steward.golden_ops import EditGolden, MergeClusters, MergeRecords, PickValue, SplitRecord, Unmerge
from steward.importer import ImportOptions, import_file
from steward.match_store import match_project
from steward.operations import FixValue, perform, undo
from steward.project import Project

CSV = """customer_id,name,email,phone,city,updated_at
1,Anna Smith,anna@example.com,,Leeds,2023-01-05
2,Anna Smith,anna.smith@work.example,+44 113 496 0000,leeds,2024-03-01
3,Ann Smith,,+44 113 496 0000,Leeds,2022-07-30
4,Bob Jones,bob@example.com,,York,2021-02-02
5,Robert Jones,bob@example.com,+44 1904 000000,York,2020-02-02
6,Carl Brown,carl@example.com,,Hull,2024-01-01
"""
DECISIONS = ("golden", "golden_members", "not_duplicates", "cluster_members", "clusters", "fixes")


def tables(project: Project, names: tuple[str, ...] = DECISIONS) -> dict[str, list[tuple]]:
    return {t: project.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in names}


@pytest.fixture
def people(project: Project, write) -> Project:
    import_file(project, write("people.csv", CSV), ImportOptions())
    return project


def ids(project: Project, *rows: int) -> tuple[int, ...]:
    return tuple(project.conn.execute("SELECT id FROM records WHERE row_no = ?", (r,)).fetchone()[0] for r in rows)


def merge(project: Project, *rows: int, rule: str = "most_recent", picks: tuple = ()) -> int:
    entry = perform(project, MergeRecords(ids(project, *rows), rule, picks))
    return int(next(iter(entry.after["golden"]))[1:])


def test_merge_makes_one_golden_record_whose_values_follow_the_rule(people: Project) -> None:
    golden_id = merge(people, 1, 2, 3)
    record = golden.golden_record(people, golden_id)
    assert record.members == ids(people, 1, 2, 3)
    assert record.values["email"].value == "anna.smith@work.example"   # row 2 is the most recently updated
    assert record.values["email"].record_id == ids(people, 2)[0]
    entities = list(golden.entities(people, ["full_name", "email"]))
    assert [(e.id, e.members) for e in entities] == [(f"G{golden_id}", 3), (f"R{ids(people, 4)[0]}", 1),
                                                      (f"R{ids(people, 5)[0]}", 1), (f"R{ids(people, 6)[0]}", 1)]
    crosswalk = list(golden.crosswalk(people))
    assert crosswalk[:3] == [("people", 1, f"G{golden_id}"), ("people", 2, f"G{golden_id}"),
                             ("people", 3, f"G{golden_id}")]


def test_picks_beat_the_rule_and_fixes_are_what_survivorship_sees(people: Project) -> None:
    first, second = ids(people, 1, 2)
    perform(people, FixValue(second, 4, "Leeds City"))
    golden_id = merge(people, 1, 2, picks=(("email", first),))
    values = golden.golden_record(people, golden_id).values
    assert (values["email"].value, values["email"].reason) == ("anna@example.com", "picked")
    assert values["city"].value == "Leeds City"
    perform(people, PickValue(golden_id, "email", None))
    assert golden.golden_record(people, golden_id).values["email"].value == "anna.smith@work.example"


def test_u1_merging_and_unmerging_never_touch_source_rows(people: Project) -> None:
    before = tables(people, ("records",))
    golden_id = merge(people, 1, 2, 3)
    perform(people, SplitRecord(ids(people, 2)[0]))
    perform(people, Unmerge(golden_id))
    assert tables(people, ("records",)) == before
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        people.conn.execute("DELETE FROM records WHERE id = ?", ids(people, 1))
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        people.conn.execute("UPDATE records SET vals = '[]' WHERE id = ?", ids(people, 1))


def test_u2_a_split_record_is_on_its_own_again_with_its_imported_values(people: Project) -> None:
    golden_id = merge(people, 1, 2, 3)
    second = ids(people, 2)[0]
    perform(people, SplitRecord(second))
    entity = next(e for e in golden.entities(people, ["customer_id", "full_name", "email", "phone"])
                  if e.id == f"R{second}")
    assert entity.values == ["2", "Anna Smith", "anna.smith@work.example", "+44 113 496 0000"]
    assert golden.golden_record(people, golden_id).members == ids(people, 1, 3)


def test_u3_what_only_the_split_record_gave_is_gone_and_it_is_not_proposed_again(people: Project) -> None:
    golden_id = merge(people, 1, 2, 3)
    second = ids(people, 2)[0]
    perform(people, SplitRecord(second))
    values = golden.golden_record(people, golden_id).values
    assert values["email"].value == "anna@example.com"            # recomputed by the same rule without row 2
    assert all(s.record_id != second for s in values.values())
    marked = people.conn.execute("SELECT a, b FROM not_duplicates ORDER BY 1, 2").fetchall()
    assert marked == sorted((min(second, o), max(second, o)) for o in ids(people, 1, 3))


def test_u4_edits_on_the_golden_record_survive_a_split_and_are_flagged_when_only_the_leaver_had_the_value(
        people: Project) -> None:
    golden_id = merge(people, 1, 2, 3)
    perform(people, EditGolden(golden_id, "email", "anna.smith@work.example"))
    perform(people, EditGolden(golden_id, "city", "Leeds, West Yorkshire"))
    entry = perform(people, SplitRecord(ids(people, 2)[0]))
    values = golden.golden_record(people, golden_id).values
    assert values["email"].value == "anna.smith@work.example" and values["email"].reason == "edited"
    assert values["city"].value == "Leeds, West Yorkshire"
    assert any("edited email" in flag for flag in entry.after["flags"])
    assert not any("city" in flag for flag in entry.after["flags"])


def test_u4_unmerging_a_golden_record_with_edits_flags_the_edits_and_undo_brings_them_back(people: Project) -> None:
    golden_id = merge(people, 1, 2)
    perform(people, EditGolden(golden_id, "city", "Leeds"))
    entry = perform(people, Unmerge(golden_id))
    assert any("city" in flag for flag in entry.after["flags"])
    undo(people)
    assert golden.golden_record(people, golden_id).edits == {"city": "Leeds"}


def test_u5_tree_split_takes_out_the_records_that_joined_together(people: Project) -> None:
    golden_id = merge(people, 1, 2)
    perform(people, MergeRecords(ids(people, 1, 4, 5)))           # rows 4 and 5 join G by a second decision
    assert golden.golden_record(people, golden_id).members == ids(people, 1, 2, 4, 5)
    entry = perform(people, SplitRecord(ids(people, 4)[0], tree=True))
    assert golden.golden_record(people, golden_id).members == ids(people, 1, 2)
    new_id = next(int(g[1:]) for g in entry.after["golden"] if g != f"G{golden_id}")
    assert golden.golden_record(people, new_id).members == ids(people, 4, 5) and new_id > golden_id


def test_u5_single_split_leaves_the_rest_of_the_batch(people: Project) -> None:
    golden_id = merge(people, 1, 2, 3)
    perform(people, SplitRecord(ids(people, 3)[0]))
    assert golden.golden_record(people, golden_id).members == ids(people, 1, 2)
    perform(people, SplitRecord(ids(people, 2)[0]))                # one left and no edits: no golden record left
    assert people.conn.execute("SELECT COUNT(*) FROM golden").fetchone()[0] == 0
    assert [e.id for e in golden.entities(people, ["email"])][:3] == [f"R{i}" for i in ids(people, 1, 2, 3)]


def test_u5_non_members_and_missing_golden_records_are_errors_not_no_ops(people: Project) -> None:
    before = tables(people)
    with pytest.raises(StewardError, match="neither in a golden record nor in a proposed cluster"):
        perform(people, SplitRecord(ids(people, 6)[0]))
    with pytest.raises(StewardError, match="no golden record G99"):
        perform(people, Unmerge(99))
    golden_id = merge(people, 1, 2)
    with pytest.raises(StewardError, match="unmerge instead"):
        perform(people, SplitRecord(ids(people, 1)[0], tree=True))   # the whole golden record is one batch
    with pytest.raises(StewardError, match="already one golden record"):
        perform(people, MergeRecords(ids(people, 1, 2)))
    perform(people, Unmerge(golden_id))
    assert tables(people) == before


def test_u6_every_decision_is_an_audit_entry_with_membership_rule_and_values(people: Project) -> None:
    merge(people, 1, 2, rule="longest")
    entry = audit.entries(people, limit=1)[0]
    assert entry.action == "merge" and entry.after["operation"]["rule"] == "longest"
    inverse = entry.before["inverse"]            # it expects the state after the merge and restores the one before
    after = {r: m for r, m in inverse["expected"]["members"]}
    before = {r: m for r, m in inverse["target"]["members"]}
    assert before == {r: None for r in ids(people, 1, 2)}
    assert {m[0] for m in after.values()} == {1} and all(len(m[2]) == 64 for m in after.values())
    assert [g for g, row in inverse["expected"]["goldens"]] == [1] and inverse["target"]["goldens"] == [[1, None]]
    assert entry.after["golden"]["G1"]["full_name"] == "Anna Smith"
    assert audit.verify(people).problem is None


def test_cat_66_u7_merge_then_unmerge_is_the_identity_and_undo_restores_exactly(people: Project) -> None:
    before = tables(people)
    golden_id = merge(people, 1, 2, 3)
    perform(people, Unmerge(golden_id))
    assert tables(people) == before
    merge(people, 4, 5)
    merged_state = tables(people)
    perform(people, SplitRecord(ids(people, 5)[0]))
    undo(people)
    assert tables(people) == merged_state


def test_merging_records_marked_not_duplicates_is_refused(people: Project) -> None:
    golden_id = merge(people, 1, 2, 3)
    perform(people, SplitRecord(ids(people, 3)[0]))
    before = tables(people)
    with pytest.raises(Conflict, match="not duplicates"):
        perform(people, MergeRecords(ids(people, 1, 3)))
    assert tables(people) == before and golden_id


def test_merging_two_golden_records_keeps_the_older_id_and_refuses_clashing_edits(people: Project) -> None:
    first = merge(people, 1, 2)
    second = merge(people, 4, 5)
    perform(people, EditGolden(first, "city", "Leeds"))
    perform(people, EditGolden(second, "city", "York"))
    with pytest.raises(Conflict, match="both have an edited city"):
        perform(people, MergeRecords(ids(people, 1, 4)))
    perform(people, EditGolden(second, "city", None))
    perform(people, MergeRecords(ids(people, 2, 5)))
    record = golden.golden_record(people, first)
    assert record.members == ids(people, 1, 2, 4, 5) and record.edits == {"city": "Leeds"}
    assert people.conn.execute("SELECT COUNT(*) FROM golden WHERE id = ?", (second,)).fetchone()[0] == 0


def test_reverting_an_old_merge_after_a_later_split_is_refused_with_what_changed(people: Project) -> None:
    merge(people, 1, 2, 3)
    merge_entry = audit.entries(people, limit=1)[0]
    perform(people, SplitRecord(ids(people, 3)[0]))
    before = tables(people)
    with pytest.raises(Conflict, match="is now on its own"):
        operations.revert(people, merge_entry.id)
    assert tables(people) == before


def test_cat_65_decisions_survive_a_restart_and_revert_from_the_stored_inverse(tmp_path: Path, write) -> None:
    path = tmp_path / "p.steward"
    with Project.create(path) as project:
        import_file(project, write("people.csv", CSV), ImportOptions())
        before = tables(project)
        golden_id = merge(project, 1, 2)
    with Project.open(path) as project:
        assert golden.golden_record(project, golden_id).members == ids(project, 1, 2)
        undo(project)
        assert tables(project) == before


def test_cat_67_odd_strings_in_decisions_survive_reopen_and_undo(tmp_path: Path, write) -> None:
    odd = 'line\nbreak "quoted" \'single\' back\\slash \x00 nul 中文 😀 \u2028'
    path = tmp_path / "p.steward"
    with Project.create(path) as project:
        import_file(project, write("people.csv", CSV), ImportOptions())
        before = tables(project)
        golden_id = merge(project, 1, 2)
        perform(project, EditGolden(golden_id, "email", odd), comment=odd)
        perform(project, FixValue(ids(project, 3)[0], 2, odd), comment=odd)
    with Project.open(path) as project:
        assert golden.golden_record(project, golden_id).values["email"].value == odd
        assert audit.entries(project, limit=1)[0].comment == odd and audit.verify(project).problem is None
        for _ in range(3):
            undo(project)
        assert tables(project) == before


def test_merge_clusters_marks_proposals_merged_and_a_new_run_keeps_them_merged(tmp_path: Path) -> None:
    from steward.sample import sample_csv
    with Project.create(tmp_path / "s.steward") as project:
        import_file(project, sample_csv(), ImportOptions())
        match_project(project)
        auto = [c for (c,) in project.conn.execute("SELECT id FROM clusters WHERE status = 'auto' ORDER BY id")]
        deferred = project.conn.execute("SELECT id FROM clusters WHERE status = 'auto' ORDER BY id DESC").fetchone()[0]
        perform(project, operations.defer(deferred, "ask the dealer"))
        entry = perform(project, MergeClusters(tuple(auto[:5])))
        assert len(entry.after["golden"]) == 5
        merged_records = project.conn.execute("SELECT COUNT(*) FROM golden_members").fetchone()[0]
        match_project(project, full=True)
        statuses = dict(project.conn.execute("SELECT status, COUNT(*) FROM clusters GROUP BY status").fetchall())
        assert statuses["merged"] == 5 and statuses["deferred"] == 1
        assert project.conn.execute("SELECT note FROM clusters WHERE status = 'deferred'").fetchone()[0] == \
            "ask the dealer"
        assert project.conn.execute("SELECT COUNT(*) FROM golden_members").fetchone()[0] == merged_records


def test_splitting_a_record_out_of_a_proposed_cluster_remembers_it(tmp_path: Path) -> None:
    from steward.sample import sample_csv
    with Project.create(tmp_path / "s.steward") as project:
        import_file(project, sample_csv(), ImportOptions())
        match_project(project)
        cluster_id, = project.conn.execute("SELECT id FROM clusters WHERE size = 3 LIMIT 1").fetchone()
        members = [r for (r,) in project.conn.execute(
            "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY 1", (cluster_id,))]
        before = tables(project)
        perform(project, SplitRecord(members[0]))
        assert [r for (r,) in project.conn.execute(
            "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY 1", (cluster_id,))] == members[1:]
        assert project.conn.execute("SELECT a, b FROM not_duplicates ORDER BY 1, 2").fetchall() == \
            [(members[0], members[1]), (members[0], members[2])]
        perform(project, SplitRecord(members[1]))            # one left: the proposal ends
        assert project.conn.execute("SELECT COUNT(*) FROM cluster_members WHERE cluster_id = ?",
                                    (cluster_id,)).fetchone()[0] == 0
        undo(project)
        undo(project)
        assert tables(project) == before


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    from steward.sample import sample_csv
    project = Project.create(tmp_path / "s.steward")
    import_file(project, sample_csv(), ImportOptions())
    match_project(project)
    yield project
    project.close()


def test_undoing_a_merge_after_a_new_match_run_puts_the_new_proposal_back_to_review(sample: Project) -> None:
    cluster_id = sample.conn.execute("SELECT id FROM clusters WHERE status = 'auto' ORDER BY id").fetchone()[0]
    perform(sample, MergeClusters((cluster_id,)))
    match_project(sample, full=True)
    proposal, = sample.conn.execute("SELECT id FROM clusters WHERE status = 'merged'").fetchone()
    undo(sample)
    assert sample.conn.execute("SELECT status FROM clusters WHERE id = ?", (proposal,)).fetchone()[0] == "review"


def test_a_merge_is_not_reverted_over_a_later_status_and_closed_proposals_refuse_decisions(sample: Project) -> None:
    first, second = [c for (c,) in sample.conn.execute("SELECT id FROM clusters WHERE status = 'auto' ORDER BY id "
                                                       "LIMIT 2")]
    merged = perform(sample, MergeClusters((first,)))
    with pytest.raises(Conflict, match="not a proposal waiting for a decision"):
        perform(sample, operations.RejectCluster(first))
    with pytest.raises(Conflict, match="only a proposal waiting for a decision can be deferred"):
        perform(sample, operations.defer(first, "later"))
    perform(sample, operations.RejectCluster(second))
    with pytest.raises(Conflict, match="is not a proposal waiting for a decision \\(it is rejected\\)"):
        perform(sample, MergeClusters((second,)))
    sample.conn.execute("UPDATE clusters SET status = 'deferred' WHERE id = ?", (first,))   # as a later tool might
    with pytest.raises(Conflict, match=f"proposal {first} is now deferred"):
        operations.revert(sample, merged.id)


def test_merging_part_of_a_proposal_leaves_the_rest_to_review_not_to_merge_auto(sample: Project) -> None:
    cluster_id, = sample.conn.execute("SELECT id FROM clusters WHERE status = 'auto' AND size = 3 LIMIT 1").fetchone()
    members = [r for (r,) in sample.conn.execute(
        "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY 1", (cluster_id,))]
    perform(sample, MergeRecords(tuple(members[:2]), cluster_id=cluster_id))
    assert sample.conn.execute("SELECT status FROM clusters WHERE id = ?", (cluster_id,)).fetchone()[0] == "review"
    perform(sample, MergeClusters(tuple(c for (c,) in sample.conn.execute(
        "SELECT id FROM clusters WHERE status = 'auto'"))))
    assert sample.conn.execute("SELECT COUNT(*) FROM golden_members WHERE record_id = ?", (members[2],)).fetchone()[0] \
        == 0


def test_an_existing_golden_record_keeps_its_rule_and_clashing_picks_are_refused(people: Project) -> None:
    first = merge(people, 1, 2, rule="longest", picks=(("email", ids(people, 1)[0]),))
    second = merge(people, 3, 5, rule="most_recent", picks=(("email", ids(people, 5)[0]),))
    with pytest.raises(Conflict, match="pick email from different records"):
        perform(people, MergeRecords(ids(people, 1, 3)))
    perform(people, MergeRecords(ids(people, 1, 3), picks=(("email", ids(people, 5)[0]),)))
    record = golden.golden_record(people, first)
    assert record.rule == "longest" and record.picks == {"email": ids(people, 5)[0]} and second != first
