"""What the review screens read, checked without a window."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import operations, review
from steward.golden_ops import MergeClusters
from steward.project import Project


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory, build_sample) -> Path:
    return build_sample(tmp_path_factory.mktemp("review") / "p.steward")


def test_the_queue_filters_sorts_and_searches(reviewed: Path) -> None:
    with Project.open(reviewed, read_only=True) as project:
        every = review.cluster_ids(project, "all")
        assert len(every) == project.conn.execute("SELECT COUNT(*) FROM clusters").fetchone()[0] > 0
        auto = review.cluster_ids(project, "auto")
        assert set(auto) <= set(every) and set(review.cluster_ids(project, "to review")).isdisjoint(auto)
        by_confidence = review.summaries(project, review.cluster_ids(project, "all", sort="confidence"))
        assert [s.confidence for s in by_confidence] == sorted(s.confidence for s in by_confidence)
        by_size = review.summaries(project, review.cluster_ids(project, "all", sort="size"))
        assert [s.size for s in by_size] == sorted((s.size for s in by_size), reverse=True)
        first = review.cluster_detail(project, every[0])
        email = next(v for m in first.members if (v := m.values.get("email")))
        found = review.cluster_ids(project, "all", search=email.upper())
        assert every[0] in found and len(found) < len(every)


def test_a_summary_names_the_proposal(reviewed: Path) -> None:
    with Project.open(reviewed, read_only=True) as project:
        summary = review.summaries(project, review.cluster_ids(project, "all")[:1])[0]
        detail = review.cluster_detail(project, summary.id)
        assert summary.name == detail.members[0].values["full_name"] and summary.size == len(detail.members)


def test_the_detail_lines_up_fields_agreement_golden_values_and_failures(reviewed: Path) -> None:
    with Project.open(reviewed, read_only=True) as project:
        cluster_id = next(c for c in review.cluster_ids(project, "all")
                          if review.cluster_detail(project, c).failures)
        detail = review.cluster_detail(project, cluster_id, rule="longest")
        assert detail.rule == "longest" and detail.golden_id is None
        for name in detail.fields:
            values = [m.values.get(name, "") for m in detail.members]
            assert detail.agreement[name] == review.agreement(values)
            longest = max((v for v in values if v.strip()), key=lambda v: len(v.strip()))
            assert len(detail.golden[name].value.strip()) == len(longest.strip())
        ids = {m.record_id for m in detail.members}
        assert detail.failures and all(f.record_id in ids for f in detail.failures)
        picked = detail.members[0]
        name = next(f for f in detail.fields if picked.values.get(f, "").strip())
        again = review.cluster_detail(project, cluster_id, picks={name: picked.record_id})
        assert again.golden[name].reason == "picked" and again.golden[name].record_id == picked.record_id


def test_the_detail_knows_a_merged_proposal(reviewed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.steward"
    with Project.open(reviewed, read_only=True) as project:
        project.save_copy(copy)
    with Project.open(copy) as project:
        cluster_id = review.cluster_ids(project, "auto")[0]
        operations.perform(project, MergeClusters((cluster_id,)))
        assert review.cluster_detail(project, cluster_id).golden_id is not None
        assert cluster_id in review.cluster_ids(project, "done")
        assert review.cluster_detail(project, 10**9) is None


def test_an_explanation_gives_each_fields_level_and_weight(reviewed: Path) -> None:
    with Project.open(reviewed, read_only=True) as project:
        a, b, probability = project.conn.execute(
            "SELECT a, b, probability FROM match_pairs ORDER BY probability DESC LIMIT 1").fetchone()
        parts = review.explanation(project, b, a)
        assert parts and parts[0].weight > 0 and parts[0].level != "different"   # the likeliest pair agrees most
        assert [abs(p.weight) for p in parts] == sorted((abs(p.weight) for p in parts), reverse=True)
        assert review.pair_probability(project, a, b) == probability
        assert review.explanation(project, a, a) == []


@pytest.mark.parametrize("values,expected", [
    (["Anna", " anna "], review.SAME),
    (["Katherine", "Katharine"], review.SIMILAR),
    (["Anna", "Bob"], review.DIFFERENT),
    (["Anna", "", " "], review.MISSING),
])
def test_agreement(values: list[str], expected: str) -> None:
    assert review.agreement(values) == expected
