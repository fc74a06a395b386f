"""Finding duplicates: match views, comparison levels, the model's properties, the pipeline and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from steward.cli import main
from steward.importer import ImportOptions, import_file
from steward.match_store import canonical_rows, match_project
from steward.matching.blocking import candidate_pairs
from steward.matching.compare import FIELD_INDEX, FIELDS, MISSING, compare, nickname_related
from steward.matching.model import GUARDED, estimate, probabilities, random_pairs
from steward.matching.pipeline import find_duplicates
from steward.matching.prepare import phone_digits, prepare
from steward.project import Project
from steward.sample import sample_csv


def levels_of(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    found = compare([prepare(a), prepare(b)], np.array([[0, 1]]))[0]
    return {spec.name: ("missing" if level == MISSING else spec.levels[level]) for spec, level in zip(FIELDS, found)}


def test_names_are_split_folded_and_given_pinyin() -> None:
    assert (prepare({"full_name": "MÜLLER, Hans"}).given, prepare({"full_name": "MÜLLER, Hans"}).family) == \
        ("hans", "muller")
    chinese = prepare({"full_name": "王 伟"})
    assert (chinese.family, chinese.given, chinese.family_cjk, chinese.given_cjk) == ("wang", "wei", "王", "伟")
    assert prepare({"full_name": "欧阳娜娜"}).family_cjk == "欧阳"
    assert prepare({"full_name": "Dr. John Smith Jr."}).given == "john"


def test_phones_are_compared_by_their_last_nine_digits() -> None:
    assert phone_digits("+44 20 7946 0958") == phone_digits("020 7946 0958") == "079460958"
    assert phone_digits("１３８-1234-5678") == phone_digits("+86 138 1234 5678")
    assert phone_digits("12 34") == ""


def test_levels_for_people() -> None:
    assert levels_of({"first_name": "Robert", "last_name": "Smith"}, {"first_name": "Bob", "last_name": "Smith"})[
        "given"] == "nickname"
    swapped = levels_of({"first_name": "Hans", "last_name": "Müller"}, {"first_name": "Mueller", "last_name": "Hans"})
    assert swapped["given"] == "same"
    assert levels_of({"full_name": "王伟"}, {"first_name": "Wei", "last_name": "Wang"})["family"] == "same"
    assert levels_of({"date_of_birth": "1980-03-02"}, {"date_of_birth": "02.03.1980"})["dob"] == "same"
    assert levels_of({"date_of_birth": "1980-03-02"}, {"date_of_birth": "1980-02-03"})["dob"] == \
        "day/month swapped or one digit off"
    assert levels_of({"email": "a@x.com"}, {})["email"] == "missing"
    assert nickname_related("liz", "elizabeth") and not nickname_related("liz", "robert")


NAMES = st.sampled_from(["Anna", "Ann", "Hans", "Müller", "王伟", "Wang Wei", "Bob", "Robert", "", "Smith, John"])
RECORDS = st.fixed_dictionaries({
    "full_name": NAMES, "email": st.sampled_from(["", "a@x.com", "A@X.com", "b@y.org"]),
    "phone": st.sampled_from(["", "+44 20 7946 0958", "020 7946 0958", "030 1234567"]),
    "date_of_birth": st.sampled_from(["", "1980-03-02", "1980-02-03", "1990-01-01"]),
    "postcode": st.sampled_from(["", "SW1A 1AA", "SW1A 2AA", "10115"]),
})


@settings(max_examples=150, deadline=None)
@given(RECORDS, RECORDS)
def test_comparison_is_symmetric(a: dict[str, str], b: dict[str, str]) -> None:
    records = [prepare(a), prepare(b)]
    assert (compare(records, np.array([[0, 1]])) == compare(records, np.array([[1, 0]]))).all()


@pytest.fixture(scope="module")
def sample_result():
    with open(sample_csv(), encoding="utf-8", newline="") as handle:
        rows = [{k: v or "" for k, v in row.items() if k} for row in csv.DictReader(handle)]
    return rows, find_duplicates(rows)


def test_the_fitted_model_scores_identical_records_highest(sample_result) -> None:
    _, result = sample_result
    weights = result.model.weights()
    assert all((np.diff(w) <= 1e-12).all() and w[0] >= 0 for w in weights)
    identical = np.zeros((1, len(FIELDS)), dtype=np.int8)
    best, _ = probabilities(result.model, identical)
    assert best[0] >= result.probability.max()


def test_a_missing_value_never_makes_a_pair_more_likely_than_agreement(sample_result) -> None:
    _, result = sample_result
    levels = result.levels.copy()
    for f in range(len(FIELDS)):
        agreeing = levels.copy()
        agreeing[:, f] = 0
        missing = levels.copy()
        missing[:, f] = MISSING
        p_agree, _ = probabilities(result.model, agreeing)
        p_missing, _ = probabilities(result.model, missing)
        assert (p_missing <= p_agree + 1e-12).all()


def test_household_members_are_never_matched(sample_result) -> None:
    _, result = sample_result
    levels = np.zeros((1, len(FIELDS)), dtype=np.int8)
    levels[0, FIELD_INDEX["given"]] = len(FIELDS[FIELD_INDEX["given"]].levels) - 1
    levels[0, FIELD_INDEX["dob"]] = len(FIELDS[FIELD_INDEX["dob"]].levels) - 1
    levels[0, FIELD_INDEX["identifier"]] = MISSING  # the same customer id would say the name is the mistake
    probability, _ = probabilities(result.model, levels)
    assert probability[0] <= GUARDED
    levels[0, FIELD_INDEX["dob"]] = MISSING  # no birth date to tell them apart: still two people
    assert probabilities(result.model, levels)[0][0] <= GUARDED


def test_the_sample_list_yields_plausible_clusters(sample_result) -> None:
    rows, result = sample_result
    assert result.clusters, "the sample list has duplicates"
    for cluster in result.clusters:
        emails = {rows[i]["email"].strip().lower() for i in cluster.members} - {""}
        names = {prepare(rows[i]).family for i in cluster.members} - {""}
        assert len(emails) <= len(cluster.members) and len(names) <= 2, [rows[i] for i in cluster.members]
    assert result.blocking.reduction_ratio > 0.9


def test_blocking_guards_against_huge_blocks() -> None:
    records = [prepare({"first_name": f"N{i}", "last_name": "Smith", "phone": "+44 20 7946 0000"})
               for i in range(500)]
    pairs, stats = candidate_pairs(records, ("phone",), max_block=50, window=3)
    assert stats.oversize_blocks["phone"] == 1
    assert len(pairs) < 500 * 4  # neighbours only, not 124,750 pairs


def test_estimation_needs_no_labels() -> None:
    rows = [{"first_name": f, "last_name": l, "date_of_birth": f"19{d:02d}-01-01", "postcode": p}
            for f, l, d, p in [("Anna", "Berg", 70, "10115"), ("Anna", "Berg", 70, "10115"), ("Ben", "Ode", 81, "20095"),
                               ("Carla", "Lenz", 64, "80331"), ("Carla", "Lentz", 64, "80331"),
                               ("Dieter", "Maas", 55, "50667")] * 5]
    records = [prepare(r) for r in rows]
    pairs, _ = candidate_pairs(records)
    model = estimate(compare(records, pairs), compare(records, random_pairs(len(records), 1000)), all_pairs=435)
    assert 0 < model.prior < 1


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "p.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions())
    return path


def test_match_stores_clusters_and_explanations(tmp_path: Path) -> None:
    path = _project(tmp_path)
    with Project.open(path) as project:
        summary = match_project(project)
        ids, rows = canonical_rows(project)
        stored = project.conn.execute("SELECT COUNT(*), SUM(size) FROM clusters").fetchone()
        explained = project.conn.execute("SELECT levels, weights FROM match_pairs LIMIT 1").fetchone()
    assert len(ids) == len(rows) == 293
    assert stored == (summary.clusters, summary.records_in_clusters) and summary.clusters > 0
    assert explained is not None and "given" in json.loads(explained[0])
    assert set(json.loads(explained[1])) == set(json.loads(explained[0]))  # a weight for every compared field


def test_not_duplicates_are_never_proposed_again(tmp_path: Path) -> None:
    path = _project(tmp_path)
    with Project.open(path) as project:
        match_project(project)
        cluster_id, = project.conn.execute("SELECT id FROM clusters WHERE size = 2 LIMIT 1").fetchone()
        a, b = [r for (r,) in project.conn.execute(
            "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (cluster_id,))]
        project.conn.execute("INSERT INTO not_duplicates (a, b, decided_at) VALUES (?, ?, '2026-01-01T00:00:00Z')",
                             (a, b))
        match_project(project)
        together = project.conn.execute(
            "SELECT COUNT(*) FROM cluster_members x JOIN cluster_members y ON x.cluster_id = y.cluster_id "
            "WHERE x.record_id = ? AND y.record_id = ?", (a, b)).fetchone()[0]
        new_ids = {r for (r,) in project.conn.execute("SELECT id FROM clusters")}
    assert together == 0
    assert cluster_id not in new_ids  # cluster ids are never reused


def test_cli_match_and_export_clusters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path)
    out = tmp_path / "clusters.csv"
    assert main(["export", str(path), "--clusters", str(out)]) == 0
    assert "not been matched yet" in capsys.readouterr().out
    assert main(["match", str(path)]) == 0
    assert "clusters holding" in capsys.readouterr().out
    records = tmp_path / "records.csv"
    assert main(["export", str(path), "--clusters", str(out), "--records", str(records), "--exact"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with open(records, encoding="utf-8-sig", newline="") as handle:
        original = list(csv.reader(handle))
    assert rows[0][:4] == ["source", "row", "cluster_id", "confidence"] and rows[0][4:] == original[0][2:]
    assert [r[:2] + r[4:] for r in rows[1:]] == original[1:]
    clustered = [r for r in rows[1:] if r[2]]
    assert clustered and all(0 < float(r[3]) <= 1 for r in clustered)
    sizes: dict[str, int] = {}
    for r in clustered:
        sizes[r[2]] = sizes.get(r[2], 0) + 1
    assert min(sizes.values()) >= 2


def test_cli_match_config_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path)
    config = tmp_path / "match.toml"
    config.write_text('rules = ["email", "shoe_size"]\n', encoding="utf-8")
    assert main(["match", str(path), "--config", str(config)]) == 1
    assert "unknown blocking rule 'shoe_size'" in capsys.readouterr().err
    config.write_text("review = 0.99\nauto = 0.9\n", encoding="utf-8")
    assert main(["match", str(path), "--config", str(config)]) == 1
    assert "review <= auto" in capsys.readouterr().err


def test_pairs_blocking_missed_are_estimated_by_capture_recapture() -> None:
    from steward.matching.blocking import BlockingStats
    from steward.matching.pipeline import estimate_missed

    n = 1000
    pairs = np.array([[i, i + 500] for i in range(100)], dtype=np.int64)
    stats = BlockingStats(records=n)
    stats.rule_pairs["email"] = pairs[:60]      # contact keys catch 60 …
    stats.rule_pairs["names"] = pairs[30:100]   # … name keys 70, both 30: about 60 * 70 / 30 = 140 exist
    assert estimate_missed(pairs, np.ones(100, dtype=bool), stats, n) == 40
    stats.rule_pairs["names"] = pairs[55:100]   # only 5 caught by both: too few to say
    assert estimate_missed(pairs, np.ones(100, dtype=bool), stats, n) is None


def test_incremental_matching_gives_the_clusters_of_a_full_run_with_the_same_model() -> None:
    from steward.demo_data import generate
    from steward.matching.pipeline import MatchConfig

    data = generate(1500, seed=4)
    rows = [dict(zip(data.header, row)) for row in data.rows]
    config = MatchConfig(max_block=10_000)  # no block outgrows the limit when records are added
    first = find_duplicates(rows[:900], config)
    links = [(int(a), int(b), float(p)) for (a, b), p in zip(first.pairs, first.probability)]
    added = find_duplicates(rows, config, model=first.model, new_from=900, known_links=links)
    whole = find_duplicates(rows, config, model=first.model)
    assert (added.pairs[:, 1] >= 900).all() and len(added.pairs) < len(whole.pairs)
    assert [c.members for c in added.clusters] == [c.members for c in whole.clusters]
    assert any(max(c.members) >= 900 > min(c.members) for c in added.clusters)  # new records joined old ones


def _sample_rows() -> list[list[str]]:
    """The sample list's header and its well-formed rows."""
    with open(sample_csv(), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return [r for r in rows if len(r) == len(rows[0])]


def _import_and_match(tmp_path: Path, parts: list[list[list[str]]]) -> tuple[Path, list]:
    """Import each part (header first) as a new source of one project, matching after each; the summaries."""
    path = tmp_path / "p.steward"
    summaries = []
    for index, part in enumerate(parts):
        file = tmp_path / f"part{index}.csv"
        with open(file, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(part)
        with Project.open(path, create=True) as project:
            import_file(project, file, ImportOptions())
            summaries.append(match_project(project))
    return path, summaries


def test_a_new_source_is_matched_against_what_is_there(tmp_path: Path) -> None:
    rows = _sample_rows()
    path, summaries = _import_and_match(tmp_path, [rows[:150], rows[:1] + rows[150:]])
    assert [s.incremental for s in summaries] == [False, True]
    with Project.open(path) as project:
        across = project.conn.execute(
            "SELECT COUNT(DISTINCT x.cluster_id) FROM cluster_members x JOIN cluster_members y "
            "ON x.cluster_id = y.cluster_id JOIN records rx ON rx.id = x.record_id JOIN records ry ON ry.id = y.record_id "
            "WHERE rx.source_id <> ry.source_id").fetchone()[0]
        again = match_project(project, full=True)
        runs = project.conn.execute("SELECT full FROM match_runs ORDER BY id").fetchall()
    assert across > 0 and not again.incremental and runs == [(1,), (0,), (1,)]


def test_the_model_learns_from_merge_and_reject_decisions() -> None:
    from steward.demo_data import generate, true_pairs

    data = generate(3000, seed=6)
    rows = [dict(zip(data.header, row)) for row in data.rows]
    before = find_duplicates(rows)
    given = FIELD_INDEX["given"]
    nickname_matches = [(int(a), int(b)) for (a, b), level in zip(before.pairs, before.levels[:, given])
                        if level == 1 and (int(a), int(b)) in true_pairs(data.entity)]
    assert len(nickname_matches) >= 5
    merged = find_duplicates(rows, merged=nickname_matches * 20)  # many decisions say nicknames are common
    assert merged.model.m[given][1] > before.model.m[given][1]
    w_before, w_after = before.model.weights()[given], merged.model.weights()[given]
    assert w_after[1] - w_after[0] > w_before[1] - w_before[0]  # a nickname now counts nearly as the same name

    households = [(i, j) for i, j in before.pairs.tolist()
                  if data.lookalike[i] and data.lookalike[i] == data.lookalike[j] and data.entity[i] != data.entity[j]]
    assert households
    rejected = find_duplicates(rows, cannot_link=households)
    assert any(not np.allclose(a, b) for a, b in zip(rejected.model.m, before.model.m))
    together = {(a, b) for c in rejected.clusters for a in c.members for b in c.members if a < b}
    assert not together & set(households)


def test_cancelling_a_match_run_at_any_step_leaves_the_project_as_it_was(tmp_path: Path) -> None:
    from steward.errors import Cancelled

    path = _project(tmp_path)
    tables = ("clusters", "cluster_members", "match_pairs", "match_runs", "sqlite_sequence")
    with Project.open(path) as project:
        steps: list[int] = []
        match_project(project, progress=lambda done, total: steps.append(done))
        before = {t: project.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}
        for stop in sorted(set(steps)):
            def cancel(done: int, total: int, stop: int = stop) -> None:
                if done >= stop:
                    raise Cancelled()
            with pytest.raises(Cancelled):
                match_project(project, full=True, progress=cancel)
            assert {t: project.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables} == before
    assert steps[-1] == 7 and len(set(steps)) == 8


def test_a_model_from_a_few_records_is_not_reused_for_many(tmp_path: Path) -> None:
    rows = _sample_rows()
    _, summaries = _import_and_match(tmp_path, [rows[:3], rows[:1] + rows[3:]])
    assert not summaries[-1].incremental and summaries[-1].clusters > 0


def test_cli_match_config_types_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path)
    config = tmp_path / "match.toml"
    for text, message in [('max_block = "x"\n', "'max_block' must be a whole number"),
                          ('rules = "email"\n', "'rules' must be a list of rule names"),
                          ("window = 1\n", "at least 2")]:
        config.write_text(text, encoding="utf-8")
        assert main(["match", str(path), "--config", str(config)]) == 1
        assert message in capsys.readouterr().err


def test_ranking_in_runs_is_ranking_in_one_sort(monkeypatch) -> None:
    import random

    from steward import gentle_sort
    from steward.matching import blocking

    rng = random.Random(7)
    values = [(rng.choice(["", "a", "b", "ab"]), rng.choice(["x", "y"])) for _ in range(500)]
    monkeypatch.setattr(gentle_sort, "RUN", 37)             # many runs, cut anywhere
    assert gentle_sort.sorted_in_runs(values) == sorted(values)
    by_first = gentle_sort.sorted_in_runs(values, key=lambda value: value[0])
    assert by_first == sorted(values, key=lambda value: value[0])      # stable: equal keys keep their order
    copy = list(values)
    gentle_sort.drop(copy)
    assert copy == []
    ranked = blocking._rank(values, lambda value: value)
    expected = sorted(range(len(values)), key=lambda i: (values[i], i))
    assert [ranked[i] for i in expected] == list(range(len(values)))


def test_scoring_in_chunks_is_scoring_in_one_call(monkeypatch) -> None:
    import random

    import numpy as np
    from rapidfuzz import fuzz

    from steward.matching import compare

    rng = random.Random(3)
    words = ["anna", "ana", "anne", "berg", "burg", "", "müller", "mueller", "王伟", "wang wei"]
    a = np.array([rng.choice(words) for _ in range(301)], dtype=object)
    b = np.array([rng.choice(words) for _ in range(301)], dtype=object)
    whole = compare._scores(a, b, fuzz.ratio)
    monkeypatch.setattr(compare, "SCORE_CHUNK", 17)
    chunked = compare._scores(a, b, fuzz.ratio)
    assert chunked.dtype == whole.dtype and np.array_equal(chunked, whole)


def test_comparing_in_chunks_is_comparing_at_once(monkeypatch) -> None:
    import numpy as np

    from steward import demo_data
    from steward.matching import blocking, compare
    from steward.matching.prepare import prepare

    data = demo_data.generate(400, seed=5)
    records = [prepare(dict(zip(demo_data.HEADER, row))) for row in data.rows]
    pairs, _ = blocking.candidate_pairs(records)
    whole = compare.compare(records, pairs)
    assert (whole != compare.MISSING).all(axis=0).sum() >= 3           # real comparisons, not empty fields
    monkeypatch.setattr(compare, "COMPARE_CHUNK", 29)
    assert len(pairs) > 29 and np.array_equal(compare.compare(records, pairs), whole)


def test_unique_codes_and_contains_agree_with_numpy() -> None:
    import numpy as np

    from steward.matching.blocking import contains, unique_codes

    rng = np.random.default_rng(11)
    for size in (0, 1, 2, 500):
        codes = rng.integers(0, 60, size)
        assert np.array_equal(unique_codes(codes), np.unique(codes))
        known = np.sort(rng.integers(0, 60, size // 2))
        assert np.array_equal(contains(known, codes), np.isin(codes, known))
