"""The Fellegi–Sunter model: how much each field's level of agreement says about two records being one person.

For each field and level, ``m`` is the chance of that level when the records
are the same person and ``u`` when they are not; log2(m/u) is the level's
match weight, and a pair's weights add up (with the prior) to its match
probability. ``u`` is counted on random pairs, which are almost all different
people; ``m`` and the prior are estimated by expectation–maximisation on the
candidate pairs, so no labelled examples are needed. A missing value has
weight zero: it neither helps nor hurts.

One piece of knowledge overrides the arithmetic: two records with clearly
different given names and different dates of birth are different people,
however much else (surname, address, phone) they share — the household and
the colleague case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .compare import FIELD_INDEX, FIELDS, MISSING

_FLOOR = 1e-4
#: Probability given to pairs the household guard rules out (below any review threshold).
GUARDED = 0.01


@dataclass(frozen=True)
class Model:
    m: tuple[np.ndarray, ...]     # per field: P(level | same person), levels in FIELDS order
    u: tuple[np.ndarray, ...]     # per field: P(level | different people)
    prior: float                  # share of candidate pairs that are the same person

    def weights(self) -> tuple[np.ndarray, ...]:
        """log2(m/u) per level, made to fall from the strongest level to the weakest and never below zero
        for full agreement: agreeing better never lowers a score, and full agreement never counts less than
        a missing value."""
        out = []
        for m, u in zip(self.m, self.u):
            weight = np.minimum.accumulate(np.log2(m / u))
            weight[0] = max(weight[0], 0.0)
            out.append(np.minimum.accumulate(weight))
        return tuple(out)

    @property
    def prior_weight(self) -> float:
        return float(np.log2(self.prior / (1 - self.prior)))


def contributions(model: Model, levels: np.ndarray) -> np.ndarray:
    """Weight each field adds for each pair (0 where a value is missing): shape (pairs, fields)."""
    out = np.zeros(levels.shape, dtype=np.float64)
    for f, weight in enumerate(model.weights()):
        column = levels[:, f]
        present = column != MISSING
        out[present, f] = weight[column[present]]
    return out


def probabilities(model: Model, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(match probability, field contributions) per pair, with the household guard applied."""
    parts = contributions(model, levels)
    total = parts.sum(axis=1) + model.prior_weight
    probability = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    probability[different_people(levels)] = GUARDED
    return probability, parts


def different_people(levels: np.ndarray) -> np.ndarray:
    """Pairs whose given names differ outright and whose dates of birth differ: never the same person."""
    given, dob = levels[:, FIELD_INDEX["given"]], levels[:, FIELD_INDEX["dob"]]
    return (given == len(FIELDS[FIELD_INDEX["given"]].levels) - 1) & \
        (dob == len(FIELDS[FIELD_INDEX["dob"]].levels) - 1)


def level_shares(levels: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Per field, the (weighted) share of each level among pairs where the field is present."""
    shares = []
    for f, spec in enumerate(FIELDS):
        column = levels[:, f]
        present = column != MISSING
        counts = np.bincount(column[present].astype(np.int64), minlength=len(spec.levels),
                             weights=None if weights is None else weights[present]).astype(np.float64)
        counts = counts + _FLOOR * max(counts.sum(), 1.0)
        shares.append(counts / counts.sum())
    return tuple(shares)


def estimate(candidate_levels: np.ndarray, random_levels: np.ndarray,
             samples: Sequence[tuple[frozenset[str], np.ndarray]] = (), *, iterations: int = 25) -> Model:
    """u from random pairs; m by EM, field by field, on pairs that were not chosen for agreeing on that field.

    Pairs a blocking rule found agree on the rule's fields by construction, and
    plenty of them are different people with the same name; letting them vote
    on how often a true match agrees on its name would teach the model that
    namesakes are matches. So each sample (the rule's fields, its pairs'
    levels) estimates m only for the other fields, with the rule's fields left
    out of the likelihood, and a field's m is the average over the samples
    that could estimate it. The prior is then the share of candidate pairs the
    model calls matches.
    """
    u = level_shares(random_levels)
    totals = [np.zeros(len(spec.levels)) for spec in FIELDS]
    counts = [0] * len(FIELDS)
    for fields, levels in samples:
        if len(levels) == 0:
            continue
        blind = [FIELD_INDEX[name] for name in fields]
        sample_m = _em(levels, u, blind, iterations)
        for f in range(len(FIELDS)):
            if f not in blind and (levels[:, f] != MISSING).any():
                totals[f] += sample_m[f]
                counts[f] += 1
    fallback = _em(candidate_levels, u, [], iterations)
    m = tuple(totals[f] / counts[f] if counts[f] else fallback[f] for f in range(len(FIELDS)))
    model = Model(m, u, 0.05)
    for _ in range(iterations):
        probability, _ = probabilities(model, candidate_levels)
        model = Model(m, u, float(np.clip(probability.mean(), 1e-6, 1 - 1e-6)))
    return model


def _em(levels: np.ndarray, u: tuple[np.ndarray, ...], blind: list[int], iterations: int) -> tuple[np.ndarray, ...]:
    """m by expectation–maximisation with u fixed; ``blind`` fields are left out of the likelihood."""
    seen = levels.copy()
    seen[:, blind] = MISSING
    model = Model(tuple(_starting_m(len(spec.levels)) for spec in FIELDS), u, 0.05)
    for _ in range(iterations):
        parts = contributions(model, seen)
        probability = 1.0 / (1.0 + np.exp2(-np.clip(parts.sum(axis=1) + model.prior_weight, -60, 60)))
        model = Model(level_shares(seen, probability), u, float(np.clip(probability.mean(), 1e-6, 1 - 1e-6)))
    return model.m


def _starting_m(levels: int) -> np.ndarray:
    """Most matches agree fully; each weaker level is rarer."""
    start = np.array([0.5 ** k for k in range(levels)], dtype=np.float64)
    start[0] *= 4
    return start / start.sum()


def random_pairs(n: int, count: int, seed: int = 7) -> np.ndarray:
    """Up to ``count`` distinct random pairs (i < j) of n records, reproducibly."""
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, size=count * 2)
    b = rng.integers(0, n, size=count * 2)
    keep = a != b
    low, high = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    codes = np.unique(low * n + high)[:count]
    return np.stack([codes // n, codes % n], axis=1)


def explain(model: Model, levels_row: Sequence[int]) -> list[tuple[str, str, float]]:
    """(field, level description, weight) for one pair, for the review screen's waterfall."""
    weights = model.weights()
    out = []
    for f, spec in enumerate(FIELDS):
        level = int(levels_row[f])
        if level == MISSING:
            out.append((spec.name, "missing", 0.0))
        else:
            out.append((spec.name, spec.levels[level], float(weights[f][level])))
    return out
