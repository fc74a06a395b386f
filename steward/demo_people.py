"""Made-up people for the demo contact list: names, addresses, phones and emails that fit their locale.

A person is what the truth is about; how their records are written and varied is the generator's
business. Every draw comes from the one random generator passed in, so the order of calls is part
of the output: the same calls in the same order give the same people.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Sequence

from .demo_tables import (COMPANY_FORMS, COMPANY_WORDS, COUNTRIES, DE_FAMILY, DE_GIVEN, EN_FAMILY, EN_GIVEN, IE_GIVEN,
                          PLACES, REGION_PLACES, STREETS, ZH_FAMILY, ZH_GIVEN, Place)

_DOB_RANGE = (date(1936, 1, 1).toordinal(), date(2007, 1, 1).toordinal())
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_LETTERS = "ABDEFHJLNPRSTUWXY"


@dataclass(frozen=True, slots=True)
class _Company:
    name: str
    domain: str
    phone: tuple[str, str, str]
    street: str
    place: Place
    postcode: str


@dataclass(slots=True)
class Person:
    """The truth about one person; every record of theirs is written from this or a varied copy of it."""

    locale: str
    place: Place
    given: str
    family: str
    given_latin: str  # pinyin, or the ASCII spelling emails are made from
    family_latin: str
    dob: int  # ordinal, 0 when unknown
    company: _Company | None
    email: str
    phone: tuple[str, str, str] | None  # (calling code, area or mobile prefix, subscriber)
    street: str
    postcode: str
    latin: bool = False  # the name is written in pinyin or without umlauts


class People:
    """Makes up people and remembers the email addresses handed out, since an address belongs to one person."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emails: set[str] = set()

    def person(self, locale: str, region: str | None = None) -> Person:
        rng = self.rng
        place = rng.choice(REGION_PLACES[region] if region else PLACES[locale])
        given, given_latin = self._given(locale, place)
        family, family_latin = self._family(locale)
        company = self._company(locale, place.region) if rng.random() < 0.35 else None
        person = Person(locale, place, given, family, given_latin, family_latin,
                        self._dob() if rng.random() < 0.9 else 0, company, "", None, self._street(locale),
                        _fill(rng, rng.choice(place.postcodes)))
        if rng.random() < 0.9:
            person.email = self.email(person)
        if rng.random() < 0.92:
            person.phone = self.mobile(place) if rng.random() < 0.65 else self._landline(place)
        return person

    def lookalikes(self, kind: str, locale: str) -> list[Person]:
        """Different people who look alike: a household, colleagues, or two people of the same name."""
        rng = self.rng
        base = self.person(locale)
        if kind == "colleagues":
            company = base.company or self._company(locale, base.place.region)
            people: list[Person] = []
            for index in range(rng.choice((2, 3, 4))):
                person = base if index == 0 else self.person(locale, company.place.region)
                person.company, person.phone = company, company.phone
                if rng.random() < 0.5:  # reached at the office
                    person.place, person.street, person.postcode = company.place, company.street, company.postcode
                person.email = self.email(person, [p.email for p in people], at_work=True)
                people.append(person)
            return people
        base.dob = base.dob or self._dob()
        if kind == "household":
            base.phone = self._landline(base.place)
            people = [base]
            for _ in range(rng.choice((1, 1, 2))):
                member = replace(base, company=None)
                while any(member.given == p.given for p in people):
                    member.given, member.given_latin = self._given(locale, base.place)
                while any(member.dob == p.dob for p in people):
                    member.dob = self._dob()
                member.email = self.email(member, [p.email for p in people]) if rng.random() < 0.7 else ""
                people.append(member)
            return people
        other = self.person(locale)
        other.given, other.family = base.given, base.family
        other.given_latin, other.family_latin = base.given_latin, base.family_latin
        while other.dob in (0, base.dob):
            other.dob = self._dob()
        if other.street == base.street:
            self.move(other)
        other.email = self.email(other, [base.email]) if other.email else ""
        return [base, other]

    def move(self, person: Person) -> None:
        """A new street and postcode, often in another city of the same country."""
        rng = self.rng
        old = (person.street, person.postcode)
        while (person.street, person.postcode) == old:
            if rng.random() < 0.6:
                person.place = rng.choice(REGION_PLACES[person.place.region])
            person.street = self._street(person.locale)
            person.postcode = _fill(rng, rng.choice(person.place.postcodes))

    def email(self, person: Person, avoid: Sequence[str] = (), at_work: bool | None = None) -> str:
        rng = self.rng
        given, family = local_part(person.given_latin), local_part(person.family_latin)
        company = person.company
        if company is not None and (at_work if at_work is not None else rng.random() < 0.5):
            domain = company.domain
            local = rng.choice((f"{given}.{family}", f"{given[0]}.{family}", f"{given[0]}{family}", family))
        else:
            domain = rng.choice(COUNTRIES[person.place.region].providers)
            number = rng.randrange(1, 100)
            year = f"{date.fromordinal(person.dob).year % 100:02d}" if person.dob else str(number)
            local = str(rng.randrange(10**5, 10**10)) if domain == "qq.com" else rng.choice((
                f"{given}.{family}", f"{given}{family}", f"{given[0]}{family}", f"{given}.{family}{year}",
                f"{family}.{given}", f"{given}_{family}{number}", f"{given}{number}"))
        email = f"{local}@{domain}"
        while email in avoid or email in self.emails:
            email = f"{local}{rng.randrange(2, 1000)}@{domain}"
        self.emails.add(email)
        return email

    def mobile(self, place: Place) -> tuple[str, str, str]:
        country = COUNTRIES[place.region]
        if not country.mobiles:
            return self._landline(place)
        prefix, digits = self.rng.choice(country.mobiles)
        return country.code, prefix, f"{self.rng.randrange(10 ** digits):0{digits}d}"

    def _landline(self, place: Place) -> tuple[str, str, str]:
        rng = self.rng
        rest = place.digits - 1
        subscriber = f"{rng.choice(place.lead)}{rng.randrange(10 ** rest):0{rest}d}"
        return COUNTRIES[place.region].code, place.area, subscriber

    def _given(self, locale: str, place: Place) -> tuple[str, str]:
        rng = self.rng
        if locale == "zh":
            return rng.choice(ZH_GIVEN)
        if locale == "de":
            name = rng.choice(DE_GIVEN)
        else:
            name = rng.choice(IE_GIVEN if place.region == "IE" and rng.random() < 0.5 else EN_GIVEN)
        return name, _latin(name)

    def _family(self, locale: str) -> tuple[str, str]:
        if locale == "zh":
            return self.rng.choice(ZH_FAMILY)
        name = self.rng.choice(DE_FAMILY if locale == "de" else EN_FAMILY)
        return name, _latin(name)

    def _dob(self) -> int:
        return self.rng.randrange(*_DOB_RANGE)

    def _company(self, locale: str, region: str) -> _Company:
        rng = self.rng
        place = rng.choice(REGION_PLACES[region])
        word = rng.choice(COMPANY_WORDS[locale])
        if locale == "zh":
            word, latin = word.split(":")
            name, domain = rng.choice(COMPANY_FORMS[locale]).format(word, city=place.city), latin + ".com.cn"
        else:
            name, domain = rng.choice(COMPANY_FORMS[locale]).format(word), local_part(_latin(word)) + \
                COUNTRIES[region].tld
        return _Company(name, domain, self._landline(place), self._street(locale), place,
                        _fill(rng, rng.choice(place.postcodes)))

    def _street(self, locale: str) -> str:
        rng = self.rng
        name, number = rng.choice(STREETS[locale]), rng.randrange(1, 200)
        if locale == "zh":
            street = f"{name}{number}号"
            return f"{street}{rng.randrange(1, 20)}栋{rng.randrange(1, 30)}0{rng.randrange(1, 9)}室" \
                if rng.random() < 0.3 else street
        if locale == "de":
            return f"{name} {number}{rng.choice('ab')}" if rng.random() < 0.1 else f"{name} {number}"
        return f"Flat {rng.randrange(1, 30)}, {number} {name}" if rng.random() < 0.12 else f"{number} {name}"


@functools.cache
def local_part(name: str) -> str:
    """The name as an email address would spell it: lower case, letters and digits only."""
    return "".join(c for c in name.lower() if c.isalnum())


def _fill(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randrange(10)) if c == "#" else rng.choice(_LETTERS) if c == "@" else c for c in pattern)


@functools.cache
def _latin(name: str) -> str:
    """The name in ASCII letters: umlauts spelled out (Müller → Mueller), other accents dropped."""
    folded = unicodedata.normalize("NFKD", name.translate(_UMLAUTS))
    return "".join(c for c in folded if not unicodedata.combining(c))
