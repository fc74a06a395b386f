"""The open project as the window sees it: decisions go through here, and views hear what changed.

Every decision is applied by the core (one transaction with its audit entry)
and then pushed on a QUndoStack as already applied, so Ctrl+Z and Ctrl+Shift+Z
walk the same undo and redo entries as ``steward undo`` and ``steward redo``.
After each change the session emits ``changed`` naming what was touched
(Anki's ``operation_did_execute``), so each view refreshes only what it shows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from steward import audit, operations
from steward.errors import StewardError
from steward.operations import Operation
from steward.project import Project


# Decisions whose audit entry names every record and proposal whose place in the review queue they can change
# (a refresh or a match run can change any proposal, so they do not qualify).
_DESCRIBED = frozenset({"set_state", "reject_cluster", "restore_cluster", "set_cluster_status", "fix_value",
                        "fix_values", "save_rules", "set_default_region"})


@dataclass(frozen=True)
class Changes:
    """What one change touched, as its audit entry names it.

    ``complete`` says the records and clusters named are all it touched, so a view may update only those;
    otherwise a view reads everything it shows again.
    """

    action: str
    entry_id: int
    records: frozenset[int] = field(default_factory=frozenset)
    clusters: frozenset[int] = field(default_factory=frozenset)
    goldens: frozenset[int] = field(default_factory=frozenset)
    complete: bool = False

    @classmethod
    def of(cls, entry: audit.Entry) -> "Changes":
        targets = entry.targets if isinstance(entry.targets, dict) else {}
        records = set(targets.get("records", [])) | ({targets["record"]} if "record" in targets else set())
        clusters = set(targets.get("clusters", [])) | ({targets["cluster"]} if "cluster" in targets else set())
        goldens = {int(g[1:]) for g in entry.after.get("golden", {})} if isinstance(entry.after, dict) else set()
        golden = targets.get("golden")
        goldens |= set(golden) if isinstance(golden, list) else ({golden} if isinstance(golden, int) else set())
        inverse = entry.before.get("inverse") if isinstance(entry.before, dict) else None
        action = inverse.get("action") if isinstance(inverse, dict) else None
        if action == "set_state":   # a membership decision: the states before and after name what it touched
            for state in (inverse["expected"], inverse["target"]):
                records.update(r for r, _ in state["members"])
                records.update(r for r, _ in state["proposals"])
                clusters.update(c for _, c in state["proposals"] if c is not None)
                clusters.update(c for c, _ in state["statuses"])
        return cls(entry.action, entry.id, frozenset(records), frozenset(clusters), frozenset(goldens),
                   complete=action in _DESCRIBED)


@dataclass(frozen=True)
class Outcome:
    """What a worker hands back to the window after a decision: the entry without its payload, and what it
    touched. The payload of a bulk decision (millions of objects for 700,000 fixes) stays on the worker, where
    it is freed; on the GUI thread it would make each garbage collection there take a tenth of a second."""

    entry: audit.Entry
    changes: Changes

    @classmethod
    def of(cls, entry: audit.Entry) -> "Outcome":
        return cls(dataclasses.replace(entry, before=None, after=None), Changes.of(entry))


class DecisionCommand(QUndoCommand):
    """One decision on the undo stack; undo and redo are new audit entries that revert the previous one."""

    def __init__(self, session: "Session", outcome: Outcome, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.entry_id = outcome.entry.id  # the entry whose effect is in place, or was last undone
        self._applied = True              # pushed after the core applied it: the redo push() calls does nothing
        self.size = len(outcome.changes.records) + len(outcome.changes.clusters)   # big steps go to a worker
        self.prepared: Outcome | StewardError | None = None    # the next step, already taken on a worker

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._step("redo")

    def undo(self) -> None:
        self._step("undo")

    def _step(self, kind: str) -> None:
        prepared, self.prepared = self.prepared, None
        try:
            if isinstance(prepared, StewardError):
                raise prepared
            outcome = prepared or Outcome.of(operations.revert(self.session.project, self.entry_id, kind=kind))
        except StewardError as error:
            self.setObsolete(True)        # it no longer applies: the stack drops it, nothing changed
            self.session.failed.emit(f"Cannot {kind} '{self.text()}': {error}")
            return
        self.entry_id = outcome.entry.id
        self.session.changed.emit(outcome.changes)


class Session(QObject):
    """One open, writable project: its undo stack and the signals views listen to."""

    changed = Signal(object)      # Changes (entry_id 0 for work that is not an audit entry, e.g. a match run)
    failed = Signal(str)          # an undo or redo that no longer applies, in words

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.undo_stack = QUndoStack(self)

    def perform(self, operation: Operation, text: str, comment: str = "") -> audit.Entry:
        """Apply a decision now (StewardError if it does not apply) and make it undoable."""
        entry = operations.perform(self.project, operation, comment)
        self.applied(Outcome.of(entry), text)
        return entry

    def applied(self, outcome: Outcome | audit.Entry, text: str) -> None:
        """Push a decision the core already applied (on a worker, say) and tell the views."""
        outcome = outcome if isinstance(outcome, Outcome) else Outcome.of(outcome)
        self.undo_stack.push(DecisionCommand(self, outcome, text))
        self.changed.emit(outcome.changes)

    def revert(self, entry_id: int, comment: str = "") -> audit.Entry:
        """Revert an older audit entry (from the audit screen); undoable like any decision."""
        entry = operations.revert(self.project, entry_id, comment)
        self.applied(entry, f"Revert #{entry_id}")
        return entry
