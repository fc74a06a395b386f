"""A sidecar lock file so only one process writes a project at a time.

The lock is an operating-system advisory lock on ``<project>.lock``, so the
kernel decides who holds it and releases it when a holder crashes: there is no
stale-lock guessing and no window in which two processes both think they won.
The file's content (who, where, since when) is only information for the
"in use by anna on laptop (PID 4242) since 10:02" message. The file itself is
never deleted while the project exists; an empty one means nobody holds it.
SQLite's own locking stays as the second line of defence.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import ProjectInUse

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    user: str
    since: str

    def describe(self) -> str:
        return f"{self.user} on {self.host} (PID {self.pid}) since {self.since}"


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "unknown user"


def read_lock(lock_path: Path) -> LockInfo | None:
    """Who wrote the lock file last, or None when it is empty or unreadable."""
    try:
        data = json.loads(lock_path.read_text(encoding="utf-8"))
        return LockInfo(int(data["pid"]), str(data["host"]), str(data["user"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class ProjectLock:
    """Holds ``<project>.lock`` for the life of a writable project."""

    def __init__(self, project_path: Path) -> None:
        self.path = Path(str(project_path) + ".lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ProjectInUse(f"Cannot create the lock file {self.path}: {exc.strerror}.") from exc
        if not _try_lock(fd):
            os.close(fd)
            holder = read_lock(self.path)
            who = holder.describe() if holder else "another Steward"
            raise ProjectInUse(f"The project is in use by {who}. Close it there first, or open it read-only.")
        info = {"pid": os.getpid(), "host": socket.gethostname(), "user": _current_user(),
                "since": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(info).encode("utf-8"))
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # nobody holds it now; the file stays so no second inode can appear
            _unlock(fd)
        finally:
            os.close(fd)
