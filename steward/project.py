"""Opening, creating and closing a Steward project file.

A project is one SQLite file. The open sequence checks that the file really is
a Steward project *before anything is written to it* (a CSV renamed
``.steward``, another program's database or an empty file are refused with a
clear message), takes the single-writer lock, sets the per-connection pragmas
and migrates the schema in one transaction. Only this module opens project
files, so every connection gets the same pragmas.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

import sqlite_utils

from . import fsinfo
from .errors import CorruptProject, NewerProject, NotAProject, ProjectError, ProjectInUse
from .lock import ProjectLock
from .schema import APPLICATION_ID, SCHEMA_VERSION, migrate

SUFFIX = ".steward"
_SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
PAGE_SIZE = 16384  # larger pages suit rows of a dozen text values (measured ~5% faster imports)
_CHECKED_AT_OPEN = ("meta", "sources", "columns")


def read_header(path: Path) -> tuple[int, int]:
    """Return (application_id, user_version) from the file header, without SQLite.

    Raises NotAProject with a message saying what the file looks like instead.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except IsADirectoryError:
        raise NotAProject(f"{path} is a folder, not a Steward project file.") from None
    except OSError as exc:
        raise ProjectError(f"Cannot read {path}: {exc.strerror}.") from exc
    if not head:
        raise NotAProject(f"{path} is empty (0 bytes); it is not a Steward project. Choose another file or create a new project.")
    if not head.startswith(_SQLITE_MAGIC):
        kind = _describe_non_sqlite(head)
        raise NotAProject(f"{path} is not a Steward project: it looks like {kind}. To bring its data in, create a project and import the file.")
    if len(head) < 100:
        raise CorruptProject(f"{path} is truncated (only {len(head)} bytes); it cannot be opened.")
    user_version = int.from_bytes(head[60:64], "big")
    application_id = int.from_bytes(head[68:72], "big")
    return application_id, user_version


