"""The main window's actions, menus and toolbar: everything a user can ask of the window, in one place.

The actions become attributes of the window (``window.import_action`` …), which
enables and disables them as the project and running work allow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle

if TYPE_CHECKING:
    from ui.views.main_window import MainWindow


def build(window: "MainWindow") -> None:
    """Create the window's actions (as its attributes), its menus and its toolbar."""
    pix = QStyle.StandardPixmap
    keys = QKeySequence.StandardKey
    window.new_action = _action(window, "&New Project…", window.new_project, keys.New, pix.SP_FileIcon,
                                "Create an empty project file")
    window.open_action = _action(window, "&Open Project…", window.open_project_dialog, keys.Open,
                                 pix.SP_DialogOpenButton, "Open a project file")
    window.sample_action = _action(window, "Open &Sample Project", window.open_sample, None, None,
                                   "Open the bundled sample project (created on first use)")
    window.exercise_action = _action(window, "New &Training Exercise…", window.new_exercise, None, None,
                                     "Make a generated contact list whose duplicates and defects are known, to "
                                     "practise on and score")
    window.import_action = _action(window, "&Import File…", window.import_file_dialog, QKeySequence("Ctrl+I"),
                                   pix.SP_ArrowDown, "Import a CSV or Excel file as a new source")
    window.rejected_action = _action(window, "Show &Rejected Rows…", window.show_rejected, None,
                                     pix.SP_MessageBoxWarning, "Rows of the selected source that were not imported")
    window.export_action = _action(window, "&Export…", window.export_dialog, QKeySequence("Ctrl+E"),
                                   pix.SP_DialogSaveButton,
                                   "Export golden records, the crosswalk, the audit trail, failures or a report")
    window.close_action = _action(window, "&Close Project", lambda: window.close_project(), keys.Close)
    window.quit_action = _action(window, "&Quit", window.close, QKeySequence("Ctrl+Q"))
    window.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    window.about_action = _action(window, "&About Steward", window.show_about)
    # The group's actions keep their text ("Undo Merge") and state; their steps go through window.undo_steps,
    # which takes a big step on the worker.
    window.undo_action = window.undo_group.createUndoAction(window, "&Undo")
    window.undo_action.setShortcut(keys.Undo)
    window.undo_action.triggered.disconnect()
    window.undo_action.triggered.connect(lambda: window.undo_steps.step("undo", window.session))
    window.redo_action = window.undo_group.createRedoAction(window, "&Redo")
    window.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    window.redo_action.triggered.disconnect()
    window.redo_action.triggered.connect(lambda: window.undo_steps.step("redo", window.session))
    window.find_duplicates_action = _action(window, "&Find Duplicates", window.find_duplicates,
                                            QKeySequence("Ctrl+M"), None,
                                            "Match the project's records and propose duplicate clusters")
    window.merge_auto_action = _action(window, "Merge All &Auto-matches…", window.merge_auto, None, None,
                                       "Merge every proposal above the auto-match threshold, as one decision")

    file_menu = window.menuBar().addMenu("&File")
    file_menu.addActions([window.new_action, window.open_action])
    window.recent_menu = QMenu("Open &Recent", window)
    window.recent_menu.aboutToShow.connect(window.fill_recent_menu)
    file_menu.addMenu(window.recent_menu)
    file_menu.addActions([window.sample_action, window.exercise_action])
    file_menu.addSeparator()
    file_menu.addActions([window.import_action, window.export_action])
    file_menu.addSeparator()
    file_menu.addActions([window.close_action, window.quit_action])
    edit_menu = window.menuBar().addMenu("&Edit")
    edit_menu.addActions([window.undo_action, window.redo_action])
    view_menu = window.menuBar().addMenu("&View")
    window.screens_menu = view_menu
    view_menu.addAction(window.history_dock.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addActions(list(window.workspace.actions_by_name.values()))
    source_menu = window.menuBar().addMenu("&Source")
    source_menu.addAction(window.rejected_action)
    data_menu = window.menuBar().addMenu("&Data")
    data_menu.addActions([window.find_duplicates_action, window.merge_auto_action])
    review_menu = window.menuBar().addMenu("&Review")
    review_menu.addActions(window.review_view.review_actions)
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction(window.about_action)

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main_toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.setMovable(False)
    toolbar.addActions([window.new_action, window.open_action, window.import_action, window.rejected_action])
    toolbar.addSeparator()
    toolbar.addActions([window.undo_action, window.redo_action, window.find_duplicates_action,
                        window.export_action])


def _action(window: QMainWindow, text: str, slot: Callable[..., object],
            shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
            icon: QStyle.StandardPixmap | None = None, tip: str = "") -> QAction:
    """An action of the window whose tooltip names its shortcut."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    action.setStatusTip(tip)
    action.setToolTip(f"{text.rstrip('…')} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                      if shortcut is not None else text.rstrip("…"))
    action.triggered.connect(slot)
    return action
