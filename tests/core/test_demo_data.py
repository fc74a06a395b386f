"""The demo contact list: deterministic, the right shape, and its truth and tags agree with its content."""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from steward import checks, standardize
from steward.demo_data import DEFECTS, HEADER, NICKNAMES, DemoData, generate, true_pairs, write_csv
from steward.rules import DEFAULT_DATE_FORMATS

TODAY = date(2026, 3, 1)
COL = {name: index for index, name in enumerate(HEADER)}
CJK = re.compile("[\u3400-\u9fff]")
FULLWIDTH_DIGIT = re.compile("[\uff10-\uff19]")


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(4000, seed=11, today=TODAY)


def first_records(data: DemoData) -> dict[int, int]:
    """Entity → the row index of its first record (the one without variations)."""
    found: dict[int, int] = {}
    for index, (entity, variations) in enumerate(zip(data.entity, data.variations)):
        if not variations:
            assert entity not in found, "an entity has two first records"
            found[entity] = index
    return found


def e164(row: list[str]) -> str | None:
    return checks.phone_verdict(row[COL["phone"]], standardize.country(row[COL["country"]]))[1]


def parsed(value: str) -> date | None:
    return checks.parse_date(value, DEFAULT_DATE_FORMATS)


def one_typo(right: str, wrong: str) -> bool:
    """``wrong`` is ``right`` with two neighbouring letters swapped, or one letter dropped or doubled."""
    cuts = range(len(right))
    return wrong in {right[:i] + right[i + 1:] for i in cuts} | {right[:i] + right[i] + right[i:] for i in cuts} | \
        {right[:i] + right[i + 1:i + 2] + right[i] + right[i + 2:] for i in cuts}


def names(row: list[str]) -> set[str]:
    return {part.casefold() for column in ("first_name", "last_name", "full_name")
            for part in re.split(r"[\s,]+", row[COL[column]]) if part}


def test_same_arguments_give_the_same_rows_and_another_seed_others():
    first, again, other = generate(600, seed=3, today=TODAY), generate(600, seed=3, today=TODAY), \
        generate(600, seed=4, today=TODAY)
    assert first == again
    assert first.rows != other.rows


def test_today_only_shifts_the_dates():
    now, later = generate(600, seed=3, today=TODAY), generate(600, seed=3, today=TODAY + timedelta(days=400))
    assert (now.entity, now.defects, now.variations, now.lookalike) == \
        (later.entity, later.defects, later.variations, later.lookalike)
    moving = {COL["updated_at"], COL["date_of_birth"]}
    for row_now, row_later, defects in zip(now.rows, later.rows, now.defects):
        for column, (a, b) in enumerate(zip(row_now, row_later)):
            if column not in moving or (column == COL["date_of_birth"] and "future_birth_date" not in defects):
                assert a == b
    assert all(parsed(b) - parsed(a) == timedelta(days=400)
               for a, b in zip((r[COL["updated_at"]] for r in now.rows), (r[COL["updated_at"]] for r in later.rows)))


@pytest.mark.parametrize("records", [0, 1, 7, 999])
def test_exactly_the_rows_asked_for_all_strings(records):
    made = generate(records, seed=5, today=TODAY)
    assert made.header == HEADER
    assert len(made.rows) == len(made.entity) == len(made.defects) == len(made.variations) == \
        len(made.lookalike) == records
    assert all(len(row) == len(HEADER) and all(isinstance(v, str) for v in row) for row in made.rows)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        generate(-1)
    with pytest.raises(ValueError):
        generate(10, locales=("fr",))
    with pytest.raises(ValueError):
        generate(10, locales=())


def test_entities_duplicates_and_sources(data):
    sizes = Counter(data.entity)
    assert set(sizes.values()) <= {1, 2, 3, 4}
    assert 0.30 < sum(1 for n in sizes.values() if n > 1) / len(sizes) < 0.45
    firsts = first_records(data)
    assert set(firsts) == set(sizes)
    assert all(1 <= len(v) <= 3 for v in data.variations if v)
    ids = [row[COL["customer_id"]] for row in data.rows]
    assert len(set(ids)) == len(ids)
    moved_source = [data.rows[i][COL["source"]] != data.rows[firsts[e]][COL["source"]]
                    for i, e in enumerate(data.entity) if data.variations[i]]
    assert 0.65 < sum(moved_source) / len(moved_source) < 0.95
    neighbours = sum(a == b for a, b in zip(data.entity, data.entity[1:]))
    assert neighbours < 0.02 * len(data.entity)  # shuffled, not grouped


