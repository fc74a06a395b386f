"""Standard forms of raw values: a derived layer, never written over the raw import.

Pure functions, shared by validation (suggested fixes) and, later, matching.
Each returns the standard form, or None when the value cannot be put in one
(then the raw value is all there is). Every function is idempotent:
``f(f(x)) == f(x)``. The version is stored with anything derived from these
forms, so a change here can be recognised later.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email

VERSION = 1

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"\s+")

# Country names pycountry does not know (it holds English names and codes):
# the German and Chinese names Steward's users write, and common short forms.
_COUNTRY_NAMES = {
    "deutschland": "DE", "bundesrepublik deutschland": "DE", "österreich": "AT", "schweiz": "CH",
    "frankreich": "FR", "niederlande": "NL", "holland": "NL", "italien": "IT", "spanien": "ES",
    "vereinigtes königreich": "GB", "großbritannien": "GB", "vereinigte staaten": "US",
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB", "britain": "GB",
    "usa": "US", "u.s.a.": "US", "u.s.": "US", "america": "US", "united states of america": "US",
    "中国": "CN", "中华人民共和国": "CN", "中國": "CN", "日本": "JP", "德国": "DE", "德國": "DE", "美国": "US",
    "美國": "US", "英国": "GB", "英國": "GB", "法国": "FR", "法國": "FR", "香港": "HK", "台湾": "TW", "台灣": "TW",
    "韩国": "KR", "韓國": "KR", "新加坡": "SG", "澳大利亚": "AU", "加拿大": "CA", "印度": "IN",
}


def text(value: str) -> str:
    """NFKC (full-width → half-width), invisible characters removed, whitespace runs made one space, trimmed."""
    folded = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return _SPACES.sub(" ", folded).strip()


def email(value: str) -> str | None:
    """Trimmed, domain lower-cased (and IDN-normalised); the local part keeps its case. None if invalid."""
    candidate = text(value).replace(" ", "")
    if not candidate:
        return None
    try:
        return validate_email(candidate, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def country(value: str) -> str | None:
    """ISO 3166 alpha-2 code for a country name or code (English, German, Chinese), else None."""
    cleaned = text(value)
    if not cleaned:
        return None
    known = _COUNTRY_NAMES.get(cleaned.casefold())
    if known:
        return known
    try:
        return pycountry.countries.lookup(cleaned).alpha_2
    except LookupError:
        return None


def phone(value: str, region: str | None = None) -> str | None:
    """E.164 (``+8613812345678``) when the number is possible for ``region`` (alpha-2), else None.

    Numbers written with ``+`` or ``00`` carry their own country; others need
    the record's country or the project's default region.
    """
    cleaned = text(value)
    if not cleaned:
        return None
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None  # too short, too long, or only dialable locally without its area code
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
