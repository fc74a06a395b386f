"""Validating a project against its data dictionary, incrementally, with a quality score per run.

Each (rule, source) pair remembers a fingerprint of what it was checked
against: the rule itself, the columns it reads, the standard forms' version,
the default region and, for rules that depend on it, today's date. A run
re-checks only pairs whose fingerprint changed, so importing a new source or
editing one rule does not re-read everything. A run is one transaction:
cancelled or failed, it leaves the previous results exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import email_validator
import phonenumbers

from . import standardize, store
from .errors import StewardError
from .page_checks import POOL_THRESHOLD, PageJob, Pages, RunState, check_rows, worker_count
from .progress import Progress, no_progress
from .project import Project, utc_now
from .rule_store import default_region, load_rules
from .rules import Rule

#: Bump when a checker's verdicts change, so stored failures are recomputed.
CHECKS_VERSION = 1
_PAGE = 20_000
_DATED_KINDS = ("date", "freshness")
# Verdicts depend on these libraries' data (phone ranges change often): a new version re-checks.
_LIBRARIES = [phonenumbers.__version__, email_validator.__version__]
_REGIONAL_KINDS = ("phone", "postcode", "phone_country")


@dataclass(frozen=True)
class RuleCount:
    name: str
    field: str
    severity: str
    failures: int


@dataclass(frozen=True)
class Score:
    """Quality of a source (or the project, ``source`` None): 0-100, half error-free share, half completeness."""

    source: str | None
    records: int
    error_free: float
    completeness: float | None
    score: float


@dataclass(frozen=True)
class ValidationResult:
    run_id: int
    finished_at: str
    records: int
    rechecked: int             # records read again because something they are checked against changed
    seconds: float
    rules: list[RuleCount]
    errors: int
    warnings: int
    scores: list[Score]        # the project first, then each source
    notes: list[str]           # rules not applied to a source, and why


def validate(project: Project, *, today: date | None = None, progress: Progress = no_progress) -> ValidationResult:
    """Check every record against the project's rules, re-checking only what changed; store and return the results."""
    started = time.perf_counter()
    rules = load_rules(project)
    if not rules:
        raise StewardError("The project has no rules yet. Propose the default rules for its mapped fields, "
                           "or load a rules file, then validate.")
    today = today or date.today()
    region = default_region(project)
    sources = store.current_sources(project)
    with project.db.atomic():
        _forget_superseded(project)
        run = _Run(project, rules, sources, today, region, progress)
        rechecked, notes = run.execute()
        return _finish(project, rules, sources, rechecked, notes, time.perf_counter() - started)


