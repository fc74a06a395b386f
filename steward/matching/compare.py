"""Comparison levels: how well two records agree on each field, as small integers.

Level 0 is the strongest agreement; higher levels agree less; ``MISSING`` (-1)
means one side has no value, which the model treats as no evidence either way.
Levels, not raw similarities, go into the Fellegi–Sunter model, and each
level has a description so a steward can read why two records matched.
String similarities come from rapidfuzz, computed for all pairs at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
from nicknames import NickNamer
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from .prepare import MatchRecord

MISSING = -1


@dataclass(frozen=True)
class Field:
    name: str
    levels: tuple[str, ...]   # what each level means, strongest first


FIELDS: tuple[Field, ...] = (
    Field("identifier", ("same", "one character off", "different")),
    Field("given", ("same", "nickname", "similar", "initial or first part", "different")),
    Field("family", ("same", "very similar", "similar", "different")),
    Field("email", ("same", "same mailbox name", "different")),
    Field("phone", ("same", "one digit off", "different")),
    Field("dob", ("same", "day/month swapped or one digit off", "different")),
    Field("postcode", ("same", "same area", "different")),
    Field("city", ("same", "different")),
    Field("street", ("same", "similar", "different")),
    Field("company", ("same", "similar", "different")),
)
FIELD_INDEX = {f.name: i for i, f in enumerate(FIELDS)}
_NICKNAMES = NickNamer()

SCORE_CHUNK = 50_000   # pairs scored per rapidfuzz call
COMPARE_CHUNK = 100_000   # pairs compared per pass over the fields


def match_columns(records: Sequence[MatchRecord]) -> dict[str, np.ndarray]:
    """Each match-view attribute as an array over all records, built once for several comparisons."""
    return {name: np.array([getattr(r, name) for r in records], dtype=object)
            for name in MatchRecord.__dataclass_fields__}


def compare(records: Sequence[MatchRecord], pairs: np.ndarray,
            columns: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Levels as an int8 array of shape (pairs, fields), in FIELDS order (``columns`` from match_columns).

    Each pair's levels depend on its two records only, so many pairs are compared COMPARE_CHUNK at a time:
    numpy's operations on arrays of strings hold the interpreter for the whole array (over a second for the
    pairs of a million records), and a window beside the matching worker must keep painting.
    """
    arrays = columns if columns is not None else match_columns(records)
    if len(pairs) > COMPARE_CHUNK:
        return np.concatenate([compare(records, pairs[start:start + COMPARE_CHUNK], arrays)
                               for start in range(0, len(pairs), COMPARE_CHUNK)])
    out = np.full((len(pairs), len(FIELDS)), MISSING, dtype=np.int8)
    if len(pairs) == 0:
        return out
    left, right = pairs[:, 0], pairs[:, 1]

    def column(attribute: str) -> tuple[np.ndarray, np.ndarray]:
        values = arrays[attribute]
        return values[left], values[right]

    given_a, given_b = column("given")
    family_a, family_b = column("family")
    swapped = _swapped(given_a, given_b, family_a, family_b)
    given_b, family_b = np.where(swapped, family_b, given_b), np.where(swapped, given_b, family_b)
    cjk_given = _same_cjk(*column("given_cjk"))
    cjk_family = _same_cjk(*column("family_cjk"))
    out[:, FIELD_INDEX["given"]] = np.where(cjk_given & ~swapped, 0, _given_levels(given_a, given_b))
    out[:, FIELD_INDEX["family"]] = np.where(cjk_family & ~swapped, 0, _graded(
        family_a, family_b, JaroWinkler.normalized_similarity, (1.0, 0.94, 0.85)))
    out[:, FIELD_INDEX["identifier"]] = _typo_levels(*column("identifier"))
    out[:, FIELD_INDEX["email"]] = _email_levels(*column("email"), *column("mailbox"))
    out[:, FIELD_INDEX["phone"]] = _typo_levels(*column("phone"))
    out[:, FIELD_INDEX["dob"]] = _dob_levels(*column("dob"))
    out[:, FIELD_INDEX["postcode"]] = _postcode_levels(*column("postcode"))
    out[:, FIELD_INDEX["city"]] = _graded(*column("city"), JaroWinkler.normalized_similarity, (0.95,))
    out[:, FIELD_INDEX["street"]] = _graded(*column("street"), fuzz.token_set_ratio, (95.0, 80.0))
    out[:, FIELD_INDEX["company"]] = _graded(*column("company"), fuzz.token_set_ratio, (95.0, 80.0))
    return out


#: Fields whose exact agreement is weighed by how common the shared value is (Smith counts less than Szczepanski).
FREQUENCY_FIELDS = ("given", "family", "city")


def value_shares(records: Sequence[MatchRecord], pairs: np.ndarray,
                 columns: Mapping[str, np.ndarray] | None = None) -> dict[int, np.ndarray]:
    """For each frequency-weighed field (by index): per pair, the share of records holding the value both
    sides share, NaN where they differ."""
    arrays = columns if columns is not None else match_columns(records)
    out = {}
    for name in FREQUENCY_FIELDS:
        values = arrays[name]
        counts = Counter(v for v in values.tolist() if v)
        total = sum(counts.values()) or 1
        share = np.array([counts[v] / total if v else np.nan for v in values.tolist()], dtype=np.float32)
        a, b = values[pairs[:, 0]], values[pairs[:, 1]]
        column = np.full(len(pairs), np.nan, dtype=np.float32)
        same = (a == b) & (a != "")
        column[same] = share[pairs[same, 0]]
        out[FIELD_INDEX[name]] = column
    return out


