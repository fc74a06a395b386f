"""Shared fixtures. Qt runs offscreen and never touches the user's settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from steward.project import Project  # noqa: E402


@pytest.fixture
def project(tmp_path: Path):
    """A fresh, empty project that is closed after the test."""
    opened = Project.create(tmp_path / "test.steward")
    yield opened
    opened.close()


@pytest.fixture
def write(tmp_path: Path):
    """Write bytes or text to a file in the test's folder and return its path."""

    def _write(name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write