class _Run:
    """One validation pass: decides what is stale, reads those sources once, writes their failures."""

    def __init__(self, project: Project, rules: list[Rule], sources: list[store.Source], today: date,
                 region: str | None, progress: Progress) -> None:
        self.project, self.rules, self.sources = project, rules, sources
        self.today, self.region, self.progress = today, region, progress
        self.token = secrets.token_hex(8)
        state = project.conn.execute("SELECT rule, source_id, fingerprint FROM validation_state").fetchall()
        self.state = {(rule, source): fp for rule, source, fp in state}
        self.positions = {s.id: {c.field: c.position for c in store.columns(project, s.id) if c.field}
                          for s in sources}
        self.first_ids = dict(project.conn.execute("SELECT id, first_record_id FROM sources").fetchall())
        self.fixes = {s.id: store.fix_generation(project, s.id) for s in sources}
        self.done = self.total = 0
        self.read: set[int] = set()
        self.unique_rules: list[Rule] = []
        self.unique_seen: dict[str, dict[str, int]] = {}
        self.unique_dups: dict[str, dict[str, list[int]]] = {}

    def fingerprint(self, rule: Rule, source: store.Source) -> str:
        positions = self.positions[source.id]
        reads = {rule.field} | ({"country"} if rule.kind in _REGIONAL_KINDS else set())
        if rule.kind == "phone_country":
            reads.add(rule.params["country_field"])
        parts: dict[str, Any] = {
            "rule": rule.to_dict(), "reads": {f: positions.get(f) for f in sorted(reads)},
            "versions": [standardize.VERSION, CHECKS_VERSION, _LIBRARIES],
            # Fixed records are re-checked one by one (dirty_records); a unique rule compares across all of them.
            "fixes": [self.fixes[s.id] for s in self.sources] if rule.kind == "unique" else None,
        }
        if rule.kind in _REGIONAL_KINDS:
            parts["region"] = self.region
        if rule.kind in _DATED_KINDS:
            parts["today"] = self.today.isoformat()
        if rule.kind == "unique":  # its verdicts depend on every source holding the field
            parts["all"] = [(s.id, s.record_count, self.positions[s.id].get(rule.field)) for s in self.sources]
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()

    def execute(self) -> tuple[int, list[str]]:
        notes: list[str] = []
        stale: dict[int, list[Rule]] = {}
        fingerprints: dict[tuple[str, int], str] = {}
        for source in self.sources:
            for rule in self.rules:
                fp = fingerprints[(rule.name, source.id)] = self.fingerprint(rule, source)
                missing = [f for f in _fields_read(rule) if f not in self.positions[source.id]]
                if missing:
                    notes.append(f"{rule.name}: not applied to '{source.name}' (no column mapped to {missing[0]})")
                if self.state.get((rule.name, source.id)) != fp:
                    stale.setdefault(source.id, []).append(rule)
        self.unique_rules = [r for r in self.rules if r.kind == "unique" and any(r in v for v in stale.values())]
        self.unique_seen = {r.field: {} for r in self.unique_rules}
        self.unique_dups = {r.field: {} for r in self.unique_rules}
        completeness_stale = [s for s in self.sources if self._completeness_fp(s) != self._stored_completeness_fp(s)]
        to_read = [s for s in self.sources if s.id in stale or s in completeness_stale or any(
            r.field in self.positions[s.id] for r in self.unique_rules)]
        self.total = sum(s.record_count for s in to_read)
        self.read = {s.id for s in to_read}
        workers = worker_count(self.project) if self.total >= POOL_THRESHOLD else 0
        pages = Pages(workers,
                      lambda job: store.effective_rows(self.project, job.source_id, job.offset, job.limit))
        try:
            for source in to_read:
                page_rules = [r for r in stale.get(source.id, []) if r.kind != "unique"]
                self._clear(source, page_rules + self.unique_rules)
                self._check_source(pages, source, page_rules, source in completeness_stale)
        finally:
            pages.close()
        for rule in self.unique_rules:
            self._write_unique(rule, self.unique_dups[rule.field])
        self._recheck_fixed(stale)
        self.project.conn.executemany(
            "INSERT OR REPLACE INTO validation_state (rule, source_id, fingerprint) VALUES (?, ?, ?)",
            [(rule, source, fp) for (rule, source), fp in fingerprints.items()],
        )
        self.progress(self.total, self.total)
        return self.done, notes

    def _recheck_fixed(self, stale: dict[int, list[Rule]]) -> None:
        """Check records whose fixes changed against the rules not already re-run over their whole source."""
        dirty = [r for (r,) in self.project.conn.execute("SELECT record_id FROM dirty_records ORDER BY record_id")]
        self.project.conn.execute("DELETE FROM dirty_records")
        for source in self.sources:
            first = self.first_ids[source.id]
            ids = [r for r in dirty if first is not None and first <= r < first + source.record_count]
            positions = self.positions[source.id]
            rules = [r for r in self.rules if r not in stale.get(source.id, []) and r.kind != "unique"
                     and _applies(r, positions)]
            if not ids or not rules:
                continue
            rows = [store.effective_rows(self.project, source.id, record_id - first, 1)[0] for record_id in ids]
            # The rows are not contiguous: check them as a page starting at id 0, then map positions to ids.
            job = PageJob(str(self.project.path), self.token, source.id, 0, len(rows), 0, positions,
                          [r.to_dict() for r in rules], self.today.isoformat(), self.region)
            found = check_rows(job, rows, RunState(job)).failures
            self.project.conn.executemany(
                "DELETE FROM failures WHERE rule = ? AND record_id = ?", [(r.name, i) for r in rules for i in ids])
            self.project.conn.executemany(
                "INSERT INTO failures (rule, record_id, field, severity, detail, suggestion) VALUES (?, ?, ?, ?, ?, ?)",
                [(rule, ids[index], *rest) for rule, index, *rest in found])
            if source.id not in self.read:  # a source read in full this run has counted them already
                self.done += len(ids)

    def _clear(self, source: store.Source, rules: list[Rule]) -> None:
        first = self.first_ids[source.id]
        if first is None:
            return
        self.project.conn.executemany(
            "DELETE FROM failures WHERE rule = ? AND record_id >= ? AND record_id < ?",
            [(rule.name, first, first + source.record_count) for rule in rules],
        )

    def _check_source(self, pages: Pages, source: store.Source, page_rules: list[Rule], count_filled: bool) -> None:
        positions = self.positions[source.id]
        applicable = [r.to_dict() for r in page_rules if _applies(r, positions)]
        unique_fields = sorted({r.field for r in self.unique_rules if r.field in positions})
        first = self.first_ids[source.id]
        jobs = [PageJob(str(self.project.path), self.token, source.id, offset, _PAGE, first + offset, positions,
                        applicable, self.today.isoformat(), self.region, unique_fields, count_filled)
                for offset in range(0, source.record_count, _PAGE)]
        filled = dict.fromkeys(positions, 0)
        insert = ("INSERT INTO failures (rule, record_id, field, severity, detail, suggestion) "
                  "VALUES (?, ?, ?, ?, ?, ?)")
        for outcome in pages.run(jobs):
            self.project.conn.executemany(insert, outcome.failures)
            for field_name, keys in outcome.unique_keys.items():
                seen, dups = self.unique_seen[field_name], self.unique_dups[field_name]
                for key, record_id in keys:
                    earlier = seen.setdefault(key, record_id)
                    if earlier != record_id:
                        dups.setdefault(key, [earlier]).append(record_id)
            for field_name, count in (outcome.filled or {}).items():
                filled[field_name] += count
            self.done += outcome.size
            self.progress(self.done, self.total)
        if count_filled:
            self.project.conn.execute(
                "INSERT OR REPLACE INTO completeness (source_id, fingerprint, filled) VALUES (?, ?, ?)",
                (source.id, self._completeness_fp(source), json.dumps(filled, sort_keys=True)),
            )

    def _write_unique(self, rule: Rule, dups: dict[str, list[int]]) -> None:
        rows = []
        for key, ids in dups.items():
            detail = f"{key!r} is shared by {len(ids)} records"
            rows += [(rule.name, record_id, rule.field, rule.severity, detail, None)
                     for record_id in ids]
        self.project.conn.executemany(
            "INSERT INTO failures (rule, record_id, field, severity, detail, suggestion) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _completeness_fp(self, source: store.Source) -> str:
        return json.dumps([source.record_count, sorted(self.positions[source.id].items()), self.fixes[source.id]])

    def _stored_completeness_fp(self, source: store.Source) -> str | None:
        row = self.project.conn.execute("SELECT fingerprint FROM completeness WHERE source_id = ?",
                                        (source.id,)).fetchone()
        return row[0] if row else None


def _forget_superseded(project: Project) -> None:
    """Sources a refreshed export replaced are history: their failures no longer count, and are checked afresh
    should the refresh be undone."""
    for source in store.sources(project):
        if source.superseded_by is None:
            continue
        first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source.id,)).fetchone()[0]
        if first is not None:
            project.conn.execute("DELETE FROM failures WHERE record_id >= ? AND record_id < ?",
                                 (first, first + source.record_count))
        project.conn.execute("DELETE FROM validation_state WHERE source_id = ?", (source.id,))
        project.conn.execute("DELETE FROM completeness WHERE source_id = ?", (source.id,))


