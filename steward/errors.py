"""Errors a user can act on.

Every exception here carries a message written for the person at the keyboard:
what happened, where (file, row, column) and what to do next. The CLI prints it
and exits non-zero; the GUI shows it in a dialog. Anything else is a bug.
"""

from __future__ import annotations


class StewardError(Exception):
    """Base class: ``str(error)`` is the user-facing message."""


class Conflict(StewardError):
    """A decision no longer applies cleanly; the message says what is in the way."""


class ProjectError(StewardError):
    """The project file cannot be opened or used as asked."""


class NotAProject(ProjectError):
    """The file exists but is not a Steward project (CSV, another program's database, empty)."""


class NewerProject(ProjectError):
    """The project was written by a newer Steward; only read-only use is possible."""


class ProjectInUse(ProjectError):
    """Another running Steward holds the project's write lock."""


class CorruptProject(ProjectError):
    """SQLite reports the file damaged; it is opened read-only at best."""


class ImportFailed(StewardError):
    """The file could not be imported; nothing was written to the project."""


class SheetChoiceNeeded(ImportFailed):
    """A workbook has several sheets with data; ask which one and import again.

    ``choices`` pairs each sheet's name with how to show it ("'Q3' (120 rows, hidden)").
    """

    def __init__(self, message: str, choices: list[tuple[str, str]], suggested: str) -> None:
        super().__init__(message)
        self.choices = choices
        self.suggested = suggested


class PasswordRequired(ImportFailed):
    """The workbook is encrypted; ask for its password and try again."""


class WrongPassword(PasswordRequired):
    """The password given does not open the workbook; ask again."""


class EncodingError(ImportFailed):
    """The bytes do not decode in the chosen encoding."""


class Cancelled(StewardError):
    """Raised by a progress callback to stop long work; the work rolls back."""

    def __init__(self, message: str = "Cancelled; nothing was changed.") -> None:
        super().__init__(message)
