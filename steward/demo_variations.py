"""How a duplicate in the demo contact list differs from its person's first record, with tags for the truth.

Some variations change the person before the record is written (a nickname, a move), others change
the written row (swapped names, full-width digits, blanks). Each is tagged only if it took effect,
and none touches a field a deliberate defect has claimed, so tags and defects can be checked apart.
"""

from __future__ import annotations

import random
from dataclasses import replace

from .demo_people import People, Person
from .demo_tables import CITY, DOB, EMAIL, FIRST, FULL, LAST, NICKNAMES, PHONE, POSTCODE, STREET

# (tag, weight) in the order they are applied: to the person first, then to the written record
_VARIATIONS = (("pinyin", 5), ("ascii_name", 2), ("nickname", 3), ("typo_name", 3), ("moved", 2), ("new_phone", 2),
               ("new_email", 2), ("swap_given_family", 1.5), ("fullwidth_digits", 1), ("missing_fields", 2),
               ("case_and_spacing", 2))
_NAME_VARIATIONS = frozenset(("pinyin", "ascii_name", "nickname", "typo_name", "swap_given_family"))
_FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}


def choose(rng: random.Random, person: Person, locked: set[str]) -> list[str]:
    """One to three ways a duplicate differs, weighted, each possible for this person and record."""
    chosen: list[str] = []
    for _ in range(rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]):
        options = [(tag, weight) for tag, weight in _VARIATIONS
                   if tag not in chosen and _possible(tag, person, chosen, locked)]
        draw = rng.random() * sum(weight for _, weight in options)
        for tag, weight in options:
            draw -= weight
            if draw < 0:
                break
        chosen.append(tag)
    return chosen


def _possible(tag: str, person: Person, chosen: list[str], locked: set[str]) -> bool:
    if tag in _NAME_VARIATIONS and "name" in locked:
        return False
    if tag == "pinyin":
        return person.locale == "zh"
    if tag == "ascii_name":
        return person.locale == "de" and (person.given, person.family) != (person.given_latin, person.family_latin)
    if tag == "nickname":
        return person.locale == "en" and person.given in NICKNAMES
    if tag == "typo_name":
        return person.locale != "zh" or "pinyin" in chosen
    if tag in ("new_phone", "new_email"):
        return tag[4:] not in locked
    if tag == "fullwidth_digits":
        return person.locale == "zh" and person.phone is not None and "phone" not in locked
    if tag == "missing_fields":
        return bool(_blankable(person.email, person.phone, person.dob, chosen, locked))
    return True


def vary_person(people: People, person: Person, chosen: list[str]) -> Person:
    """A copy of the person as this duplicate knows them: another name, address, phone or email."""
    rng = people.rng
    varied = replace(person)
    varied.latin = "pinyin" in chosen or "ascii_name" in chosen
    if "nickname" in chosen:
        varied.given = varied.given_latin = rng.choice(NICKNAMES[person.given])
    if "typo_name" in chosen:
        name = "family" if "nickname" in chosen or rng.random() < 0.5 else "given"
        name += "_latin" if varied.latin else ""
        setattr(varied, name, _typo(rng, getattr(varied, name)))
    if "moved" in chosen:
        people.move(varied)
    if "new_phone" in chosen:
        while varied.phone == person.phone:
            varied.phone = people.mobile(varied.place)
    if "new_email" in chosen:
        varied.email = people.email(varied, [person.email])
    return varied


def vary_row(rng: random.Random, row: list[str], person: Person, chosen: list[str],
             locked: set[str]) -> tuple[str, ...]:
    """Apply the variations that change how the record is written; return all that took effect."""
    applied = [tag for tag in chosen if tag not in ("swap_given_family", "fullwidth_digits", "missing_fields",
                                                       "case_and_spacing")]
    if "swap_given_family" in chosen and row[FIRST] != row[LAST]:
        first, last = row[FIRST], row[LAST]
        if person.locale == "zh" and not person.latin or rng.random() < 0.6:
            row[FIRST], row[LAST] = last, first  # the full name in characters stays as it was written
            row[FULL] = row[FULL] if person.locale == "zh" and not person.latin else f"{last} {first}"
        else:
            row[FULL] = f"{last}, {first}"
        applied.append("swap_given_family")
    if "fullwidth_digits" in chosen:
        row[PHONE] = row[PHONE].translate(_FULLWIDTH)
        applied.append("fullwidth_digits")
    if "missing_fields" in chosen:
        blankable = _blankable(row[EMAIL], row[PHONE], row[DOB], chosen, locked)
        if blankable:
            for index in rng.sample(blankable, rng.choice((1, 1, 2)) if len(blankable) > 1 else 1):
                row[index] = ""
            applied.append("missing_fields")
    if "case_and_spacing" in chosen and _recase(rng, row, locked):
        applied.append("case_and_spacing")
    return tuple(tag for tag, _ in _VARIATIONS if tag in applied)


def _recase(rng: random.Random, row: list[str], locked: set[str]) -> bool:
    """Shout, whisper or pad one or two fields; True if anything changed."""
    edits = [edit for edit in _RECASE if edit[0] not in locked]
    wanted, done = rng.choice((1, 1, 2)), 0
    for _, index, change in rng.sample(edits, len(edits)):
        before = row[index]
        row[index] = change(before)
        done += row[index] != before
        if done == wanted:
            break
    return done > 0


def _blankable(email: object, phone: object, dob: object, chosen: list[str], locked: set[str]) -> list[int]:
    """Row positions a "missing_fields" variation may blank: present, and not already another variation's."""
    found = []
    if email and "email" not in locked and "new_email" not in chosen:
        found.append(EMAIL)
    if phone and "phone" not in locked and "new_phone" not in chosen and "fullwidth_digits" not in chosen:
        found.append(PHONE)
    if dob and "dob" not in locked:
        found.append(DOB)
    return found


def _padded(text: str) -> str:
    return "  ".join(text.split(" ")) if " " in text else text[:1] + " " + text[1:]


_RECASE = (  # (field a defect may lock, row position, change)
    ("name", FULL, str.upper), ("name", LAST, str.upper), ("name", FULL, str.lower), ("name", FULL, _padded),
    ("name", FIRST, lambda text: f" {text} "), ("email", EMAIL, str.title), ("", STREET, str.upper),
    ("", CITY, lambda text: f" {text}  "), ("", POSTCODE, lambda text: text.lower().replace(" ", "")),
)


def _typo(rng: random.Random, word: str) -> str:
    """A letter swapped with the next, dropped or doubled (never the first); always a different word."""
    for _ in range(4):
        if len(word) < 3:
            break
        at = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            typo = word[:at] + word[at + 1] + word[at] + word[at + 2:]
        elif kind == 1:
            typo = word[:at] + word[at + 1:]
        else:
            typo = word[:at] + word[at] + word[at:]
        if typo != word:
            return typo
    return word + word[-1:]