def _scores(a: np.ndarray, b: np.ndarray, scorer: object) -> np.ndarray:
    """rapidfuzz's score for each pair (a[i], b[i]), on every core, SCORE_CHUNK pairs per call: a call holds the
    interpreter while it reads its strings (over 2 s for all the pairs of a million records), and a window
    beside the matching worker must keep painting."""
    if len(a) <= SCORE_CHUNK:
        return cpdist(list(a), list(b), scorer=scorer, workers=-1)
    return np.concatenate([cpdist(list(a[start:start + SCORE_CHUNK]), list(b[start:start + SCORE_CHUNK]),
                                  scorer=scorer, workers=-1) for start in range(0, len(a), SCORE_CHUNK)])


def _present(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a != "") & (b != "")


def _graded(a: np.ndarray, b: np.ndarray, scorer: object, cuts: tuple[float, ...]) -> np.ndarray:
    """Level k for the first cut the similarity reaches; exact equality is always level 0."""
    similarity = _scores(a, b, scorer)
    levels = np.full(len(a), len(cuts), dtype=np.int8)
    for level in reversed(range(len(cuts))):
        levels[similarity >= cuts[level]] = level
    levels[a == b] = 0
    levels[~_present(a, b)] = MISSING
    return levels


def _swapped(given_a: np.ndarray, given_b: np.ndarray, family_a: np.ndarray, family_b: np.ndarray) -> np.ndarray:
    """Pairs where the second record's given and family names are the other way round (and fit better so)."""
    jw = JaroWinkler.normalized_similarity
    straight = _scores(given_a, given_b, jw) + _scores(family_a, family_b, jw)
    # Crossed similarities reach at most 2.0, so only pairs below 1.8 straight can fit better crossed.
    doubtful = np.flatnonzero((straight < 1.8) & _present(given_a, family_b) & _present(family_a, given_b))
    crossed = _scores(given_a[doubtful], family_b[doubtful], jw) + _scores(family_a[doubtful], given_b[doubtful], jw)
    swapped = np.zeros(len(given_a), dtype=bool)
    swapped[doubtful] = crossed > straight[doubtful] + 0.2
    return swapped


def _same_cjk(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _present(a, b) & (a == b)


def _given_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """0 same, 1 nickname, 2 similar spelling, 3 an initial or the same first name, 4 different."""
    similarity = _scores(a, b, JaroWinkler.normalized_similarity)
    edits = _scores(a, b, Levenshtein.distance)
    levels = np.where(a == b, 0, np.where((similarity >= 0.92) | (edits <= 1), 2, 4)).astype(np.int8)
    levels[~_present(a, b)] = MISSING
    for index in np.flatnonzero(levels >= 2):
        first_a, first_b = a[index].split(" ", 1)[0], b[index].split(" ", 1)[0]
        if nickname_related(first_a, first_b):
            levels[index] = 1
        elif levels[index] == 4 and (first_a == first_b or _initial_of(first_a, first_b)):
            levels[index] = 3
    return levels


def _initial_of(a: str, b: str) -> bool:
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


@lru_cache(maxsize=100_000)
def nickname_related(a: str, b: str) -> bool:
    """Bob and Robert, Liz and Elizabeth, Bill and Billy: one is a nickname of the other, or both of one name."""
    if a == b:
        return True
    if b in _NICKNAMES.nicknames_of(a) or a in _NICKNAMES.nicknames_of(b):
        return True
    return bool(_NICKNAMES.canonicals_of(a) & (_NICKNAMES.canonicals_of(b) | {b}))


def _email_levels(a: np.ndarray, b: np.ndarray, mailbox_a: np.ndarray, mailbox_b: np.ndarray) -> np.ndarray:
    """0 same address; 1 the same distinctive mailbox name at another provider; 2 different.

    A mailbox name made only of the person's own name (victoriasmith,
    v.smith) says nothing the name comparison has not said already, and
    namesakes share it: prepare leaves those out, so they count as different.
    """
    levels = np.where(a == b, 0, 2).astype(np.int8)
    levels[(levels == 2) & (mailbox_a == mailbox_b) & (mailbox_a != "")] = 1
    levels[~_present(a, b)] = MISSING
    return levels


def _typo_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    distance = _scores(a, b, Levenshtein.distance)
    levels = np.where(distance == 0, 0, np.where(distance <= 1, 1, 2)).astype(np.int8)
    levels[~_present(a, b)] = MISSING
    return levels


def _dob_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """0 same; 1 one digit off, two digits transposed (1968/1986) or day and month swapped; 2 different."""
    distance = _scores(a, b, OSA.distance)
    levels = np.where(distance == 0, 0, np.where(distance <= 1, 1, 2)).astype(np.int8)
    levels[~_present(a, b)] = MISSING
    for index in np.flatnonzero(levels == 2):
        x, y = a[index], b[index]
        if x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]:
            levels[index] = 1
    return levels


def _postcode_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    levels = np.where(a == b, 0, 2).astype(np.int8)
    prefix_a = np.array([x[:3] for x in a], dtype=object)
    prefix_b = np.array([x[:3] for x in b], dtype=object)
    levels[(levels == 2) & (prefix_a == prefix_b)] = 1
    levels[~_present(a, b)] = MISSING
    return levels
