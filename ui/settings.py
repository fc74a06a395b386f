"""UI preferences kept between sessions: window geometry, recent projects, last folder.

The only module that builds QSettings, and only after the application and
organisation names are set (they decide where the file lives). Preferences
only: anything that changes results belongs in the project file. Reads always
pass ``type=`` because INI files round-trip ``True`` as ``'true'`` and a
one-item list as a plain string.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings

SETTINGS_VERSION = 1
MAX_RECENT = 8


class Settings:
    """Typed access to the preferences; one instance per window is fine."""

    def __init__(self, store: QSettings | None = None) -> None:
        if store is None:
            if not QCoreApplication.organizationName() or not QCoreApplication.applicationName():
                raise RuntimeError("Set the organisation and application names before reading settings.")
            store = QSettings()
        self._store = store
        self._migrate()

    def _migrate(self) -> None:
        version = self._store.value("settings_version", 0, type=int)
        if version < 1:
            # Version 0 had no keys worth keeping; start clean but keep anything unknown.
            self._store.setValue("settings_version", SETTINGS_VERSION)

    def sync(self) -> None:
        self._store.sync()

    # -- recent projects -----------------------------------------------------------

    def recent_projects(self) -> list[Path]:
        """Most recent first; only files that still exist."""
        paths = self._store.value("recent_projects", [], type=list)
        return [Path(p) for p in paths if p and Path(p).is_file()]

    def add_recent_project(self, path: Path) -> None:
        text = str(Path(path).resolve())
        paths = [p for p in self._store.value("recent_projects", [], type=list) if p and p != text]
        self._store.setValue("recent_projects", [text, *paths][:MAX_RECENT])

    def remove_recent_project(self, path: Path) -> None:
        text = str(Path(path).resolve())
        paths = [p for p in self._store.value("recent_projects", [], type=list) if p != text]
        self._store.setValue("recent_projects", paths)

    # -- folders -------------------------------------------------------------------

    def last_folder(self, kind: str) -> str:
        """The folder of the last file chosen for ``kind`` ('project' or 'import'), or ''."""
        folder = self._store.value(f"last_folder/{kind}", "", type=str)
        return folder if folder and Path(folder).is_dir() else ""

    def set_last_folder(self, kind: str, path: Path) -> None:
        self._store.setValue(f"last_folder/{kind}", str(Path(path).parent))

    # -- window --------------------------------------------------------------------

    def window_state(self, name: str) -> tuple[QByteArray, QByteArray, QByteArray]:
        """(geometry, dock/toolbar state, splitter state) saved for window ``name``."""
        return (self._store.value(f"{name}/geometry", QByteArray(), type=QByteArray),
                self._store.value(f"{name}/state", QByteArray(), type=QByteArray),
                self._store.value(f"{name}/splitter", QByteArray(), type=QByteArray))

    def set_window_state(self, name: str, geometry: QByteArray, state: QByteArray, splitter: QByteArray) -> None:
        self._store.setValue(f"{name}/geometry", geometry)
        self._store.setValue(f"{name}/state", state)
        self._store.setValue(f"{name}/splitter", splitter)
