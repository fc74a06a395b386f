"""Facts about the file system a project lives on.

WAL mode needs shared memory that network file systems do not provide, and
sync clients copy the database without its ``-wal`` file; both can corrupt a
project, so such locations get rollback journaling and a warning.
"""

from __future__ import annotations

import os
from pathlib import Path

_NETWORK_TYPES = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "9p", "afs", "davfs", "fuse.rclone"}
_SYNC_FOLDERS = ("dropbox", "onedrive", "google drive", "googledrive", "icloud", "mega", "nextcloud", "owncloud")


def mount_type(path: Path, mounts_file: str = "/proc/mounts") -> str | None:
    """The file-system type of the mount holding ``path`` (Linux), else None."""
    try:
        with open(mounts_file, encoding="utf-8", errors="replace") as handle:
            entries = [line.split() for line in handle]
    except OSError:
        return None
    target = os.path.realpath(path.parent if not path.is_dir() else path)
    best, best_type = "", None
    for fields in entries:
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(mount_point) >= len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def network_filesystem(path: Path, mounts_file: str = "/proc/mounts") -> str | None:
    """Name the kind of shared location ``path`` is in, or None for a local disk."""
    kind = mount_type(path, mounts_file)
    if kind in _NETWORK_TYPES:
        return kind
    lowered = str(path.resolve()).lower()
    for folder in _SYNC_FOLDERS:
        if f"/{folder}/" in lowered.replace("\\", "/"):
            return f"{folder.title()} sync"
    return None
