"""Evaluating rules over pages of records: pure, column-wise, cached per distinct value.

A page is a set of equally long columns, one per canonical field a source has
mapped. Each rule compiles to a checker that returns the failing positions
with a detail and, where one exists, a suggested fix. Results are memoised per
distinct (value, region), because the expensive checks (email syntax, phone
numbers) meet the same values again and again in real lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterator, Mapping, Sequence

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from . import standardize
from .rules import Rule


@dataclass(frozen=True)
class Finding:
    """One failing value: its position in the page, what is wrong, and a fix when one is known."""

    index: int
    detail: str
    suggestion: str | None = None


class Page:
    """Columns of one page of records by canonical field, plus the region of each record."""

    def __init__(self, columns: Mapping[str, Sequence[str]], size: int, default_region: str | None,
                 cache: "Cache") -> None:
        self.columns = columns
        self.size = size
        self.default_region = default_region
        self.cache = cache
        self._regions: list[str | None] | None = None

    def regions(self) -> list[str | None]:
        """Per record: its country's ISO code; the project's default region when the country is blank.

        A country Steward cannot read gives no region at all, so its postcode
        and local phone number are not judged by another country's rules.
        """
        if self._regions is None:
            countries = self.columns.get("country")
            if countries is None:
                self._regions = [self.default_region] * self.size
            else:
                lookup, default = self.cache.country, self.default_region
                self._regions = [lookup(value) if value and not value.isspace() else default for value in countries]
        return self._regions


class Cache:
    """Per-run memo of the expensive standard forms, shared by all rules and pages of a process."""

    def __init__(self) -> None:
        self._countries: dict[str, str | None] = {}
        self._phones: dict[tuple[str, str | None], PhoneVerdict] = {}

    def country(self, value: str) -> str | None:
        try:
            return self._countries[value]
        except KeyError:
            found = self._countries[value] = standardize.country(value)
            return found

    def phone(self, value: str, region: str | None) -> PhoneVerdict:
        key = (value, region)
        try:
            return self._phones[key]
        except KeyError:
            if len(self._phones) >= MEMO_LIMIT:
                self._phones.clear()
            found = self._phones[key] = phone_verdict(value, region)
            return found


#: (problem or None, E.164 form, the number's region)
PhoneVerdict = tuple[str | None, str | None, str | None]


def phone_verdict(value: str, region: str | None) -> PhoneVerdict:
    """Judge one phone number in its region (the number's own +country code wins): (problem, E.164, region)."""
    cleaned = value.strip() if value.isascii() else standardize.text(value)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not cleaned.startswith("+") and not region:
        return "no country code, and no known country to read it in", None, None
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return "not a phone number", None, None
    number_region = phonenumbers.region_code_for_number(number)
    if number_region is None or not phonenumbers.is_valid_number_for_region(number, number_region):
        where = region if not cleaned.startswith("+") else f"+{number.country_code}"
        return f"not a valid number for {where}", None, number_region
    return None, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number_region


# -- email -------------------------------------------------------------------------------------

def email_problem(value: str) -> str | None:
    """Why the address as written cannot receive mail (syntax only), or None when it is valid."""
    if standardize.is_plain_email(value):
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


# -- dates -------------------------------------------------------------------------------------

def parse_date(value: str, formats: Sequence[str]) -> date | None:
    """A date from ISO 8601 (date or timestamp) or one of ``formats``; None when it is not a real date."""
    cleaned = value.strip() if value.isascii() else standardize.text(value)
    try:
        return datetime.fromisoformat(cleaned).date() if "T" in cleaned or " " in cleaned else \
            date.fromisoformat(cleaned)
    except ValueError:
        pass
    for fmt in formats:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def whole_years(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def whole_months(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


# -- checkers ----------------------------------------------------------------------------------

Checker = Callable[[Page], Iterator[Finding]]


def compile_rule(rule: Rule, today: date) -> Checker:
    """The checker for a rule (all kinds but ``unique``, which needs the whole project)."""
    params = rule.params
    kind = rule.kind
    if kind == "required":
        return lambda page: (Finding(i, "") for i, v in enumerate(page.columns[rule.field]) if not v.strip())
    if kind == "unique":
        raise ValueError("unique rules are evaluated over the whole project, not page by page")
    if kind == "phone":
        return _phone_checker(rule.field, international=params["require"] == "international_form")
    if kind == "phone_country":
        return _phone_country_checker(rule.field, params["country_field"])
    if kind == "email":
        return _per_value(rule.field, _memo(_email_judge))
    if kind == "postcode":
        return _postcode_checker(rule.field)
    if kind == "date":
        return _per_value(rule.field, _memo(_date_judge(params, today)))
    if kind == "freshness":
        return _per_value(rule.field, _memo(_freshness_judge(params["months"], params["formats"], today)))
    if kind == "regex":
        pattern = re.compile(params["pattern"])
        return _per_value(rule.field, _memo(
            lambda v: None if pattern.fullmatch(v) else (f"{v!r} does not match {pattern.pattern}", None)))
    if kind == "allowed":
        return _per_value(rule.field, _memo(_allowed_judge(params["values"], params["ignore_case"])))
    if kind == "length":
        low, high = params.get("min"), params.get("max")
        return _per_value(rule.field, lambda v: _length_problem(len(v), low, high))
    raise ValueError(f"no checker for kind {kind!r}")


Judge = Callable[[str], "tuple[str, str | None] | None"]


#: Memos are emptied when they reach this size: repeated values are the frequent ones, so little is lost.
MEMO_LIMIT = 200_000


def _memo(judge: Judge) -> Judge:
    seen: dict[str, tuple[str, str | None] | None] = {}

    def cached(value: str) -> tuple[str, str | None] | None:
        try:
            return seen[value]
        except KeyError:
            if len(seen) >= MEMO_LIMIT:
                seen.clear()
            found = seen[value] = judge(value)
            return found
    return cached


def _per_value(field_name: str, judge: Judge) -> Checker:
    """Empty values are left to 'required' rules; every other value is judged on its own."""
    def check(page: Page) -> Iterator[Finding]:
        for index, value in enumerate(page.columns[field_name]):
            if value and not value.isspace():
                verdict = judge(value)
                if verdict is not None:
                    yield Finding(index, verdict[0], verdict[1])
    return check


def _email_judge(value: str) -> tuple[str, str | None] | None:
    problem = email_problem(value)
    return None if problem is None else (problem, standardize.email(value))


_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")


def _phone_checker(field_name: str, *, international: bool) -> Checker:
    """Validity; or, for ``international``, that valid numbers are written with their country code."""
    def check(page: Page) -> Iterator[Finding]:
        verdict = page.cache.phone
        regions = page.regions()
        for index, value in enumerate(page.columns[field_name]):
            if not value or value.isspace():
                continue
            problem, e164, _ = verdict(value, regions[index])
            if not international:
                if problem:
                    yield Finding(index, problem)
            elif problem is None and _PHONE_PUNCTUATION.sub("", value) != e164:
                written = international_form(e164)
                yield Finding(index, f"not written as {written}", written)
    return check


def international_form(e164: str) -> str:
    """``+44 20 7946 0958`` for ``+442079460958``: the way to write a number anyone can dial."""
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _phone_country_checker(field_name: str, country_field: str) -> Checker:
    def check(page: Page) -> Iterator[Finding]:
        countries = page.columns.get(country_field)
        if countries is None:
            return
        verdict, country = page.cache.phone, page.cache.country
        regions = page.regions() if country_field == "country" else None
        for index, (value, country_value) in enumerate(zip(page.columns[field_name], countries)):
            cleaned = value.lstrip() if value.isascii() else standardize.text(value)
            if not (cleaned.startswith("+") or cleaned.startswith("00")):
                continue  # read in the record's own country, so it cannot disagree
            expected = country(country_value)
            if expected is None:
                continue
            # The region only matters for numbers without a country code, so the
            # page's own region keys the cache and the phone rules' verdicts are reused.
            problem, _, number_region = verdict(value, regions[index] if regions else expected)
            if problem is None and number_region and _calling_code(number_region) != _calling_code(expected):
                yield Finding(index, f"the number is from {number_region}, the record's country is {expected}")
    return check


def _calling_code(region: str) -> int:
    """Countries sharing a calling code (+1: US, Canada, the Caribbean) do not disagree."""
    return phonenumbers.country_code_for_region(region)


def _postcode_checker(field_name: str) -> Checker:
    seen: dict[tuple[str, str | None], tuple[str, str | None] | None] = {}

    def judge(value: str, region: str | None) -> tuple[str, str | None] | None:
        if not region or region not in standardize.POSTCODE_FORMATS:
            return None
        standard = standardize.postcode(value, region)
        if standard == value:
            return None
        if standard is None:
            return f"not a {region} postcode", None
        return f"not written as {standard}", standard

    def check(page: Page) -> Iterator[Finding]:
        regions = page.regions()
        for index, value in enumerate(page.columns[field_name]):
            if not value or value.isspace():
                continue
            key = (value, regions[index])
            try:
                verdict = seen[key]
            except KeyError:
                if len(seen) >= MEMO_LIMIT:
                    seen.clear()
                verdict = seen[key] = judge(*key)
            if verdict is not None:
                yield Finding(index, verdict[0], verdict[1])
    return check


def _date_judge(params: Mapping, today: date) -> Judge:
    formats, not_future = params["formats"], params["not_future"]
    min_age, max_age = params.get("min_age"), params.get("max_age")

    def judge(value: str) -> tuple[str, str | None] | None:
        found = parse_date(value, formats)
        if found is None:
            return f"{value!r} is not a date in an accepted format (e.g. 2024-02-29)", None
        if not_future and found > today:
            return f"{found.isoformat()} is in the future", None
        age = whole_years(found, today)
        if min_age is not None and age < min_age:
            return f"{found.isoformat()} gives an age of {age}, under {min_age}", None
        if max_age is not None and age > max_age:
            return f"{found.isoformat()} gives an age of {age}, over {max_age}", None
        return None
    return judge


def _freshness_judge(months: int, formats: Sequence[str], today: date) -> Judge:
    cutoff = months_before(today, months)

    def judge(value: str) -> tuple[str, str | None] | None:
        found = parse_date(value, formats)
        if found is None or found >= cutoff:
            return None  # fresh, or not a date (a date rule says so)
        return f"last updated {found.isoformat()}, {whole_months(found, today)} months ago", None
    return judge


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(day.day, last))


def _allowed_judge(values: Sequence[str], ignore_case: bool) -> Judge:
    exact = set(values)
    folded = {v.casefold(): v for v in values}
    shown = ", ".join(values[:8]) + (" …" if len(values) > 8 else "")

    def judge(value: str) -> tuple[str, str | None] | None:
        if value in exact:
            return None
        match = folded.get(standardize.text(value).casefold())
        if ignore_case and match is not None and value.casefold() == match.casefold():
            return None
        return f"{value!r} is not one of {shown}", match
    return judge


def _length_problem(length: int, low: int | None, high: int | None) -> tuple[str, str | None] | None:
    if low is not None and length < low:
        return f"{length} characters, fewer than {low}", None
    if high is not None and length > high:
        return f"{length} characters, more than {high}", None
    return None


def unique_key(value: str) -> str | None:
    """What uniqueness compares: the standard text form; empty values are never duplicates."""
    key = standardize.text(value)
    return key or None
