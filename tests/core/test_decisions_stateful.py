"""Any sequence of merges, splits, unmerges, edits, picks, fixes, undos and redos, undone step by step back to the
start, restores every decision table exactly; reopening the project at any step changes nothing; source rows never
change (U1, U7)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from steward import audit, operations
from steward.errors import StewardError
from steward.golden_ops import EditGolden, MergeRecords, PickValue, SplitRecord, Unmerge
from steward.importer import ImportOptions, import_file
from steward.operations import FixValue, perform
from steward.project import Project

CSV = "name,email,city\n" + "".join(f"Person {i % 4},p{i % 3}@example.com,Town {i % 2}\n" for i in range(8))
TABLES = ("golden", "golden_members", "not_duplicates", "cluster_members", "clusters", "fixes", "records")
records = st.integers(min_value=1, max_value=8)
fields = st.sampled_from(["full_name", "email", "city"])
values = st.text(alphabet="ab =\n\"'é中😀", max_size=4)


class Decisions(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.path = self.folder / "p.steward"
        (self.folder / "people.csv").write_text(CSV, encoding="utf-8")
        self.project = Project.create(self.path)
        import_file(self.project, self.folder / "people.csv", ImportOptions())
        self.start = self.tables()

    def tables(self) -> dict[str, list[tuple]]:
        return {t: self.project.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}

    def attempt(self, operation: operations.Operation) -> None:
        before = self.tables()
        try:
            perform(self.project, operation)
        except StewardError:
            assert self.tables() == before     # a refused decision changes nothing

    def goldens(self) -> list[int]:
        return [g for (g,) in self.project.conn.execute("SELECT id FROM golden ORDER BY id")]

    @rule(chosen=st.lists(records, min_size=2, max_size=4, unique=True),
          rule_name=st.sampled_from(["valid_first", "most_recent", "longest", "most_frequent"]))
    def merge(self, chosen: list[int], rule_name: str) -> None:
        self.attempt(MergeRecords(tuple(chosen), rule_name))

    @rule(record=records, tree=st.booleans())
    def split_any(self, record: int, tree: bool) -> None:
        self.attempt(SplitRecord(record, tree))

    @precondition(lambda self: self.goldens())
    @rule(data=st.data(), tree=st.booleans())
    def split_member(self, data: st.DataObject, tree: bool) -> None:
        members = [r for (r,) in self.project.conn.execute("SELECT record_id FROM golden_members ORDER BY 1")]
        self.attempt(SplitRecord(data.draw(st.sampled_from(members)), tree))

    @precondition(lambda self: self.goldens())
    @rule(data=st.data())
    def unmerge(self, data: st.DataObject) -> None:
        self.attempt(Unmerge(data.draw(st.sampled_from(self.goldens()))))

    @precondition(lambda self: self.goldens())
    @rule(data=st.data(), name=fields, value=st.none() | values)
    def edit(self, data: st.DataObject, name: str, value: str | None) -> None:
        self.attempt(EditGolden(data.draw(st.sampled_from(self.goldens())), name, value))

    @precondition(lambda self: self.goldens())
    @rule(data=st.data(), name=fields, record=st.none() | records)
    def pick(self, data: st.DataObject, name: str, record: int | None) -> None:
        self.attempt(PickValue(data.draw(st.sampled_from(self.goldens())), name, record))

    @rule(record=records, position=st.integers(0, 2), value=st.none() | values)
    def fix(self, record: int, position: int, value: str | None) -> None:
        self.attempt(FixValue(record, position, value))

    @rule()
    def reopen(self) -> None:
        before = self.tables()
        self.project.close()
        self.project = Project.open(self.path)
        assert self.tables() == before

    @rule()
    def undo_one(self) -> None:
        before = self.tables()
        try:
            operations.undo(self.project)
        except StewardError:
            assert self.tables() == before == self.start   # nothing left to undo: back at the start

    @rule()
    def redo_one(self) -> None:
        before = self.tables()
        try:
            operations.redo(self.project)
        except StewardError:
            assert self.tables() == before

    @rule()
    def undo_to_the_start(self) -> None:
        """Undo, again and again, walks back through every decision to the imported project."""
        for _ in range(500):
            try:
                operations.undo(self.project)
            except StewardError as error:
                assert "nothing to undo" in str(error)
                break
        assert self.tables() == self.start

    @invariant()
    def source_rows_never_change_and_goldens_have_members(self) -> None:
        assert self.tables()["records"] == self.start["records"]
        assert self.project.conn.execute(
            "SELECT COUNT(*) FROM golden g WHERE NOT EXISTS (SELECT 1 FROM golden_members m "
            "WHERE m.golden_id = g.id)").fetchone()[0] == 0

    def teardown(self) -> None:
        try:
            assert audit.verify(self.project).problem is None
        finally:
            self.project.close()
            shutil.rmtree(self.folder, ignore_errors=True)


Decisions.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
TestDecisions = Decisions.TestCase
