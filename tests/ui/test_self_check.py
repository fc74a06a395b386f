"""``steward-app --version`` and ``--self-check``: what the packaged app's smoke test relies on, checked unfrozen.

The self-check runs the real event loop, so it runs in a child process (the loop
inside pytest upsets later tests); the failures are provoked there by replacing
the matching the window calls.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from steward import __version__
from steward.project import Project
from ui import app

ROOT = Path(__file__).resolve().parents[2]


def run_app(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh Python, offscreen, with a private home and temporary folder."""
    home, temporary = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temporary.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), TMPDIR=str(temporary),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local" / "share"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=240)


def test_version_is_printed_without_starting_qt(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        app.main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"steward-app {__version__}"


def test_self_check_opens_the_sample_matches_it_and_leaves_nothing_behind(tmp_path: Path, build_sample) -> None:
    with Project.open(build_sample(tmp_path / "expected.steward", validate=False, match=False)) as expected:
        records = expected.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    result = run_app(tmp_path, "import sys; from ui.app import main; sys.exit(main(['--self-check']))")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("window shown ")
    assert lines[-1].startswith("Self-check passed: window shown ")
    assert f"; {records} records in 1 source(s); " in lines[-1]       # the whole bundled sample was imported
    assert re.search(r"matching found [1-9][0-9]* clusters ", lines[-1])
    assert list((tmp_path / "tmp").iterdir()) == []                    # the project and settings folder is gone
    assert list((tmp_path / "home").iterdir()) == []                   # the user's settings were not touched


@pytest.mark.parametrize(("error", "expected"), [
    ("StewardError('The disk is full.')",
     "Self-check FAILED: the window said 'Find duplicates': The disk is full. Nothing was changed."),
    ("RuntimeError('a bug')", "Self-check FAILED: unexpected RuntimeError (traceback above)"),
])
def test_self_check_fails_clearly_when_matching_fails(tmp_path: Path, error: str, expected: str) -> None:
    """A message box (which would wait forever for a click) and a bug reaching the exception hook both end it."""
    code = (f"import sys\nfrom steward.errors import StewardError\nimport ui.project_jobs\n"
            f"def broken(*args, **kwargs): raise {error}\n"
            f"ui.project_jobs.match_project = broken\n"
            f"from ui.app import main\nsys.exit(main(['--self-check']))\n")
    result = run_app(tmp_path, code)
    assert result.returncode == 1
    assert expected in result.stderr.splitlines()
    assert "Self-check passed" not in result.stdout
    assert list((tmp_path / "tmp").iterdir()) == []
