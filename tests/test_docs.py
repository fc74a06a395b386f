"""The documentation stays honest: every CLI command and option is documented and has --help, the user guide's
keyboard shortcuts are the window's, and every relative link and image points at something that exists."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import click
import pytest
from click.testing import CliRunner
from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from steward.cli import cli
from ui.settings import Settings
from ui.views.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = ROOT / "docs" / "cli.md"
GUIDE = ROOT / "docs" / "user-guide.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PORTABLE = QKeySequence.SequenceFormat.PortableText
ANY_SCREEN = "any"


# -- the command-line reference --------------------------------------------------------------


def _walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``group``, subcommands of subgroups included, by their words after ``steward``."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, (*path, name))


COMMANDS = dict(_walk(cli))


def _cli_sections() -> tuple[str, dict[tuple[str, ...], str]]:
    """docs/cli.md as its introduction and its ``## `steward NAME …``` sections by command words (the leading
    lower-case words of the heading: arguments are written in capitals, options start with ``-``)."""
    intro, *parts = re.split(r"^(?=## )", CLI_DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    headings = [re.match(r"## `steward ([^`]*)`", part) for part in parts]
    paths = [tuple(re.match(r"((?:[a-z][a-z0-9-]*(?: |$))*)", h.group(1)).group(1).split()) if h else None
             for h in headings]
    assert not [p for p, n in Counter(p for p in paths if p).items() if n > 1], "a command has two sections"
    return intro, {path: part for path, part in zip(paths, parts) if path}


def _mentions(text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def _flags(command: click.Command) -> list[str]:
    return [flag for param in command.params if isinstance(param, click.Option) and not param.hidden
            for flag in (*param.opts, *param.secondary_opts) if flag not in ("--help", "-h")]


def test_the_walk_finds_the_commands() -> None:
    assert {("import",), ("info",), ("export",), ("rejected",), ("copy",), ("check",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_command_is_documented_with_every_option(path: tuple[str, ...]) -> None:
    _, sections = _cli_sections()
    name = " ".join(path)
    assert path in sections, f"docs/cli.md has no section '## `steward {name} …`'"
    missing = [flag for flag in _flags(COMMANDS[path]) if not _mentions(sections[path], flag)]
    assert missing == [], f"steward {name}: options not documented in its section of docs/cli.md: {missing}"


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="steward")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: steward {' '.join(path)} "), result.output


def test_options_of_steward_itself_are_documented() -> None:
    intro, _ = _cli_sections()
    assert [flag for flag in _flags(cli) if not _mentions(intro, flag)] == []


def test_every_documented_command_exists() -> None:
    _, sections = _cli_sections()
    assert sorted(" ".join(path) for path in set(sections) - set(COMMANDS)) == []


def _code(text: str) -> list[str]:
    """The inline code spans and the lines of fenced code blocks of a Markdown text."""
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    outside = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.findall(r"`([^`\n]+)`", outside) + [line for block in fenced for line in block.splitlines()]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_commands_named_in_code_exist(doc: Path) -> None:
    named = {m.group(1) for code in _code(doc.read_text(encoding="utf-8"))
             if (m := re.match(r"\s*steward ([a-z][a-z0-9-]*)\b", code))}
    assert sorted(named - {path[0] for path in COMMANDS}) == []


# -- the user guide's keyboard shortcuts --------------------------------------------------------


@dataclass(frozen=True)
class Shortcut:
    """A shortcut as the guide's table writes it, or as the window binds it."""

    names: frozenset[str]       # the command: a row's text, or an action's text with and without its mnemonic
    keys: frozenset[str]        # portable text, e.g. "Ctrl+Shift+Z"
    screen: str                 # the workspace screen it works on, or "any"
    standard: bool = False      # a platform's standard key (QKeySequence.StandardKey): bindings vary by system


def _guide_shortcuts() -> list[Shortcut]:
    """The table under "## Keyboard shortcuts": | Keys | Command | Screen |, keys in backticks (several joined by
    "or"), the command as its menu or button names it, optionally followed by a note in brackets."""
    section = GUIDE.read_text(encoding="utf-8").split("\n## Keyboard shortcuts\n", 1)[1].split("\n## ", 1)[0]
    header, _rule, *rows = [line.strip() for line in section.splitlines() if line.startswith("|")]
    assert [cell.strip() for cell in header.strip("|").split("|")] == ["Keys", "Command", "Screen"]
    table = []
    for row in rows:
        keys, command, screen = [cell.strip() for cell in row.strip("|").split("|")]
        written = re.findall(r"`([^`]+)`", keys)
        assert written and all(QKeySequence(k, PORTABLE).toString(PORTABLE) == k for k in written), \
            f"keys not in Qt's portable spelling: {row}"
        name = re.sub(r"\s*\(.*\)$", "", command)
        table.append(Shortcut(frozenset({name}), frozenset(written), screen))
    return table