def _fields_read(rule: Rule) -> list[str]:
    """The mapped fields a rule needs: its own, and the country field a phone-country rule compares with."""
    return [rule.field] + ([rule.params["country_field"]] if rule.kind == "phone_country" else [])


def _applies(rule: Rule, positions: dict[str, int]) -> bool:
    return all(f in positions for f in _fields_read(rule))


def _finish(project: Project, rules: list[Rule], sources: list[store.Source], rechecked: int, notes: list[str],
            seconds: float) -> ValidationResult:
    """Count failures, compute and store the scores, and record the run."""
    conn = project.conn
    counts = {(name, severity): n for name, severity, n in
              conn.execute("SELECT rule, severity, COUNT(*) FROM failures GROUP BY rule, severity")}
    rule_counts = [RuleCount(r.name, r.field, r.severity, counts.get((r.name, r.severity), 0)) for r in rules]
    errors = sum(c.failures for c in rule_counts if c.severity == "error")
    warnings = sum(c.failures for c in rule_counts if c.severity == "warning")
    scores = [_source_score(project, s) for s in sources]
    scores.insert(0, _project_score(scores))
    finished = utc_now()
    records = sum(s.record_count for s in sources)
    rule_set = json.dumps([r.to_dict() for r in rules], ensure_ascii=False)
    run_id = conn.execute(
        "INSERT INTO validation_runs (finished_at, rules, rule_set, records, rechecked, errors, warnings, seconds) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (finished, len(rules), rule_set, records, rechecked, errors, warnings,
                                            seconds),
    ).lastrowid
    ids = {s.name: s.id for s in sources}
    conn.executemany(
        "INSERT INTO quality_scores (run_id, source_id, records, error_free, completeness, score) VALUES (?, ?, ?, ?, ?, ?)",
        [(run_id, ids.get(s.source) if s.source else None, s.records, s.error_free, s.completeness, s.score)
         for s in scores],
    )
    return ValidationResult(run_id, finished, records, rechecked, round(seconds, 3), rule_counts, errors, warnings,
                            scores, notes)


