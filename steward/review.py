"""What the review screens read: the queue of proposals, one proposal side by side, its records' failures
and why its records matched.

Plain dataclasses out, so the window holds no SQL and a test can check every
figure the steward sees. The queue is a list of ids (cheap even for 100,000
proposals); summaries and details are read for the few on screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Sequence

from . import golden
from .mapping import FIELDS
from .matching.compare import FIELDS as COMPARED
from .project import Project
from .survivorship import DEFAULT_RULE, Choice, Survivor, survive

#: Queue filters: what the steward still has to decide, what may be merged without a look, and the rest.
FILTERS = {
    "to review": "status = 'review'",
    "auto": "status = 'auto'",
    "deferred": "status = 'deferred'",
    "done": "status = 'merged'",
    "all": "status NOT IN ('rejected', 'withdrawn')",
}
SORTS = {
    "confidence": "c.confidence ASC, c.id",          # the least certain first: they need a steward most
    "size": "c.size DESC, c.id",
    "id": "c.id",
}
# Agreement of one field across a proposal's records, as the comparison grid colours it.
SAME, SIMILAR, DIFFERENT, MISSING = "same", "similar", "different", "missing"


@dataclass(frozen=True)
class ClusterSummary:
    id: int
    size: int
    confidence: float
    status: str
    name: str            # the first record's name, to recognise the proposal by
    note: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class MemberView:
    record_id: int
    label: str            # SOURCE:ROW
    values: dict[str, str]                  # canonical field → current value (fixes applied)
    fixed: frozenset[str]                   # fields whose value is a steward's fix


@dataclass(frozen=True)
class FailureView:
    record_id: int
    label: str
    rule: str
    field: str
    severity: str
    message: str
    suggestion: str | None


@dataclass(frozen=True)
class ClusterDetail:
    summary: ClusterSummary
    fields: list[str]                                   # canonical fields some member has
    members: list[MemberView]
    agreement: dict[str, str]                           # field → SAME | SIMILAR | DIFFERENT | MISSING
    golden: dict[str, Survivor]                         # what a merge by ``rule`` would give now
    rule: str
    golden_id: int | None                               # the golden record its members already form, if any
    failures: list[FailureView]


@dataclass(frozen=True)
class FieldContribution:
    field: str
    level: str             # what the comparison found, e.g. "exact", "nickname", "typo"
    weight: float          # the field's match weight (log2 Bayes factor): positive for, negative against


def cluster_ids(project: Project, status: str = "to review", search: str = "", sort: str = "confidence") -> list[int]:
    """The proposals in the queue, in order: filtered by status, by name, email or phone text, and sorted."""
    where, parameters = _queue_filter(status, search)
    return [c for (c,) in project.conn.execute(f"SELECT c.id FROM clusters c WHERE {where} ORDER BY {SORTS[sort]}",
                                               parameters)]


def queued(project: Project, ids: Iterable[int], status: str = "to review", search: str = "") -> set[int]:
    """Which of ``ids`` are in the queue ``cluster_ids`` gives for the same filter and search (looked up by id:
    the status index would walk the whole queue)."""
    ids = list(ids)
    where, parameters = _queue_filter(status, search)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(c for (c,) in project.conn.execute(
            f"SELECT c.id FROM clusters c NOT INDEXED WHERE {where} AND c.id IN ({','.join('?' * len(chunk))})",
            [*parameters, *chunk]))
    return found


def _queue_filter(status: str, search: str) -> tuple[str, list[object]]:
    """The WHERE clause on ``clusters c`` of a queue, and its parameters."""
    if not search.strip():
        return FILTERS[status], []
    return (f"{FILTERS[status]} AND EXISTS (SELECT 1 FROM cluster_members m JOIN records r ON r.id = m.record_id "
            "WHERE m.cluster_id = c.id AND instr(lower(r.vals), ?) > 0)", [search.strip().casefold()])


def clusters_of(project: Project, records: Iterable[int]) -> set[int]:
    """The proposals that hold any of ``records``."""
    records = list(records)
    found: set[int] = set()
    for start in range(0, len(records), 500):
        chunk = records[start:start + 500]
        found.update(c for (c,) in project.conn.execute(
            f"SELECT DISTINCT cluster_id FROM cluster_members WHERE record_id IN ({','.join('?' * len(chunk))})",
            chunk))
    return found


def summaries(project: Project, ids: Sequence[int]) -> list[ClusterSummary]:
    """Summaries of the given proposals, in the given order."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = {row[0]: row for row in project.conn.execute(
        f"SELECT id, size, confidence, status, note, flags FROM clusters WHERE id IN ({marks})", list(ids))}
    firsts = {c: r for c, r in project.conn.execute(
        f"SELECT cluster_id, MIN(record_id) FROM cluster_members WHERE cluster_id IN ({marks}) GROUP BY cluster_id",
        list(ids))}
    found = golden.candidates(project, list(firsts.values()), ["full_name", "first_name", "last_name", "company"])
    result = []
    for cluster_id in ids:
        if cluster_id not in rows:
            continue
        _, size, confidence, status, note, flags = rows[cluster_id]
        values = found[firsts[cluster_id]].values if cluster_id in firsts else {}
        result.append(ClusterSummary(cluster_id, size, confidence, status, _name(values), note,
                                     tuple(json.loads(flags))))
    return result


def _name(values: dict[str, str]) -> str:
    full = values.get("full_name", "").strip()
    parts = " ".join(v for v in (values.get("first_name", "").strip(), values.get("last_name", "").strip()) if v)
    return full or parts or values.get("company", "").strip() or "(no name)"


