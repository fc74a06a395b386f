"""A sidecar lock file so only one process writes a project at a time.

The lock file (``<project>.lock``) holds who took it and when, so a second
process can say "in use by anna on laptop (PID 4242) since 10:02". A lock
left behind by a crashed process on this host is detected (its PID is gone)
and taken over. SQLite's own locking stays as the second line of defence.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import ProjectInUse


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


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        return True  # os.kill would terminate the process there; assume the holder is alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return True  # cannot tell: assume the holder is alive
    return True


def read_lock(lock_path: Path) -> LockInfo | None:
    """The lock's holder, or None when there is no readable lock."""
    try:
        data = json.loads(lock_path.read_text(encoding="utf-8"))
        return LockInfo(int(data["pid"]), str(data["host"]), str(data["user"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class ProjectLock:
    """Holds ``<project>.lock`` for the life of a writable project."""

    def __init__(self, project_path: Path) -> None:
        self.path = Path(str(project_path) + ".lock")
        self.held = False

    def acquire(self) -> None:
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                holder = read_lock(self.path)
                if holder is not None and not self._is_stale(holder):
                    raise ProjectInUse(
                        f"The project is in use by {holder.describe()}. "
                        "Close it there first, or open it read-only."
                    ) from None
                self._remove_stale()
                continue
            info = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "user": _current_user(),
                "since": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
            }
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(info, handle)
                handle.flush()
                os.fsync(handle.fileno())
            self.held = True
            return
        raise ProjectInUse(f"Could not take the lock file {self.path}; try again.")

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        holder = read_lock(self.path)
        if holder is not None and holder.pid == os.getpid():
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    @staticmethod
    def _is_stale(holder: LockInfo) -> bool:
        if holder.host != socket.gethostname():
            return False  # another machine: we cannot check its processes
        if holder.pid == os.getpid():
            return False  # this process already has the project open
        return not _pid_alive(holder.pid)

    def _remove_stale(self) -> None:
        try:
            self.path.unlink()
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise ProjectInUse(f"A stale lock file {self.path} could not be removed: {exc.strerror}.") from exc
