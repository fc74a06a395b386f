"""Editing rules in the window: a form built from each kind's settings, problems shown at the rule and setting
they concern, and saving as one undoable decision followed by validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QLineEdit, QPlainTextEdit

from steward import rule_store
from steward.project import Project
from steward.rules import KINDS
from ui.session import Session
from ui.views.failures_view import FailuresView
from ui.views.rules_dialog import RulesDialog


@pytest.fixture
def project(tmp_path: Path, build_sample) -> Project:
    with Project.open(build_sample(tmp_path / "p.steward", match=False)) as opened:
        yield opened


@pytest.fixture
def dialog(project: Project, qtbot) -> RulesDialog:
    shown = RulesDialog(rule_store.load_rules(project), rule_store.default_region(project),
                        rule_store.mapped_fields(project))
    qtbot.addWidget(shown)
    return shown


def type_into(qtbot, widget: QLineEdit, text: str) -> None:
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def select(dialog: RulesDialog, name: str) -> None:
    dialog.rule_list.setCurrentRow([r["name"] for r in dialog.rules].index(name))


def test_the_settings_form_follows_the_kind(dialog: RulesDialog, qtbot) -> None:
    select(dialog, "date_of_birth_plausible")
    assert set(dialog._param_widgets) == set(KINDS["date"].params)
    assert isinstance(dialog._param_widgets["not_future"], QCheckBox)
    assert isinstance(dialog._param_widgets["formats"], QPlainTextEdit)
    type_into(qtbot, dialog._param_widgets["max_age"], "99")
    assert dialog.rules[dialog._row]["max_age"] == 99
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("length"))   # the date settings go
    assert set(dialog._param_widgets) == {"min", "max"}
    assert not {"max_age", "formats", "not_future"} & set(dialog.rules[dialog._row])
    assert dialog.rule_list.currentItem().text() == "date_of_birth_plausible — length on date_of_birth"


def test_add_remove_and_reorder_give_the_saved_dictionary(dialog: RulesDialog, qtbot) -> None:
    names = [r["name"] for r in dialog.rules]
    select(dialog, "email_valid")
    dialog.remove_button.click()
    dialog.add_button.click()
    type_into(qtbot, dialog.name_edit, "postcode_shape")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("regex"))
    dialog.field_combo.setCurrentIndex(dialog.field_combo.findData("postcode"))
    type_into(qtbot, dialog._param_widgets["pattern"], "[0-9A-Z ]+")
    dialog.up_button.click()
    type_into(qtbot, dialog.region_edit, "United Kingdom")
    dialog.button_box.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = dialog.decision
    assert saved.region == "GB"
    expected = [n for n in names if n != "email_valid"]
    at = names.index("email_valid")      # added after the rule that took its place, then moved up once
    expected.insert(at, "postcode_shape")
    assert [r["name"] for r in saved.rules] == expected
    added = saved.rules[at]
    assert (added["kind"], added["field"], added["pattern"], added["message"]) == \
        ("regex", "postcode", "[0-9A-Z ]+", KINDS["regex"].message)


def test_a_rule_that_cannot_run_is_shown_at_its_setting_and_nothing_is_saved(dialog: RulesDialog, qtbot) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    select(dialog, "name_required")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("regex"))
    type_into(qtbot, dialog._param_widgets["pattern"], "(unclosed")
    select(dialog, "email_valid")
    dialog.button_box.accepted.emit()
    assert dialog.decision is None and dialog.isVisible()
    assert "regular expression" in dialog.error_label.text()
    assert dialog.rules[dialog._row]["name"] == "name_required"
    assert dialog.focusWidget() is dialog._param_widgets["pattern"]
    type_into(qtbot, dialog._param_widgets["pattern"], ".+")
    type_into(qtbot, dialog.region_edit, "Atlantis")
    dialog.button_box.accepted.emit()
    assert dialog.decision is None and "not a country" in dialog.error_label.text()


def test_saving_in_the_failures_screen_validates_and_undo_puts_the_rules_back(project: Project, qtbot,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    before = rule_store.load_rules(project)
    session = Session(project)
    view = FailuresView()
    qtbot.addWidget(view)
    view.set_session(session)

    def edit(dialog: RulesDialog) -> QDialog.DialogCode:
        dialog.add_button.click()
        type_into(qtbot, dialog.name_edit, "long_names")
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("length"))
        dialog.field_combo.setCurrentIndex(dialog.field_combo.findData("full_name"))
        type_into(qtbot, dialog._param_widgets["max"], "12")
        dialog.button_box.accepted.emit()
        return dialog.result()

    monkeypatch.setattr(RulesDialog, "exec", edit)
    with qtbot.waitSignal(view.validated, timeout=30_000):
        view.edit_rules_action.trigger()
    assert view.select_rule("long_names") and view.failure_model.rule.failures > 0
    assert session.undo_stack.count() == 1 and session.undo_stack.undoText() == "Edit rules"
    failing = {r.rule: r.failures for r in view.rule_model.rules}
    with qtbot.waitSignal(view.validated, timeout=30_000):        # undoing validates again as well
        session.undo_stack.undo()
    assert rule_store.load_rules(project) == before and view.rule_model.row_of("long_names") == -1
    assert {r.rule: r.failures for r in view.rule_model.rules} == {k: v for k, v in failing.items()
                                                                    if k != "long_names"}


def test_saving_unchanged_rules_records_nothing(project: Project, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(project)
    view = FailuresView()
    qtbot.addWidget(view)
    view.set_session(session)
    monkeypatch.setattr(RulesDialog, "exec", lambda dialog: dialog.button_box.accepted.emit() or dialog.result())
    view.edit_rules_action.trigger()
    assert session.undo_stack.count() == 0 and "nothing was saved" in view.run_label.text()


def test_numbers_are_read_as_written_and_half_typed_ones_are_refused_at_save(dialog: RulesDialog, qtbot) -> None:
    select(dialog, "date_of_birth_plausible")
    widget = dialog._param_widgets["max_age"]
    type_into(qtbot, widget, "+")
    assert dialog.rules[dialog._row]["max_age"] == "+"               # not a number yet: kept as typed
    dialog.button_box.accepted.emit()
    assert dialog.decision is None and "max_age" in dialog.error_label.text()
    type_into(qtbot, widget, "1,000")
    assert dialog.rules[dialog._row]["max_age"] == 1000
    dialog.rule_list.setCurrentRow(0)
    count = len(dialog.rules)
    type_into(qtbot, dialog.name_edit, "")                          # a rule without a name for a moment
    assert "name" not in dialog.rules[0]
    dialog.add_button.click()
    dialog.copy_button.click()
    names = [rule.get("name") for rule in dialog.rules]
    assert len(names) == count + 2 and names[1:3] == ["customer_id_required", "customer_id_required_copy"]
