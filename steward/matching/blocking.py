"""Candidate pairs: only records that share a blocking key are compared.

Several keys are used at once, so a customer who moved, changed phone or
mistyped a name is still found through another key. A block larger than
``max_block`` records (a common surname, a shared switchboard number) is not
expanded into all its pairs; its records are only paired with their
neighbours in name order, which keeps candidate generation near-linear.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Callable, Sequence

import jellyfish
import numpy as np

from .prepare import MatchRecord

KeyFunction = Callable[[MatchRecord], "str | None"]


@lru_cache(maxsize=100_000)
def _phonetic(word: str) -> str:
    first = word.split(" ", 1)[0]
    return jellyfish.metaphone(first) if first else ""


def _identifier(r: MatchRecord) -> str | None:
    return r.identifier or None


def _email(r: MatchRecord) -> str | None:
    return r.email or None


def _phone(r: MatchRecord) -> str | None:
    return r.phone or None


def _names(r: MatchRecord) -> str | None:
    """Given and family name sounds, in either order (so a swap lands in the same block)."""
    if not r.given or not r.family:
        return None
    return "|".join(sorted((_phonetic(r.given), _phonetic(r.family))))


def _family_postcode(r: MatchRecord) -> str | None:
    return f"{_phonetic(r.family)}|{r.postcode}" if r.family and r.postcode else None


def _family_dob(r: MatchRecord) -> str | None:
    return f"{_phonetic(r.family)}|{r.dob}" if r.family and r.dob else None


def _given_dob(r: MatchRecord) -> str | None:
    return f"{_phonetic(r.given)}|{r.dob}" if r.given and r.dob else None


def _name_in_characters(r: MatchRecord) -> str | None:
    return r.family_cjk + r.given_cjk or None


def _street_postcode(r: MatchRecord) -> str | None:
    return f"{r.street}|{r.postcode}" if r.street and r.postcode else None


def _dob_postcode(r: MatchRecord) -> str | None:
    return f"{r.dob}|{r.postcode}" if r.dob and r.postcode else None


def _dob_city(r: MatchRecord) -> str | None:
    return f"{r.dob}|{r.city}" if r.dob and r.city else None


def _house_postcode(r: MatchRecord) -> str | None:
    """The house number and the postcode: survives typos in the street name and in both names."""
    number = next((token for token in r.street.split() if token.isdigit()), "")
    return f"{number}|{r.postcode}" if number and r.postcode else None


#: Every rule by name; a match configuration chooses among them.
RULES: dict[str, KeyFunction] = {
    "identifier": _identifier, "email": _email, "phone": _phone, "names": _names, "family_postcode": _family_postcode,
    "family_dob": _family_dob, "given_dob": _given_dob, "name_in_characters": _name_in_characters,
    "street_postcode": _street_postcode, "dob_postcode": _dob_postcode, "dob_city": _dob_city,
    "house_postcode": _house_postcode,
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
    detail = _rank(records, lambda r: (r.dob, r.postcode, r.street, r.family, r.given))
    chunks: list[np.ndarray] = []
    for name in rules:
        key_of = RULES[name]
        blocks: dict[str, list[int]] = defaultdict(list)
        for index, record in enumerate(records):
            key = key_of(record)
            if key:
                blocks[key].append(index)
        left: list[int] = []
        right: list[int] = []
        oversize = 0
        for members in blocks.values():
            if len(members) < 2:
                continue
            if len(members) > max_block:
                oversize += 1
                members = sorted(members, key=detail.__getitem__)
                pairs = _neighbours(members, window)
            else:
                pairs = combinations(members, 2)
            for a, b in pairs:
                left.append(a)
                right.append(b)
        stats.by_rule[name] = len(left)
        stats.oversize_blocks[name] = oversize
        if left:
            chunks.append(_ordered(left, right))
            stats.rule_pairs[name] = chunks[-1]
    by_name = _rank(records, lambda r: (r.family, r.given))
    ordered = sorted(range(n), key=by_name.__getitem__)
    neighbours = _neighbours(ordered, window)
    stats.neighbour_pairs = len(neighbours)
    if neighbours:
        chunks.append(_ordered([a for a, _ in neighbours], [b for _, b in neighbours]))
        stats.rule_pairs["neighbours"] = chunks[-1]
    if new_from is not None:
        chunks = [chunk[chunk[:, 1] >= new_from] for chunk in chunks]
        stats.rule_pairs = {rule: chunk[chunk[:, 1] >= new_from] for rule, chunk in stats.rule_pairs.items()}
    pairs = _unique_ordered(chunks, n)
    stats.pairs = len(pairs)
    return pairs, stats


def _rank(records: Sequence[MatchRecord], key: Callable[[MatchRecord], tuple]) -> list[int]:
    """Each record's position when all are sorted by ``key`` (ties by index)."""
    ranked = sorted(range(len(records)), key=lambda i: (key(records[i]), i))
    rank = [0] * len(records)
    for position, index in enumerate(ranked):
        rank[index] = position
    return rank


def _neighbours(ordered: list[int], window: int) -> list[tuple[int, int]]:
    return [(ordered[i], ordered[j]) for i in range(len(ordered)) for j in range(i + 1, min(i + window, len(ordered)))]


def _ordered(left: list[int], right: list[int]) -> np.ndarray:
    a, b = np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)
    return np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1)


def _unique_ordered(chunks: list[np.ndarray], n: int) -> np.ndarray:
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    both = np.concatenate(chunks)
    low, high = np.minimum(both[:, 0], both[:, 1]), np.maximum(both[:, 0], both[:, 1])
    codes = np.unique(low * max(n, 1) + high)
    codes = codes[(codes // max(n, 1)) != (codes % max(n, 1))]
    return np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1)