def test_zh_first_records_are_in_characters_and_some_duplicates_in_pinyin():
    made = generate(800, seed=2, locales=("zh",), today=TODAY)
    for entity, index in first_records(made).items():
        if "missing_name" not in made.defects[index]:
            row = made.rows[index]
            assert CJK.search(row[COL["first_name"]]) and CJK.search(row[COL["last_name"]])
            assert row[COL["full_name"]] == row[COL["last_name"]] + row[COL["first_name"]]
    pinyin = [row for row, tags in zip(made.rows, made.variations) if "pinyin" in tags]
    assert len(pinyin) > 30
    assert not any(CJK.search(row[COL[c]]) for row in pinyin for c in ("first_name", "last_name", "full_name"))
    fullwidth = [row for row, tags in zip(made.rows, made.variations) if "fullwidth_digits" in tags]
    assert fullwidth and all(FULLWIDTH_DIGIT.search(row[COL["phone"]]) for row in fullwidth)


def lookalike_groups(data: DemoData, kind: str) -> list[list[list[str]]]:
    """First records of the members of each look-alike group of ``kind``."""
    firsts = first_records(data)
    groups: dict[int, list[list[str]]] = defaultdict(list)
    for entity, index in firsts.items():
        tag = data.lookalike[index]
        if tag and tag[0] == kind and not data.defects[index]:
            groups[tag[1]].append(data.rows[index])
    return [members for members in groups.values() if len(members) > 1]


def test_lookalike_groups_are_about_a_tenth_of_entities(data):
    entities = {e: tag for e, tag in zip(data.entity, data.lookalike)}
    assert 0.06 < sum(1 for tag in entities.values() if tag) / len(entities) < 0.14
    by_group = defaultdict(set)
    for entity, tag in entities.items():
        if tag:
            by_group[tag].add(entity)
    assert all(len(members) >= 2 for members in by_group.values())


def test_households_share_address_and_landline_but_not_name_or_birthday(data):
    households = lookalike_groups(data, "household")
    assert len(households) > 10
    for members in households:
        for column in ("last_name", "postcode"):
            assert len({m[COL[column]] for m in members}) == 1
        assert len({standardize.street(m[COL["street"]]) for m in members}) == 1
        assert len({e164(m) for m in members if m[COL["phone"]]}) <= 1
        assert len({m[COL["first_name"]] for m in members}) == len(members)
        assert len({parsed(m[COL["date_of_birth"]]) for m in members}) == len(members)


def test_colleagues_share_company_switchboard_and_mail_domain(data):
    teams = lookalike_groups(data, "colleagues")
    assert len(teams) > 10
    private_domains = {row[COL["email"]].partition("@")[2] for row in data.rows if not row[COL["company"]]}
    for members in teams:
        assert len({m[COL["company"]] for m in members}) == 1
        assert len({e164(m) for m in members if m[COL["phone"]]}) <= 1
        domains = {m[COL["email"]].partition("@")[2] for m in members if m[COL["email"]]}
        assert len(domains) <= 1 and not domains & private_domains
        assert len({m[COL["email"]] for m in members if m[COL["email"]]}) == sum(1 for m in members if m[COL["email"]])


def test_namesakes_share_a_name_but_not_a_birthday(data):
    pairs = lookalike_groups(data, "namesakes")
    assert len(pairs) > 3
    for members in pairs:
        assert len({(m[COL["first_name"]], m[COL["last_name"]]) for m in members}) == 1
        assert len({m[COL["date_of_birth"]] for m in members}) == len(members)


