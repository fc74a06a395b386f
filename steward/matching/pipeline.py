"""Finding duplicates end to end, without a database: records in, scored pairs and clusters out.

prepare → block → compare → estimate the model (u on random pairs, m by EM)
→ score → cluster. Each step is its own module; this one only chains them
and reports what each did, so the CLI, the window and the benchmark share it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Collection, Mapping, Sequence

import numpy as np

from ..progress import Progress, no_progress
from .blocking import DEFAULT_RULES, RULE_FIELDS, BlockingStats, candidate_pairs, contains
from .clustering import Cluster, find_clusters
from .compare import compare, match_columns, value_shares
from .model import Model, estimate, probabilities, random_pairs
from .prepare import MatchRecord, prepare


@dataclass(frozen=True)
class MatchConfig:
    rules: tuple[str, ...] = DEFAULT_RULES
    max_block: int = 10
    window: int = 4
    review: float = 0.90        # pairs at or above this are proposed for review
    auto: float = 0.98          # clusters whose every link is at least this may merge automatically
    random_pairs: int = 100_000  # for estimating u


@dataclass
class MatchResult:
    records: list[MatchRecord]
    pairs: np.ndarray             # (k, 2) record indices of scored candidate pairs
    levels: np.ndarray            # (k, fields) comparison levels
    probability: np.ndarray       # (k,) match probability
    contributions: np.ndarray     # (k, fields) weight per field, for explanations
    model: Model
    clusters: list[Cluster]
    blocking: BlockingStats
    seconds: dict[str, float] = field(default_factory=dict)


def find_duplicates(rows: Sequence[Mapping[str, str]], config: MatchConfig = MatchConfig(),
                    cannot_link: Collection[tuple[int, int]] = (), *, model: Model | None = None,
                    new_from: int | None = None, known_links: Sequence[tuple[int, int, float]] = (),
                    merged: Collection[tuple[int, int]] = (), progress: Progress = no_progress) -> MatchResult:
    """Score candidate pairs of ``rows`` (canonical field → raw value) and cluster them.

    ``cannot_link`` holds index pairs a steward marked as not duplicates; they
    never end up in one cluster, and the model is estimated without them.
    ``merged`` holds index pairs a steward merged; the model learns from them.
    ``progress`` is called after each of the five steps and may raise to cancel.

    Incremental use, after new records were added at the end: ``new_from`` is
    the index of the first new row, ``model`` the model of the earlier run and
    ``known_links`` its scored pairs among the old rows. Then only pairs with
    a new row are compared and scored, and clustering takes both.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[step] = seconds.get(step, 0.0) + now - started
        started = now
        progress(len(seconds), 5)

    records = [prepare(row) for row in rows]
    lap("prepare")
    pairs, stats = candidate_pairs(records, config.rules, max_block=config.max_block, window=config.window,
                                   new_from=new_from)
    lap("block")
    columns = match_columns(records)
    levels = compare(records, pairs, columns)
    if model is None:
        random_levels = compare(records, random_pairs(len(records), config.random_pairs), columns)
        lap("compare")
        undecided = ~_among(pairs, cannot_link, len(records))
        matched = compare(records, np.array(sorted({(min(a, b), max(a, b)) for a, b in merged}), dtype=np.int64)
                          .reshape(-1, 2), columns)
        model = estimate(levels[undecided], random_levels,
                         _samples(pairs, levels, stats, len(records), cannot_link),
                         all_pairs=len(records) * (len(records) - 1) // 2, matched_levels=matched)
    else:
        lap("compare")
    probability, parts = probabilities(model, levels, value_shares(records, pairs, columns))
    lap("score")
    strong = probability >= config.review
    stats.estimated_missed = estimate_missed(pairs, strong, stats, len(records)) if new_from is None else None
    scored = [(int(a), int(b), float(p)) for (a, b), p in zip(pairs[strong], probability[strong])]
    clusters = find_clusters(scored + [link for link in known_links if link[2] >= config.review], cannot_link,
                             review=config.review, auto=config.auto)
    lap("cluster")
    return MatchResult(records, pairs, levels, probability, parts, model, clusters, stats, seconds)


def _samples(pairs: np.ndarray, levels: np.ndarray, stats: BlockingStats, n: int,
             cannot_link: Collection[tuple[int, int]] = ()) -> list[tuple[frozenset[str], np.ndarray]]:
    """Each blocking rule's pairs as (the fields its key agrees on, their levels), for estimating m;
    pairs a steward called different people are left out."""
    codes = pairs[:, 0] * max(n, 1) + pairs[:, 1]
    out = []
    for rule, rule_pairs in stats.rule_pairs.items():
        kept = rule_pairs[~_among(rule_pairs, cannot_link, n)]
        positions = np.searchsorted(codes, kept[:, 0] * max(n, 1) + kept[:, 1])
        out.append((RULE_FIELDS[rule], levels[positions]))
    return out


def _among(pairs: np.ndarray, chosen: Collection[tuple[int, int]], n: int) -> np.ndarray:
    """Which of ``pairs`` (i < j) are in ``chosen`` (in either order)."""
    if not chosen or len(pairs) == 0:
        return np.zeros(len(pairs), dtype=bool)
    wanted = np.array([min(a, b) * max(n, 1) + max(a, b) for a, b in chosen], dtype=np.int64)
    return np.isin(pairs[:, 0] * max(n, 1) + pairs[:, 1], wanted)


#: Blocking rules keyed on contact details; the others key on names, dates and places.
CONTACT_RULES = frozenset({"identifier", "email", "phone"})


def estimate_missed(pairs: np.ndarray, matched: np.ndarray, stats: BlockingStats, n: int) -> int | None:
    """Matching pairs blocking probably never proposed, by capture–recapture (Lincoln–Petersen).

    Contact-detail keys and name/date/place keys are two roughly independent
    ways of catching a duplicate: if c1 matches are caught by the first, c2
    by the second and b by both, about c1 * c2 / b exist, and those caught by
    neither were never compared. None when too few are caught by both to say.
    """
    codes = pairs[matched, 0] * max(n, 1) + pairs[matched, 1]
    contact = np.zeros(len(codes), dtype=bool)
    other = np.zeros(len(codes), dtype=bool)
    for rule, rule_pairs in stats.rule_pairs.items():
        caught = contains(np.sort(rule_pairs[:, 0] * max(n, 1) + rule_pairs[:, 1]), codes)
        if rule in CONTACT_RULES:
            contact |= caught
        else:
            other |= caught
    both = int((contact & other).sum())
    if both < 10:
        return None
    estimated_total = contact.sum() * other.sum() / both
    return max(0, round(estimated_total - (contact | other).sum()))

