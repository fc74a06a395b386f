"""Editing the data dictionary in the window: the rules, in order, and the default region.

The form for a rule's settings is built from the kind's own description in
``steward.rules.KINDS`` (type, default, meaning), so a new kind needs no new
form. The dialog edits a copy; Save checks the whole dictionary in the core
and hands back one decision (``SaveRules``) for the caller to perform, so a
rule that cannot run is shown at its setting and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from steward.mapping import FIELDS
from steward.rule_store import SaveRules, edited_dictionary
from steward.rules import KINDS, SEVERITIES, Rule, RuleError

REGION_KEY = "default_region"
NAME_KEYS = ("name", "kind", "field", "severity", "message")


class RulesDialog(QDialog):
    """The rules on the left, the selected rule's form on the right, the default region below."""

    def __init__(self, rules: list[Rule], region: str | None, mapped: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit rules")
        self.resize(900, 560)
        self.rules: list[dict[str, Any]] = [rule.to_dict() for rule in rules]
        self.mapped = mapped
        self.decision: SaveRules | None = None       # set when Save found the dictionary sound
        self._row = -1
        self._filling = False
        self._param_widgets: dict[str, QWidget] = {}
        self._build()
        self.region_edit.setText(region or "")
        self._fill_list()
        self.rule_list.setCurrentRow(0 if self.rules else -1)
        self._update_form()

    # -- construction --------------------------------------------------------------------

    def _build(self) -> None:
        self.rule_list = QListWidget()
        self.rule_list.currentRowChanged.connect(self._on_rule_list_current_row_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.rule_list, 1)
        buttons = QHBoxLayout()
        self.add_button = self._button(buttons, "&Add", self._on_add_clicked)
        self.copy_button = self._button(buttons, "Du&plicate", self._on_copy_clicked)
        self.remove_button = self._button(buttons, "&Remove", self._on_remove_clicked)
        self.up_button = self._button(buttons, "Up", lambda: self._move(-1))
        self.down_button = self._button(buttons, "Down", lambda: self._move(1))
        left_layout.addLayout(buttons)

        self.form_box = QGroupBox("Rule")
        form = QFormLayout(self.form_box)
        self.name_edit = QLineEdit()
        self.kind_combo = QComboBox()
        for kind, described in KINDS.items():
            self.kind_combo.addItem(kind, kind)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, described.help, Qt.ItemDataRole.ToolTipRole)
        self.field_combo = QComboBox()
        for name in FIELDS:
            self.field_combo.addItem(name if name in self.mapped else f"{name} (not mapped)", name)
        self.severity_combo = QComboBox()
        self.severity_combo.addItems(SEVERITIES)
        self.message_edit = QLineEdit()
        self.kind_help = QLabel()
        self.kind_help.setWordWrap(True)
        self.kind_help.setObjectName("hint")
        form.addRow("&Name", self.name_edit)
        form.addRow("&Kind", self.kind_combo)
        form.addRow("", self.kind_help)
        form.addRow("&Field", self.field_combo)
        form.addRow("&Severity", self.severity_combo)
        form.addRow("&Message", self.message_edit)
        self.params_box = QGroupBox("Settings")
        self.params_form = QFormLayout(self.params_box)
        self.name_edit.textEdited.connect(lambda text: self._set("name", text))
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        self.field_combo.currentIndexChanged.connect(lambda _: self._set("field", self.field_combo.currentData()))
        self.severity_combo.currentTextChanged.connect(lambda text: self._set("severity", text))
        self.message_edit.textEdited.connect(lambda text: self._set("message", text))

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.form_box)
        right_layout.addWidget(self.params_box)
        right_layout.addStretch(1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([300, 600])

        region_row = QHBoxLayout()
        self.region_edit = QLineEdit()
        self.region_edit.setPlaceholderText("none: numbers without a country code need the record's country")
        region_label = QLabel("Default &region for phones and postcodes:")
        region_label.setBuddy(self.region_edit)
        region_row.addWidget(region_label)
        region_row.addWidget(self.region_edit, 1)
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                           | QDialogButtonBox.StandardButton.Cancel)
        self.button_box.button(QDialogButtonBox.StandardButton.Save).setText("&Save and Validate")
        self.button_box.accepted.connect(self._on_save)
        self.button_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(region_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.button_box)

    def _button(self, row: QHBoxLayout, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # -- the list ------------------------------------------------------------------------

    def _fill_list(self) -> None:
        self.rule_list.blockSignals(True)
        self.rule_list.clear()
        for rule in self.rules:
            self.rule_list.addItem(_title(rule))
        self.rule_list.blockSignals(False)

    def _select(self, row: int) -> None:
        self._fill_list()
        self.rule_list.setCurrentRow(row)
        self._on_rule_list_current_row_changed(row)   # also when the row number stayed the same

    def _on_rule_list_current_row_changed(self, row: int) -> None:
        self._row = row
        self._update_form()

    def _on_add_clicked(self) -> None:
        field = next((f for f in FIELDS if f in self.mapped), FIELDS[0])
        self.rules.insert(self._row + 1, {"name": self._free_name(f"{field}_required"), "kind": "required",
                                          "field": field, "severity": "error", "message": ""})
        self._select(self._row + 1)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _on_copy_clicked(self) -> None:
        if self._row >= 0:
            copy = dict(self.rules[self._row], name=self._free_name(f"{self.rules[self._row].get('name', 'rule')}_copy"))
            self.rules.insert(self._row + 1, copy)
            self._select(self._row + 1)

    def _on_remove_clicked(self) -> None:
        if self._row >= 0:
            del self.rules[self._row]
            self._select(min(self._row, len(self.rules) - 1))

    def _move(self, step: int) -> None:
        row, target = self._row, self._row + step
        if row >= 0 and 0 <= target < len(self.rules):
            self.rules[row], self.rules[target] = self.rules[target], self.rules[row]
            self._select(target)

    def _free_name(self, wanted: str) -> str:
        names = {rule.get("name", "") for rule in self.rules}
        name, number = wanted, 2
        while name in names:
            name, number = f"{wanted}_{number}", number + 1
        return name

    # -- the form ------------------------------------------------------------------------

    def _rule(self) -> dict[str, Any] | None:
        return self.rules[self._row] if 0 <= self._row < len(self.rules) else None

    def _set(self, key: str, value: Any) -> None:
        rule = self._rule()
        if rule is None or self._filling:
            return
        if value is None or value == "" or value == []:
            rule.pop(key, None)                 # the kind's default
        else:
            rule[key] = value
        if key in ("name", "kind", "field"):
            self.rule_list.item(self._row).setText(_title(rule))
        self.error_label.clear()

    def _update_form(self) -> None:
        rule = self._rule()
        for button in (self.copy_button, self.remove_button):
            button.setEnabled(rule is not None)
        self.up_button.setEnabled(self._row > 0)
        self.down_button.setEnabled(0 <= self._row < len(self.rules) - 1)
        self.form_box.setEnabled(rule is not None)
        self.params_box.setEnabled(rule is not None)
        self._filling = True
        try:
            if rule is not None:
                self.name_edit.setText(rule.get("name", ""))
                self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(rule.get("kind")), 0))
                self.field_combo.setCurrentIndex(max(self.field_combo.findData(rule.get("field")), 0))
                self.severity_combo.setCurrentText(rule.get("severity", "error"))
                self.message_edit.setText(rule.get("message", ""))
            else:                                   # the last rule was removed: show no stale values
                self.name_edit.clear()
                self.message_edit.clear()
            self._build_params(rule)
        finally:
            self._filling = False

    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        rule = self._rule()
        kind = self.kind_combo.currentData()
        if rule is None or self._filling or rule.get("kind") == kind:
            return
        for key in [k for k in rule if k not in NAME_KEYS]:   # settings of the old kind mean nothing here
            del rule[key]
        if rule.get("message") == KINDS[rule["kind"]].message:
            rule["message"] = ""
        self._set("kind", kind)
        self._update_form()

    def _build_params(self, rule: dict[str, Any] | None) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self._param_widgets = {}
        kind = KINDS.get(rule["kind"]) if rule is not None else None
        self.kind_help.setText(kind.help if kind else "")
        self.message_edit.setPlaceholderText(kind.message if kind else "")
        self.params_box.setVisible(bool(kind and kind.params))
        if kind is None:
            return
        for key, param in kind.params.items():
            widget = self._param_widget(key, param.type, rule.get(key), param.default)
            widget.setToolTip(param.help)
            self._param_widgets[key] = widget
            self.params_form.addRow(key.replace("_", " "), widget)

    def _param_widget(self, key: str, kind: type, value: Any, default: Any) -> QWidget:
        """An editor for one setting; blank means the kind's default."""
        if kind is bool:
            box = QCheckBox()
            box.setChecked(bool(default if value is None else value))
            box.toggled.connect(lambda checked: self._set(key, checked))
            return box
        if kind is list:
            edit = QPlainTextEdit("\n".join(map(str, value or [])))
            edit.setPlaceholderText("one per line" + (f"; blank: {', '.join(map(str, default))}"
                                                      if isinstance(default, list) else ""))
            edit.setMaximumHeight(90)
            edit.textChanged.connect(lambda: self._set(
                key, [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]))
            return edit
        edit = QLineEdit("" if value is None else str(value))
        if isinstance(default, (str, int)) and not isinstance(default, bool):
            edit.setPlaceholderText(f"blank: {default}")
        elif default is None:
            edit.setPlaceholderText("blank: none")
        if kind is int:
            validator = QIntValidator(0, 10**6, edit)
            edit.setValidator(validator)
            edit.textEdited.connect(lambda text: self._set(key, _whole_number(validator, text)))
        else:
            edit.textEdited.connect(lambda text: self._set(key, text))
        return edit

    # -- saving ----------------------------------------------------------------------------

    def _on_save(self) -> None:
        try:
            self.decision = edited_dictionary(self.rules, self.region_edit.text())
        except RuleError as error:
            self._show_error(error)
            return
        self.accept()

    def _show_error(self, error: RuleError) -> None:
        """Say what is wrong at the rule and the setting it concerns."""
        self.error_label.setText(str(error))
        if error.key == REGION_KEY:
            self.region_edit.setFocus()
            self.region_edit.selectAll()
            return
        if error.rule_index is not None and 0 <= error.rule_index < len(self.rules):
            self.rule_list.setCurrentRow(error.rule_index)
        widget = {"name": self.name_edit, "kind": self.kind_combo, "field": self.field_combo,
                  "severity": self.severity_combo, "message": self.message_edit}.get(error.key or "") \
            or self._param_widgets.get(error.key or "")
        if widget is not None:
            widget.show()          # a settings editor just built for the rule is shown only by the next layout pass
            widget.setFocus()


def _whole_number(validator: QIntValidator, text: str) -> int | str | None:
    """The number typed, read as the validator's locale writes it ("1,000"); blank is None (the default), and
    text that is no number yet is kept as it is, so Save reports it at its setting instead of saving an older
    value."""
    if not text.strip():
        return None
    value, ok = validator.locale().toInt(text)
    return value if ok else text


def _title(rule: dict[str, Any]) -> str:
    return f"{rule.get('name', '')} — {rule.get('kind', '')} on {rule.get('field', '')}"