def test_nicknames_come_from_the_table(data):
    firsts = first_records(data)
    checked = 0
    for index, tags in enumerate(data.variations):
        original = data.rows[firsts[data.entity[index]]]
        if "nickname" in tags and not data.defects[firsts[data.entity[index]]]:
            known = {nick.casefold() for nick in NICKNAMES[original[COL["first_name"]]]}
            assert names(data.rows[index]) & known
            checked += 1
    assert checked > 20


def test_variation_tags_match_the_changes(data):
    firsts = first_records(data)
    seen = Counter()
    for index, tags in enumerate(data.variations):
        row, original = data.rows[index], data.rows[firsts[data.entity[index]]]
        if data.defects[firsts[data.entity[index]]]:
            continue
        seen.update(tags)
        if "moved" in tags:
            assert (standardize.street(row[COL["street"]]).casefold(), standardize.text(row[COL["postcode"]])) != \
                (standardize.street(original[COL["street"]]).casefold(), standardize.text(original[COL["postcode"]]))
        if "new_phone" in tags and "impossible_phone" not in data.defects[index]:
            assert e164(row) != e164(original)
        if "new_email" in tags and "bad_email" not in data.defects[index]:
            assert row[COL["email"]].casefold() != original[COL["email"]].casefold()
        if "missing_fields" in tags:
            assert any(original[COL[c]] and not row[COL[c]] for c in ("email", "phone", "date_of_birth"))
        if tags == ("typo_name",):
            changed = [(a, b) for a, b in ((original[COL[c]], row[COL[c]]) for c in ("first_name", "last_name"))
                       if a != b]
            assert len(changed) == 1 and one_typo(*changed[0])
        if "ascii_name" in tags:
            written = [(row[COL[c]], original[COL[c]]) for c in ("first_name", "last_name", "full_name")]
            assert all(now.isascii() for now, _ in written) and not all(before.isascii() for _, before in written)
        if tags == ("swap_given_family",):
            assert names(row) == names(original)
    assert {"moved", "new_phone", "new_email", "missing_fields", "typo_name", "nickname", "swap_given_family",
            "case_and_spacing", "pinyin", "ascii_name"} <= set(seen)


def test_defect_tags_match_what_validation_finds(data):
    """Every tagged defect fails Steward's own checks, and untagged rows pass them."""
    assert 0.03 < sum(1 for d in data.defects if d) / len(data.defects) < 0.07
    assert {tag for tags in data.defects for tag in tags} == set(DEFECTS)
    for row, defects in zip(data.rows, data.defects):
        region = standardize.country(row[COL["country"]])
        assert region is not None
        if row[COL["phone"]] or "impossible_phone" in defects:
            assert (checks.phone_verdict(row[COL["phone"]], region)[0] is not None) == ("impossible_phone" in defects)
        if row[COL["email"]] or "bad_email" in defects:
            assert (checks.email_problem(row[COL["email"]]) is not None) == ("bad_email" in defects)
        if row[COL["date_of_birth"]] or "future_birth_date" in defects:
            assert (parsed(row[COL["date_of_birth"]]) > TODAY) == ("future_birth_date" in defects)
        assert (not any(row[COL[c]] for c in ("first_name", "last_name", "full_name"))) == ("missing_name" in defects)
        age = (TODAY - parsed(row[COL["updated_at"]])).days
        assert (age > 3 * 365) == ("stale" in defects)
        assert "stale" in defects or age < 730  # a 24-month freshness rule passes sound rows
        assert standardize.postcode(row[COL["postcode"]], region) is not None


def test_true_pairs_agree_with_brute_force(data):
    sample = data.entity[:400]
    brute = {(i, j) for i, j in itertools.combinations(range(len(sample)), 2) if sample[i] == sample[j]}
    assert true_pairs(sample) == brute
    assert len(true_pairs(data.entity)) == sum(n * (n - 1) // 2 for n in Counter(data.entity).values())


def test_csv_holds_header_and_rows(data, tmp_path):
    path = tmp_path / "demo.csv"
    write_csv(path, data)
    with open(path, encoding="utf-8", newline="") as handle:
        read = list(csv.reader(handle))
    assert read == [HEADER, *data.rows]
