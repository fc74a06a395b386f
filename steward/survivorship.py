"""Survivorship: which member's value a golden record shows for each field, and why.

Pure: candidates in, survivors out. A manual edit on the golden record beats a
manual pick, a pick beats the rule, and a blank value never survives while a
member has a filled one. Every rule breaks ties by recency, so the outcome
never depends on the order members are listed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from typing import Callable, Iterable, Mapping, Sequence

from .checks import parse_date
from .standardize import text as standard_text

RULES: dict[str, str] = {
    "valid_first": "a value that passes the validation rules, the most recent among those",
    "most_recent": "the value of the most recently updated record (updated_at, else import order)",
    "most_complete": "the value of the record with the most fields filled",
    "most_frequent": "the value most members agree on (ignoring case and spacing)",
    "longest": "the longest value",
    "source_priority": "the value from the highest-priority source (the project's source order)",
}
DEFAULT_RULE = "valid_first"

#: Date layouts read from updated_at besides ISO 8601 (day first, as outside the US).
_UPDATED_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d")


@dataclass(frozen=True)
class Candidate:
    """One member record as survivorship sees it."""

    record_id: int
    source: str
    values: Mapping[str, str]                        # field → the record's current value (fixes applied)
    invalid: frozenset[str] = frozenset()            # fields whose value fails a validation rule
    updated_at: str = ""


@dataclass(frozen=True)
class Survivor:
    value: str
    record_id: int | None                            # whose value it is; None for an edit or no value at all
    reason: str                                      # the rule's name, "picked", "edited" or "no value"


@dataclass(frozen=True)
class Choice:
    """What a golden record is told besides its rule."""

    rule: str = DEFAULT_RULE
    picks: Mapping[str, int] = field(default_factory=dict)     # field → record id
    edits: Mapping[str, str] = field(default_factory=dict)     # field → value set on the golden record
    source_priority: Sequence[str] = ()


def check_rule(rule: str) -> str:
    """The rule, or a ValueError that lists the ones there are."""
    if rule not in RULES:
        raise ValueError(f"Unknown survivorship rule '{rule}'. Rules: {', '.join(RULES)}.")
    return rule


def survive(candidates: Sequence[Candidate], fields: Iterable[str], choice: Choice = Choice()) -> dict[str, Survivor]:
    """The surviving value of each field among ``candidates``."""
    check_rule(choice.rule)
    recency = _recency(candidates)
    by_id = {c.record_id: c for c in candidates}
    result: dict[str, Survivor] = {}
    for name in fields:
        if name in choice.edits:
            result[name] = Survivor(choice.edits[name], None, "edited")
            continue
        picked = by_id.get(choice.picks.get(name, -1))
        if picked is not None:
            result[name] = Survivor(picked.values.get(name, ""), picked.record_id, "picked")
            continue
        filled = [c for c in candidates if c.values.get(name, "").strip()]
        if not filled:
            result[name] = Survivor("", None, "no value")
            continue
        winner = max(filled, key=_ranking(choice, name, candidates, filled, recency))
        result[name] = Survivor(winner.values[name], winner.record_id, choice.rule)
    return result


def _recency(candidates: Sequence[Candidate]) -> dict[int, tuple[datetime, int]]:
    """Each member's (time updated, import order): records without a readable time count as oldest."""
    return {c.record_id: (_updated(c.updated_at), c.record_id) for c in candidates}


def _updated(value: str) -> datetime:
    """When a record was updated, to the second where the value says (in UTC when it names a zone)."""
    cleaned = value.strip()
    if not cleaned:
        return datetime.min
    try:
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        day = parse_date(cleaned, _UPDATED_FORMATS)
        return datetime.combine(day, time.min) if day else datetime.min
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _ranking(choice: Choice, name: str, candidates: Sequence[Candidate], filled: Sequence[Candidate],
             recency: Mapping[int, tuple[datetime, int]]) -> Callable[[Candidate], tuple]:
    """The sort key under which the best candidate for ``name`` is the largest."""
    rule = choice.rule
    if rule == "valid_first":
        return lambda c: (name not in c.invalid, recency[c.record_id])
    if rule == "most_recent":
        return lambda c: recency[c.record_id]
    if rule == "most_complete":
        filled_count = {c.record_id: sum(1 for v in c.values.values() if v.strip()) for c in candidates}
        return lambda c: (filled_count[c.record_id], recency[c.record_id])
    if rule == "most_frequent":
        counts = Counter(_same(c.values[name]) for c in filled)
        return lambda c: (counts[_same(c.values[name])], recency[c.record_id])
    if rule == "longest":
        return lambda c: (len(c.values[name].strip()), recency[c.record_id])
    order = {source: rank for rank, source in enumerate(choice.source_priority)}
    return lambda c: (-order.get(c.source, len(order)), recency[c.record_id])


def _same(value: str) -> str:
    """Values that differ only in case, width or spacing count as one."""
    return " ".join(standard_text(value).casefold().split())