def _without_mnemonic(text: str) -> str:
    return re.sub(r"&(.)", r"\1", text)


def _is_standard(keys: frozenset[str]) -> bool:
    """Whether ``keys`` are what a QKeySequence.StandardKey gives on this system: its first binding (what
    ``setShortcut(StandardKey)`` binds) or all of them (``setShortcuts``)."""
    return any(keys in ({QKeySequence(standard).toString(PORTABLE)},
                        {k.toString(PORTABLE) for k in QKeySequence.keyBindings(standard)})
               for standard in QKeySequence.StandardKey if standard != QKeySequence.StandardKey.UnknownKey)


def _window_shortcuts(window: MainWindow) -> list[Shortcut]:
    """Every QAction and QShortcut of the window that has keys, with the screen it works on."""
    screens = {name: window.workspace.screen(name) for name in window.workspace.names}

    def screen_of(owner: QObject, context: Qt.ShortcutContext) -> str:
        if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
            return ANY_SCREEN
        found = [name for name, screen in screens.items() if owner is screen or screen.isAncestorOf(owner)]
        return found[0] if found else f"outside the screens ({type(owner).__name__})"

    bound = []
    for action in window.findChildren(QAction):
        keys = frozenset(k.toString(PORTABLE) for k in action.shortcuts())
        if keys:
            bound.append(Shortcut(frozenset({action.text(), _without_mnemonic(action.text())}), keys,
                                  screen_of(action.parent(), action.shortcutContext()), _is_standard(keys)))
    for shortcut in window.findChildren(QShortcut):
        keys = frozenset(k.toString(PORTABLE) for k in shortcut.keys())
        if keys:
            bound.append(Shortcut(frozenset({shortcut.objectName(), shortcut.whatsThis()}) - {""}, keys,
                                  screen_of(shortcut.parent(), shortcut.context()), _is_standard(keys)))
    return bound


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    """The main window with a new project open, its preferences in the test's own folder."""
    win = MainWindow(Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(win)
    assert win.open_project(tmp_path / "shortcuts.steward", create=True)
    return win


def test_guide_lists_every_shortcut_of_the_window_as_it_is(window: MainWindow) -> None:
    """Each row names a command with keys on the screen the window binds them to, and no binding is left out.
    A standard key differs by system (Close Project is Ctrl+W on Linux, Ctrl+F4 on Windows and offscreen), so a
    row of one must include this system's binding; every other row must list exactly the keys bound."""
    documented, bound = _guide_shortcuts(), _window_shortcuts(window)
    assert len(bound) > 20, "the window's shortcuts were not found"
    for row in documented:
        (name,) = row.names
        matches = [b for b in bound if name in b.names and b.screen == row.screen]
        assert len(matches) == 1, f"'{name}' ({row.screen}) is not one command of the window: {matches}"
        real = matches[0]
        if real.standard:
            assert row.keys >= real.keys, f"'{name}': documented {sorted(row.keys)}, bound {sorted(real.keys)}"
        else:
            assert row.keys == real.keys, f"'{name}': documented {sorted(row.keys)}, bound {sorted(real.keys)}"
    undocumented = [(sorted(b.names), sorted(b.keys), b.screen) for b in bound
                    if not any(row.names & b.names and row.screen == b.screen for row in documented)]
    assert undocumented == [], "shortcuts missing from the user guide's table"
    window.close()


# -- links ---------------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    seen: Counter[str] = Counter()
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, flags=re.MULTILINE):
        slug = _slug(heading)
        anchors.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return anchors


def _link_targets(text: str) -> list[str]:
    """The targets of a Markdown text's links and images, outside code blocks."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    targets = re.findall(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text)
    return targets + re.findall(r"<img\s[^>]*src=\"([^\"]+)\"", text)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_and_images_exist(doc: Path) -> None:
    broken = []
    for target in _link_targets(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue                                   # https:, mailto:: not ours to check offline
        path, _, fragment = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists():
            broken.append(target)
        elif fragment and file.suffix == ".md" and fragment not in _anchors(file):
            broken.append(target)
    assert broken == [], f"{doc.relative_to(ROOT)}: links to nothing"


def test_readme_opens_with_the_two_commands() -> None:
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    block = lines[lines.index("```") + 1: lines.index("```", lines.index("```") + 1)]
    assert [line.split("#")[0].strip() for line in block] == ["python3 scripts/dev.py app", "python3 scripts/dev.py test"]
    assert "python3 scripts/dev.py test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
