"""The bundled sample project, so a new user can look around before importing.

Built on first use from ``resources/sample/customers.csv`` through the normal
import, so the sample shows exactly what a real import of a messy list gives.
"""

from __future__ import annotations

from pathlib import Path

from . import store
from .importer import ImportOptions, import_file
from .progress import Progress, no_progress
from .project import Project
from .resources import resource_path

SAMPLE_PROJECT = "sample.steward"
SAMPLE_SOURCE = "Sample customers"


def sample_csv() -> Path:
    """The bundled messy contact list the sample project is made from."""
    return resource_path("sample", "customers.csv")


def open_sample_project(folder: Path, progress: Progress = no_progress) -> Project:
    """Open ``folder/sample.steward``, creating it from the bundled CSV if missing.

    A sample left empty by an interrupted first run is filled again rather than
    shown empty.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SAMPLE_PROJECT
    project = Project.open(path, create=True)
    try:
        if not store.sources(project):
            import_file(project, sample_csv(), ImportOptions(source_name=SAMPLE_SOURCE), progress=progress)
    except BaseException:
        if project.created:
            project.discard()
        else:
            project.close()
        raise
    return project
