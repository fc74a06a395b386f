"""The standalone app: build.spec built with PyInstaller, then both programs run as a user runs them, headless.

Marked slow: the build takes a minute or two. ``python3 scripts/dev.py test`` (and so CI) runs it with the rest
of the suite; ``-m "not slow"`` leaves it out. It is built once per test session into a temporary folder, so
a build in dist/ is never replaced. The figures it checks against (records, clusters) come from the same steps
run unfrozen, so the frozen programs must give exactly what the checkout gives.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from steward import __version__
from steward.project import Project

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXE = ".exe" if os.name == "nt" else ""
MAX_BUNDLE_MB = 250


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/steward built from this checkout's build.spec, once per session."""
    if importlib.util.find_spec("PyInstaller") is None:
        message = "PyInstaller is not installed: pip install -e '.[build]' (scripts/dev.py test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    work = tmp_path_factory.mktemp("frozen")
    result = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                             "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
                             str(ROOT / "build.spec")], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-5000:]
    shutil.rmtree(work / "build")
    return work / "dist" / "steward"


def run(program: Path, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run a frozen program offscreen with a private home and temporary folder and none of the checkout's
    Python settings, as on a user's machine."""
    home, temporary = tmp_path / "home", tmp_path / "tmp"
    home.mkdir(exist_ok=True)
    temporary.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), TMPDIR=str(temporary), TEMP=str(temporary),
               TMP=str(temporary), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".data"))
    return subprocess.run([str(program), *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)


def size_mb(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink()) / 1e6


@pytest.fixture(scope="session")
def unfrozen_sample(tmp_path_factory: pytest.TempPathFactory, build_sample) -> dict[str, int]:
    """What the checkout makes of the bundled sample: records imported, duplicate clusters found."""
    path = build_sample(tmp_path_factory.mktemp("unfrozen") / "sample.steward")
    with Project.open(path, read_only=True) as project:
        records = project.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        clusters = project.conn.execute("SELECT COUNT(*) FROM clusters").fetchone()[0]
    return {"records": records, "clusters": clusters}


def test_one_folder_holds_both_programs_and_the_resources_but_not_unused_parts(bundle: Path) -> None:
    internal = bundle / "_internal"
    assert (bundle / f"steward{EXE}").is_file() and (bundle / f"steward-app{EXE}").is_file()
    assert (internal / "resources" / "sample" / "customers.csv").is_file()
    assert (internal / "resources" / "style.qss").is_file()
    assert not (internal / "resources" / "sample" / "make_sample.py").exists()
    names = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}
    for unused in ("pandas", "pyarrow", "pytest", "hypothesis", "splink", "duckdb", "PySide6/Qt/qml",
                   "PySide6/Qt/translations", "pycountry/locales"):
        assert unused not in names, unused
    assert not [n for n in names if re.search(r"Qt6?(Network|Qml|Quick|WebEngine|Multimedia|3D)", n)]
    dangling = [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []
    assert size_mb(bundle) < MAX_BUNDLE_MB


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="ldd, Linux")
def test_every_library_and_plugin_finds_what_it_links_against(bundle: Path) -> None:
    """build.spec drops libraries only unused Qt parts needed; nothing left may miss one."""
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    missing = []
    for path in internal.rglob("*.so*"):
        if path.is_file() and not path.is_symlink():
            out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
            missing += [f"{path.relative_to(internal)}: {line.strip()}" for line in out.splitlines()
                        if "not found" in line]
    assert missing == []


def test_both_programs_tell_their_version(bundle: Path, tmp_path: Path) -> None:
    cli = run(bundle / f"steward{EXE}", "--version", tmp_path=tmp_path)
    assert (cli.returncode, cli.stdout.strip()) == (0, f"steward, version {__version__}"), cli.stderr
    app = run(bundle / f"steward-app{EXE}", "--version", tmp_path=tmp_path)
    assert (app.returncode, app.stdout.strip()) == (0, f"steward-app {__version__}"), app.stderr


def test_the_app_opens_the_sample_and_finds_its_duplicates(bundle: Path, tmp_path: Path,
                                                           unfrozen_sample: dict[str, int]) -> None:
    result = run(bundle / f"steward-app{EXE}", "--self-check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("Self-check passed: window shown ")
    assert f"{unfrozen_sample['records']} records in 1 source(s)" in summary
    assert f"matching found {unfrozen_sample['clusters']} clusters" in summary
    assert list((tmp_path / "tmp").iterdir()) == []       # the temporary project is gone
    assert list((tmp_path / "home").iterdir()) == []      # and no settings were written


def test_command_line_round_trip(bundle: Path, tmp_path: Path, unfrozen_sample: dict[str, int]) -> None:
    """Import the bundled CSV, validate, match, export to XLSX and import that again, all with the frozen CLI."""
    steward = bundle / f"steward{EXE}"
    sample = bundle / "_internal" / "resources" / "sample" / "customers.csv"
    project = tmp_path / "customers.steward"
    records = unfrozen_sample["records"]

    def ok(*args: str) -> str:
        result = run(steward, *args, tmp_path=tmp_path)
        assert result.returncode == 0, f"steward {' '.join(args)}: {result.stdout}{result.stderr}"
        return result.stdout

    assert f"Imported {records} rows from customers.csv" in ok("import", str(project), str(sample))
    info = ok("info", str(project))
    assert f"{records} records" in info and "email  →  email" in info
    assert "Project: quality " in ok("validate", str(project))
    assert f"Found {unfrozen_sample['clusters']} clusters" in ok("match", str(project))
    ok("export", str(project), "--golden", str(tmp_path / "golden.xlsx"))
    again = ok("import", str(tmp_path / "again.steward"), str(tmp_path / "golden.xlsx"))
    assert f"Imported {records} rows from golden.xlsx" in again   # nothing merged yet: one row per record
    assert "Verified" in ok("audit", str(project), "--verify")