def _describe_non_sqlite(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive or Excel workbook"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Office document"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    try:
        head.decode("utf-8")
        return "a text file (for example CSV)"
    except UnicodeDecodeError:
        return "a file of another program"


def _has_wal(path: Path) -> bool:
    wal = Path(str(path) + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _header_via_sqlite(path: Path) -> tuple[int, int]:
    """Read the ids through SQLite when the latest header may still be in the WAL."""
    conn = _connect(path, read_only=True)
    try:
        return (conn.execute("PRAGMA application_id").fetchone()[0],
                conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise NotAProject(f"{path} cannot be read as a Steward project ({exc}).") from exc
    finally:
        conn.close()


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        uri = f"file:{quote(path.resolve().as_posix())}?mode=ro"  # '#', '?', '%' are legal in file names
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _prepare_for_writing(conn: sqlite3.Connection) -> None:
    """Per-connection durability; set after the integrity check (it reads the schema)."""
    conn.execute("PRAGMA synchronous = FULL")


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by the owner only, before SQLite touches it."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise ProjectError(f"{path} already exists; open it instead of creating it.") from None
    except OSError as exc:
        raise ProjectError(f"Cannot create {path}: {exc.strerror}.") from exc
    os.close(fd)


class _AlreadyExists(ProjectError):
    """Creating a project lost the race to another process (or the file was there)."""


class Project:
    """An open project: one connection, the write lock, and the file's path.

    Use :meth:`open` or :meth:`create`; close it (or use ``with``) to release
    the lock and checkpoint the write-ahead log.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, *, read_only: bool, lock: ProjectLock | None,
                 warnings: list[str], created: bool = False) -> None:
        self.path = path
        self.created = created  # this object made the file: only then may it discard it
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self.read_only = read_only
        self.warnings = warnings
        self._lock = lock

    # -- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> "Project":
        """Create a new, empty project file (refuses to touch an existing file).

        The file is built under a temporary name and linked into place whole,
        so no other process ever sees an empty or half-initialised project.
        """
        target = Path(path)
        if not target.parent.is_dir():
            raise ProjectError(f"Cannot create {target}: the folder {target.parent} does not exist. "
                               "Create the folder first, or choose another place.")
        temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        _create_private_file(temp)
        try:
            conn = _connect(temp, read_only=False)
            try:
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                migrate(conn)
            finally:
                conn.close()
            try:
                os.link(temp, target)
            except FileExistsError:
                raise _AlreadyExists(f"{target} already exists; open it instead of creating it.") from None
            except OSError as exc:
                raise ProjectError(f"Cannot create {target}: {exc.strerror}.") from exc
        finally:
            remove_project_files(temp)
        project = cls.open(target)
        project.created = True
        return project

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False, read_only: bool = False) -> "Project":
        """Open an existing project; with ``create=True`` make it first if missing."""
        target = Path(path)
        if not target.exists():
            if create:
                try:
                    return cls.create(target)
                except _AlreadyExists:
                    pass  # another process created it a moment ago: open theirs
            else:
                raise ProjectError(f"{target} does not exist. Check the path, or create a new project there.")
        application_id, user_version = read_header(target)
        if application_id == 0 and _has_wal(target):
            application_id, user_version = _header_via_sqlite(target)
        if application_id != APPLICATION_ID:
            raise NotAProject(
                f"{target} is an SQLite database of another program, not a Steward project. "
                "Steward will not change it; create a new project and import your data instead."
            )
        if read_only and 0 < user_version < SCHEMA_VERSION:
            cls._upgrade(target)  # read-only commands need the current tables too
        if user_version > SCHEMA_VERSION and not read_only:
            raise NewerProject(
                f"{target} was saved by a newer version of Steward (project format {user_version}; "
                f"this version understands up to {SCHEMA_VERSION}). Update Steward, or open it read-only to view and export."
            )
        warnings: list[str] = []
        lock = None
        if not read_only:
            lock = ProjectLock(target)
            lock.acquire()
        try:
            conn = _connect(target, read_only=read_only)
            try:
                warnings += cls._check_integrity(conn, target, read_only=read_only)
                if not read_only:
                    _prepare_for_writing(conn)
                    warnings += cls._set_journal(conn, target)
                    cls._migrate(conn, target)
            except BaseException:
                conn.close()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return cls(target, conn, read_only=read_only, lock=lock, warnings=warnings)

    @classmethod
    def _upgrade(cls, path: Path) -> None:
        """Bring an older project up to date (with its backup) before it is opened read-only."""
        try:
            cls.open(path).close()
        except ProjectInUse:
            raise ProjectInUse(
                f"{path} was saved by an older version of Steward and is open in another program, so it cannot be "
                "upgraded now. Close it there and try again."
            ) from None

    @staticmethod
    def _check_integrity(conn: sqlite3.Connection, path: Path, *, read_only: bool) -> list[str]:
        """Refuse to write to a damaged file; read-only, let the user rescue what can be read.

        Only the schema and the small tables are checked here, so opening a
        million-record project stays fast; ``integrity_check`` (``steward
        check``) reads everything, and damage met later is reported as such.
        """
        problems: list[str] = []
        try:
            present = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
            for table in ["sqlite_schema"] + [t for t in _CHECKED_AT_OPEN if t in present]:
                problems += [row[0] for row in conn.execute(f"PRAGMA quick_check({table})") if row[0] != "ok"]
        except sqlite3.DatabaseError as exc:
            problems.append(str(exc))
        if not problems:
            return []
        message = f"{path} is damaged: {problems[0]}. Nothing was changed."
        if read_only:
            return [message + " Export what can be read, then restore a backup."]
        raise CorruptProject(message + " Open it read-only to export what can be read, or restore a backup.")

    @staticmethod
    def _set_journal(conn: sqlite3.Connection, path: Path) -> list[str]:
        remote = fsinfo.network_filesystem(path)
        if remote:
            conn.execute("PRAGMA journal_mode = DELETE")
            return [
                f"{path} is on a {remote} network or synced folder; Steward uses slower, safer journaling there. "
                "Keep projects on a local disk when you can."
            ]
        conn.execute("PRAGMA journal_mode = WAL")
        return []

    @staticmethod
    def _migrate(conn: sqlite3.Connection, path: Path) -> None:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if 0 < current < SCHEMA_VERSION:
            backup = path.with_name(f"{path.name}.v{current}.bak")
            backup.unlink(missing_ok=True)
            conn.execute("VACUUM INTO ?", (str(backup),))
        if migrate(conn) != current:
            # Move the new header out of the WAL so other processes reading
            # the file's first bytes recognise the project straight away.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def worker_copy(self) -> "Project":
        """Another connection to the same file for a worker thread (shares this lock)."""
        conn = _connect(self.path, read_only=self.read_only)
        if not self.read_only:
            _prepare_for_writing(conn)
        return Project(self.path, conn, read_only=self.read_only, lock=None, warnings=[])

    # -- closing -----------------------------------------------------------------

    def close(self) -> None:
        """Checkpoint and close; release the lock if this object holds it."""
        try:
            if self._lock is not None and not self.read_only:
                try:
                    self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass  # a busy reader elsewhere; SQLite checkpoints later
            self.conn.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def discard(self) -> None:
        """Delete a project this object created, e.g. after the import it was made for failed.

        Files are removed while the lock is still held, so no other process
        can have opened the project in between.
        """
        if not self.created:
            raise ProjectError(f"{self.path} was not created here; Steward only deletes projects it just made.")
        self.conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        if self._lock is not None:
            Path(str(self.path) + ".lock").unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- whole-file operations -----------------------------------------------------

    def save_copy(self, destination: str | os.PathLike[str]) -> Path:
        """Write a consistent copy with SQLite's backup API (a file copy can lose WAL content)."""
        target = Path(destination)
        if target.exists():
            raise ProjectError(f"{target} already exists; choose a new file name for the copy.")
        _create_private_file(target)
        try:
            dest = sqlite3.connect(str(target))
            try:
                self.conn.backup(dest)
            finally:
                dest.close()
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def integrity_check(self) -> list[str]:
        """Full check on demand; ['ok'] when the file is sound."""
        return [row[0] for row in self.conn.execute("PRAGMA integrity_check")]



def remove_project_files(path: Path) -> None:
    """Delete a scratch database this process made, with its sidecars."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
