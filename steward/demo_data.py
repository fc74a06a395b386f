"""A messy contact list whose truth is known, for the matching benchmark, the demo and training.

Every row belongs to a known person (its entity), so duplicate detection can be
scored pair by pair. Duplicates differ from the person's first record in tagged
ways (typos, nicknames, pinyin, a move …); look-alike people who are *not*
duplicates (households, colleagues, namesakes) make precision count; a few
tagged defects give validation something to find. Layouts (phone, date,
country spelling, "Str."/"Straße") vary on every record and are not tagged.
The same arguments give the same rows, and ``today`` only shifts the dates.
"""

from __future__ import annotations

import csv
import itertools
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

from . import demo_variations
from .demo_people import People, Person, local_part
from .demo_tables import (COUNTRIES, DOB, EMAIL, FIRST, FULL, HEADER, ID, ID_LAYOUTS, LAST, NICKNAMES, PHONE,
                          PHONE_LAYOUTS, SOURCE)

# HEADER and NICKNAMES live with the other tables and are part of this module's API as well
__all__ = ["DEFECTS", "DEFECT_SHARE", "FRESH_DAYS", "HEADER", "LOCALES", "LOOKALIKE_SHARE", "NICKNAMES",
           "SAME_SOURCE_SHARE", "SINGLE_SHARE", "SOURCES", "STALE_DAYS", "DemoData", "generate", "true_pairs",
           "write_csv"]

LOCALES = ("en", "de", "zh")
SOURCES = ("Dealer North", "Dealer South", "Webshop", "Call centre", "Trade fair")
SINGLE_SHARE = 0.62  # entities with one record; the others have 2–4
LOOKALIKE_SHARE = 0.10  # entities in a household, colleague or namesake group
DEFECT_SHARE = 0.05  # rows with a deliberate validation defect
SAME_SOURCE_SHARE = 0.2  # duplicates entered again through their first record's channel
FRESH_DAYS = 700  # a sound record was updated within this many days, inside a 24-month freshness rule
STALE_DAYS = (3 * 366, 7 * 365)  # a stale one more than three years ago, at most seven
DEFECTS = ("bad_email", "impossible_phone", "future_birth_date", "missing_name", "stale")
_LOCKS = {"bad_email": "email", "impossible_phone": "phone", "future_birth_date": "dob", "missing_name": "name"}
_BAD_PHONES = ("123", "000000", "0000 000", "12345", "999")
_MEAN_GROUP = 0.45 * 2.5 + 0.35 * 3 + 0.2 * 2  # households of 2–3, colleagues 2–4, namesakes 2
# chance that the next entity starts a look-alike group, so that LOOKALIKE_SHARE of all entities are in one
_GROUP_START = LOOKALIKE_SHARE / (_MEAN_GROUP - LOOKALIKE_SHARE * (_MEAN_GROUP - 1))


@dataclass(frozen=True)
class DemoData:
    """Rows with their truth. ``variations`` is empty for an entity's first record and never for its duplicates;
    ``lookalike`` is (kind, group id) for people in a household, colleague or namesake group, else None."""

    rows: list[list[str]]
    entity: list[int]
    defects: list[tuple[str, ...]]
    variations: list[tuple[str, ...]]
    lookalike: list[tuple[str, int] | None]
    header: list[str] = field(default_factory=lambda: list(HEADER))




def generate(records: int, seed: int = 1, locales: Sequence[str] = LOCALES, today: date | None = None) -> DemoData:
    """``records`` rows of people from ``locales``, the same for the same arguments (``today`` only shifts dates)."""
    if records < 0:
        raise ValueError("records must not be negative")
    unknown = [name for name in locales if name not in LOCALES]
    if unknown or not locales:
        raise ValueError(f"locales must be some of {', '.join(LOCALES)}")
    builder = _Builder(random.Random(seed), tuple(locales), (today or date.today()).toordinal())
    while len(builder.rows) < records:
        builder.add(records - len(builder.rows))
    return builder.finish()


def true_pairs(entity: Sequence[int]) -> set[tuple[int, int]]:
    """Every (i, j), i < j, of row indices that belong to the same entity: the duplicates to find."""
    groups: dict[int, list[int]] = {}
    for index, key in enumerate(entity):
        groups.setdefault(key, []).append(index)
    return {pair for members in groups.values() if len(members) > 1 for pair in itertools.combinations(members, 2)}


