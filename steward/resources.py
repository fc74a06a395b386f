"""Where Steward's bundled files (sample data, style sheets, icons) live.

The one place that knows the layout: ``resources/`` beside the packages when
run from a checkout, or inside PyInstaller's unpack folder (``sys._MEIPASS``)
when frozen. Everything else asks :func:`resource_path`.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    """The ``resources`` folder for this way of running Steward."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A bundled file or folder, e.g. ``resource_path("sample", "customers.csv")``."""
    return resource_root().joinpath(*parts)
