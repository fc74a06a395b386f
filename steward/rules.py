"""The data dictionary: what a rule is, which kinds exist, and the default set.

A rule checks one canonical field (``email``, ``phone`` …) of every record.
Rules are plain data so a team can share them as a file; ``check_rule``
refuses a rule that could not run (unknown kind, bad regular expression,
wrong parameter type) when it is saved, not when it is evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .errors import StewardError
from .mapping import FIELDS

SEVERITIES = ("error", "warning")
_REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind: its type, default (``_REQUIRED`` if none) and meaning."""

    type: type
    default: Any
    help: str


@dataclass(frozen=True)
class Kind:
    help: str
    message: str                      # default human message of a rule of this kind
    params: Mapping[str, Param] = field(default_factory=dict)


DEFAULT_DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d"]

KINDS: dict[str, Kind] = {
    "required": Kind("The field has a value (whitespace alone does not count).", "Value is missing"),
    "email": Kind("The value is a syntactically valid email address as written (no network lookups).",
                  "Email address is not valid"),
    "phone": Kind("The value is a valid phone number for its region: the number's own +country code, else the "
                  "record's country, else the project's default region.", "Phone number is not valid", {
                      "require": Param(str, "valid", "'valid': the number is valid; 'international_form': a valid "
                                                     "number is written with its country code, as +44 20 7946 0958 "
                                                     "or +442079460958 (invalid ones are left to a 'valid' rule)"),
                  }),
    "postcode": Kind("The value is a postcode in its country's standard form (US CA GB DE FR NL CN JP AU IN; "
                     "other countries pass).", "Postcode does not fit the country's format"),
    "date": Kind("The value is a date in an accepted format (ISO 8601 always), optionally not in the future "
                 "and giving an age within bounds.", "Date is not plausible", {
                     "formats": Param(list, DEFAULT_DATE_FORMATS, "accepted strptime formats besides ISO 8601"),
                     "not_future": Param(bool, True, "a date after today fails"),
                     "min_age": Param(int, None, "fewest whole years between the date and today"),
                     "max_age": Param(int, None, "most whole years between the date and today"),
                 }),
    "regex": Kind("The whole value matches a regular expression (Python syntax).", "Value has the wrong shape", {
        "pattern": Param(str, _REQUIRED, "the regular expression the whole value must match"),
    }),
    "allowed": Kind("The value is one of a list.", "Value is not one of the allowed values", {
        "values": Param(list, _REQUIRED, "the allowed values"),
        "ignore_case": Param(bool, False, "compare without regard to case"),
    }),
    "length": Kind("The value's length in characters is within bounds.", "Value has the wrong length", {
        "min": Param(int, None, "fewest characters"),
        "max": Param(int, None, "most characters"),
    }),
    "unique": Kind("No two records in the project share the value (compared after trimming and Unicode "
                   "normalisation).", "Value is not unique"),
    "phone_country": Kind("A phone number written with a country code agrees with the record's country.",
                          "Phone country differs from the record's country", {
                              "country_field": Param(str, "country", "the field holding the record's country"),
                          }),
    "freshness": Kind("The date (e.g. updated_at) is no more than a number of months ago.", "Record is out of date", {
        "months": Param(int, 24, "most months since the date"),
        "formats": Param(list, DEFAULT_DATE_FORMATS, "accepted strptime formats besides ISO 8601"),
    }),
}


