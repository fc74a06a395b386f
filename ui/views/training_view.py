"""The Training screen of a demo project: the scorecard of the decisions taken so far, and a reset.

The truth stays hidden until someone asks for the score (a trainee working
through the queue sees only what a steward sees). Scoring reads the project
on the worker; resetting needs the project closed, so the screen asks the
window to do it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from steward import scorecard, training_truth
from steward.scorecard import Scorecard
from ui.job_progress import JobProgress, on_worker, show_failure
from ui.session import Changes, Session
from ui.views.actions import screen_action
from ui.workers import JobRunner


class TrainingView(QWidget):
    """What the exercise is, Score My Decisions, Reset Exercise, and the scorecard."""

    reset_requested = Signal()      # the window closes the project, resets it and opens it again

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self.card: Scorecard | None = None
        self._stale = False
        self.scoring = JobProgress(runner, self, "Score decisions", "Comparing the decisions with the truth…")
        self.scoring.succeeded.connect(self._on_scoring_succeeded)
        self.scoring.failed.connect(lambda error: show_failure(self, "Scoring failed", error, "the scoring",
                                                               "The project is unchanged."))
        self.scoring.finished.connect(lambda _outcome: self._update_state())
        self.score_action = screen_action(self, "&Score My Decisions", self._on_score_triggered, "F9",
                                          "Compare the merges, rejections and fixes so far with the truth")
        self.reset_action = screen_action(self, "Reset &Exercise…", self.reset_requested.emit, None,
                                          "Make the project again as it started; the trained one is kept as a backup")
        self._build()
        self._update_state()

    def _build(self) -> None:
        self.about = QLabel()
        self.about.setWordWrap(True)
        buttons = QHBoxLayout()
        for action in (self.score_action, self.reset_action):
            button = QPushButton(action.text().replace("&", ""))
            button.clicked.connect(action.trigger)
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.headline = QLabel()
        self.headline.setObjectName("headline")
        self.figures = _table(("Figure", "Count", "Made of"))
        self.mistakes_label = QLabel("<b>Wrong decisions</b>")
        self.mistakes = _table(("Decision", "Records", "What is wrong"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(self.about)
        layout.addLayout(buttons)
        layout.addWidget(self.headline)
        layout.addWidget(self.figures, 3)
        layout.addWidget(self.mistakes_label)
        layout.addWidget(self.mistakes, 1)

    # -- the session ----------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        if self._session is not None:
            self._session.changed.disconnect(self._on_session_changed)
        self.scoring.abandon()
        self._session = session
        if session is not None:
            session.changed.connect(self._on_session_changed)
        self.show_card(None)

    @property
    def exercise(self) -> training_truth.Exercise | None:
        return training_truth.exercise_or_none(self._session.project) if self._session is not None else None

    def _on_session_changed(self, _changes: Changes) -> None:
        if self.card is not None:
            self._stale = True
            self._update_state()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._update_state()

    # -- scoring ----------------------------------------------------------------------------

    def _on_score_triggered(self) -> None:
        if self._session is not None and not self.scoring.running and self.exercise is not None:
            self.scoring.start(on_worker(self._session.project,
                                         lambda copy, progress: scorecard.score(copy, progress)))
            self._update_state()

    def _on_scoring_succeeded(self, card: Scorecard) -> None:
        self.show_card(card)

    def show_card(self, card: Scorecard | None) -> None:
        """Show a scorecard (None: none yet)."""
        self.card, self._stale = card, False
        rows = scorecard.summary_rows(card) if card is not None else []
        self.figures.setRowCount(len(rows))
        for row, (name, figure, note) in enumerate(rows):
            for column, text in enumerate((name, figure, note)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.figures.setItem(row, column, item)
        mistakes = card.mistakes if card is not None else []
        self.mistakes.setRowCount(len(mistakes))
        for row, mistake in enumerate(mistakes):
            for column, text in enumerate((mistake.decision, " + ".join(mistake.records), mistake.detail)):
                self.mistakes.setItem(row, column, QTableWidgetItem(text))
        self.mistakes.setVisible(bool(mistakes))
        self.mistakes_label.setVisible(bool(mistakes))
        self._update_state()

    def _update_state(self) -> None:
        exercise = self.exercise
        writable = self._session is not None and not self._session.project.read_only
        self.score_action.setEnabled(exercise is not None and not self.scoring.running)
        self.reset_action.setEnabled(exercise is not None and writable and not self.scoring.running)
        if exercise is None:
            self.about.setText("<h3>This project is not a training exercise</h3><p>A training exercise is a "
                               "generated contact list whose duplicates and defects are known, so a steward's "
                               "decisions can be scored. Make one with File › New Training Exercise… or "
                               "<code>steward demo PROJECT</code>.</p>")
        else:
            self.about.setText(f"<h3>Training exercise</h3><p>{exercise.records:,} generated records "
                               f"(seed {exercise.seed}, {', '.join(exercise.locales)}). Work through the duplicates "
                               "and the failures as a steward would, then score the decisions. Reset Exercise "
                               "starts again from the same list.</p>")
        card = self.card
        if card is None:
            self.headline.setText("<p>No score yet: Score My Decisions (F9) compares them with the truth.</p>"
                                  if exercise is not None else "")
        else:
            stale = " — decisions were taken since: score again" if self._stale else ""
            self.headline.setText(f"<h2>Score {card.score:.1f} / 100</h2><p>{scorecard.SCORE_FORMULA}{stale}</p>")
        for widget in (self.headline, self.figures):
            widget.setVisible(exercise is not None)


def _table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    for column in range(len(headers) - 1):
        table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
