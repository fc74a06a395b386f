"""Candidate pairs: only records that share a blocking key are compared.

Several keys are used at once, so a customer who moved, changed phone or
mistyped a name is still found through another key. A block larger than
``max_block`` records (a common surname, a shared switchboard number) is not
expanded into all its pairs; its records are only paired with their
neighbours in name order, which keeps candidate generation near-linear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..gentle_sort import drop, sorted_in_runs
from .prepare import MatchRecord

Keys = Callable[[Sequence[MatchRecord]], "list[str | None]"]


def _joined(*parts: str) -> str | None:
    return "|".join(parts) if all(parts) else None


#: Every rule by name, each giving all records' keys at once (None: no key); a configuration chooses among them.
RULES: dict[str, Keys] = {
    "identifier": lambda rs: [r.identifier or None for r in rs],
    "email": lambda rs: [r.email or None for r in rs],
    "phone": lambda rs: [r.phone or None for r in rs],
    # Given and family name sounds in either order, so a swap lands in the same block.
    "names": lambda rs: [_joined(*sorted((r.given_sound, r.family_sound))) for r in rs],
    "family_postcode": lambda rs: [_joined(r.family_sound, r.postcode) for r in rs],
    "family_dob": lambda rs: [_joined(r.family_sound, r.dob) for r in rs],
    "given_dob": lambda rs: [_joined(r.given_sound, r.dob) for r in rs],
    "name_in_characters": lambda rs: [r.family_cjk + r.given_cjk or None for r in rs],
    "street_postcode": lambda rs: [_joined(r.street, r.postcode) for r in rs],
    "dob_postcode": lambda rs: [_joined(r.dob, r.postcode) for r in rs],
    "dob_city": lambda rs: [_joined(r.dob, r.city) for r in rs],
    # The house number and postcode survive typos in the street name and in both names.
    "house_postcode": lambda rs: [_joined(r.house, r.postcode) for r in rs],
}
DEFAULT_RULES = tuple(RULES)
#: The compared fields each rule's key is made of: pairs it finds agree on them by construction, so they
#: say nothing about those fields' m-probabilities (see model.estimate).
RULE_FIELDS: dict[str, frozenset[str]] = {
    "identifier": frozenset({"identifier"}), "email": frozenset({"email"}), "phone": frozenset({"phone"}), "names": frozenset({"given", "family"}),
    "family_postcode": frozenset({"family", "postcode"}), "family_dob": frozenset({"family", "dob"}),
    "given_dob": frozenset({"given", "dob"}), "name_in_characters": frozenset({"given", "family"}),
    "street_postcode": frozenset({"street", "postcode"}), "dob_postcode": frozenset({"dob", "postcode"}),
    "dob_city": frozenset({"dob", "city"}), "house_postcode": frozenset({"postcode"}),
    "neighbours": frozenset({"given", "family"}),
}


@dataclass
class BlockingStats:
    records: int
    pairs: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)             # pairs each rule proposed
    oversize_blocks: dict[str, int] = field(default_factory=dict)     # blocks only neighbour-paired, per rule
    neighbour_pairs: int = 0
    rule_pairs: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # each rule's own pairs
    estimated_missed: int | None = None      # matching pairs no rule proposed (set once pairs are scored)

    @property
    def reduction_ratio(self) -> float:
        """Share of all possible pairs never compared."""
        possible = self.records * (self.records - 1) // 2
        return 1.0 - self.pairs / possible if possible else 1.0


def candidate_pairs(records: Sequence[MatchRecord], rules: Sequence[str] = DEFAULT_RULES, *,
                    max_block: int = 100, window: int = 4,
                    new_from: int | None = None) -> tuple[np.ndarray, BlockingStats]:
    """All pairs (i, j), i < j, sharing a key under any rule, as an (n, 2) int64 array in order.

    An oversize block's records are paired with their neighbours in order of
    date of birth, postcode and street, so namesakes who share one of those
    still meet. With ``new_from``, only pairs with a record at or after that
    index are kept (the others were compared before).
    """
    n = len(records)
    stats = BlockingStats(records=n)
    detail = np.array(_rank(records, lambda r: (r.dob, r.postcode, r.street, r.family, r.given)), dtype=np.int64)
    chunks: list[np.ndarray] = []
    for name in rules:
        found, oversize = _block_pairs(RULES[name](records), detail, max_block, window)
        stats.by_rule[name] = len(found)
        stats.oversize_blocks[name] = oversize
        if len(found):
            chunks.append(found)
            stats.rule_pairs[name] = found
    by_name = np.array(_rank(records, lambda r: (r.family, r.given)), dtype=np.int64)
    neighbours = _window_pairs(np.argsort(by_name), np.zeros(n, dtype=np.int64), window)
    stats.neighbour_pairs = len(neighbours)
    if len(neighbours):
        chunks.append(neighbours)
        stats.rule_pairs["neighbours"] = neighbours
    if new_from is not None:
        chunks = [chunk[chunk[:, 1] >= new_from] for chunk in chunks]
        stats.rule_pairs = {rule: chunk[chunk[:, 1] >= new_from] for rule, chunk in stats.rule_pairs.items()}
    pairs = _unique_ordered(chunks, n)
    stats.pairs = len(pairs)
    return pairs, stats


def _block_pairs(keys: list[str | None], detail: np.ndarray, max_block: int,
                 window: int) -> tuple[np.ndarray, int]:
    """Pairs (low, high) within each block of equal keys, and how many blocks were too big to pair fully.

    Done with arrays, block size by block size: every pair of a block up to
    ``max_block`` records, neighbours (in ``detail`` order) in a larger one.
    """
    codes_of: dict[str, int] = {}
    members = np.array([i for i, key in enumerate(keys) if key], dtype=np.int64)
    if len(members) < 2:
        return np.empty((0, 2), dtype=np.int64), 0
    codes = np.array([codes_of.setdefault(keys[i], len(codes_of)) for i in members.tolist()], dtype=np.int64)
    order = np.lexsort((detail[members], codes))
    members, codes = members[order], codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    found = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block)]).tolist():
        blocks = members[starts[sizes == size][:, None] + np.arange(size)]
        first, second = np.triu_indices(size, 1)
        found.append(np.stack([blocks[:, first].ravel(), blocks[:, second].ravel()], axis=1))
    big = sizes > max_block
    if big.any():
        in_big = np.repeat(big, sizes)
        found.append(_window_pairs(members[in_big], codes[in_big], window))
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)
    return np.sort(pairs, axis=1), int(big.sum())


def _window_pairs(ordered: np.ndarray, block: np.ndarray, window: int) -> np.ndarray:
    """Each record with the next window-1 records in ``ordered`` that are in the same ``block``."""
    found = []
    for step in range(1, window):
        same = block[step:] == block[:-step]
        found.append(np.stack([ordered[:-step][same], ordered[step:][same]], axis=1))
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)
    return np.sort(pairs, axis=1)


def _rank(records: Sequence[MatchRecord], key: Callable[[MatchRecord], tuple]) -> list[int]:
    """Each record's position when all are sorted by ``key`` (ties by index); sorted in runs, so a window beside
    the matching worker can paint (one sort of a million tuples holds the interpreter for four seconds)."""
    rank = [0] * len(records)
    ordered = sorted_in_runs((key(record), index) for index, record in enumerate(records))
    for position, (_, index) in enumerate(ordered):
        rank[index] = position
    drop(ordered)
    return rank


def _unique_ordered(chunks: list[np.ndarray], n: int) -> np.ndarray:
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    both = np.concatenate(chunks)
    low, high = np.minimum(both[:, 0], both[:, 1]), np.maximum(both[:, 0], both[:, 1])
    codes = unique_codes(low * max(n, 1) + high)
    codes = codes[(codes // max(n, 1)) != (codes % max(n, 1))]
    return np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1)


def unique_codes(codes: np.ndarray) -> np.ndarray:
    """``np.unique`` of integer codes, by sorting: NumPy 2's own takes 20 s for 40 million codes and holds the
    interpreter throughout (a window beside the matching worker froze); a sort takes one and lets it run."""
    ordered = np.sort(codes)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def contains(sorted_codes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``np.isin(codes, sorted_codes)`` for a sorted array of codes, by binary search (see unique_codes)."""
    if len(sorted_codes) == 0:
        return np.zeros(len(codes), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
    return sorted_codes[at] == codes
