"""The match view of a record: standard forms the matcher compares, derived from raw values.

Names are split into given and family names (from the first/last fields, or
parsed from a full name, Chinese names by their family-name character), folded
to lower-case ASCII for comparison, and Chinese names also get their pinyin,
so ``王伟`` and ``Wang Wei`` meet. Phones are compared by their last nine
digits, which the national and the international form of a number share,
without paying for a full parse of every number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Mapping

import jellyfish
from nameparser import HumanName
from pypinyin import lazy_pinyin

from .. import standardize
from ..checks import parse_date

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NON_ALNUM = re.compile(r"[^0-9a-z ]+")
_NOT_DIGITS = re.compile(r"[^0-9]+")
# Two-character family names; every other Chinese name starts with a one-character family name.
_COMPOUND_FAMILY = {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒", "夏侯"}
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d")


@dataclass(frozen=True)
class MatchRecord:
    """What the matcher knows of one record; '' where a value is missing."""

    identifier: str       # customer id as written, trimmed (compared: some lists share ids across sources)
    given: str            # folded: lower-case ASCII (pinyin for Chinese names), spaces kept between parts
    family: str
    given_cjk: str        # the name in characters, when it was written so
    family_cjk: str
    email: str            # standard form, lower-case
    mailbox: str          # the part before @ when it says more than the name does (not annasmith, a.smith)
    phone: str            # last nine digits
    dob: str              # ISO date, '' if not a date
    postcode: str         # upper-case, no spaces
    city: str
    street: str
    company: str
    given_sound: str      # metaphone of the first given name (pinyin for Chinese), for blocking
    family_sound: str
    house: str            # the house number in the street, for blocking


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case ASCII letters and digits: accents dropped (Müller → muller), punctuation to spaces."""
    decomposed = unicodedata.normalize("NFKD", standardize.text(text).casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")
    return " ".join(_NON_ALNUM.sub(" ", ascii_only.encode("ascii", "ignore").decode()).split())


@lru_cache(maxsize=100_000)
def pinyin(text: str) -> str:
    """Chinese characters as toneless pinyin syllables joined without spaces (王伟 → wangwei)."""
    return "".join(lazy_pinyin(text)).lower()


def _split_cjk(name: str) -> tuple[str, str]:
    compact = name.replace(" ", "")
    cut = 2 if compact[:2] in _COMPOUND_FAMILY else 1
    return compact[:cut], compact[cut:]


def _split_full_name(full: str) -> tuple[str, str]:
    """(given, family) from a full name: 'Family, Given', 'Given Family', or Chinese characters."""
    cleaned = standardize.text(full)
    if not cleaned:
        return "", ""
    if _CJK.search(cleaned):
        family, given = _split_cjk(cleaned)
        return given, family
    return _parsed_name(cleaned)


@lru_cache(maxsize=200_000)
def _parsed_name(cleaned: str) -> tuple[str, str]:
    """nameparser's reading: titles and suffixes dropped, 'Family, Given' understood."""
    name = HumanName(cleaned)
    given = " ".join(part for part in (name.first, name.middle) if part)
    if not name.last:
        return "", given
    return given, name.last


def _name_parts(given: str, family: str) -> tuple[str, str, str, str]:
    """(given folded, family folded, given in characters, family in characters)."""
    if _CJK.search(given + family):
        return pinyin(given), pinyin(family), given.replace(" ", ""), family.replace(" ", "")
    return fold(given), fold(family), "", ""


def prepare(values: Mapping[str, str]) -> MatchRecord:
    """The match view of one record given its canonical fields (missing fields may be absent)."""
    get = values.get
    given, family = standardize.text(get("first_name", "")), standardize.text(get("last_name", ""))
    if not given and not family:
        given, family = _split_full_name(get("full_name", ""))
    elif given and not family and _CJK.search(given):
        given, family = _split_cjk(given)[::-1]
    g, f, g_cjk, f_cjk = _name_parts(given, family)
    email = standardize.email(get("email", "")) or ""
    street = _street(get("street", ""))
    return MatchRecord(
        identifier=standardize.text(get("customer_id", "")),
        given=g, family=f, given_cjk=g_cjk, family_cjk=f_cjk,
        email=email, mailbox=_mailbox(email, g, f),
        phone=phone_digits(get("phone", "")),
        dob=_iso_date(get("date_of_birth", "")),
        postcode=standardize.text(get("postcode", "")).upper().replace(" ", "").replace("-", ""),
        city=fold(get("city", "")),
        street=street,
        company=_company(get("company", "")),
        given_sound=sound(g), family_sound=sound(f),
        house=next((token for token in street.split() if token.isdigit()), ""),
    )


@lru_cache(maxsize=100_000)
def sound(name: str) -> str:
    """Metaphone of a name's first word: Smith and Smyth sound alike."""
    first = name.split(" ", 1)[0]
    return jellyfish.metaphone(first) if first else ""


_SEPARATORS = str.maketrans("", "", "._-+")


def _mailbox(email: str, given: str, family: str) -> str:
    """The mailbox name, unless it is made only of the person's own name (namesakes share those)."""
    local = email.split("@", 1)[0]
    if len(local) < 5:
        return ""
    letters = local.translate(_SEPARATORS)
    if letters.isalpha():
        g, f = given.replace(" ", ""), family.replace(" ", "")
        if letters in {g + f, f + g, g[:1] + f, f + g[:1], g, f, g + f[:1]}:
            return ""
    return local


def phone_digits(value: str) -> str:
    """The last nine digits (fewer than seven digits is no phone number)."""
    digits = _NOT_DIGITS.sub("", value if value.isascii() else standardize.text(value))
    return digits[-9:] if len(digits) >= 7 else ""


@lru_cache(maxsize=100_000)
def _iso_date(value: str) -> str:
    if not value.strip():
        return ""
    found: date | None = parse_date(value, _DATE_FORMATS)
    return found.isoformat() if found else ""


@lru_cache(maxsize=100_000)
def _street(value: str) -> str:
    return fold(standardize.street(value)) if value else ""


@lru_cache(maxsize=100_000)
def _company(value: str) -> str:
    return fold(_without_legal_form(value)) if value else ""


def _without_legal_form(value: str) -> str:
    company = standardize.company(value)
    form = standardize.legal_form(company)
    return company[: -len(form)].rstrip(" ,") if form and company.endswith(form) else company
