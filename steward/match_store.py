"""Matching a project: read every record's canonical fields, find duplicates, store clusters and explanations.

A run replaces the previous proposals in one transaction. Pairs a steward
marked "not duplicates" are read first and passed to clustering, so they are
never proposed again.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Iterator

import numpy as np

from . import store
from .errors import StewardError
from .matching.compare import FIELDS, MISSING
from .matching.model import Model
from .matching.pipeline import MatchConfig, MatchResult, find_duplicates
from .progress import Progress, no_progress
from .project import Project, utc_now

_PAGE = 20_000
_STEPS = 7  # reading, the pipeline's five steps, storing
#: Pairs at least this likely are stored with their explanation, also when below the review threshold.
EXPLAIN_FROM = 0.5


@dataclass(frozen=True)
class MatchSummary:
    run_id: int
    incremental: bool                # only records added since the last run were compared
    records: int
    candidates: int
    reduction_ratio: float
    clusters: int
    records_in_clusters: int
    auto: int
    review: int
    seconds: float
    steps: dict[str, float]
    oversize_blocks: dict[str, int]
    estimated_missed: int | None     # likely duplicate pairs blocking never proposed (capture–recapture)


def canonical_rows(project: Project) -> tuple[list[int], list[dict[str, str]]]:
    """Every record's id and its values by canonical field, in id order."""
    ids: list[int] = []
    rows: list[dict[str, str]] = []
    for source in store.current_sources(project):
        positions = {c.field: c.position for c in store.columns(project, source.id) if c.field}
        first = project.conn.execute("SELECT first_record_id FROM sources WHERE id = ?", (source.id,)).fetchone()[0]
        for offset in range(0, source.record_count, _PAGE):
            page = store.effective_rows(project, source.id, offset, _PAGE)
            ids.extend(range(first + offset, first + offset + len(page)))
            rows.extend({f: row[p] for f, p in positions.items() if p < len(row)} for row in page)
    return ids, rows


def match_project(project: Project, config: MatchConfig = MatchConfig(), progress: Progress = no_progress,
                  *, full: bool = False) -> MatchSummary:
    """Find duplicate clusters among all records and store them, replacing the previous run's proposals.

    When the previous run used the same settings and mapping and records were
    only added since, just the new records are compared (with the previous
    run's model) and clusters are rebuilt from old and new links; ``full``
    compares everything again and re-estimates the model.
    """
    started = time.perf_counter()
    progress(0, _STEPS)
    ids, rows = canonical_rows(project)
    if not ids:
        raise StewardError("The project has no records yet. Import a file first.")
    if not any(rows):
        raise StewardError("No column is mapped to a canonical field (name, email, phone, …), so there is "
                           "nothing to compare. Map columns first: import with --map COLUMN=FIELD.")
    position = {record_id: index for index, record_id in enumerate(ids)}
    rejected = [(position[a], position[b]) for a, b in project.conn.execute("SELECT a, b FROM not_duplicates")
                if a in position and b in position]
    golden_links, merged = _golden_pairs(project, position)
    progress(1, _STEPS)
    fields = _fields(project)
    previous = None if full else _previous_run(project, config, fields, len(ids))

    def step(done: int, total: int) -> None:
        progress(1 + done, _STEPS)

    if previous is None:
        result = find_duplicates(rows, config, rejected, known_links=golden_links, merged=merged, progress=step)
    else:
        model, last_record = previous
        new_from = next((i for i, record_id in enumerate(ids) if record_id > last_record), len(ids))
        links = [(position[a], position[b], p) for a, b, p in
                 project.conn.execute("SELECT a, b, probability FROM match_pairs") if a in position and b in position]
        result = find_duplicates(rows, config, rejected, model=model, new_from=new_from,
                                 known_links=links + golden_links, progress=step)
    with project.db.atomic():
        run_id = _store(project, ids, result, config, fields, time.perf_counter() - started,
                        incremental=previous is not None)
        progress(_STEPS, _STEPS)  # a cancel here still rolls the run back
    in_clusters = sum(len(c.members) for c in result.clusters)
    return MatchSummary(
        run_id=run_id, incremental=previous is not None, records=len(ids), candidates=result.blocking.pairs,
        reduction_ratio=result.blocking.reduction_ratio, clusters=len(result.clusters),
        records_in_clusters=in_clusters, auto=sum(c.status == "auto" for c in result.clusters),
        review=sum(c.status == "review" for c in result.clusters), seconds=round(time.perf_counter() - started, 3),
        steps={k: round(v, 3) for k, v in result.seconds.items()}, oversize_blocks=result.blocking.oversize_blocks,
        estimated_missed=result.blocking.estimated_missed,
    )


def _golden_pairs(project: Project, position: dict[int, int]) -> tuple[list[tuple[int, int, float]],
                                                                       list[tuple[int, int]]]:
    """Merged records as certain links (so a golden record is proposed whole, with any newcomer to it) and as
    all their pairs (which the model learns from)."""
    groups: dict[int, list[int]] = {}
    for record_id, golden_id in project.conn.execute("SELECT record_id, golden_id FROM golden_members"):
        if record_id in position:
            groups.setdefault(golden_id, []).append(position[record_id])
    links = [(a, b, 1.0) for members in groups.values() for a, b in zip(members, members[1:])]
    merged = [(a, b) for members in groups.values() for i, a in enumerate(members) for b in members[i + 1:]]
    return links, merged


