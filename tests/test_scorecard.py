"""The trainer's scorecard is exact: every figure checked on a demo project with a known set of decisions."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from steward import golden_ops, operations, training_truth
from steward.demo_data import generate, true_pairs
from steward.errors import Cancelled
from steward.golden import record_labels
from steward.project import Project
from steward.scorecard import Mistake, score
from steward.store import columns
from steward.trainer import create_demo_project
from steward.training_truth import NotADemo, Truth

TODAY = date(2026, 3, 1)
RECORDS, SEED = 400, 5
EMAIL, PHONE, UPDATED_AT = 5, 6, 12   # column positions in every channel's file (its channel column is left out)
OPEN = ("auto", "review", "deferred")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("score") / "demo.steward"
    create_demo_project(path, RECORDS, SEED, today=TODAY)
    return path


@pytest.fixture
def work(demo: Path, tmp_path: Path) -> Path:
    with Project.open(demo, read_only=True) as opened:
        return opened.save_copy(tmp_path / "work.steward")


def test_email_and_phone_are_where_the_fixes_expect_them(demo: Path) -> None:
    with Project.open(demo, read_only=True) as opened:
        sources = opened.conn.execute("SELECT id FROM sources").fetchall()
        assert {(c.position, c.field) for (s,) in sources for c in columns(opened, s)
                if c.field in ("email", "phone", "updated_at")} == {(EMAIL, "email"), (PHONE, "phone"),
                                                                     (UPDATED_AT, "updated_at")}


def test_before_any_decision_everything_is_still_to_do(demo: Path) -> None:
    data = generate(RECORDS, SEED, today=TODAY)
    with Project.open(demo, read_only=True) as opened:
        card = score(opened)
    duplicates = len(true_pairs(data.entity))
    planted = Counter(d for found in data.defects for d in found)
    assert (card.records, card.true_pairs, card.merged_pairs, card.correct_merges, card.wrong_merges) == \
        (RECORDS, duplicates, 0, 0, 0)
    assert card.missed == card.missed_waiting + card.missed_not_proposed == duplicates
    assert (card.missed_rejected, card.correct_rejections, card.wrong_rejections) == (0, 0, 0)
    assert (card.precision, card.recall, card.f1, card.score) == (None, 0.0, 0.0, 0.0)
    assert card.defects == card.defects_remaining == sum(planted.values()) and card.defects_fixed == 0
    assert {k: v["remaining"] for k, v in card.defects_by_kind.items() if v["remaining"]} == dict(planted)
    assert (card.fixes, card.fixes_without_defect, card.mistakes) == (0, 0, [])


def _people(truth: dict[int, Truth]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for record_id in sorted(truth):
        found.setdefault(truth[record_id].entity, []).append(record_id)
    return found


def _pair_proposals(opened: Project, truth: dict[int, Truth]) -> list[tuple[int, tuple[int, int]]]:
    """Open proposals of exactly two records, both of a person who has just these two records."""
    people = _people(truth)
    members: dict[int, list[int]] = {}
    for record_id, cluster_id in opened.conn.execute(
            "SELECT m.record_id, m.cluster_id FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id "
            "WHERE c.status IN ('auto', 'review', 'deferred') ORDER BY m.record_id"):
        members.setdefault(cluster_id, []).append(record_id)
    return [(c, (a, b)) for c, (a, b) in ((c, m) for c, m in sorted(members.items()) if len(m) == 2)
            if truth[a].entity == truth[b].entity and len(people[truth[a].entity]) == 2]


def _lookalike_pair(truth: dict[int, Truth], kind: str, taken: set[int]) -> tuple[int, int]:
    """Two records of different people of one look-alike group of ``kind``, neither one in ``taken``."""
    for a, b in itertools.combinations(sorted(truth), 2):
        ta, tb = truth[a], truth[b]
        if {a, b} & taken or ta.lookalike is None or ta.lookalike[0] != kind:
            continue
        if ta.lookalike == tb.lookalike and ta.entity != tb.entity:
            return a, b
    raise AssertionError(f"the demo has no {kind} pair left")


def test_the_scorecard_is_exact_on_a_known_set_of_decisions(work: Path) -> None:
    with Project.open(work) as opened:
        truth = training_truth.truth(opened)
        (merged_cluster, true_pair), (rejected_cluster, rejected_pair) = _pair_proposals(opened, truth)[:2]
        taken = {*true_pair, *rejected_pair}
        household = _lookalike_pair(truth, "household", taken)
        colleagues = _lookalike_pair(truth, "colleagues", taken | set(household))
        taken |= {*household, *colleagues}
        bad_email = next(r for r in sorted(truth) if truth[r].defects == ("bad_email",) and r not in taken)
        bad_phone = next(r for r in sorted(truth) if truth[r].defects == ("impossible_phone",) and r not in taken)
        clean = next(r for r in sorted(truth) if not truth[r].defects and r not in taken)
        decisions = [
            golden_ops.MergeClusters((merged_cluster,)),          # a true pair: a correct merge
            golden_ops.MergeRecords(household),                   # two people of one household: a wrong merge
            operations.RejectCluster(rejected_cluster),           # a true pair marked not duplicates: wrong
            golden_ops.MergeRecords(colleagues),                  # two colleagues merged, then split apart:
            golden_ops.SplitRecord(colleagues[1]),                # … a correct not-duplicates mark, no merge
            operations.FixValue(bad_email, EMAIL, "anna.berg@example.com"),   # fixes its defect
            operations.FixValue(bad_phone, PHONE, "000"),         # still impossible: the defect remains
            operations.FixValue(clean, EMAIL, "someone@example.com"),         # a record without a defect
        ]
        for decision in decisions:
            operations.perform(opened, decision)
        card = score(opened)
        labels = record_labels(opened, [*household, *rejected_pair])
        proposal = dict(opened.conn.execute("SELECT m.record_id, c.status || ':' || c.id FROM cluster_members m "
                                            "JOIN clusters c ON c.id = m.cluster_id"))

    # Expected figures, worked out from the generator's truth and the decisions above.
    data = generate(RECORDS, SEED, today=TODAY)
    duplicates = len(true_pairs(data.entity))
    planted = sum(len(d) for d in data.defects)
    missed = [(a, b) for members in _people(truth).values() for a, b in itertools.combinations(members, 2)
              if (a, b) != true_pair]
    waiting = [(a, b) for a, b in missed if (a, b) != rejected_pair and proposal.get(a) is not None
               and proposal.get(a) == proposal.get(b) and proposal[a].split(":")[0] in OPEN]
    by_variation = Counter(tag for a, b in missed for tag in set(truth[a].variations) | set(truth[b].variations))
    f1 = 2 * 1 / (2 + duplicates)

    assert (card.records, card.true_pairs, card.merged_pairs) == (RECORDS, duplicates, 2)
    assert (card.correct_merges, card.wrong_merges, card.wrong_merges_by_kind) == (1, 1, {"household": 1})
    assert (card.missed, card.missed_rejected, card.missed_waiting, card.missed_not_proposed) == \
        (duplicates - 1, 1, len(waiting), duplicates - 2 - len(waiting))
    assert card.missed_by_variation == dict(sorted(by_variation.items()))
    assert (card.correct_rejections, card.wrong_rejections, card.correct_rejections_by_kind) == \
        (1, 1, {"colleagues": 1})
    assert (card.precision, card.recall, card.f1) == (1 / 2, 1 / duplicates, f1)
    assert (card.defects, card.defects_fixed, card.defects_remaining) == (planted, 1, planted - 1)
    assert card.defects_by_kind["bad_email"]["fixed"] == 1
    assert card.defects_by_kind["impossible_phone"]["fixed"] == 0
    assert (card.fixes, card.fixes_without_defect) == (3, 1)
    assert card.score == round(100 * (0.75 * f1 + 0.25 * 1 / planted), 1)
    assert card.mistakes == [Mistake("merge", (labels[household[0]], labels[household[1]]), "household"),
                             Mistake("rejection", (labels[rejected_pair[0]], labels[rejected_pair[1]]),
                                     "same person")]
    assert card.to_dict()["exercise"]["generated_for"] == "2026-03-01"


def test_an_unmerged_pair_waits_again_and_wrong_merges_are_named_by_look_alike_kind(demo: Path, work: Path) -> None:
    with Project.open(demo, read_only=True) as opened:
        start = score(opened)
    with Project.open(work) as opened:
        truth = training_truth.truth(opened)
        cluster, pair = _pair_proposals(opened, truth)[0]
        entry = operations.perform(opened, golden_ops.MergeClusters((cluster,)))
        operations.perform(opened, golden_ops.Unmerge(int(next(iter(entry.after["golden"]))[1:])))
        namesakes = _lookalike_pair(truth, "namesakes", set(pair))
        singles = [r for members in _people(truth).values() if len(members) == 1 for r in members
                   if truth[r].lookalike is None]
        operations.perform(opened, golden_ops.MergeRecords(namesakes))
        operations.perform(opened, golden_ops.MergeRecords((singles[0], singles[1])))
        card = score(opened)
    assert (card.missed_waiting, card.missed_not_proposed) == (start.missed_waiting, start.missed_not_proposed)
    assert (card.correct_merges, card.wrong_merges_by_kind) == (0, {"namesakes": 1, "unrelated": 1})
    assert (card.precision, card.f1, card.score) == (0.0, 0.0, 0.0)


def test_accepted_suggestions_are_fixes_and_a_golden_edit_fixes_nothing(work: Path) -> None:
    with Project.open(work) as opened:
        truth = training_truth.truth(opened)
        suggested = opened.conn.execute(
            "SELECT record_id FROM failures WHERE rule = 'phone_format' AND suggestion IS NOT NULL "
            "ORDER BY record_id").fetchall()
        clean = [r for (r,) in suggested if not truth[r].defects][:2]
        for record_id in clean:
            operations.perform(opened, operations.accept_suggestions(opened, "phone_format", record_id))
        nameless = next(r for r in sorted(truth) if truth[r].defects == ("missing_name",))
        partner = next(r for r in sorted(truth) if not truth[r].defects and truth[r].entity != truth[nameless].entity)
        entry = operations.perform(opened, golden_ops.MergeRecords((nameless, partner)))
        golden_id = int(next(iter(entry.after["golden"]))[1:])
        operations.perform(opened, golden_ops.EditGolden(golden_id, "full_name", "Anna Berg"))
        card = score(opened)
    assert (card.fixes, card.fixes_without_defect) == (2, 2)
    assert card.defects_fixed == 0 and card.defects_by_kind["missing_name"]["fixed"] == 0


def test_the_stale_defect_is_judged_on_the_exercise_date(work: Path) -> None:
    with Project.open(work) as opened:
        truth = training_truth.truth(opened)
        stale = next(r for r in sorted(truth) if truth[r].defects == ("stale",))
        operations.perform(opened, operations.FixValue(stale, UPDATED_AT, "2026-02-01"))
        card = score(opened)
    assert card.defects_by_kind["stale"]["fixed"] == 1 and card.defects_fixed == 1


def test_only_a_demo_project_is_scored(tmp_path: Path, build_sample) -> None:
    real = build_sample(tmp_path / "real.steward", validate=False, match=False)
    with Project.open(real, read_only=True) as opened, pytest.raises(NotADemo, match="not a demo project"):
        score(opened)


def test_scoring_can_be_cancelled(demo: Path) -> None:
    def cancel(done: int, total: int) -> None:
        if done == 2:
            raise Cancelled()

    with Project.open(demo, read_only=True) as opened, pytest.raises(Cancelled):
        score(opened, progress=cancel)
