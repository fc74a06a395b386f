"""Set up a virtual environment and run Steward or its tests.

    python3 scripts/dev.py app    # start the desktop app on the bundled sample project
    python3 scripts/dev.py test   # run the whole test suite (extra args go to pytest)
    python3 scripts/dev.py build  # build the standalone app into dist/steward/ (build.spec)

Uses only the standard library so it works on a machine with nothing but Python.
The environment is (re)installed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".steward-installed"

# What Qt's wheels need from a minimal Debian/Ubuntu system to run offscreen
# and in a real X11 window (see shared GUI notes); a desktop already has them.
QT_DEBIAN_PACKAGES = [
    "libglib2.0-0", "libgl1", "libegl1", "libx11-6", "libxkbcommon0", "libfreetype6", "libfontconfig1",
    "libdbus-1-3", "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-render0", "libxcb-shape0", "libxcb-shm0", "libxcb-sync1",
    "libxcb-util1", "libxcb-xfixes0", "libxcb-xkb1", "libx11-xcb1", "fonts-dejavu-core",
]


def ensure_venv(extras: str) -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if sys.version_info < (3, 11):
        sys.exit(f"Steward needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing Steward and its dependencies …", flush=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
                   cwd=ROOT, check=True)
    STAMP.write_text(wanted)


def ensure_qt_libraries() -> None:
    """Make sure Qt can start offscreen; on Debian as root, install what is missing."""
    probe = [str(PYTHON), "-c",
             "from PySide6.QtWidgets import QApplication; QApplication(['probe', '-platform', 'offscreen'])"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return
    if sys.platform.startswith("linux") and shutil.which("apt-get") and os.geteuid() == 0:
        print("Installing the system libraries Qt needs …", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *QT_DEBIAN_PACKAGES],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        if subprocess.run(probe, capture_output=True).returncode == 0:
            return
    result = subprocess.run(probe, capture_output=True, text=True)
    sys.exit("Qt cannot start on this machine:\n" + result.stderr[-2000:] +
             "\nOn Debian or Ubuntu install: sudo apt-get install " + " ".join(QT_DEBIAN_PACKAGES))


def run_app(args: list[str]) -> int:
    ensure_venv("")
    ensure_qt_libraries()
    return subprocess.call([str(PYTHON), "-m", "ui", *(args or ["--sample"])], cwd=ROOT)


def run_tests(args: list[str]) -> int:
    ensure_venv("test,build")   # the suite builds the standalone app and runs it (tests/test_frozen_app.py)
    ensure_qt_libraries()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    code = subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env)
    if code == 5:
        print("pytest collected no tests: that is a failure, not a pass.", file=sys.stderr)
        return 1
    return code


def folder_size(folder: Path) -> int:
    """Bytes in the files under ``folder``, a symbolic link counted as itself, not as what it points to."""
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() or path.is_symlink())


def build_app(args: list[str]) -> int:
    """One folder with both programs: dist/steward/steward-app (the window) and dist/steward/steward (the CLI)."""
    ensure_venv("build")
    ensure_qt_libraries()   # the build copies the system libraries Qt's X11 plugin needs into the folder
    started = time.monotonic()
    code = subprocess.call([str(PYTHON), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                            "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build"), *args,
                            str(ROOT / "build.spec")], cwd=ROOT)
    if code == 0:
        app = ROOT / "dist" / "steward"
        print(f"Built {app} ({folder_size(app) / 1e6:.0f} MB) in {time.monotonic() - started:.0f} s. "
              f"Try: {app / 'steward-app'} --self-check")
    return code


def main(argv: list[str]) -> int:
    commands = {"app": run_app, "test": run_tests, "build": build_app}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
