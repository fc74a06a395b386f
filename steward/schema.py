"""The project file's schema and its migrations.

``PRAGMA application_id`` marks a file as a Steward project and
``PRAGMA user_version`` is the schema version. Each migration runs inside the
caller's transaction together with the version bump, so an interrupted
migration leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

#: "STWD" as a big-endian 32-bit integer, stored at byte 68 of the file.
APPLICATION_ID = int.from_bytes(b"STWD", "big")

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE sources (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    file_name           TEXT NOT NULL,
    file_size           INTEGER NOT NULL,
    sha256              TEXT NOT NULL,
    kind                TEXT NOT NULL,            -- csv | xlsx | xls
    encoding            TEXT,                     -- text files only
    encoding_confidence REAL,
    encoding_method     TEXT,                     -- bom | utf-8 | detected | user
    delimiter           TEXT,
    sheet               TEXT,
    header_row          INTEGER,                  -- 1-based record number of the header, NULL if none
    first_record_id     INTEGER,                  -- records.id of row 1 (a source's ids are contiguous)
    imported_at         TEXT NOT NULL,            -- UTC ISO 8601
    record_count        INTEGER NOT NULL,
    rejected_count      INTEGER NOT NULL,
    options             TEXT NOT NULL             -- JSON: the import options as given
) STRICT;

-- Header text is data: columns are addressed by position, never by name.
CREATE TABLE columns (
    source_id INTEGER NOT NULL REFERENCES sources(id),
    position  INTEGER NOT NULL,                   -- 0-based
    header    TEXT NOT NULL,                      -- exactly as in the file
    label     TEXT NOT NULL,                      -- unique display label within the source
    field     TEXT,                               -- canonical field, NULL if unmapped
    PRIMARY KEY (source_id, position)
) STRICT;

-- Raw values as a JSON array of strings, one per column: width is never a
-- schema problem and no value is ever coerced. A source's records take the
-- contiguous ids first_record_id + row_no - 1, so paging needs no extra index.
CREATE TABLE records (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    row_no    INTEGER NOT NULL,                   -- 1-based data row within the source
    line_no   INTEGER NOT NULL,                   -- first line (CSV) or sheet row (Excel) in the file
    vals      TEXT NOT NULL,
    flags     TEXT                                -- JSON list of notes, NULL when clean
) STRICT;

CREATE TRIGGER records_are_immutable BEFORE UPDATE ON records
BEGIN
    SELECT RAISE(ABORT, 'imported records are never changed');
END;

CREATE TABLE rejected_rows (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    line_no   INTEGER NOT NULL,
    raw_text  TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;
CREATE INDEX rejected_by_source ON rejected_rows (source_id, line_no);
"""

# Version 2: the data dictionary and what validating against it found.
_V2 = """
CREATE TABLE rules (
    position   INTEGER NOT NULL,
    name       TEXT PRIMARY KEY,
    definition TEXT NOT NULL                      -- JSON: the rule's flat form (see steward.rules)
) STRICT;

-- At most one failure per rule and record. What a steward reads is the
-- rule's message, then the detail ("Phone number is not valid: not a valid
-- number for GB"); only the detail is stored per failure.
CREATE TABLE failures (
    rule       TEXT NOT NULL,
    record_id  INTEGER NOT NULL REFERENCES records(id),
    field      TEXT NOT NULL,
    severity   TEXT NOT NULL,                     -- error | warning
    detail     TEXT NOT NULL,                     -- '' when the message says it all
    suggestion TEXT,
    PRIMARY KEY (rule, record_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX failures_by_record ON failures (record_id);

-- What each rule was last evaluated against, per source, so re-validation
-- only re-checks what changed (rule, mapping, standard forms, today's date).
CREATE TABLE validation_state (
    rule        TEXT NOT NULL,
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (rule, source_id)
) STRICT;

-- Filled values per mapped field, counted for the mapping in the fingerprint.
CREATE TABLE completeness (
    source_id   INTEGER PRIMARY KEY REFERENCES sources(id),
    fingerprint TEXT NOT NULL,
    filled      TEXT NOT NULL                     -- JSON: {field: count of non-blank values}
) STRICT;

CREATE TABLE validation_runs (
    id          INTEGER PRIMARY KEY,
    finished_at TEXT NOT NULL,                    -- UTC ISO 8601
    rules       INTEGER NOT NULL,
    rule_set    TEXT NOT NULL,                    -- JSON: the rules the run checked, so its score can be read later
    records     INTEGER NOT NULL,
    rechecked   INTEGER NOT NULL,                 -- records read again this run
    errors      INTEGER NOT NULL,
    warnings    INTEGER NOT NULL,
    seconds     REAL NOT NULL
) STRICT;

CREATE TABLE quality_scores (
    run_id       INTEGER NOT NULL REFERENCES validation_runs(id),
    source_id    INTEGER REFERENCES sources(id),  -- NULL for the whole project
    records      INTEGER NOT NULL,
    error_free   REAL NOT NULL,                   -- share of records without an error-level failure
    completeness REAL,                            -- share of mapped fields filled; NULL if none mapped
    score        REAL NOT NULL                    -- 0-100
) STRICT;
CREATE INDEX quality_by_run ON quality_scores (run_id);
"""

