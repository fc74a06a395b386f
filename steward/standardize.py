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
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

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
    "prc": "CN", "p.r.c.": "CN", "ger": "DE", "brd": "DE", "usa": "US", "u.s.a.": "US", "u.s.": "US", "america": "US", "united states of america": "US",
    "中国": "CN", "中华人民共和国": "CN", "中國": "CN", "日本": "JP", "德国": "DE", "德國": "DE", "美国": "US",
    "美國": "US", "英国": "GB", "英國": "GB", "法国": "FR", "法國": "FR", "香港": "HK", "台湾": "TW", "台灣": "TW",
    "韩国": "KR", "韓國": "KR", "新加坡": "SG", "澳大利亚": "AU", "加拿大": "CA", "印度": "IN",
}


def text(value: str) -> str:
    """NFKC (full-width → half-width), invisible characters removed, whitespace runs made one space, trimmed."""
    if value.isascii():  # NFKC leaves ASCII alone and the invisible characters are not ASCII
        return " ".join(value.split())
    folded = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return _SPACES.sub(" ", folded).strip()


# Addresses of this plain ASCII shape are valid for email-validator too, and
# their standard form is just the lower-cased address (a property test holds
# both); only the rest pay for the library.
PLAIN_EMAIL = re.compile(r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*@"
                         r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63})")
_SPECIAL_TLDS = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def is_plain_email(value: str) -> bool:
    """A valid address of the plain ASCII shape, decided without the library."""
    plain = PLAIN_EMAIL.fullmatch(value)
    if not plain or len(value) > 254:
        return False
    at = value.index("@")
    # IDNA has rules for '--' labels (xn--…): the library decides those.
    return at <= 64 and plain.group(1).lower() not in _SPECIAL_TLDS and "--" not in value[at:]


def email(value: str) -> str | None:
    """Trimmed, lower-cased and IDN-normalised (``anna@example.com`` for `` Anna@Example.COM``); None if invalid.

    The standard allows a case-sensitive local part, but practically no mail
    system uses one, and stewards and matching need one spelling per address.
    """
    candidate = text(value).replace(" ", "")
    if not candidate:
        return None
    if is_plain_email(candidate):
        return candidate.lower()
    try:
        return validate_email(candidate, check_deliverability=False).normalized.lower()
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
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    again = phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.E164)
    return e164 if again == e164 else None  # digits that do not survive their own standard form


# -- postcodes ---------------------------------------------------------------------------

#: Standard postcode shape per country, as a full-match regular expression.
POSTCODE_FORMATS = {
    "US": r"\d{5}(-\d{4})?",
    "CA": r"[A-Z]\d[A-Z] \d[A-Z]\d",
    "GB": r"(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "NL": r"\d{4} [A-Z]{2}",
    "CN": r"\d{6}",
    "JP": r"\d{3}-\d{4}",
    "AU": r"\d{4}",
    "IN": r"\d{6}",
}
_POSTCODE_RE = {code: re.compile(pattern) for code, pattern in POSTCODE_FORMATS.items()}


def postcode(value: str, country_code: str | None) -> str | None:
    """The postcode in its country's standard shape (``sw1a1aa`` → ``SW1A 1AA``), or None if it does not fit.

    Countries without a known format get the cleaned text back.
    """
    cleaned = text(value).upper()
    if not cleaned:
        return None
    code = (country_code or "").upper()
    if code not in _POSTCODE_RE:
        return cleaned
    compact = re.sub(r"[\s\-]", "", cleaned)
    if code in ("CA", "GB", "NL") and len(compact) > 3:
        candidate = f"{compact[:-3]} {compact[-3:]}" if code != "NL" else f"{compact[:-2]} {compact[-2:]}"
    elif code == "US" and len(compact) == 9 and compact.isdigit():
        candidate = f"{compact[:5]}-{compact[5:]}"
    elif code == "JP" and len(compact) == 7 and compact.isdigit():
        candidate = f"{compact[:3]}-{compact[3:]}"
    else:
        candidate = compact
    return candidate if _POSTCODE_RE[code].fullmatch(candidate) else None


# -- streets and companies ------------------------------------------------------------------

