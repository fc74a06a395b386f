"""``python -m ui``: start the desktop app (also PyInstaller's entry script)."""

from __future__ import annotations

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