def cluster_detail(project: Project, cluster_id: int, rule: str = DEFAULT_RULE,
                   picks: dict[str, int] | None = None) -> ClusterDetail | None:
    """One proposal side by side: its records by field, how far they agree, the golden record a merge would give
    (by ``rule`` and ``picks``) and the validation failures of its records. None if the proposal is gone."""
    listed = summaries(project, [cluster_id])
    if not listed:
        return None
    ids = [r for (r,) in project.conn.execute(
        "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (cluster_id,))]
    found = golden.candidates(project, ids, FIELDS)
    labels = golden.record_labels(project, ids)
    fixed = _fixed_fields(project, ids)
    members = [MemberView(r, labels[r], dict(found[r].values), fixed.get(r, frozenset())) for r in ids]
    fields = [f for f in FIELDS if f != "updated_at" and any(m.values.get(f, "").strip() for m in members)]
    goldens = {g for (g,) in project.conn.execute(
        f"SELECT DISTINCT golden_id FROM golden_members WHERE record_id IN ({','.join('?' * len(ids))})", ids)}
    choice = Choice(rule, picks or {}, {}, golden.source_order(project))
    return ClusterDetail(listed[0], fields, members, {f: agreement([m.values.get(f, "") for m in members])
                                                      for f in fields},
                         survive([found[r] for r in ids], fields, choice), rule,
                         next(iter(goldens)) if len(goldens) == 1 else None, failures(project, ids))


def agreement(values: Sequence[str]) -> str:
    """How far a field's values across records agree: the same (ignoring case and spacing), similar, different,
    or missing (fewer than two records have one)."""
    from rapidfuzz.distance import JaroWinkler
    filled = [" ".join(v.casefold().split()) for v in values if v.strip()]
    if len(filled) < 2:
        return MISSING
    if len(set(filled)) == 1:
        return SAME
    first = filled[0]
    if all(JaroWinkler.normalized_similarity(first, other) >= 0.85 for other in filled[1:]):
        return SIMILAR
    return DIFFERENT


def _fixed_fields(project: Project, ids: Sequence[int]) -> dict[int, frozenset[str]]:
    marks = ",".join("?" * len(ids))
    found: dict[int, set[str]] = {}
    for record_id, name in project.conn.execute(
            f"SELECT f.record_id, c.field FROM fixes f JOIN records r ON r.id = f.record_id JOIN columns c "
            f"ON c.source_id = r.source_id AND c.position = f.position WHERE f.record_id IN ({marks}) "
            "AND c.field IS NOT NULL", list(ids)):
        found.setdefault(record_id, set()).add(name)
    return {r: frozenset(names) for r, names in found.items()}


def field_position(project: Project, record_id: int, field: str) -> int | None:
    """The column of the record's source that holds ``field`` (the first, as the detail reads it), so a fix to a
    value shown by field lands in the right column; None if the source maps no column to it."""
    row = project.conn.execute(
        "SELECT MIN(c.position) FROM records r JOIN columns c ON c.source_id = r.source_id "
        "WHERE r.id = ? AND c.field = ?", (record_id, field)).fetchone()
    return None if row is None else row[0]


def failures(project: Project, record_ids: Sequence[int]) -> list[FailureView]:
    """The stored validation failures of these records, with the rule's message and any suggested fix."""
    if not record_ids:
        return []
    marks = ",".join("?" * len(record_ids))
    labels = golden.record_labels(project, record_ids)
    rows = project.conn.execute(
        f"SELECT f.record_id, f.rule, f.field, f.severity, f.detail, f.suggestion, r.definition FROM failures f "
        f"LEFT JOIN rules r ON r.name = f.rule WHERE f.record_id IN ({marks}) ORDER BY f.record_id, r.position",
        list(record_ids))
    result = []
    for record_id, rule, name, severity, detail, suggestion, definition in rows:
        message = json.loads(definition)["message"] if definition else rule
        result.append(FailureView(record_id, labels[record_id], rule, name, severity,
                                  f"{message}: {detail}" if detail else message, suggestion))
    return result


def explanation(project: Project, a: int, b: int) -> list[FieldContribution]:
    """Why two records were proposed together: each compared field's level and weight (largest effect first);
    empty when the pair was not scored (its records are linked only through others)."""
    row = project.conn.execute("SELECT levels, weights FROM match_pairs WHERE a = ? AND b = ?",
                               (min(a, b), max(a, b))).fetchone()
    if row is None:
        return []
    levels, weights = json.loads(row[0]), json.loads(row[1])
    names = {spec.name: spec.levels for spec in COMPARED}
    parts = [FieldContribution(name, names[name][int(levels[name])] if name in names else str(levels[name]),
                               float(weights.get(name, 0.0))) for name in levels]
    return sorted(parts, key=lambda p: -abs(p.weight))


def pair_probability(project: Project, a: int, b: int) -> float | None:
    row = project.conn.execute("SELECT probability FROM match_pairs WHERE a = ? AND b = ?",
                               (min(a, b), max(a, b))).fetchone()
    return None if row is None else row[0]


@dataclass(frozen=True)
class Figures:
    """What the status bar shows."""

    records: int
    waiting: int                 # proposals still to decide (to review or auto)
    failures: int
    score: float | None          # the latest quality score, None before the first validation


def figures(project: Project) -> Figures:
    conn = project.conn
    score = conn.execute("SELECT score FROM quality_scores WHERE source_id IS NULL ORDER BY run_id DESC LIMIT 1"
                         ).fetchone()
    return Figures(
        conn.execute("SELECT COALESCE(SUM(record_count), 0) FROM sources WHERE superseded_by IS NULL").fetchone()[0],
        conn.execute("SELECT COUNT(*) FROM clusters WHERE status IN ('review', 'auto')").fetchone()[0],
        conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0],
        None if score is None else score[0])
