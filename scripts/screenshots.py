"""Take a screenshot of every screen of the main window on a freshly built sample project.

Run on a virtual screen so what is captured is what a user sees:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshots.py

The sample is imported, given the default rules, validated and matched in a
temporary folder, and two decisions are made (a merge and a rejection); the PNGs go to docs/screenshots/ (one per screen) and
docs/screenshot.png (the review screen, shown in the README).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from steward import golden_ops, operations, validation  # noqa: E402
from steward.importer import ImportOptions, import_file  # noqa: E402
from steward.match_store import match_project  # noqa: E402
from steward.project import Project  # noqa: E402
from steward.rule_store import propose_rules, save_rules  # noqa: E402
from steward.sample import sample_csv  # noqa: E402


def build_sample(folder: Path) -> Path:
    path = folder / "customers.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions(source_name="customers"))
        save_rules(project, propose_rules(project))
        validation.validate(project)
        match_project(project)
        auto = golden_ops.auto_clusters(project)
        operations.perform(project, golden_ops.MergeClusters(auto[-1:]), "same customer, two dealers")
        operations.perform(project, operations.RejectCluster(auto[-2]), "father and son")
    return path


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ui.app import application
    from ui.settings import Settings
    from ui.views.main_window import MainWindow

    folder = Path(tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
    app = application(["steward-app"])
    window = MainWindow(Settings())
    window.resize(1360, 860)
    window.show()
    window.open_project(build_sample(folder))
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for name in window.workspace.names:
        window.workspace.show_screen(name)
        for _ in range(20):
            app.processEvents()
        slug = re.sub(r"[^a-z]+", "-", name.lower()).strip("-")
        window.grab().save(str(out / f"{slug}.png"))
        print(f"docs/screenshots/{slug}.png")
        if name == "Duplicates":
            window.grab().save(str(ROOT / "docs" / "screenshot.png"))
            print("docs/screenshot.png")
    window.close_project(confirm=False)
    window.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
