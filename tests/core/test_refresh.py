"""A refreshed export takes its source's place: decisions carry over where rows are unchanged, and the rest is
listed for review; all of it in the import's transaction and revertible."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import audit, golden, operations
from steward.cli import main
from steward.errors import StewardError
from steward.golden_ops import EditGolden, MergeRecords, PickValue, SplitRecord
from steward.importer import ImportOptions, import_file
from steward.operations import FixValue, perform
from steward.project import Project
from steward.refresh import Refresh, link_rows
from steward import store

JAN = """customer_id,name,email,city
1,Anna Smith,anna@example.com,Leeds
2,Anna Smith,anna.smith@work.example,Leeds
3,Bob Jones,bob@example,York
4,Carl Brown,carl@example.com,Hull
5,Dora Diaz,dora@example.com,Bath
6,Dora Diaz,dora@work.example,Bath
"""
FEB = """customer_id,name,email,city
1,Anna Smith,anna@example.com,Leeds
2,Anna Smith,anna.smith@work.example,Leeds
3,Bob Jones,bob@example,York
5,Dora Diaz,dora@example.com,Bath
6,Dora Diaz,dora@work.example,Bristol
7,Eve Evans,eve@example.com,Derby
"""
TABLES = ("golden", "golden_members", "not_duplicates", "fixes", "record_links", "sources")


def record(project: Project, source: str, row: int) -> int:
    return project.conn.execute("SELECT r.id FROM records r JOIN sources s ON s.id = r.source_id "
                                "WHERE s.name = ? AND r.row_no = ?", (source, row)).fetchone()[0]


def tables(project: Project) -> dict[str, list[tuple]]:
    return {t: project.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


@pytest.fixture
def january(project: Project, write) -> Project:
    import_file(project, write("jan.csv", JAN), ImportOptions(source_name="crm"))
    perform(project, FixValue(record(project, "crm", 3), 2, "bob@example.com"))
    merged = perform(project, MergeRecords((record(project, "crm", 1), record(project, "crm", 2))))
    golden_id = int(next(iter(merged.after["golden"]))[1:])
    perform(project, PickValue(golden_id, "email", record(project, "crm", 1)))
    perform(project, MergeRecords((record(project, "crm", 5), record(project, "crm", 6), record(project, "crm", 4))))
    perform(project, SplitRecord(record(project, "crm", 4)))        # Carl is not Dora: remembered
    return project


def refresh(project: Project, path: Path, key: str | None = None) -> audit.Entry:
    entries: list[audit.Entry] = []
    import_file(project, path, ImportOptions(source_name="crm feb"),
                then=lambda result: entries.append(perform(project, Refresh(store.source_named(project, "crm").id,
                                                                                result.source_id, key))))
    return entries[0]


def test_rows_are_linked_by_key_with_the_changed_columns(january: Project, write) -> None:
    import_file(january, write("feb.csv", FEB), ImportOptions(source_name="crm feb"))
    old, new = store.source_named(january, "crm"), store.source_named(january, "crm feb")
    linking = link_rows(january, old, new)
    assert linking.key == "customer_id" and linking.new_rows == 1 and linking.gone == [record(january, "crm", 4)]
    changed = {link.old: link.changed for link in linking.links}
    assert changed[record(january, "crm", 6)] == ["city"] and changed[record(january, "crm", 1)] == []


def test_unchanged_rows_keep_their_decisions_and_changed_ones_are_listed(january: Project, write) -> None:
    entry = refresh(january, write("feb.csv", FEB))
    anna = golden.golden_record(january, 1)
    assert anna.members == (record(january, "crm feb", 1), record(january, "crm feb", 2))
    assert anna.picks == {"email": record(january, "crm feb", 1)}          # the pick follows its record
    fixed = january.conn.execute("SELECT value FROM fixes WHERE record_id = ?",
                                 (record(january, "crm feb", 3),)).fetchone()
    assert fixed == ("bob@example.com",)
    flags = entry.after["flags"]
    assert any("crm feb:5 was merged in G2" in f and "city changed" in f for f in flags)  # Dora's row 6 moved city
    assert not any("crm:4 is not in the refreshed file" in f for f in flags)   # Carl was split out: in no golden
    assert january.conn.execute("SELECT COUNT(*) FROM golden WHERE id = 2").fetchone()[0] == 0  # one record left: ends
    assert entry.after["counts"] == {"new": 1, "gone": 1, "ambiguous": 0}
    assert store.source_named(january, "crm").superseded_by == store.source_named(january, "crm feb").id
    assert {e.id[0] for e in golden.entities(january, ["email"])} == {"G", "R"}
    assert len(list(golden.crosswalk(january))) == 6                        # only the current source


def test_a_changed_fixed_cell_is_not_re_applied_and_an_adopted_fix_is_quiet(january: Project, write) -> None:
    changed = FEB.replace("3,Bob Jones,bob@example,York", "3,Bob Jones,robert@example.org,York")
    entry = refresh(january, write("feb.csv", changed))
    assert any("the fix of email ('bob@example.com') was not re-applied" in f and "robert@example.org" in f
               for f in entry.after["flags"])
    assert january.conn.execute("SELECT COUNT(*) FROM fixes WHERE record_id = ?",
                                (record(january, "crm feb", 3),)).fetchone()[0] == 0


def test_a_source_that_adopted_the_fix_raises_nothing(project: Project, write) -> None:
    import_file(project, write("jan.csv", JAN), ImportOptions(source_name="crm"))
    perform(project, FixValue(record(project, "crm", 3), 2, "bob@example.com"))
    entry = refresh(project, write("feb.csv", FEB.replace("bob@example,", "bob@example.com,")))
    assert "flags" not in entry.after


def test_without_a_key_rows_link_by_identical_content(project: Project, write) -> None:
    jan = JAN.replace("customer_id", "ref")
    import_file(project, write("jan.csv", jan), ImportOptions(source_name="crm"))
    perform(project, MergeRecords((record(project, "crm", 1), record(project, "crm", 2))))
    entry = refresh(project, write("feb.csv", FEB.replace("customer_id", "ref")))
    links = project.conn.execute("SELECT how FROM record_links").fetchall()
    assert links and {how for (how,) in links} == {"content"}
    assert golden.golden_record(project, 1).members == (record(project, "crm feb", 1), record(project, "crm feb", 2))
    assert entry.after["counts"]["new"] == 2                                 # rows 6 (Bristol) and 7 are "new"


def test_undo_restores_the_earlier_source_and_its_decisions_exactly(january: Project, write) -> None:
    before = tables(january)
    refresh(january, write("feb.csv", FEB))
    operations.undo(january)
    after = tables(january)
    assert after["sources"][0] == before["sources"][0]                      # crm is current again
    assert {t: v for t, v in after.items() if t != "sources"} == {t: v for t, v in before.items() if t != "sources"}


def test_a_failing_carry_over_leaves_nothing_imported(january: Project, write) -> None:
    before = tables(january)
    with pytest.raises(StewardError, match="No single column is called 'nope'"):
        refresh(january, write("feb.csv", FEB), key="nope")
    assert tables(january) == before


def test_records_of_a_replaced_source_cannot_be_merged(january: Project, write) -> None:
    refresh(january, write("feb.csv", FEB))
    with pytest.raises(StewardError, match="replaced by a refreshed export"):
        perform(january, MergeRecords((record(january, "crm", 4), record(january, "crm feb", 6))))


def test_golden_edits_stay_when_the_golden_record_carries_over(january: Project, write) -> None:
    perform(january, EditGolden(1, "city", "Leeds (HQ)"))
    refresh(january, write("feb.csv", FEB))
    assert golden.golden_record(january, 1).values["city"].value == "Leeds (HQ)"


def test_cli_import_refresh(tmp_path: Path, write, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.steward"
    assert main(["import", str(path), str(write("jan.csv", JAN)), "--source", "crm"]) == 0
    assert main(["fix", str(path), "crm:3", "email", "bob@example.com"]) == 0
    capsys.readouterr()
    assert main(["import", str(path), str(write("feb.csv", FEB)), "--refresh", "crm", "--key", "customer_id"]) == 0
    out = capsys.readouterr().out
    assert "Refreshes 'crm': 5 rows are new versions of earlier rows (1 changed), 1 are new, 1 earlier rows are gone." \
        in out and "Carried over: 1 fixes" in out
    assert main(["import", str(path), str(write("mar.csv", FEB)), "--refresh", "crm", "--again"]) == 1
    assert "'crm' was already replaced by 'feb'" in capsys.readouterr().err
    assert main(["import", str(path), str(write("apr.csv", FEB)), "--key", "customer_id"]) == 2


def test_columns_with_the_same_header_are_linked_by_position(project: Project, write) -> None:
    twice = "customer_id,name,phone,phone\n1,Anna,111,222\n2,Bob,333,444\n"
    import_file(project, write("jan.csv", twice), ImportOptions(source_name="crm"))
    perform(project, FixValue(record(project, "crm", 1), 3, "+44 222"))
    entry = refresh(project, write("feb.csv", twice + "3,Carl,555,666\n"))
    assert "flags" not in entry.after
    assert [link for (link,) in project.conn.execute("SELECT changed FROM record_links")] == ["[]", "[]"]
    assert project.conn.execute("SELECT position, value FROM fixes WHERE record_id = ?",
                                (record(project, "crm feb", 1),)).fetchall() == [(3, "+44 222")]


def test_a_rejection_with_a_changed_side_is_not_carried_from_either_side(project: Project, write) -> None:
    import_file(project, write("jan.csv", JAN), ImportOptions(source_name="crm"))
    perform(project, MergeRecords((record(project, "crm", 5), record(project, "crm", 6))))
    perform(project, SplitRecord(record(project, "crm", 6)))       # 5 and 6 are different people
    entry = refresh(project, write("feb.csv", FEB))                # row 6 moved to Bristol
    new = (record(project, "crm feb", 4), record(project, "crm feb", 5))
    assert project.conn.execute("SELECT COUNT(*) FROM not_duplicates WHERE a = ? OR b = ?", new).fetchone()[0] == 0
    assert len([f for f in entry.after["flags"] if "not carried over" in f]) == 2


def test_the_refreshed_source_keeps_the_priority_of_the_one_it_replaced(project: Project, write) -> None:
    import_file(project, write("jan.csv", JAN), ImportOptions(source_name="crm"))
    import_file(project, write("web.csv", JAN.replace("anna@example.com", "anna@web.example")),
                ImportOptions(source_name="web"))
    assert golden.source_order(project) == ["crm", "web"]
    refresh(project, write("feb.csv", FEB))
    assert golden.source_order(project) == ["crm", "crm feb", "web"]


def test_a_refreshed_source_cannot_refresh_again_backwards(january: Project, write) -> None:
    refresh(january, write("feb.csv", FEB))
    old, new = store.source_named(january, "crm"), store.source_named(january, "crm feb")
    with pytest.raises(StewardError, match="already refreshes another source"):
        perform(january, Refresh(new.id, old.id))


def test_waiting_proposals_follow_unchanged_rows_and_end_without_them(tmp_path: Path) -> None:
    from steward.match_store import match_project
    from steward.sample import sample_csv
    from steward import review
    with Project.create(tmp_path / "s.steward") as project:
        import_file(project, sample_csv(), ImportOptions(source_name="crm"))
        match_project(project)
        waiting = len(review.cluster_ids(project, "auto"))
        changed = sample_csv().read_text(encoding="utf-8").replace("@", "@new.", 40)
        refresh(project, write_to(tmp_path / "feb.csv", changed))
        still = review.cluster_ids(project, "auto")
        assert 0 < len(still) < waiting
        members = {r for c in still for (r,) in project.conn.execute(
            "SELECT record_id FROM cluster_members WHERE cluster_id = ?", (c,))}
        new_source = store.source_named(project, "crm feb").id
        assert members and all(project.conn.execute("SELECT source_id FROM records WHERE id = ?", (r,)).fetchone()[0]
                               == new_source for r in members)
        assert review.figures(project).waiting == len(still) + len(review.cluster_ids(project, "to review"))


def write_to(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
