"""The layering holds: the core never imports Qt or the GUI."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import steward

ROOT = Path(__file__).resolve().parent.parent


def test_core_imports_without_qt() -> None:
    modules = [m.name for m in pkgutil.walk_packages(steward.__path__, "steward.") if not m.name.endswith("__main__")]
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'ui', 'shiboken6'):\n"
        "            raise ImportError('core imported ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "print(len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert len(modules) > 10


def test_cat_62_only_project_module_opens_sqlite_connections() -> None:
    """One connection factory per file, so every connection gets the same pragmas."""
    offenders = []
    for path in (ROOT / "steward").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "sqlite3.connect(" in text and path.name != "project.py":
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