_STREET_WORDS = [
    (r"street|st\.?", "St"), (r"road|rd\.?", "Rd"), (r"avenue|ave\.?|av\.?", "Ave"), (r"drive|dr\.?", "Dr"),
    (r"lane|ln\.?", "Ln"), (r"boulevard|blvd\.?", "Blvd"), (r"place|pl\.?", "Pl"), (r"court|ct\.?", "Ct"),
    (r"square|sq\.?", "Sq"), (r"highway|hwy\.?", "Hwy"),
]
_STREET_RE = [(re.compile(rf"(?<![\w.])(?:{words})(?![\w])", re.IGNORECASE), short) for words, short in _STREET_WORDS]
_STRASSE = re.compile(r"(stra(ss|ß)e|str\.?)(?=$|[\s,\d])", re.IGNORECASE)


def street(value: str) -> str:
    """Street types in one form: Street/St./St → St, Road → Rd, Straße/Strasse/Str → Str."""
    cleaned = text(value)
    for pattern, short in _STREET_RE:
        cleaned = pattern.sub(short, cleaned)
    return _STRASSE.sub(lambda m: ("S" if m.group(0)[0] == "S" else "s") + "tr.", cleaned)


_LEGAL_FORMS = [
    (r"incorporated|inc\.?", "Inc"), (r"l\.?l\.?c\.?", "LLC"), (r"limited|ltd\.?", "Ltd"),
    (r"corporation|corp\.?", "Corp"), (r"company|co\.?", "Co"), (r"p\.?l\.?c\.?", "plc"),
    (r"gesellschaft mit beschränkter haftung|gmbh", "GmbH"), (r"aktiengesellschaft|ag", "AG"),
    (r"s\.?a\.?r\.?l\.?", "SARL"), (r"b\.?v\.?", "BV"), (r"pty\.?", "Pty"),
]
_LEGAL_RE = [(re.compile(rf"(?<![\w.])(?:{words})(?![\w])", re.IGNORECASE), short) for words, short in _LEGAL_FORMS]
_CJK_LEGAL = re.compile(r"(有限责任公司|股份有限公司|有限公司|株式会社|合同会社)$")


def company(value: str) -> str:
    """Legal forms in one spelling (Incorporated/Inc. → Inc, Gesellschaft mit beschränkter Haftung → GmbH)."""
    cleaned = text(value)
    for pattern, short in _LEGAL_RE:
        cleaned = pattern.sub(short, cleaned)
    cleaned = re.sub(r"\s*,\s*(?=(Inc|LLC|Ltd|Corp|Co|plc|GmbH|AG|SARL|BV|Pty)\b)", " ", cleaned)
    return cleaned


def legal_form(value: str) -> str | None:
    """The legal form at the end of a company name (``Inc``, ``GmbH``, ``有限公司`` …), or None."""
    standard = company(value)
    found = _CJK_LEGAL.search(standard)
    if found:
        return found.group(1)
    last = standard.rsplit(" ", 1)[-1] if " " in standard else ""
    return last if last in {short for _, short in _LEGAL_FORMS} else None


# -- person names --------------------------------------------------------------------------

_CJK = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def person_name(value: str) -> str:
    """A person's name as "Given Middle Family Suffix": titles dropped, ``SMITH, JOHN`` reordered,
    shouted or lower-case names given proper case (McDonald, O'Brien, van der Rohe).

    Names in Chinese characters keep their order (family name first) and lose
    the spaces between characters. Anything nameparser cannot read stably is
    only cleaned, never rearranged.
    """
    cleaned = text(value)
    if not cleaned:
        return ""
    if _HAS_CJK.search(cleaned):
        return _CJK_GAP.sub("", cleaned)
    arranged = _arranged_name(cleaned)
    return arranged if arranged and _arranged_name(arranged) == arranged else cleaned


def honorific(value: str) -> str | None:
    """The title in front of a name (``Dr.``, ``Mrs``, ``Herr``), or None."""
    from nameparser import HumanName

    cleaned = text(value)
    if not cleaned or _HAS_CJK.search(cleaned):
        return None
    name = HumanName(cleaned)
    name.capitalize(force=True)
    return name.title or None


_PARTICLES = {"van", "der", "den", "von", "de", "di", "da", "du", "la", "le", "van der", "von der", "de la"}


def _arranged_name(cleaned: str) -> str:
    from nameparser import HumanName

    name = HumanName(cleaned)
    parts = [p for p in (name.first, name.last) if p]
    if any(part.isupper() or (part.islower() and part not in _PARTICLES) for part in parts):
        name.capitalize(force=True)  # SHOUTED or lower-case parts; mixed case such as DeVito is left alone
    return " ".join(part for part in (name.first, name.middle, name.last, name.suffix) if part)
