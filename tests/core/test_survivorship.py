"""Survivorship rules on literal candidates: which value a golden record shows, and why."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from steward.survivorship import RULES, Candidate, Choice, check_rule, survive

OLD = Candidate(1, "crm", {"email": "anna@old.example", "phone": "", "city": "Leeds", "street": "1 Long Road"},
                updated_at="2023-01-05")
NEW = Candidate(2, "shop", {"email": "ANNA@new.example", "phone": "+44 20 7946 0000", "city": "leeds",
                            "street": "1 Long Rd"}, invalid=frozenset({"email"}), updated_at="2024-03-01")
MID = Candidate(3, "shop", {"email": "anna@mid.example", "phone": "", "city": "LEEDS ", "street": ""},
                updated_at="01.06.2023")
FIELDS = ["email", "phone", "city", "street"]


def test_most_recent_takes_the_newest_updated_at_in_any_layout() -> None:
    result = survive([OLD, NEW, MID], FIELDS, Choice("most_recent"))
    assert result["email"].value == "ANNA@new.example" and result["email"].record_id == 2
    assert result["email"].reason == "most_recent"


def test_most_recent_falls_back_to_import_order_without_dates() -> None:
    undated = [Candidate(5, "a", {"city": "York"}), Candidate(9, "a", {"city": "Hull"})]
    assert survive(undated, ["city"], Choice("most_recent"))["city"].value == "Hull"


def test_most_recent_reads_the_time_of_day_and_zones() -> None:
    morning = Candidate(1, "a", {"city": "Leeds"}, updated_at="2024-03-01T18:00:00+01:00")
    evening = Candidate(2, "a", {"city": "York"}, updated_at="2024-03-01 08:00")
    later = Candidate(0, "a", {"city": "Hull"}, updated_at="2024-03-01T17:30:00Z")
    assert survive([morning, evening, later], ["city"], Choice("most_recent"))["city"].value == "Hull"


def test_valid_first_skips_a_failing_value_even_when_newer() -> None:
    result = survive([OLD, NEW, MID], FIELDS, Choice("valid_first"))
    assert result["email"].value == "anna@mid.example"   # NEW's email fails a rule; MID is the newest valid one
    assert result["city"].value == "leeds"                # nothing fails for city: the newest


def test_most_frequent_ignores_case_and_spacing_and_reports_a_real_value() -> None:
    result = survive([OLD, NEW, MID], FIELDS, Choice("most_frequent"))
    assert result["city"].value == "leeds"                # all three agree; the newest spelling wins the tie
    assert result["street"].value == "1 Long Rd"          # one each: recency breaks the tie


def test_longest_and_most_complete() -> None:
    assert survive([OLD, NEW, MID], FIELDS, Choice("longest"))["street"].value == "1 Long Road"
    complete = survive([OLD, NEW, MID], FIELDS, Choice("most_complete"))
    assert complete["email"].record_id == 2               # NEW fills 4 fields, OLD 3, MID 2


def test_source_priority_follows_the_given_order() -> None:
    result = survive([OLD, NEW, MID], FIELDS, Choice("source_priority", source_priority=["crm", "shop"]))
    assert result["email"].value == "anna@old.example"
    assert result["phone"].value == "+44 20 7946 0000"    # crm has none: the next source's


def test_blank_never_survives_over_a_filled_value_and_all_blank_is_no_value() -> None:
    result = survive([OLD, MID], ["phone", "street"], Choice("most_recent"))
    assert result["phone"] == result["phone"].__class__("", None, "no value")
    assert result["street"].value == "1 Long Road"        # MID is newer but blank


def test_edit_beats_pick_beats_rule() -> None:
    picked = survive([OLD, NEW], FIELDS, Choice("most_recent", picks={"email": 1}))
    assert (picked["email"].value, picked["email"].reason) == ("anna@old.example", "picked")
    edited = survive([OLD, NEW], FIELDS, Choice("most_recent", picks={"email": 1}, edits={"email": "a@b.example"}))
    assert (edited["email"].value, edited["email"].record_id, edited["email"].reason) == ("a@b.example", None,
                                                                                         "edited")


def test_a_pick_of_a_record_that_is_not_a_member_is_ignored() -> None:
    assert survive([OLD, NEW], ["email"], Choice("most_recent", picks={"email": 99}))["email"].record_id == 2


def test_unknown_rule_lists_the_rules() -> None:
    with pytest.raises(ValueError, match="most_recent"):
        check_rule("newest")
    with pytest.raises(ValueError):
        survive([OLD], ["email"], Choice("newest"))


values = st.text(alphabet="ab ", max_size=3)


@given(st.lists(st.fixed_dictionaries({"city": values, "email": values}), min_size=1, max_size=5),
       st.sampled_from(list(RULES)), st.randoms())
def test_the_outcome_does_not_depend_on_member_order(rows: list[dict[str, str]], rule: str, rng) -> None:
    members = [Candidate(i + 1, "ab"[i % 2], row, updated_at=f"2024-01-0{1 + i % 3}") for i, row in enumerate(rows)]
    shuffled = list(members)
    rng.shuffle(shuffled)
    choice = Choice(rule, source_priority=["b", "a"])
    assert survive(members, ["city", "email"], choice) == survive(shuffled, ["city", "email"], choice)


@given(st.lists(st.fixed_dictionaries({"city": values}), min_size=1, max_size=5), st.sampled_from(list(RULES)))
def test_the_survivor_is_always_a_members_value(rows: list[dict[str, str]], rule: str) -> None:
    members = [Candidate(i + 1, "a", row) for i, row in enumerate(rows)]
    survivor = survive(members, ["city"], Choice(rule))["city"]
    if any(r["city"].strip() for r in rows):
        assert survivor.value == rows[survivor.record_id - 1]["city"] and survivor.value.strip()
    else:
        assert survivor.record_id is None
