"""Clustering: the rules pinned on small graphs, and what must hold for any input (property)."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from hypothesis import given, settings, strategies as st

from steward.matching.clustering import (
    AUTO, LARGE, REVIEW, SPLIT_CANNOT_LINK, SPLIT_CHAIN, WEAK_LINK, Cluster, find_clusters, pairs_within,
)


def triangle(x, y, z, p):
    return [(x, y, p), (y, z, p), (x, z, p)]


def chain(probabilities, start=1):
    return [(start + i, start + i + 1, p) for i, p in enumerate(probabilities)]


def groups(clusters):
    return [c.members for c in clusters]


def test_single_strong_pair():
    assert find_clusters([(2, 1, 0.99)]) == [
        Cluster(members=(1, 2), confidence=0.99, status=AUTO, weakest_link=(1, 2, 0.99), flags=()),
    ]


def test_star_keeps_every_leaf_and_hangs_on_its_weakest_spoke():
    [star] = find_clusters([(1, 2, 0.99), (1, 3, 0.9), (1, 4, 0.85), (5, 1, 0.81)])
    assert star == Cluster(members=(1, 2, 3, 4, 5), confidence=0.81, status=REVIEW,
                           weakest_link=(1, 5, 0.81), flags=(WEAK_LINK,))


def test_strong_chain_is_one_cluster():
    assert find_clusters(chain([0.99, 0.99, 0.99])) == [
        Cluster(members=(1, 2, 3, 4), confidence=0.99, status=AUTO, weakest_link=(3, 4, 0.99), flags=()),
    ]


def test_uniform_moderate_chain_is_one_cluster_for_review():
    [whole] = find_clusters(chain([0.91, 0.90, 0.92]))
    assert whole.members == (1, 2, 3, 4)
    assert (whole.status, whole.weakest_link, whole.flags) == (REVIEW, (2, 3, 0.90), (WEAK_LINK,))


def test_weak_middle_of_a_chain_is_cut_between_two_strong_pairs():
    clusters = find_clusters(chain([0.99, 0.85, 0.99]))
    assert groups(clusters) == [(1, 2), (3, 4)]
    assert all(c.flags == (SPLIT_CHAIN,) and c.status == REVIEW for c in clusters)


def test_two_dense_families_joined_by_one_weak_link_are_split_and_flagged():
    clusters = find_clusters(triangle(1, 2, 3, 0.99) + triangle(4, 5, 6, 0.99) + [(3, 4, 0.85)])
    assert groups(clusters) == [(1, 2, 3), (4, 5, 6)]
    assert [(c.confidence, c.status, c.flags) for c in clusters] == [(0.99, REVIEW, (SPLIT_CHAIN,))] * 2


def test_two_families_joined_by_a_link_of_auto_strength_are_one_cluster():
    [whole] = find_clusters(triangle(1, 2, 3, 0.99) + triangle(4, 5, 6, 0.99) + [(3, 4, 0.99)])
    assert (whole.members, whole.status, whole.flags) == ((1, 2, 3, 4, 5, 6), AUTO, ())


@pytest.mark.parametrize("family,link,split", [
    (0.95, 0.85, True),  # doubt 0.15 is three times the families' 0.05
    (0.90, 0.85, False),  # 0.15 against 0.10: about as strong, one chain for review
])
def test_families_are_split_only_when_the_link_is_much_weaker(family, link, split):
    clusters = find_clusters(triangle(1, 2, 3, family) + triangle(4, 5, 6, family) + [(3, 4, link)])
    assert groups(clusters) == ([(1, 2, 3), (4, 5, 6)] if split else [(1, 2, 3, 4, 5, 6)])


def test_loose_family_keeps_its_weak_link_to_a_strong_one():
    [whole] = find_clusters(triangle(1, 2, 3, 0.99) + triangle(4, 5, 6, 0.90) + [(3, 4, 0.85)])
    assert whole.members == (1, 2, 3, 4, 5, 6)
    assert whole.flags == (WEAK_LINK,)


def test_cannot_link_inside_a_strong_triangle_keeps_the_pair_apart():
    [kept] = find_clusters([(1, 2, 0.995), (2, 3, 0.99), (1, 3, 0.985)], cannot_link=[(3, 1)])
    assert kept == Cluster(members=(1, 2), confidence=0.995, status=REVIEW,
                           weakest_link=(1, 2, 0.995), flags=(SPLIT_CANNOT_LINK,))


def test_cannot_link_across_a_long_chain_cuts_its_weakest_link():
    links = chain([0.995, 0.995, 0.995, 0.995, 0.995, 0.985, 0.995, 0.995, 0.995])
    clusters = find_clusters(links, cannot_link={(1, 10)})
    assert groups(clusters) == [(1, 2, 3, 4, 5, 6), (7, 8, 9, 10)]
    assert all(c.flags == (SPLIT_CANNOT_LINK,) for c in clusters)


def test_cannot_links_in_a_chain_cut_only_as_many_links_as_needed():
    links = chain([0.95, 0.93, 0.96, 0.92, 0.97, 0.94, 0.91, 0.96, 0.95])
    assert groups(find_clusters(links)) == [tuple(range(1, 11))]
    # 1–10 alone would cut 7–8 (0.91); 2–5 cuts 4–5 (0.92) first, which already parts 1 from 10.
    clusters = find_clusters(links, cannot_link=[(1, 10), (2, 5)])
    assert groups(clusters) == [(1, 2, 3, 4), (5, 6, 7, 8, 9, 10)]


def test_pairs_below_review_are_ignored():
    assert find_clusters([(1, 2, 0.79)]) == []
    assert groups(find_clusters([(1, 2, 0.80)])) == [(1, 2)]
    clusters = find_clusters(triangle(1, 2, 3, 0.99) + triangle(4, 5, 6, 0.99) + [(3, 4, 0.5)])
    assert [(c.members, c.status) for c in clusters] == [((1, 2, 3), AUTO), ((4, 5, 6), AUTO)]


def test_thresholds_are_inclusive_and_can_be_chosen():
    assert find_clusters([(1, 2, 0.98)])[0].status == AUTO
    assert find_clusters([(1, 2, 0.98)], auto=0.99)[0].status == REVIEW
    assert find_clusters([(1, 2, 0.6)], review=0.5, auto=0.6)[0].status == AUTO


def test_a_pair_given_twice_counts_with_its_higher_score():
    [pair] = find_clusters([(1, 2, 0.85), (2, 1, 0.99)])
    assert (pair.confidence, pair.status) == (0.99, AUTO)


def test_large_star_keeps_its_strongest_spokes():
    spokes = [(0, leaf, 0.999 - leaf / 10_000) for leaf in range(1, 61)]
    [kept] = find_clusters(spokes)
    assert kept.members == tuple(range(50))
    assert (kept.status, kept.flags) == (REVIEW, (LARGE,))


def test_size_limit_joins_strongest_first():
    clusters = find_clusters(chain([0.999, 0.998, 0.997, 0.996]), max_size=3)
    assert groups(clusters) == [(1, 2, 3), (4, 5)]
    assert all(c.flags == (LARGE,) for c in clusters)


@pytest.mark.parametrize("pairs,cannot_link,options", [
    ([(1, 2, 1.5)], (), {}),
    ([(1, 2, -0.1)], (), {}),
    ([(3, 3, 0.9)], (), {}),
    ([(1, 2, 0.9)], [(4, 4)], {}),
    ([(1, 2, 0.9)], (), {"review": 0.9, "auto": 0.8}),
    ([(1, 2, 0.9)], (), {"max_size": 1}),
])
def test_nonsense_input_is_refused(pairs, cannot_link, options):
    with pytest.raises(ValueError):
        find_clusters(pairs, cannot_link, **options)


def test_pairs_within_lists_every_pair_sharing_a_cluster():
    clusters = find_clusters(triangle(1, 2, 3, 0.99) + [(8, 7, 0.9)])
    assert pairs_within(clusters) == {(1, 2), (1, 3), (2, 3), (7, 8)}
    assert pairs_within([]) == set()


def check_invariants(clusters, pairs, cannot_link, *, review=0.80, auto=0.98, max_size=50):
    """What every clustering must satisfy, whatever the scores."""
    seen: set[int] = set()
    for c in clusters:
        assert 2 <= len(c.members) <= max_size
        assert list(c.members) == sorted(set(c.members))
        assert seen.isdisjoint(c.members)
        seen.update(c.members)
        assert c.confidence == c.weakest_link[2] >= review
        assert {c.weakest_link[0], c.weakest_link[1]} <= set(c.members)
        assert list(c.flags) == sorted(set(c.flags))
        assert (c.status == AUTO) == (c.flags == ())
        assert (WEAK_LINK in c.flags) == (c.confidence < auto)
    together = pairs_within(clusters)
    assert not {(min(a, b), max(a, b)) for a, b in cannot_link} & together
    linked = {(min(a, b), max(a, b)) for a, b, p in pairs if p >= review}
    for c in clusters:  # every cluster is connected by its own links
        reached, todo = {c.members[0]}, [c.members[0]]
        while todo:
            x = todo.pop()
            for y in c.members:
                if y not in reached and (min(x, y), max(x, y)) in linked:
                    reached.add(y)
                    todo.append(y)
        assert reached == set(c.members)
    assert sorted(clusters, key=lambda c: c.members) == clusters


IDS = st.integers(0, 12)
PROBABILITIES = st.one_of(st.sampled_from([0.5, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.0]), st.floats(0, 1))
PAIRS = st.lists(st.tuples(IDS, IDS, PROBABILITIES).filter(lambda t: t[0] != t[1]), max_size=40)
CANNOT = st.lists(st.tuples(IDS, IDS).filter(lambda t: t[0] != t[1]), max_size=4)


@settings(max_examples=300, deadline=None)
@given(PAIRS, CANNOT, st.integers(2, 6), st.data())
def test_any_order_gives_the_same_clusters_and_rules_always_hold(pairs, cannot_link, max_size, data):
    clusters = find_clusters(pairs, cannot_link, max_size=max_size)
    check_invariants(clusters, pairs, cannot_link, max_size=max_size)
    flips = data.draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    reordered = data.draw(st.permutations([(b, a, p) if flip else (a, b, p) for (a, b, p), flip in zip(pairs, flips)]))
    reversed_cannot = [(b, a) for a, b in reversed(cannot_link)]
    assert find_clusters(reordered, reversed_cannot, max_size=max_size) == clusters


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(IDS, IDS, st.floats(0.98, 1)).filter(lambda t: t[0] != t[1]), max_size=30))
def test_strong_links_alone_give_the_connected_components(pairs):
    components: list[set[int]] = []
    for a, b, _ in pairs:
        touching = [c for c in components if a in c or b in c]
        components = [c for c in components if c not in touching] + [set().union({a, b}, *touching)]
    clusters = find_clusters(pairs, max_size=100)
    assert groups(clusters) == sorted(tuple(sorted(c)) for c in components)
    assert all(c.status == AUTO for c in clusters)


def test_two_hundred_thousand_pairs_over_a_hundred_thousand_records():
    rng = random.Random(7)
    pairs = []
    while len(pairs) < 200_000:
        a, b = rng.randrange(100_000), rng.randrange(100_000)
        if a != b:
            pairs.append((a, b, rng.random()))
    cannot_link = [(a, b) for a, b, p in pairs[:2_000] if p >= 0.8]
    clusters = find_clusters(pairs, cannot_link)
    assert clusters
    seen: set[int] = set()
    for c in clusters:
        assert 2 <= len(c.members) <= 50 and seen.isdisjoint(c.members)
        seen.update(c.members)
    assert not {(min(a, b), max(a, b)) for a, b in cannot_link} & pairs_within(clusters)
