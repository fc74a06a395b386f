"""``steward demo``, ``score`` and ``reset`` end to end: what they print, their exit codes, and clean cancels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steward.cli import main


def test_demo_score_decide_score_reset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = str(tmp_path / "train.steward")
    assert main(["demo", project, "--records", "150", "--seed", "3", "--locales", "zh,en"]) == 0
    out = capsys.readouterr().out
    assert f"Made demo project {project}: 150 records from 5 sources (Dealer North " in out
    assert "locales en, zh, seed 3, dated " in out and "duplicate clusters:" in out
    assert f"See how a steward did with: steward score {project}" in out
    assert main(["score", project]) == 0
    table = capsys.readouterr().out
    assert "Score: 0.0 / 100 (75% the F1 of merges, 25% the share of defects fixed)" in table
    assert "merged correctly" in table and "waiting in the review queue" in table and "Defects planted" in table
    assert main(["merge-auto", project]) == 0
    capsys.readouterr()
    assert main(["score", project, "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["exercise"]["records"] == 150 and card["exercise"]["locales"] == ["en", "zh"]
    assert card["merged_pairs"] == card["correct_merges"] + card["wrong_merges"] > 0 and card["score"] > 0
    assert main(["reset", project]) == 0
    out = capsys.readouterr().out
    assert f"Reset {project} to its starting state: 150 records, seed 3, locales en, zh" in out
    assert f"The trained project was kept as {tmp_path / 'train.before-reset.steward'}." in out
    assert main(["score", project, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["merged_pairs"] == 0
    assert main(["score", str(tmp_path / "train.before-reset.steward"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == card["score"]


def test_the_same_seed_exports_the_same_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        project, out = str(tmp_path / f"{name}.steward"), tmp_path / f"{name}.csv"
        assert main(["demo", project, "--records", "80", "--seed", seed]) == 0
        assert main(["export", project, "--records", str(out)]) == 0
        exported.append(out.read_bytes())
    assert exported[0] == exported[1] != exported[2]


def test_existing_files_are_refused_unless_an_earlier_demo_is_replaced(tmp_path: Path, build_sample,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    project = str(tmp_path / "d.steward")
    assert main(["demo", project, "--records", "60"]) == 0
    capsys.readouterr()
    assert main(["demo", project, "--records", "60"]) == 1
    assert "already exists. Choose a new file name, or replace an earlier demo project (steward demo --force)" \
        in capsys.readouterr().err
    assert main(["demo", project, "--records", "70", "--force"]) == 0
    assert f"The earlier demo project was kept as {tmp_path / 'd.before-demo.steward'}." in capsys.readouterr().out
    real = str(build_sample(tmp_path / "real.steward", validate=False, match=False))
    for command in (["demo", real, "--force"], ["score", real], ["reset", real]):
        assert main(command) == 1
        assert "is not a demo project: it holds no training exercise." in capsys.readouterr().err


def test_bad_arguments_are_refused_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = str(tmp_path / "d.steward")
    assert main(["demo", project, "--locales", "en,fr"]) == 1
    assert "Unknown locale 'fr'; choose among en, de, zh." in capsys.readouterr().err
    assert main(["demo", project, "--records", "0"]) == 2
    assert main(["score", str(tmp_path / "missing.steward")]) == 2
    assert not (tmp_path / "d.steward").exists()


def test_ctrl_c_leaves_no_project_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("steward.trainer.match_project", interrupted)
    assert main(["demo", str(tmp_path / "d.steward"), "--records", "60"]) == 130
    assert "Cancelled; nothing was changed." in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
