"""The project's data dictionary on disk: its rules and its default phone/postcode region."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from . import audit, store
from .errors import Conflict, StewardError
from .project import Project
from .standardize import country
from .rules import Rule, RuleError, check_rule_set, default_rules, rule_from_dict

_REGION_KEY = "default_region"


def load_rules(project: Project) -> list[Rule]:
    """The project's rules in their saved order (empty until rules are saved or proposed)."""
    rows = project.conn.execute("SELECT definition FROM rules ORDER BY position").fetchall()
    return [rule_from_dict(json.loads(definition), index) for index, (definition,) in enumerate(rows)]


def save_rules(project: Project, rules: list[Rule]) -> list[Rule]:
    """Replace the project's rules in one transaction; a rule that cannot run is refused before anything changes.

    Failures of rules that no longer exist go with them; changed rules are
    re-checked by the next validation (their fingerprints no longer match).
    Undo puts the earlier rules back (their failures return with the next validation).
    """
    checked = check_rule_set(rules)
    _record(project, SaveRules(tuple(r.to_dict() for r in checked), default_region(project)))
    return checked


@dataclass(frozen=True)
class SaveRules:
    """The data dictionary as a decision: the rules, in order, and the default region; the inverse puts the
    earlier ones back, as long as nothing changed them since (``expect``)."""

    rules: tuple[Mapping[str, Any], ...]
    region: str | None
    action: str = "save_rules"       # or "set_default_region" when only the region changes
    expect: tuple[tuple[Mapping[str, Any], ...], str | None] | None = None

    def apply(self, project: Project) -> "SaveRules":
        before = (tuple(_stored_rules(project)), default_region(project))
        if self.expect is not None and (list(self.expect[0]), self.expect[1]) != (list(before[0]), before[1]):
            raise Conflict("The rules or the default region were changed since; that change must be undone first.")
        checked = check_rule_set([rule_from_dict(rule, index) for index, rule in enumerate(self.rules)])
        conn = project.conn
        conn.execute("DELETE FROM rules")
        conn.executemany("INSERT INTO rules (position, name, definition) VALUES (?, ?, ?)",
                         [(i, r.name, json.dumps(r.to_dict(), ensure_ascii=False)) for i, r in enumerate(checked)])
        names = [r.name for r in checked]
        marks = ",".join("?" * len(names))
        conn.execute(f"DELETE FROM failures WHERE rule NOT IN ({marks})", names)
        conn.execute(f"DELETE FROM validation_state WHERE rule NOT IN ({marks})", names)
        if self.region is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (_REGION_KEY,))
        else:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_REGION_KEY, self.region))
        return SaveRules(before[0], before[1], self.action, (tuple(_stored_rules(project)), self.region))

    def targets(self) -> Any:
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "rules": [dict(r) for r in self.rules], "region": self.region} | (
            {"expect": {"rules": [dict(r) for r in self.expect[0]], "region": self.expect[1]}} if self.expect else {})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SaveRules":
        expect = data.get("expect")
        return cls(tuple(data["rules"]), data["region"], data["action"],
                   (tuple(expect["rules"]), expect["region"]) if expect else None)


def _stored_rules(project: Project) -> list[dict[str, Any]]:
    return [json.loads(d) for (d,) in project.conn.execute("SELECT definition FROM rules ORDER BY position")]


def _record(project: Project, operation: SaveRules) -> None:
    """Apply and audit in one transaction, the inverse kept in the entry as for every decision (so undo and
    revert find it)."""
    with project.db.atomic():
        inverse = operation.apply(project)
        audit.append(project, operation.action, operation.targets(), {"inverse": inverse.to_dict()},
                     {"operation": operation.to_dict()})


def mapped_fields(project: Project) -> set[str]:
    return {c.field for s in store.current_sources(project) for c in store.columns(project, s.id) if c.field}


def propose_rules(project: Project) -> list[Rule]:
    """The default dictionary for the fields the project's sources have mapped."""
    return default_rules(mapped_fields(project))


def proposed_dictionary(project: Project) -> SaveRules:
    """The decision that saves the default rules for the mapped fields (StewardError when none apply)."""
    proposed = propose_rules(project)
    if not proposed:
        raise StewardError("No column is mapped to a field Steward has rules for (email, phone, …). "
                           "Map the columns first, then propose rules.")
    return SaveRules(tuple(r.to_dict() for r in proposed), default_region(project))


def default_region(project: Project) -> str | None:
    """ISO alpha-2 region for phone numbers and postcodes of records without a country."""
    row = project.conn.execute("SELECT value FROM meta WHERE key = ?", (_REGION_KEY,)).fetchone()
    return row[0] if row else None


def set_default_region(project: Project, region: str | None) -> None:
    """Set (or clear, with None or blank) the default region; undoable like saving rules."""
    code = region_code(region)
    if code != default_region(project):
        _record(project, SaveRules(tuple(_stored_rules(project)), code, "set_default_region"))


def edited_dictionary(rules: Sequence[Mapping[str, Any]], region: str | None) -> SaveRules:
    """The decision that saves a dictionary edited in the window, checked before anything changes: RuleError
    names the rule (its index) and the setting that is wrong."""
    checked = check_rule_set([rule_from_dict(rule, index) for index, rule in enumerate(rules)])
    return SaveRules(tuple(r.to_dict() for r in checked), region_code(region))


def region_code(region: str | None) -> str | None:
    """ISO code of a region written as a code or a country name; None for blank; RuleError if not a country."""
    if region is None or not region.strip():
        return None
    code = country(region)
    if code is None:
        raise RuleError(f"'{region}' is not a country; give an ISO code such as GB, DE, US or CN.", key=_REGION_KEY)
    return code
