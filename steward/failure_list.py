"""What the rules and failures screen reads: each rule with its failure count, and one rule's failing records
a page at a time.

A rule may fail on 500,000 records, so its failures are read by offset and
limit (in record order, along the failures table's primary key) and never all
at once. Each row carries the column position of the failing field in its
record's source, which is what a fix is addressed by.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .project import Project


@dataclass(frozen=True)
class RuleFailures:
    rule: str
    field: str
    severity: str          # error | warning
    message: str
    failures: int
    suggestions: int       # failures that come with a suggested fix


@dataclass(frozen=True)
class FailureRow:
    record_id: int
    label: str             # SOURCE:ROW
    position: int | None   # the failing field's column in the record's source; None when no column is mapped to it
    value: str             # the value now, a steward's fix laid over the imported value
    imported: str          # the value as imported
    fixed: bool            # ``value`` is a steward's fix
    detail: str            # what the check found, '' when the rule's message says it all
    suggestion: str | None


@dataclass(frozen=True)
class LastRun:
    finished_at: str       # UTC ISO 8601
    records: int
    errors: int
    warnings: int


def rule_failures(project: Project) -> list[RuleFailures]:
    """Every rule in its saved order with how many records fail it (zero for rules that pass or were not run)."""
    rows = project.conn.execute(
        "SELECT r.definition, COUNT(f.record_id), COUNT(f.suggestion) FROM rules r "
        "LEFT JOIN failures f ON f.rule = r.name GROUP BY r.name ORDER BY r.position")
    result = []
    for definition, failures, suggestions in rows:
        rule = json.loads(definition)
        result.append(RuleFailures(rule["name"], rule.get("field", ""), rule.get("severity", "error"),
                                   rule.get("message", rule["name"]), failures, suggestions))
    return result


def failure_count(project: Project, rule: str) -> int:
    return project.conn.execute("SELECT COUNT(*) FROM failures WHERE rule = ?", (rule,)).fetchone()[0]


def failure_rows(project: Project, rule: str, offset: int = 0, limit: int = 256) -> list[FailureRow]:
    """The failures of ``rule`` from ``offset`` in record order, at most ``limit`` of them."""
    rows = project.conn.execute(
        "SELECT f.record_id, s.name, r.row_no, c.position, json_extract(r.vals, '$[' || c.position || ']'), "
        "x.value, f.detail, f.suggestion "
        "FROM (SELECT record_id, field, detail, suggestion FROM failures WHERE rule = ? "
        "      ORDER BY record_id LIMIT ? OFFSET ?) f "
        "JOIN records r ON r.id = f.record_id JOIN sources s ON s.id = r.source_id "
        "LEFT JOIN columns c ON c.source_id = r.source_id AND c.field = f.field "
        "LEFT JOIN fixes x ON x.record_id = f.record_id AND x.position = c.position "
        "ORDER BY f.record_id", (rule, max(limit, 0), max(offset, 0)))
    result = []
    for record_id, source, row_no, position, imported, fix, detail, suggestion in rows:
        imported = imported or ""
        result.append(FailureRow(record_id, f"{source}:{row_no}", position, imported if fix is None else fix,
                                 imported, fix is not None, detail, suggestion))
    return result


def last_run(project: Project) -> LastRun | None:
    """The latest validation, None before the first."""
    row = project.conn.execute("SELECT finished_at, records, errors, warnings FROM validation_runs "
                               "ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else LastRun(*row)


def version(project: Project) -> tuple[int, str]:
    """What the stored failures depend on: the latest validation run and the rules (only validating and saving
    rules change failures), so a screen knows when to read them again."""
    run = project.conn.execute("SELECT COALESCE(MAX(id), 0) FROM validation_runs").fetchone()[0]
    rules = hashlib.sha256()
    for (definition,) in project.conn.execute("SELECT definition FROM rules ORDER BY position"):
        rules.update(definition.encode("utf-8") + b"\n")
    return run, rules.hexdigest()
