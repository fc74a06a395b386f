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


@pytest.fixture(scope="session")
def build_sample():
    """Builds the bundled sample as a project at a path: imported, with the default rules validated (unless
    ``validate`` is False) and matched (unless ``match`` is False); the start of many tests' projects."""
    from steward import validation
    from steward.importer import ImportOptions, import_file
    from steward.match_store import match_project
    from steward.rule_store import propose_rules, save_rules
    from steward.sample import sample_csv

    def build(path: Path, *, validate: bool = True, match: bool = True) -> Path:
        with Project.create(path) as project:
            import_file(project, sample_csv(), ImportOptions())
            if validate:
                save_rules(project, propose_rules(project))
                validation.validate(project)
            if match:
                match_project(project)
        return path

    return build
