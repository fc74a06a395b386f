"""Rules files: the data dictionary as readable TOML a team can share and review.

```toml
steward_rules = 1
default_region = "GB"

[[rule]]
name = "email_valid"
kind = "email"
field = "email"
severity = "error"
message = "Email address is not valid"
```

Errors name the file, the line and the problem, because these files are
written by hand.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from .errors import StewardError
from .rules import KINDS, Rule, RuleError, check_rule_set, rule_from_dict

FORMAT_VERSION = 1
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*rule[ \t]*\]\]", re.MULTILINE)
_TOP_KEYS = ("steward_rules", "default_region", "rule")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


class RulesFileError(StewardError):
    """A rules file cannot be read; the message names the file and line."""


def dumps(rules: list[Rule], default_region: str | None = None) -> str:
    """The rules as TOML, with a comment listing the kinds so the file explains itself."""
    document: dict[str, Any] = {"steward_rules": FORMAT_VERSION}
    if default_region:
        document["default_region"] = default_region
    document["rule"] = [rule.to_dict() for rule in rules]
    kinds = "\n".join(f"#   {name}: {kind.help}" + "".join(f"\n#       {p} — {spec.help}"
                                                            for p, spec in kind.params.items())
                      for name, kind in KINDS.items())
    preamble = ("# Steward data dictionary. Each [[rule]] checks one canonical field of every record.\n"
                "# severity is error or warning. Kinds and their settings:\n" + kinds + "\n\n")
    return preamble + tomli_w.dumps(document, multiline_strings=False)


def write(path: Path, rules: list[Rule], default_region: str | None = None) -> None:
    """Write atomically: a half-written rules file is never left behind."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(dumps(rules, default_region), encoding="utf-8")
    temp.replace(path)


def loads(text: str, name: str = "rules file") -> tuple[list[Rule], str | None]:
    """Parse and check a rules file: (rules, default region or None)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_POSITION.search(str(exc))
        problem = _TOML_POSITION.sub("", str(exc)).strip()
        line = f", line {where.group(1)}" if where else ""
        raise RulesFileError(f"{name}{line}: {problem} (column {where.group(2) if where else '?'}). "
                             "Fix the TOML syntax there and load it again.") from None
    unknown = [k for k in document if k not in _TOP_KEYS]
    if unknown:
        raise RulesFileError(f"{name}, line {_top_line(text, unknown[0])}: unknown setting '{unknown[0]}' "
                             f"(a rules file has {', '.join(_TOP_KEYS)}).")
    version = document.get("steward_rules", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise RulesFileError(f"{name}, line {_top_line(text, 'steward_rules')}: rules format {version!r} is "
                             f"newer than this Steward understands ({FORMAT_VERSION}); update Steward.")
    region = document.get("default_region")
    if region is not None and not isinstance(region, str):
        raise RulesFileError(f"{name}, line {_top_line(text, 'default_region')}: default_region must be text "
                             "such as \"GB\".")
    entries = document.get("rule", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RulesFileError(f"{name}: rules must be written as [[rule]] tables.")
    try:
        rules = [rule_from_dict(entry, index) for index, entry in enumerate(entries)]
        rules = check_rule_set(rules)
    except RuleError as exc:
        line = _rule_line(text, exc.rule_index, exc.key)
        where = f", line {line}" if line else ""
        raise RulesFileError(f"{name}{where}: {exc}.") from None
    return rules, region


def read(path: Path) -> tuple[list[Rule], str | None]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesFileError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise RulesFileError(f"{path}, line {line}: not UTF-8 text (byte {exc.start}); "
                             "save the rules file as UTF-8.") from None
    return loads(text, str(path))


def _top_line(text: str, key: str) -> int:
    found = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _rule_line(text: str, index: int | None, key: str | None) -> int | None:
    """The line of the key in the index-th [[rule]] table, else of the table's header."""
    if index is None:
        return None
    headers = list(_HEADER.finditer(text))
    if index >= len(headers):
        return None
    start = headers[index].start()
    end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
    line = text.count("\n", 0, start) + 1
    if key:
        found = re.compile(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", re.MULTILINE).search(text, start, end)
        if found:
            return text.count("\n", 0, found.start()) + 1
    return line
