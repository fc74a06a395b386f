"""Small helpers shared by the command modules."""

from __future__ import annotations

import sys
from typing import Any

import click


class progress_bar:
    """A byte-progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return lambda done, total: None
        self.bar = click.progressbar(length=1, label=self.label, file=sys.stderr)
        self.bar.__enter__()

        def report(done: int, total: int) -> None:
            self.bar.length = max(total, 1)
            self.bar.update(done - self.bar.pos)
        return report

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