def _combine(error_free: float, completeness: float | None) -> float:
    parts = [error_free] + ([completeness] if completeness is not None else [])
    return round(100 * sum(parts) / len(parts), 1)


def _source_score(project: Project, source: store.Source) -> Score:
    first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source.id,)).fetchone()[0]
    with_errors = 0
    if first is not None:
        with_errors = project.conn.execute(
            "SELECT COUNT(DISTINCT record_id) FROM failures WHERE severity = 'error' AND record_id >= ? AND record_id < ?",
            (first, first + source.record_count),
        ).fetchone()[0]
    row = project.conn.execute("SELECT filled FROM completeness WHERE source_id = ?", (source.id,)).fetchone()
    filled = json.loads(row[0]) if row else {}
    records = source.record_count
    error_free = 1.0 if records == 0 else (records - with_errors) / records
    completeness = sum(filled.values()) / (records * len(filled)) if filled and records else None
    return Score(source.name, records, round(error_free, 4),
                 None if completeness is None else round(completeness, 4), _combine(error_free, completeness))


def _project_score(scores: list[Score]) -> Score:
    records = sum(s.records for s in scores)
    if records == 0:
        return Score(None, 0, 1.0, None, 100.0)
    error_free = sum(s.error_free * s.records for s in scores) / records
    weighted = [(s.completeness, s.records) for s in scores if s.completeness is not None]
    completeness = sum(c * n for c, n in weighted) / sum(n for _, n in weighted) if weighted and \
        sum(n for _, n in weighted) else None
    return Score(None, records, round(error_free, 4), None if completeness is None else round(completeness, 4),
                 _combine(error_free, completeness))


def score_history(project: Project, source: str | None = None) -> list[tuple[str, float]]:
    """(finished_at, score) of every run, oldest first, for the project or one source."""
    if source is None:
        query = ("SELECT r.finished_at, q.score FROM quality_scores q JOIN validation_runs r ON r.id = q.run_id "
                 "WHERE q.source_id IS NULL ORDER BY r.id")
        return [tuple(row) for row in project.conn.execute(query)]
    source_id = store.source_named(project, source).id
    query = ("SELECT r.finished_at, q.score FROM quality_scores q JOIN validation_runs r ON r.id = q.run_id "
             "WHERE q.source_id = ? ORDER BY r.id")
    return [tuple(row) for row in project.conn.execute(query, (source_id,))]
