"""The bundled sample (core side: no Qt here) and where bundled resources are found."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from steward import store
from steward.importer import import_file
from steward.project import Project
from steward.resources import resource_path, resource_root
from steward.sample import SAMPLE_PROJECT, open_sample_project, sample_csv

ROOT = Path(__file__).resolve().parents[2]


def test_resources_are_found_from_a_checkout_and_when_frozen(monkeypatch, tmp_path) -> None:
    assert resource_root() == ROOT / "resources"
    assert resource_path("sample", "customers.csv").is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("sample", "customers.csv") == tmp_path / "resources" / "sample" / "customers.csv"


def test_sample_csv_is_messy_in_the_promised_ways() -> None:
    text = sample_csv().read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(keepends=True)))
    header, data = rows[0], rows[1:]
    assert header[:4] == ["customer_id", "first_name", "last_name", "full_name"]
    assert 280 <= len(data) <= 320
    values = [v for row in data for v in row]
    assert any(v.startswith("00") for v in (row[0] for row in data if row))      # leading zeros
    assert any("\n" in v for v in values)                                          # quoted multi-line address
    assert "NA" in values and "" in values
    assert any(ch in text for ch in "王李张陈") and any(ch in text for ch in "äöüß")
    assert {"mary@@gmail.com", "anna(at)web.de", "info@ firma.de"} <= set(values)  # bad e-mails
    assert any(r and r[1].strip() in ("Bill", "Bob", "Kate", "Liz", "Mike") for r in data)   # nicknames


def test_sample_generator_reproduces_the_committed_file() -> None:
    sys.path_importer_cache.clear()
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample", resource_path("sample", "make_sample.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == sample_csv().read_text(encoding="utf-8")


def test_open_sample_project_creates_once_then_opens(tmp_path) -> None:
    folder = tmp_path / "data" / "Steward"
    with open_sample_project(folder) as project:
        assert project.path == folder / SAMPLE_PROJECT
        [source] = store.sources(project)
        assert source.record_count > 250 and source.rejected_count >= 1
        rows_in_file = source.record_count + source.rejected_count
    with open_sample_project(folder) as project:
        assert [s.record_count + s.rejected_count for s in store.sources(project)] == [rows_in_file]


def test_an_empty_sample_left_by_an_interrupted_run_is_filled(tmp_path) -> None:
    Project.create(tmp_path / SAMPLE_PROJECT).close()
    with open_sample_project(tmp_path) as project:
        assert len(store.sources(project)) == 1


def test_sample_imports_like_any_file(project) -> None:
    result = import_file(project, sample_csv())
    assert result.encoding == "utf-8" and result.delimiter == ","
    assert result.mapping[0] == "customer_id"
