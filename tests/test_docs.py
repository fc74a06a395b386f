"""The documentation stays honest: every CLI command is documented and has --help."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from steward.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(cli.commands)


def test_there_are_commands() -> None:
    assert {"import", "info", "export", "rejected", "copy", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_documented(name: str) -> None:
    assert f"## `steward {name} " in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help(name: str) -> None:
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output
    for option in cli.commands[name].params:
        for flag in getattr(option, "opts", []):
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}" in docs, f"{name} {flag} is not documented"


def test_readme_opens_with_the_two_commands() -> None:
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    block = lines[lines.index("```") + 1: lines.index("```", lines.index("```") + 1)]
    assert [line.split("#")[0].strip() for line in block] == ["python3 scripts/dev.py app", "python3 scripts/dev.py test"]
    assert "python3 scripts/dev.py test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
