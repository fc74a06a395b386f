"""The project's data dictionary on disk: its rules and its default phone/postcode region."""

from __future__ import annotations

import json

from . import audit, store
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
    """
    checked = check_rule_set(rules)
    with project.db.atomic():
        before = [json.loads(d) for (d,) in project.conn.execute("SELECT definition FROM rules ORDER BY position")]
        project.conn.execute("DELETE FROM rules")
        project.conn.executemany(
            "INSERT INTO rules (position, name, definition) VALUES (?, ?, ?)",
            [(i, r.name, json.dumps(r.to_dict(), ensure_ascii=False)) for i, r in enumerate(checked)],
        )
        names = [r.name for r in checked]
        marks = ",".join("?" * len(names))
        project.conn.execute(f"DELETE FROM failures WHERE rule NOT IN ({marks})", names)
        project.conn.execute(f"DELETE FROM validation_state WHERE rule NOT IN ({marks})", names)
        audit.append(project, "save_rules", None, before, [r.to_dict() for r in checked])
    return checked


def mapped_fields(project: Project) -> set[str]:
    return {c.field for s in store.current_sources(project) for c in store.columns(project, s.id) if c.field}


def propose_rules(project: Project) -> list[Rule]:
    """The default dictionary for the fields the project's sources have mapped."""
    return default_rules(mapped_fields(project))


def default_region(project: Project) -> str | None:
    """ISO alpha-2 region for phone numbers and postcodes of records without a country."""
    row = project.conn.execute("SELECT value FROM meta WHERE key = ?", (_REGION_KEY,)).fetchone()
    return row[0] if row else None


def set_default_region(project: Project, region: str | None) -> None:
    with project.db.atomic():
        previous = default_region(project)
        if region is None or not region.strip():
            code = None
            project.conn.execute("DELETE FROM meta WHERE key = ?", (_REGION_KEY,))
        else:
            code = country(region)
            if code is None:
                raise RuleError(f"'{region}' is not a country; give an ISO code such as GB, DE, US or CN.",
                                key=_REGION_KEY)
            project.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_REGION_KEY, code))
        if code != previous:
            audit.append(project, "set_default_region", None, {"region": previous}, {"region": code})