class RuleError(StewardError):
    """A rule cannot be saved as written; ``key`` names the offending setting, if one."""

    def __init__(self, message: str, rule_index: int | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.rule_index = rule_index
        self.key = key


@dataclass(frozen=True)
class Rule:
    """One entry of the data dictionary. ``params`` hold the kind's settings (defaults filled in)."""

    name: str
    kind: str
    field: str
    severity: str = "error"
    message: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Flat form used in rules files and storage: name, kind, field, severity, message, then params."""
        return {"name": self.name, "kind": self.kind, "field": self.field, "severity": self.severity,
                "message": self.message, **dict(self.params)}


_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_BASE_KEYS = ("name", "kind", "field", "severity", "message")


def rule_from_dict(data: Mapping[str, Any], index: int | None = None) -> Rule:
    """Build and check a rule from its flat form; unknown keys are errors so typos are not silently ignored."""
    def fail(message: str, key: str | None = None) -> RuleError:
        label = f"rule '{data.get('name')}'" if isinstance(data.get("name"), str) else "a rule"
        return RuleError(f"{label}: {message}", index, key)

    for key in ("name", "kind", "field"):
        if key not in data:
            raise fail(f"'{key}' is missing", key)
        if not isinstance(data[key], str):
            raise fail(f"'{key}' must be text", key)
    kind = KINDS.get(data["kind"])
    if kind is None:
        raise fail(f"unknown kind '{data['kind']}'; choose one of {', '.join(KINDS)}", "kind")
    params = {k: v for k, v in data.items() if k not in _BASE_KEYS}
    unknown = [k for k in params if k not in kind.params]
    if unknown:
        allowed = ", ".join(kind.params) or "none"
        raise fail(f"'{unknown[0]}' is not a setting of kind '{data['kind']}' (its settings: {allowed})", unknown[0])
    rule = Rule(name=data["name"], kind=data["kind"], field=data["field"],
                severity=data.get("severity", "error"), message=data.get("message", "") or kind.message,
                params=params)
    return check_rule(rule, index)


def check_rule(rule: Rule, index: int | None = None) -> Rule:
    """Return the rule with defaults filled in, or raise RuleError saying what is wrong."""
    def fail(message: str, key: str | None = None) -> RuleError:
        return RuleError(f"rule '{rule.name}': {message}", index, key)

    if not _NAME.fullmatch(rule.name):
        raise RuleError(f"rule name '{rule.name}' must be 1-64 letters, digits, '_', '-' or '.'", index, "name")
    kind = KINDS.get(rule.kind)
    if kind is None:
        raise fail(f"unknown kind '{rule.kind}'; choose one of {', '.join(KINDS)}", "kind")
    if rule.field not in FIELDS:
        raise fail(f"'{rule.field}' is not a canonical field; choose one of {', '.join(FIELDS)}", "field")
    if rule.severity not in SEVERITIES:
        raise fail(f"severity must be 'error' or 'warning', not '{rule.severity}'", "severity")
    if not isinstance(rule.message, str):
        raise fail("'message' must be text", "message")
    params: dict[str, Any] = {}
    for key, spec in kind.params.items():
        value = rule.params.get(key, spec.default)
        if value is _REQUIRED:
            raise fail(f"kind '{rule.kind}' needs '{key}' ({spec.help})", key)
        if value is not None and not _has_type(value, spec.type):
            raise fail(f"'{key}' must be {_type_name(spec.type)}, not {value!r}", key)
        if value is not None:
            params[key] = list(value) if spec.type is list else value
    for key in rule.params:
        if key not in kind.params:
            raise fail(f"'{key}' is not a setting of kind '{rule.kind}'", key)
    _check_values(rule, params, fail)
    return Rule(rule.name, rule.kind, rule.field, rule.severity, rule.message or kind.message, params)


def _has_type(value: Any, wanted: type) -> bool:
    if wanted is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if wanted is list:
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    return isinstance(value, wanted)


def _type_name(wanted: type) -> str:
    return {int: "a whole number", bool: "true or false", str: "text", list: "a list of texts"}[wanted]


def _check_values(rule: Rule, params: dict[str, Any], fail: Callable[..., RuleError]) -> None:
    """Checks that need more than a type: regular expressions compile, bounds are ordered, choices exist."""
    if rule.kind == "regex":
        try:
            re.compile(params["pattern"])
        except re.error as exc:
            raise fail(f"the regular expression {params['pattern']!r} is invalid: {exc}", "pattern") from None
    if rule.kind == "phone" and params["require"] not in ("valid", "international_form"):
        raise fail(f"'require' must be 'valid' or 'international_form', not {params['require']!r}", "require")
    if rule.kind == "phone_country" and params["country_field"] not in FIELDS:
        raise fail(f"'country_field' must be a canonical field, not {params['country_field']!r}", "country_field")
    if rule.kind == "allowed" and not params["values"]:
        raise fail("'values' must list at least one value", "values")
    for low, high in (("min", "max"), ("min_age", "max_age")):
        lo, hi = params.get(low), params.get(high)
        if (lo is not None and lo < 0) or (hi is not None and hi < 0):
            raise fail(f"'{low}' and '{high}' cannot be negative", low if lo is not None and lo < 0 else high)
        if lo is not None and hi is not None and lo > hi:
            raise fail(f"'{low}' ({lo}) is larger than '{high}' ({hi})", low)
    if rule.kind == "freshness" and params["months"] < 1:
        raise fail("'months' must be at least 1", "months")


def check_rule_set(rules: list[Rule]) -> list[Rule]:
    """Check every rule and that names are unique; return them with defaults filled in."""
    checked, seen = [], set()
    for index, rule in enumerate(rules):
        if rule.name in seen:
            raise RuleError(f"two rules are named '{rule.name}'; rule names must be unique", index, "name")
        seen.add(rule.name)
        checked.append(check_rule(rule, index))
    return checked


def default_rules(mapped_fields: set[str]) -> list[Rule]:
    """A sensible starting dictionary for the fields a project has mapped."""
    proposals: list[Rule] = []

    def add(name: str, kind: str, field_name: str, severity: str = "error", message: str = "",
            **params: Any) -> None:
        if field_name in mapped_fields:
            proposals.append(Rule(name, kind, field_name, severity, message, params))

    add("customer_id_required", "required", "customer_id", message="Customer id is missing")
    add("customer_id_unique", "unique", "customer_id", message="Customer id is used by more than one record")
    name_field = next((f for f in ("full_name", "last_name") if f in mapped_fields), None)
    if name_field:
        add("name_required", "required", name_field, message="Name is missing")
    add("email_valid", "email", "email", message="Email address is not valid")
    add("phone_valid", "phone", "phone", message="Phone number is not valid")
    add("phone_format", "phone", "phone", "warning", "Phone number is not written in international form",
        require="international_form")
    if "country" in mapped_fields:
        add("phone_country", "phone_country", "phone", "warning", "Phone number belongs to another country")
    add("postcode_format", "postcode", "postcode", "warning", "Postcode does not fit the country's format")
    add("date_of_birth_plausible", "date", "date_of_birth", message="Date of birth is not plausible",
        not_future=True, min_age=0, max_age=120)
    add("updated_at_date", "date", "updated_at", message="Update date is not a valid date", not_future=True)
    add("updated_at_fresh", "freshness", "updated_at", "warning", "Record not updated for over 24 months", months=24)
    return check_rule_set(proposals)