def write_csv(path: Path, data: DemoData) -> None:
    """Write the header and rows as UTF-8 CSV, as a customer's export would arrive."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(data.header)
        writer.writerows(data.rows)


class _Builder:
    """Adds people and their records; at the end the rows are shuffled and get per-source ids."""

    def __init__(self, rng: random.Random, locales: tuple[str, ...], today: int) -> None:
        self.rng = rng
        self.locales = locales
        self.today = today
        self.people = People(rng)
        self.rows: list[list[str]] = []
        self.entity: list[int] = []
        self.defects: list[tuple[str, ...]] = []
        self.variations: list[tuple[str, ...]] = []
        self.lookalike: list[tuple[str, int] | None] = []
        self.entities = 0
        self.groups = 0

    def add(self, budget: int) -> None:
        """One person, or a look-alike group of people, with their records: at most ``budget`` rows."""
        rng = self.rng
        locale = rng.choice(self.locales)
        kind = ""
        if rng.random() < _GROUP_START:
            kind = rng.choices(("household", "colleagues", "namesakes"), cum_weights=(45, 80, 100))[0]
            people = self.people.lookalikes(kind, locale)
        else:
            people = [self.people.person(locale)]
        sizes = []
        for _ in people:
            size = 1 if rng.random() < SINGLE_SHARE else rng.choices((2, 3, 4), cum_weights=(65, 90, 100))[0]
            size = min(size, budget - sum(sizes))
            if size == 0:
                break
            sizes.append(size)
        tag = None
        if len(sizes) > 1:
            self.groups += 1
            tag = (kind, self.groups)
        for person, size in zip(people, sizes):
            self._records(person, size, tag)
            self.entities += 1

    def finish(self) -> DemoData:
        rng = self.rng
        order = list(range(len(self.rows)))
        rng.shuffle(order)
        rows = [self.rows[i] for i in order]
        next_id = {source: rng.randrange(1, 5000) for source in SOURCES}
        for row in rows:
            source = row[SOURCE]
            number = next_id[source]
            next_id[source] = number + 1 + (rng.randrange(1, 20) if rng.random() < 0.1 else 0)  # deleted customers
            row[ID] = ID_LAYOUTS[source].format(number)
        return DemoData(rows, [self.entity[i] for i in order], [self.defects[i] for i in order],
                        [self.variations[i] for i in order], [self.lookalike[i] for i in order])

    def _records(self, person: Person, size: int, lookalike: tuple[str, int] | None) -> None:
        """The person's first record as they are, then duplicates that differ from it in chosen ways."""
        rng = self.rng
        first_source = rng.choice(SOURCES)
        for index in range(size):
            defects = self._defects()
            if index == 0:
                source, written, chosen, locked = first_source, person, [], set()
            else:
                source = first_source if rng.random() < SAME_SOURCE_SHARE else \
                    rng.choice([s for s in SOURCES if s != first_source])
                locked = {_LOCKS[d] for d in defects if d in _LOCKS}
                chosen = demo_variations.choose(rng, person, locked)
                written = demo_variations.vary_person(self.people, person, chosen)
            row = self._render(written, source, defects)
            tags = demo_variations.vary_row(rng, row, written, chosen, locked) if index else ()
            self._spoil(row, written, defects)
            self.rows.append(row)
            self.entity.append(self.entities)
            self.defects.append(defects)
            self.variations.append(tags)
            self.lookalike.append(lookalike)

    def _defects(self) -> tuple[str, ...]:
        rng = self.rng
        if rng.random() >= DEFECT_SHARE:
            return ()
        found = {rng.choice(DEFECTS)}
        if rng.random() < 0.1:
            found.add(rng.choice(DEFECTS))
        return tuple(d for d in DEFECTS if d in found)

    def _render(self, person: Person, source: str, defects: tuple[str, ...]) -> list[str]:
        rng = self.rng
        place = person.place
        first, last = (person.given_latin, person.family_latin) if person.latin else (person.given, person.family)
        city = place.city
        if person.locale != "zh":
            full = f"{first} {last}"
        elif not person.latin:
            full = last + first
            city += "市" if rng.random() < 0.3 else ""
        else:
            full = rng.choice((f"{last} {first}", f"{last.upper()} {first}", f"{first} {last}"))
            city = place.city_latin if rng.random() < 0.5 else city
        street = person.street
        if person.locale == "de" and rng.random() < 0.2:
            street = street.replace("straße", "str.")
        spellings = COUNTRIES[place.region].spellings
        country = spellings[0] if rng.random() < 0.7 else rng.choice(spellings)
        days = rng.randrange(*STALE_DAYS) if "stale" in defects else rng.randrange(FRESH_DAYS)
        hours, seconds = divmod(rng.randrange(86400), 3600)
        updated = date.fromordinal(self.today - days).isoformat()
        updated += f"T{hours:02d}:{seconds // 60:02d}:{seconds % 60:02d}" if rng.random() < 0.8 else \
            f" {hours:02d}:{seconds // 60:02d}"
        return ["", first, last, full, person.company.name if person.company else "", person.email,
                self._phone_text(person.phone, place.region) if person.phone else "", street, city, person.postcode,
                country, self._date_text(person.dob, place.region) if person.dob else "", updated, source]

    def _phone_text(self, phone: tuple[str, str, str], region: str) -> str:
        code, area, sub = phone
        national = area if code == "1" or (code == "86" and area[0] == "1") else "0" + area
        half = 3 if code == "1" else len(sub) // 2
        layout = self.rng.choice(PHONE_LAYOUTS[region])
        return layout.format(cc=code, area=area, nat=national, sub=sub, a=sub[:half], b=sub[half:])

    def _date_text(self, ordinal: int, region: str) -> str:
        day, draw = date.fromordinal(ordinal), self.rng.random()
        if region == "DE" and draw < 0.3:
            return f"{day.day:02d}.{day.month:02d}.{day.year}"
        if region in ("GB", "IE") and draw < 0.15:
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        if region == "CN" and draw < 0.15:
            return f"{day.year}/{day.month:02d}/{day.day:02d}"
        return day.isoformat()

    def _spoil(self, row: list[str], person: Person, defects: tuple[str, ...]) -> None:
        rng = self.rng
        for defect in defects:
            if defect == "bad_email":
                local = row[EMAIL].partition("@")[0].strip() or local_part(person.given_latin) or "info"
                domain = rng.choice(COUNTRIES[person.place.region].providers)
                row[EMAIL] = rng.choice((f"{local}@@{domain}", f"{local}@{domain.split('.')[0]}",
                                         f"{local}.{domain}", f"{local}@{domain.replace('.', '..')}", "no email"))
            elif defect == "impossible_phone":
                row[PHONE] = rng.choice(_BAD_PHONES)
            elif defect == "future_birth_date":
                row[DOB] = self._date_text(self.today + rng.randrange(1, 3000), person.place.region)
            elif defect == "missing_name":
                row[FIRST] = row[LAST] = row[FULL] = ""
