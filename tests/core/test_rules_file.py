"""Rules files: every rule survives a round trip, and a mistake is refused naming the file and the exact line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from steward.errors import StewardError
from steward.mapping import FIELDS
from steward.rules import KINDS, Rule, check_rule_set, default_rules
from steward.rules_file import RulesFileError, dumps, loads, read, write


def custom_rules() -> list[Rule]:
    """Rules whose values are hard to write as TOML: backslashes, quotes, non-ASCII and CJK text."""
    return check_rule_set([
        Rule("customer_id_shape", "regex", "customer_id", message="Customer ids look like C123456 or C123456\\A",
             params={"pattern": r"C\d{6}(\\[A-Z])?\.?"}),
        Rule("country_known", "allowed", "country", "warning", "Land unbekannt: „Österreich“ oder 中国",
             params={"values": ["Österreich", "中国", "日本", "Ελλάδα", 'say "hi"'], "ignore_case": True}),
        Rule("name_length", "length", "full_name", message="姓名长度不对（2–40 个字符）",
             params={"min": 2, "max": 40}),
        Rule("dob_us", "date", "date_of_birth", params={"formats": ["%m/%d/%Y"], "not_future": False,
                                                        "max_age": 130}),
        Rule("phone_home_country", "phone_country", "phone", "warning", params={"country_field": "region"}),
        Rule("id_unique", "unique", "customer_id", message="Tab\there, newline\nthere"),
    ])


def line_of(error: RulesFileError) -> int:
    """The line number an error message names (the first 'line N' in it)."""
    found = re.search(r"\bline (\d+)\b", str(error))
    assert found, f"no line in {str(error)!r}"
    return int(found.group(1))


def refused(text: str) -> RulesFileError:
    with pytest.raises(RulesFileError) as caught:
        loads(text, "team.toml")
    assert str(caught.value).startswith("team.toml")
    return caught.value


# -- round trips -------------------------------------------------------------------------------

def test_round_trip_of_the_default_and_custom_rules() -> None:
    rules = default_rules(set(FIELDS)) + custom_rules()
    assert loads(dumps(rules, "GB")) == (rules, "GB")


def test_round_trip_without_region_or_rules() -> None:
    assert loads(dumps(custom_rules())) == (custom_rules(), None)
    assert loads(dumps([])) == ([], None)


def test_dumps_explains_every_kind_in_comments() -> None:
    text = dumps([])
    for name in KINDS:
        assert f"#   {name}: " in text


def test_write_then_read_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    rules = default_rules({"email", "phone", "country"}) + custom_rules()
    write(path, rules, "DE")
    assert read(path) == (rules, "DE")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules.toml"]  # no temporary file left behind
    write(path, rules[:1])
    assert read(path) == (rules[:1], None)


def test_read_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_bytes(b"\xef\xbb\xbf" + dumps(custom_rules(), "CN").encode("utf-8"))
    assert read(path) == (custom_rules(), "CN")


def test_a_hand_written_file_with_defaults_left_out() -> None:
    rules, region = loads('[[rule]]\nname = "mail"\nkind = "email"\nfield = "email"\n')
    assert region is None
    assert rules == [Rule("mail", "email", "email", "error", KINDS["email"].message, {})]


def test_rules_file_errors_are_steward_errors() -> None:
    assert issubclass(RulesFileError, StewardError)


# -- mistakes, each naming its line --------------------------------------------------------------

HEAD = 'steward_rules = 1\ndefault_region = "GB"\n\n'           # lines 1-3
FIRST = '[[rule]]\nname = "email_valid"\nkind = "email"\nfield = "email"\n\n'   # lines 4-8


def test_toml_syntax_error() -> None:
    error = refused(HEAD + FIRST + '[[rule]]\nname = "id_shape"\nkind = "regex"\nfield = customer_id\n')
    assert line_of(error) == 12


def test_unknown_top_level_key() -> None:
    error = refused('steward_rules = 1\n\ncolour = "red"\n\n' + FIRST)
    assert line_of(error) == 3
    assert "unknown setting 'colour'" in str(error)


def test_unknown_top_level_key_right_after_another() -> None:
    error = refused('steward_rules = 1\ncolour = "red"\n')
    assert line_of(error) == 2


def test_unknown_kind_names_the_kind_line() -> None:
    error = refused(HEAD + FIRST + '[[rule]]\nname = "b"\nkind = "emial"\nfield = "email"\n')
    assert line_of(error) == 11
    assert "rule 'b': unknown kind 'emial'" in str(error)


def test_unknown_setting_names_its_line() -> None:
    error = refused(HEAD + '[[rule]]\nname = "n"\nkind = "length"\nfield = "full_name"\nmaximum = 40\n')
    assert line_of(error) == 8
    assert "'maximum' is not a setting of kind 'length'" in str(error)


def test_invalid_regex_names_the_pattern_line() -> None:
    error = refused(HEAD + FIRST + '[[rule]]\nname = "id_shape"\nkind = "regex"\nfield = "customer_id"\n'
                                   'severity = "error"\npattern = "(ab"\n')
    assert line_of(error) == 14
    assert "the regular expression '(ab' is invalid" in str(error)


def test_missing_field_names_the_rule_header() -> None:
    error = refused(HEAD + FIRST + '[[rule]]\nname = "b"\nkind = "required"\n')
    assert line_of(error) == 9
    assert "rule 'b': 'field' is missing" in str(error)


def test_missing_field_in_the_first_rule_names_its_header() -> None:
    error = refused(HEAD + '[[rule]]\nname = "b"\nkind = "required"\n')
    assert line_of(error) == 4


def test_missing_field_without_blank_lines() -> None:
    error = refused('steward_rules = 1\n[[rule]]\nname = "b"\nkind = "required"\n')
    assert line_of(error) == 2


def test_duplicate_names_name_the_second_rule() -> None:
    error = refused(HEAD + FIRST + '[[rule]]\nname = "email_valid"\nkind = "required"\nfield = "email"\n')
    assert line_of(error) == 10
    assert "two rules are named 'email_valid'" in str(error)


def test_wrong_type_names_its_line() -> None:
    error = refused(HEAD + '[[rule]]\nname = "n"\nkind = "length"\nfield = "full_name"\nmin = true\n')
    assert line_of(error) == 8
    assert "'min' must be a whole number, not True" in str(error)


def test_bounds_in_the_wrong_order_name_the_lower_bound() -> None:
    error = refused(HEAD + '[[rule]]\nname = "n"\nkind = "length"\nfield = "full_name"\nmax = 3\nmin = 5\n')
    assert line_of(error) == 9


def test_default_region_must_be_text() -> None:
    error = refused('steward_rules = 1\ndefault_region = 44\n')
    assert line_of(error) == 2


def test_newer_format_version_in_an_edited_saved_file() -> None:
    text = dumps(default_rules({"email"}), "GB").replace("steward_rules = 1", "steward_rules = 2")
    error = refused(text)
    assert line_of(error) == text.splitlines().index("steward_rules = 2") + 1
    assert "rules format 2 is newer than this Steward understands (1)" in str(error)


def test_an_edited_saved_file_names_the_edited_line() -> None:
    text = dumps(default_rules({"email", "phone"}), "GB").replace('require = "international_form"',
                                                                   'require = "international"')
    error = refused(text)
    assert line_of(error) == text.splitlines().index('require = "international"') + 1


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    text = (HEAD + '[[rule]]\nname = "n"\nkind = "required"\nfield = "full_name"\n'
            'message = "Name fehlt – bitte prüfen"\n')  # the message is line 8
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(RulesFileError) as caught:
        read(path)
    assert str(caught.value).startswith(str(path))
    assert "UTF-8" in str(caught.value)
    assert line_of(caught.value) == 8


def test_a_missing_file_is_a_rules_file_error(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="Cannot read"):
        read(tmp_path / "nope.toml")
