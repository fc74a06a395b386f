"""CSV export as a security and safety boundary: catalogue items 45, 48 and 49."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from steward.errors import StewardError
from steward.io import export
from steward.io.export import neutralise, write_csv


@pytest.mark.parametrize("value", ["=1+1", "+44 20", "-call back", "@SUM(A1)", "\t=cmd", "\r=x", "\n=x",
                                   "＝1+1", "＋1", "－1", "＠A"])
def test_cat_45_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "", "0012", "a=b", " =1", "'quoted"])
def test_cat_45_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_cat_45_safe_mode_counts_and_quotes_everything_exact_mode_does_not(tmp_path):
    path = tmp_path / "out.csv"
    assert write_csv(path, ["a", "b"], [["=1+1", "x"], ["y", "@z"]]) == 2
    assert path.read_bytes().decode("utf-8-sig") == '"a","b"\r\n"\'=1+1","x"\r\n"y","\'@z"\r\n'
    assert write_csv(path, ["a"], [["=1+1"]], safe=False) == 0
    assert path.read_bytes().decode("utf-8-sig") == "a\r\n=1+1\r\n"


def test_cat_48_bom_for_excel_by_default_plain_utf8_on_request(tmp_path):
    with_bom, without = tmp_path / "excel.csv", tmp_path / "plain.csv"
    write_csv(with_bom, ["名"], [["张三"]])
    write_csv(without, ["名"], [["张三"]], bom=False)
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert without.read_bytes() == '"名"\r\n"张三"\r\n'.encode("utf-8")
    assert stat.S_IMODE(with_bom.stat().st_mode) == 0o600


def test_cat_49_a_failed_export_keeps_the_previous_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    write_csv(path, ["a"], [["old"]])
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export.os, "fsync", disk_full)
    with pytest.raises(StewardError, match=r"out.csv: the disk is full. The previous file, if any, is unchanged"):
        write_csv(path, ["a"], [["new"]])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_cat_49_an_error_while_producing_rows_keeps_the_previous_file(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(path, ["a"], [["old"]])

    def rows():
        yield ["new"]
        raise RuntimeError("reading failed")

    with pytest.raises(RuntimeError):
        write_csv(path, ["a"], rows())
    assert path.read_bytes().decode("utf-8-sig") == '"a"\r\n"old"\r\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