# Version 3: duplicate detection. Each run replaces the proposed clusters; a
# steward's "not duplicates" decisions are kept across runs.
_V3 = """
CREATE TABLE match_runs (
    id          INTEGER PRIMARY KEY,
    finished_at TEXT NOT NULL,                    -- UTC ISO 8601
    config      TEXT NOT NULL,                    -- JSON: blocking rules and thresholds used
    model       TEXT NOT NULL,                    -- JSON: m and u per field and level, and the prior
    fields      TEXT NOT NULL,                    -- JSON: each source's column mapping the run read
    last_record INTEGER NOT NULL,                 -- highest record id compared: later ones are new
    full        INTEGER NOT NULL,                 -- 1: everything compared; 0: only new records
    records     INTEGER NOT NULL,
    candidates  INTEGER NOT NULL,                 -- pairs compared
    clusters    INTEGER NOT NULL,
    seconds     REAL NOT NULL
) STRICT;

-- Scored pairs worth explaining (at or above the lowest threshold shown), with
-- each field's comparison level and weight: the match explanation.
CREATE TABLE match_pairs (
    a            INTEGER NOT NULL REFERENCES records(id),
    b            INTEGER NOT NULL REFERENCES records(id),   -- a < b
    probability  REAL NOT NULL,
    levels       TEXT NOT NULL,                   -- JSON: {field: level}, missing fields left out
    weights      TEXT NOT NULL,                   -- JSON: {field: weight}
    PRIMARY KEY (a, b)
) STRICT, WITHOUT ROWID;
CREATE INDEX match_pairs_by_b ON match_pairs (b);

CREATE TABLE clusters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so an exported id cannot come to mean another cluster
    confidence  REAL NOT NULL,
    status      TEXT NOT NULL,                    -- auto | review | deferred | merged | rejected | withdrawn
    note        TEXT NOT NULL DEFAULT '',         -- the steward's note, e.g. why it was deferred
    flags       TEXT NOT NULL,                    -- JSON list, e.g. ["weak_link"]
    size        INTEGER NOT NULL
) STRICT;

CREATE TABLE cluster_members (
    record_id   INTEGER PRIMARY KEY REFERENCES records(id),
    cluster_id  INTEGER NOT NULL REFERENCES clusters(id)
) STRICT;
CREATE INDEX cluster_members_by_cluster ON cluster_members (cluster_id);

-- Pairs a steward said are different people: never proposed again.
CREATE TABLE not_duplicates (
    a           INTEGER NOT NULL REFERENCES records(id),
    b           INTEGER NOT NULL REFERENCES records(id),   -- a < b
    decided_at  TEXT NOT NULL,
    PRIMARY KEY (a, b)
) STRICT, WITHOUT ROWID;
"""

# Version 4: the audit trail. Append-only by trigger; each entry carries the
# SHA-256 of the one before it (see steward.audit).
_V4 = """
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,                      -- UTC ISO 8601
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    targets   TEXT NOT NULL,                      -- JSON
    before    TEXT NOT NULL,                      -- JSON
    after     TEXT NOT NULL,                      -- JSON
    comment   TEXT NOT NULL,
    previous  TEXT NOT NULL,                      -- hash of the entry before (64 zeros for the first)
    hash      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_action ON audit (action, id);

-- Fixes are a layer over the imported values, which are never changed: the
-- value a steward set for a record's column (by position), the newest wins.
CREATE TABLE fixes (
    record_id INTEGER NOT NULL REFERENCES records(id),
    position  INTEGER NOT NULL,
    value     TEXT NOT NULL,
    fixed_at  TEXT NOT NULL,
    PRIMARY KEY (record_id, position)
) STRICT, WITHOUT ROWID;

-- Records whose fixed values changed since the last validation: re-checked one by one.
CREATE TABLE dirty_records (
    record_id INTEGER PRIMARY KEY REFERENCES records(id)
) STRICT;

CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"""