def _fields(project: Project) -> str:
    """Each source's mapping and how often its fixes changed: a run can only be extended if neither did."""
    return json.dumps([[s.id, [(c.position, c.field) for c in store.columns(project, s.id) if c.field],
                        store.fix_generation(project, s.id)] for s in store.current_sources(project)])


def _previous_run(project: Project, config: MatchConfig, fields: str, records: int) -> tuple[Model, int] | None:
    """The last run's model and last record when it can be extended: same settings, same mapping of its sources,
    a model of the same fields, and at most as many records added as there were (a model learnt from a few
    records would not do for many)."""
    row = project.conn.execute(
        "SELECT config, model, fields, last_record, records FROM match_runs ORDER BY id DESC LIMIT 1").fetchone()
    if row is None or row[0] != json.dumps(asdict(config)) or records > 2 * row[4]:
        return None
    old_sources = {source_id: rest for source_id, *rest in json.loads(row[2])}
    now = {source_id: rest for source_id, *rest in json.loads(fields)}
    if any(now.get(source_id) != mapping for source_id, mapping in old_sources.items()):
        return None
    stored = json.loads(row[1])
    if [stored["fields"].get(spec.name, {}).get("levels") for spec in FIELDS] != [list(s.levels) for s in FIELDS]:
        return None  # a model from another version of the comparisons
    parts = [stored["fields"][spec.name] for spec in FIELDS]
    model = Model(tuple(np.array(p["m"]) for p in parts), tuple(np.array(p["u"]) for p in parts), stored["prior"])
    return model, row[3]


def _store(project: Project, ids: list[int], result: MatchResult, config: MatchConfig, fields: str,
           seconds: float, *, incremental: bool) -> int:
    conn = project.conn
    golden_of = dict(conn.execute("SELECT record_id, golden_id FROM golden_members"))
    deferred = _deferred(project)
    for table in ("cluster_members", "clusters") + (() if incremental else ("match_pairs",)):
        conn.execute(f"DELETE FROM {table}")
    # Ids continue from the highest ever given (AUTOINCREMENT's own counter), so none is reused.
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'clusters'").fetchone()
    first = (row[0] if row else 0) + 1
    rows = []
    for k, c in enumerate(result.clusters):
        members = [ids[m] for m in c.members]
        status, note = deferred.get(frozenset(members), (c.status, ""))
        if len({golden_of.get(r) for r in members}) == 1 and members[0] in golden_of:
            status = "merged"  # already one golden record: nothing left to decide
        rows.append((first + k, c.confidence, status, note, json.dumps(list(c.flags)), len(c.members)))
    conn.executemany("INSERT INTO clusters (id, confidence, status, note, flags, size) VALUES (?, ?, ?, ?, ?, ?)",
                     rows)
    conn.executemany("INSERT INTO cluster_members (record_id, cluster_id) VALUES (?, ?)",
                     [(ids[m], first + k) for k, c in enumerate(result.clusters) for m in c.members])
    conn.executemany("INSERT OR REPLACE INTO match_pairs (a, b, probability, levels, weights) VALUES (?, ?, ?, ?, ?)",
                     _explained_pairs(ids, result, min(EXPLAIN_FROM, config.review)))
    model = {"prior": result.model.prior, "fields": {
        spec.name: {"levels": list(spec.levels), "m": m.tolist(), "u": u.tolist(), "weights": w.tolist()}
        for spec, m, u, w in zip(FIELDS, result.model.m, result.model.u, result.model.weights())}}
    return conn.execute(
        "INSERT INTO match_runs (finished_at, config, model, fields, last_record, full, records, candidates, "
        "clusters, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (utc_now(), json.dumps(asdict(config)), json.dumps(model), fields, max(ids), int(not incremental),
         len(ids), result.blocking.pairs, len(result.clusters), seconds),
    ).lastrowid


def _deferred(project: Project) -> dict[frozenset[int], tuple[str, str]]:
    """Deferred proposals by membership: a new run proposing the same records keeps the deferral and its note."""
    found: dict[int, list[int]] = {}
    for cluster_id, record_id in project.conn.execute(
            "SELECT m.cluster_id, m.record_id FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id "
            "WHERE c.status = 'deferred'"):
        found.setdefault(cluster_id, []).append(record_id)
    notes = dict(project.conn.execute("SELECT id, note FROM clusters WHERE status = 'deferred'"))
    return {frozenset(members): ("deferred", notes[c]) for c, members in found.items()}


def _explained_pairs(ids: list[int], result: MatchResult, least: float) -> Iterator[tuple[int, int, float, str, str]]:
    """Pairs at least ``least`` likely with their explanation (also what an incremental run builds on)."""
    keep = np.flatnonzero(result.probability >= least)
    names = [spec.name for spec in FIELDS]
    rows = zip(result.pairs[keep].tolist(), result.probability[keep].tolist(), result.levels[keep].tolist(),
               np.round(result.contributions[keep], 3).tolist())
    for (a, b), probability, levels, weights in rows:
        a, b = ids[a], ids[b]
        shown = [(name, level, weight) for name, level, weight in zip(names, levels, weights) if level != MISSING]
        # JSON objects written directly: the keys are plain field names and the values numbers.
        yield (min(a, b), max(a, b), probability, "{" + ",".join(f'"{n}":{lv}' for n, lv, _ in shown) + "}",
               "{" + ",".join(f'"{n}":{w!r}' for n, _, w in shown) + "}")
