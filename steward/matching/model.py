"""The Fellegi–Sunter model: how much each field's level of agreement says about two records being one person.

For each field and level, ``m`` is the chance of that level when the records
are the same person and ``u`` when they are not; log2(m/u) is the level's
match weight, and a pair's weights add up (with the prior) to its match
probability. ``u`` is counted on random pairs, which are almost all different
people; ``m`` and the prior are estimated by expectation–maximisation on the
candidate pairs, so no labelled examples are needed. A missing value has
weight zero: it neither helps nor hurts.

One piece of knowledge overrides the arithmetic: two records with clearly
different given names are different people, however much else (surname,
address, phone, a shared mailbox) they share — the household and the
colleague case — unless the same date of birth or customer id says the name
is what was mistyped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .compare import FIELD_INDEX, FIELDS, MISSING

_FLOOR = 1e-4
#: Most a pair the household guard rules out can score (below any review threshold).
GUARDED = 0.01


@dataclass(frozen=True)
class Model:
    m: tuple[np.ndarray, ...]     # per field: P(level | same person), levels in FIELDS order
    u: tuple[np.ndarray, ...]     # per field: P(level | different people)
    prior: float                  # chance that two random records are the same person

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
    out = np.zeros(levels.shape, dtype=np.float32)  # a million pairs' explanations fit in memory
    for f, weight in enumerate(model.weights()):
        column = levels[:, f]
        present = column != MISSING
        out[present, f] = weight[column[present]]
    return out


def frequency_adjusted(model: Model, levels: np.ndarray, shares: Mapping[int, np.ndarray]) -> np.ndarray:
    """Contributions where full agreement on a common value counts less and on a rare one more.

    The u of full agreement is the chance two random records share *some*
    value; for a particular value it is that value's share. Full agreement
    still never counts less than the next level or than a missing value.
    """
    parts = contributions(model, levels)
    weights = model.weights()
    for f, share in shares.items():
        known = ~np.isnan(share) & (levels[:, f] == 0)
        if not known.any():
            continue
        floor = max(float(weights[f][1]) if len(weights[f]) > 1 else 0.0, 0.0)
        adjusted = np.log2(model.m[f][0] / share[known].astype(np.float64))
        parts[known, f] = np.maximum(adjusted, floor)
    return parts


def probabilities(model: Model, levels: np.ndarray,
                  shares: Mapping[int, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(match probability, field contributions) per pair, with the household guard applied; ``shares``
    (from compare.value_shares) weighs agreement on common values down."""
    parts = contributions(model, levels) if shares is None else frequency_adjusted(model, levels, shares)
    total = parts.sum(axis=1, dtype=np.float64) + model.prior_weight
    probability = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    guarded = different_people(levels)
    probability[guarded] = np.minimum(probability[guarded], GUARDED)
    return probability, parts


def different_people(levels: np.ndarray) -> np.ndarray:
    """Pairs whose given names differ outright (no nickname, typo or initial explains it): different people
    however much else they share, unless the same date of birth or customer id says the name is the mistake."""
    given, dob = levels[:, FIELD_INDEX["given"]], levels[:, FIELD_INDEX["dob"]]
    return (given == len(FIELDS[FIELD_INDEX["given"]].levels) - 1) & ~np.isin(dob, (0, 1)) & \
        (levels[:, FIELD_INDEX["identifier"]] != 0)


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


#: How many labelled matches the estimate from unlabelled data counts as when the two are combined.
EM_PSEUDO_COUNT = 50


def estimate(candidate_levels: np.ndarray, random_levels: np.ndarray,
             samples: Sequence[tuple[frozenset[str], np.ndarray]] = (), *, all_pairs: int,
             iterations: int = 25, matched_levels: np.ndarray | None = None) -> Model:
    """u from random pairs; m by EM, field by field, on pairs that were not chosen for agreeing on that field.

    Pairs a blocking rule found agree on the rule's fields by construction, and
    plenty of them are different people with the same name; letting them vote
    on how often a true match agrees on its name would teach the model that
    namesakes are matches. So each sample (the rule's fields, its pairs'
    levels) estimates m only for the other fields, with the rule's fields left
    out of the likelihood, and a field's m is the average over the samples
    that could estimate it.

    The prior is the chance that two *random* records are one person, the
    base rate u belongs to: the expected number of matches among the
    candidates (pairs outside them are taken to be different people) over
    ``all_pairs``. A shared common name then has to be backed by more than
    itself before a pair is called a match.

    The steward's decisions teach the model: pairs marked "not duplicates"
    should already be left out of ``samples`` and ``candidate_levels`` (so
    their agreement never passes for a match's), and ``matched_levels``, the
    levels of pairs a steward merged, pull each m towards what real matches
    look like, counting as much as their number against EM_PSEUDO_COUNT.
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
    fallback = _em(candidate_levels, u, [], iterations) if 0 in counts else None
    m = tuple(totals[f] / counts[f] if counts[f] else fallback[f] for f in range(len(FIELDS)))  # type: ignore[index]
    if matched_levels is not None and len(matched_levels):
        m = _with_decisions(m, matched_levels)
    patterns, weight = _patterns(candidate_levels)
    prior = 1.0 / max(all_pairs, 2)
    for _ in range(iterations):
        probability, _ = probabilities(Model(m, u, prior), patterns)
        previous, prior = prior, float(np.clip((probability * weight).sum() / max(all_pairs, 1), 1e-12, 0.5))
        if abs(prior - previous) <= 1e-4 * previous:
            break
    return Model(m, u, prior)


def _with_decisions(m: tuple[np.ndarray, ...], matched_levels: np.ndarray) -> tuple[np.ndarray, ...]:
    """m blended with the level shares of pairs a steward merged, weighted by how many there are per field."""
    observed = level_shares(matched_levels)
    present = (matched_levels != MISSING).sum(axis=0)
    return tuple((EM_PSEUDO_COUNT * m[f] + present[f] * observed[f]) / (EM_PSEUDO_COUNT + present[f])
                 for f in range(len(FIELDS)))


def _patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``levels`` and how often each occurs: EM only needs these, and there are few."""
    if len(levels) == 0:
        return levels, np.zeros(0)
    # One integer per row (levels + 1 < 8, three bits a field) is far quicker to count than rows.
    shifts = np.arange(levels.shape[1], dtype=np.int64) * 3
    codes = ((levels.astype(np.int64) + 1) << shifts).sum(axis=1)
    unique, counts = np.unique(codes, return_counts=True)
    rows = ((unique[:, None] >> shifts) & 7) - 1
    return rows.astype(np.int8), counts.astype(np.float64)


def _em(levels: np.ndarray, u: tuple[np.ndarray, ...], blind: list[int], iterations: int) -> tuple[np.ndarray, ...]:
    """m by expectation–maximisation with u fixed; ``blind`` fields are left out of the likelihood."""
    seen = levels.copy()
    seen[:, blind] = MISSING
    patterns, weight = _patterns(seen)
    model = Model(tuple(_starting_m(len(spec.levels)) for spec in FIELDS), u, 0.05)
    for _ in range(iterations):
        parts = contributions(model, patterns)
        total = parts.sum(axis=1, dtype=np.float64) + model.prior_weight
        probability = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
        share = float(np.clip((probability * weight).sum() / max(weight.sum(), 1.0), 1e-6, 1 - 1e-6))
        previous, model = model, Model(level_shares(patterns, probability * weight), u, share)
        if max(float(np.abs(a - b).max()) for a, b in zip(previous.m, model.m)) < 1e-6:
            break  # converged
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
