"""The audit trail: an append-only, hash-chained record of every change to a project.

Each entry holds the SHA-256 of the entry before it, so a copy of the trail
can be checked against the head hash printed by exports and reports: editing,
removing or reordering any entry breaks the chain from that point on.
Triggers forbid UPDATE and DELETE on the table; ``append`` must run inside the
transaction of the change it records, so the change and its entry commit
together or not at all.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from . import json_pieces
from .errors import StewardError
from .project import Project, utc_now

GENESIS = "0" * 64
_ACTOR_KEY = "actor"


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    actor: str
    action: str
    targets: Any
    before: Any
    after: Any
    comment: str
    previous: str
    hash: str


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str
    broken_at: int | None      # id of the first entry whose hash does not hold, None when the chain is sound
    problem: str | None


def entry_hash(previous: str, at: str, actor: str, action: str, targets: str, before: str, after: str,
               comment: str) -> str:
    """SHA-256 over the previous hash and the entry's fields, in a fixed, unambiguous encoding: the compact JSON
    array of the eight strings (hashed in pieces, so a large entry does not hold up other threads)."""
    return json_pieces.compact_array_sha256([previous, at, actor, action, targets, before, after, comment])


def actor(project: Project) -> str:
    """Who changes are recorded as: the name set for the project, else the operating-system user."""
    row = project.conn.execute("SELECT value FROM meta WHERE key = ?", (_ACTOR_KEY,)).fetchone()
    if row:
        return row[0]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in some containers and services
        return "unknown"


def set_actor(project: Project, name: str) -> None:
    """Record this project's changes under ``name`` from now on (itself an audited change)."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise StewardError("Give a name to record changes under, e.g. 'Anna Berg'.")
    with project.db.atomic():
        previous = actor(project)
        project.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_ACTOR_KEY, cleaned))
        append(project, "set_actor", None, {"actor": previous}, {"actor": cleaned})


def append(project: Project, action: str, targets: Any, before: Any, after: Any, comment: str = "") -> Entry:
    """Add one entry at the head of the chain; call inside the transaction of the change it records."""
    if not project.conn.in_transaction:
        raise RuntimeError("audit.append must run inside the change's transaction")
    head = project.conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    previous = head[0] if head else GENESIS
    at, who = utc_now(), actor(project)
    fields = [json_pieces.dumps(value) for value in (targets, before, after)]
    digest = entry_hash(previous, at, who, action, *fields, comment)
    cursor = project.conn.execute(
        "INSERT INTO audit (at, actor, action, targets, before, after, comment, previous, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (at, who, action, *fields, comment, previous, digest),
    )
    return Entry(cursor.lastrowid, at, who, action, targets, before, after, comment, previous, digest)


def entries(project: Project, *, limit: int | None = None, action: str | None = None) -> list[Entry]:
    """Entries newest first (optionally only one action)."""
    query = "SELECT id, at, actor, action, targets, before, after, comment, previous, hash FROM audit"
    parameters: list[Any] = []
    if action:
        query += " WHERE action = ?"
        parameters.append(action)
    query += " ORDER BY id DESC LIMIT ?"
    parameters.append(-1 if limit is None else limit)
    loads = json_pieces.loads
    return [Entry(i, at, who, what, loads(t), loads(b), loads(a), c, p, h)
            for i, at, who, what, t, b, a, c, p, h in project.conn.execute(query, parameters)]


def entry(project: Project, entry_id: int) -> Entry | None:
    """One entry by id."""
    row = project.conn.execute("SELECT id, at, actor, action, targets, before, after, comment, previous, hash "
                               "FROM audit WHERE id = ?", (entry_id,)).fetchone()
    if row is None:
        return None
    i, at, who, what, t, b, a, c, p, h = row
    loads = json_pieces.loads          # a large entry in pieces: other threads (the window) run between them
    return Entry(i, at, who, what, loads(t), loads(b), loads(a), c, p, h)


def head_hash(project: Project) -> str:
    """The newest entry's hash (GENESIS for an empty trail): print it with exports so copies can be checked."""
    row = project.conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def verify(project: Project) -> Verification:
    """Recompute the chain from the first entry; report the first entry that does not hold."""
    previous, count = GENESIS, 0
    try:
        rows = project.conn.execute(
            "SELECT id, at, actor, action, targets, before, after, comment, previous, hash FROM audit ORDER BY id")
        for entry_id, at, who, what, targets, before, after, comment, stored_previous, stored_hash in rows:
            count += 1
            if stored_previous != previous:
                return Verification(count, previous, entry_id, "it does not point at the entry before it")
            if entry_hash(previous, at, who, what, targets, before, after, comment) != stored_hash:
                return Verification(count, previous, entry_id, "its content does not match its hash")
            previous = stored_hash
    except sqlite3.DatabaseError as exc:
        return Verification(count, previous, None, f"the trail cannot be read: {exc}")
    return Verification(count, previous, None, None)