# Version 5: golden records. Their values are never stored: they are derived
# from the members' imported values (with fixes), the survivorship rule, manual
# picks and the steward's edits on the golden record, so a member that leaves
# leaves nothing of itself behind.
_V5 = """
CREATE TABLE golden (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so an old audit entry names one golden record
    created_at TEXT NOT NULL,                     -- UTC ISO 8601
    rule       TEXT NOT NULL,                     -- survivorship rule (steward.survivorship.RULES)
    picks      TEXT NOT NULL,                     -- JSON {field: record id}: manual picks, they beat the rule
    edits      TEXT NOT NULL,                     -- JSON {field: value}: values set on the golden record itself
    cluster_id INTEGER,                           -- the proposal it was merged from (proposals are replaced by
    score      REAL                               -- each match run, so these two are kept for the record only)
) STRICT;

CREATE TABLE golden_members (
    record_id INTEGER PRIMARY KEY REFERENCES records(id),
    golden_id INTEGER NOT NULL REFERENCES golden(id),
    batch     INTEGER NOT NULL,                   -- records merged in by one decision share a batch
    sha256    TEXT NOT NULL                       -- of the record's imported values when merged; unmerge checks it
) STRICT;
CREATE INDEX golden_members_by_golden ON golden_members (golden_id, batch);

CREATE TRIGGER records_are_never_deleted BEFORE DELETE ON records
BEGIN
    SELECT RAISE(ABORT, 'imported records are never deleted');
END;
"""

# Version 6: refreshed sources. Importing next month's export of a source
# links each new row to the row it is the next version of; the earlier source
# is then superseded (kept as history, no longer part of the golden view,
# matching or validation).
_V6 = """
ALTER TABLE sources ADD COLUMN superseded_by INTEGER REFERENCES sources(id);

CREATE TABLE record_links (
    record_id   INTEGER PRIMARY KEY REFERENCES records(id),
    previous_id INTEGER NOT NULL REFERENCES records(id),
    how         TEXT NOT NULL,                    -- key | content
    changed     TEXT NOT NULL                     -- JSON list of the headers whose values differ
) STRICT;
CREATE INDEX record_links_by_previous ON record_links (previous_id);
"""

# Version 7: a proposal's status says when it is over ('rejected' once its
# records are marked not duplicates or split apart), and the queue reads
# proposals by status in confidence order from an index.
_V7 = """
UPDATE clusters SET status = 'rejected'
    WHERE NOT EXISTS (SELECT 1 FROM cluster_members m WHERE m.cluster_id = clusters.id);
CREATE INDEX clusters_by_status ON clusters (status, confidence, id);
"""

# Version 8: pairs marked not duplicates are looked up from either side (a refresh carries them over).
_V8 = """
CREATE INDEX not_duplicates_by_b ON not_duplicates (b, a);
"""

# Version 9: training exercises. A demo project (``steward demo``) keeps the truth about its generated records
# here, for the trainer's scorecard only: review, golden, export and report code never read these tables.
_V9 = """
CREATE TABLE training_exercise (
    id              INTEGER PRIMARY KEY CHECK (id = 1),   -- at most one exercise per project
    records         INTEGER NOT NULL,
    seed            INTEGER NOT NULL,
    locales         TEXT NOT NULL,                -- JSON list, e.g. ["en", "de", "zh"]
    generated_for   TEXT NOT NULL,                -- ISO date the generator took as today
    created_at      TEXT NOT NULL,                -- UTC ISO 8601
    steward_version TEXT NOT NULL
) STRICT;

CREATE TABLE training_truth (
    record_id       INTEGER PRIMARY KEY REFERENCES records(id),
    entity          INTEGER NOT NULL,             -- the person the record belongs to
    variations      TEXT NOT NULL,                -- JSON list: how a duplicate differs from the first record
    defects         TEXT NOT NULL,                -- JSON list of planted validation defects
    lookalike_kind  TEXT,                         -- household | colleagues | namesakes, NULL if none
    lookalike_group INTEGER                       -- people of one look-alike group share it
) STRICT;
CREATE INDEX training_truth_by_entity ON training_truth (entity);
"""

Migration = Callable[[sqlite3.Connection], None]


def _script(schema: str) -> Migration:
    """A migration that runs a schema script statement by statement (in the caller's transaction)."""
    def run(conn: sqlite3.Connection) -> None:
        for statement in _split(schema):
            conn.execute(statement)
    return run


def _split(script: str) -> list[str]:
    """Split a schema script into statements (triggers contain ';' too)."""
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") and not current:
            continue
        current.append(line)
        joined = "\n".join(current).strip()
        if joined and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements


#: MIGRATIONS[i] brings a file from version i to version i + 1.
MIGRATIONS: list[Migration] = [_script(_V1), _script(_V2), _script(_V3), _script(_V4), _script(_V5), _script(_V6), _script(_V7), _script(_V8),
                               _script(_V9)]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> int:
    """Bring the schema up to date in one transaction; return the new version.

    The connection must be in autocommit mode. Either every step and the
    version bump commit together, or nothing does.
    """
    steps = MIGRATIONS if migrations is None else migrations
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current >= len(steps):
        return current
    conn.execute("BEGIN IMMEDIATE")
    try:
        if current == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        for version in range(current, len(steps)):
            steps[version](conn)
        conn.execute(f"PRAGMA user_version = {len(steps)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(steps)
