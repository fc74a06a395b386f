"""Profiling: what is in each column and how complete it is.

Pure functions over lists of raw strings; nothing here opens a project. Work
is done once per distinct value and weighted by its count, so a column of a
million repeated country codes costs as little as a column of a handful.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain, filterfalse, groupby
from dataclasses import dataclass, field
from typing import Sequence

TOP_VALUES = 5
TOP_PATTERNS = 5
PATTERN_LENGTH = 24
#: Above this many distinct values, shapes and kinds are measured on a sample of them.
SAMPLE_DISTINCT = 20_000

KINDS = ("email", "phone", "date", "number", "code", "text")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]{6,24}$")
_DATE = re.compile(
    r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)$"
)
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}([.,\s]\d{3})+)([.,]\d+)?$")
_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9\-_/.]+$")

_PLACEHOLDERS = {"n/a", "na", "n.a.", "none", "null", "nil", "-", "--", "---", ".", "?", "test", "testing",
                 "xxx", "unknown", "tbd", "tba", "no email", "noemail", "no phone", "dummy", "asdf", "x"}
# Every ASCII placeholder matches this (the set's words, or one character repeated), so only these few
# values (and non-ASCII ones, where case folding can change lengths) need the exact test.
_PLACEHOLDER_HINT = re.compile(r"\s*(?:" + "|".join(map(re.escape, sorted(_PLACEHOLDERS, key=len, reverse=True))) +
                               r"|(.)\1{2,})\s*", re.IGNORECASE)
_ASCII_SHAPES = str.maketrans({**{c: "A" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                               **{c: "a" for c in "abcdefghijklmnopqrstuvwxyz"},
                               **{c: "9" for c in "0123456789"}, **{c: " " for c in " \t\r\n\x0b\x0c"}})
_RUNS = re.compile(r"([aAℓ ])\1+")


def _char_shape(char: str) -> str:
    if char.isdigit():
        return "9"
    if char.isalpha():
        return "A" if char.isupper() else "a" if char.islower() else "ℓ"
    return " " if char.isspace() else char




@dataclass(frozen=True)
class ColumnProfile:
    """One column of one source, as a steward reads it."""

    position: int
    label: str
    field: str | None
    rows: int
    filled: int
    distinct: int
    top_values: list[tuple[str, int]]
    patterns: list[tuple[str, int]]
    min_length: int | None
    max_length: int | None
    kind: str
    kind_share: float
    placeholders: list[tuple[str, int]]
    sampled: bool = False  # patterns and kind estimated from a sample of the distinct values; other counts exact

    @property
    def filled_share(self) -> float:
        return self.filled / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class SourceProfile:
    source: str
    rows: int
    columns: list[ColumnProfile] = field(default_factory=list)


def pattern(value: str) -> str:
    """The shape of a value: runs of letters as ``Aa``/``a``/``A``, each digit as ``9``.

    Digits stay one by one because their count matters (postcodes, phones);
    letters collapse because names vary in length. Other characters stay.
    """
    if value.isascii():
        shape = value.translate(_ASCII_SHAPES)
    else:
        shape = "".join(map(_char_shape, value))
    shape = _RUNS.sub(r"\1", shape)
    return shape if len(shape) <= PATTERN_LENGTH else shape[:PATTERN_LENGTH] + "…"


def kind_of(value: str) -> str:
    """The kind a single non-empty value looks like."""
    text = value.strip()
    if _EMAIL.match(text):
        return "email"
    if _DATE.match(text):
        return "date"
    if _NUMBER.match(text) and not (text.startswith("0") and len(text) > 1 and text[1].isdigit()):
        return "number"
    if text.isdigit():
        # Bare digits: a national phone number (07700 900123) or an identifier (00012345).
        return "phone" if 10 <= len(text) <= 15 and text.startswith("0") else "code"
    if _PHONE.match(text) and sum(c.isdigit() for c in text) >= 6:
        return "phone"
    if _CODE.match(text):
        return "code"
    return "text"


def is_placeholder(value: str, field_name: str | None = None) -> bool:
    """Text that stands in for a missing value (``n/a``, ``test``, ``xxx``, ``0000``)."""
    folded = value.strip().casefold()
    if field_name == "country" and folded == "na":
        return False  # Namibia
    return folded in _PLACEHOLDERS or (len(folded) >= 3 and folded[0] * len(folded) == folded)


def _weighted_sample(counts: Counter[str], heavy: list[tuple[str, int]]) -> list[tuple[str, float]]:
    """The commonest values (``heavy``) with their exact counts, plus an even spread of the rest scaled to stand
    for all of it.

    Shapes and kinds are then estimated from about SAMPLE_DISTINCT values, and
    their weights still add up to the number of filled cells.
    """
    taken = {value for value, _ in heavy}
    items = list(counts.items())
    spread = [(value, n) for value, n in items[::max(1, len(items) * 2 // SAMPLE_DISTINCT)] if value not in taken]
    rest_total = sum(counts.values()) - sum(n for _, n in heavy)
    spread_total = sum(n for _, n in spread)
    scale = rest_total / spread_total if spread_total else 0.0
    return [(value, float(n)) for value, n in heavy] + [(value, n * scale) for value, n in spread]


def profile_column(values: Sequence[str], *, position: int = 0, label: str = "", field_name: str | None = None
                   ) -> ColumnProfile:
    """Profile one column's raw values (empty or whitespace-only counts as not filled)."""
    return profile_counts(Counter(values), len(values), position=position, label=label, field_name=field_name)


def profile_counts(counts: Counter[str], rows: int, *, position: int = 0, label: str = "",
                   field_name: str | None = None) -> ColumnProfile:
    """Profile a column given how often each raw value occurs (built page by page for big sources)."""
    filled_counts = Counter(counts)
    for blank in [""] + list(filter(str.isspace, counts)):  # filter runs in C: cheap over a million keys
        filled_counts.pop(blank, None)
    filled = sum(filled_counts.values())
    sampled = len(filled_counts) > SAMPLE_DISTINCT
    heavy = filled_counts.most_common(SAMPLE_DISTINCT // 2) if sampled else filled_counts.most_common(TOP_VALUES * 4)
    top = sorted(heavy[:TOP_VALUES * 4], key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
    shapes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for value, weight in _weighted_sample(filled_counts, heavy) if sampled else filled_counts.items():
        shapes[pattern(value)] += weight
        kinds[kind_of(value)] += weight
    lengths = list(map(len, filled_counts)) if filled_counts else []
    kind, kind_count = kinds.most_common(1)[0] if kinds else ("text", 0)
    # Filters run in C; is_placeholder then decides on the few candidates.
    candidates = chain(filter(_PLACEHOLDER_HINT.fullmatch, filter(str.isascii, filled_counts)),
                       filterfalse(str.isascii, filled_counts))
    placeholders = sorted(((v, filled_counts[v]) for v in candidates if is_placeholder(v, field_name)),
                          key=lambda item: (-item[1], item[0]))
    return ColumnProfile(
        position=position, label=label, field=field_name, rows=rows, filled=filled,
        distinct=len(filled_counts), top_values=top,
        patterns=[(shape, round(n)) for shape, n in sorted(shapes.items(), key=lambda i: (-i[1], i[0]))[:TOP_PATTERNS]],
        min_length=min(lengths) if lengths else None, max_length=max(lengths) if lengths else None,
        kind=kind, kind_share=kind_count / filled if filled else 0.0,
        placeholders=placeholders[:TOP_VALUES], sampled=sampled,
    )
