"""Clusters of duplicate records, from scored candidate pairs.

Pairwise scores say "these two look alike"; a steward needs groups. Taking
every connected group of likely pairs as one customer lets a single doubtful
pair chain two families together, so the groups are built on a spanning tree
and its weakest joins are cut by the rules below. Everything is decided from
the arguments alone, in a fixed order, so the same pairs in any order (either
way round) give the same clusters.

1. **Links.** A pair scored at or above ``review`` is a link; weaker pairs are
   ignored. A pair given twice counts with its higher score.
2. **Spanning tree.** Each connected group of links is reduced to its maximum
   spanning tree (ties broken by record ids): every record hangs on its
   strongest path to the others. Only tree links are ever cut, and cutting one
   separates its two sides for good; other links cannot reconnect them.
3. **Joins, strongest first.** Tree links are joined in order of falling
   probability. A join is refused (the tree link is cut) when, checked in order:

   - *cannot-link* (flag ``split_cannot_link``): the two sides hold a pair a
     steward marked as not duplicates. The first join to bring two records
     together is the weakest link on the tree path between them, so this cuts
     exactly that link, however strong the scores are; one cut can keep
     several such pairs apart.
   - *size* (flag ``large``): the cluster would grow beyond ``max_size``
     records. Joining strongest first keeps the best-connected records
     together; a steward cannot check a cluster of hundreds anyway.
   - *chaining* (flag ``split_chain``): the link is below ``auto`` and joins two
     families (sides of two or more records) that are each much better
     connected than the link: the link's doubt, 1 − p, is at least
     ``CHAIN_DOUBT_RATIO`` times the doubt of each family's weakest link. Doubt
     rather than a difference of probabilities, because 0.99 against 0.94 is a
     much bigger gap in evidence than 0.85 against 0.80. A single record may
     always attach (there is no family to protect), links below ``auto`` that
     are about as strong as the families' own are a uniform chain the steward
     should see whole, and links at ``auto`` or above always join: that is the
     strength at which a link is trusted on its own.

4. **Confidence** of a cluster is its weakest tree link: the model is never
   surer that all members are one customer than it is of the doubtful join
   that put them together. A mean of pair scores would let strong pairs hide
   that join, and most pairs inside a cluster were never scored at all.
5. **Status** is ``auto`` only when the cluster has no flag: every tree link is
   at least ``auto`` (otherwise ``weak_link``) and no join that would have
   added to it was refused. A cut means the model linked the cluster to other
   records, which a steward should look at. Everything else is ``review``.
   Flags travel with records: one turned away from a full cluster brings
   ``large`` to any cluster it joins later.

Records left on their own are not returned: there is nothing to merge.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import combinations

from ..gentle_sort import drop, sorted_in_runs

#: A link below ``auto`` separates two families when its doubt (1 − p) is at least this many times theirs.
CHAIN_DOUBT_RATIO = 2.0

WEAK_LINK = "weak_link"
SPLIT_CHAIN = "split_chain"
SPLIT_CANNOT_LINK = "split_cannot_link"
LARGE = "large"

AUTO = "auto"
REVIEW = "review"

Link = tuple[int, int, float]


@dataclass(frozen=True)
class Cluster:
    """Records believed to be one customer, with what a steward needs to judge that belief."""

    members: tuple[int, ...]  # record ids, sorted
    confidence: float  # the probability of weakest_link
    status: str  # AUTO: may be merged without a look; REVIEW: a steward decides
    weakest_link: Link  # the tree link (a, b, p) the cluster hangs on least firmly
    flags: tuple[str, ...]  # sorted; why the status is REVIEW


def find_clusters(
    pairs: Iterable[Link],
    cannot_link: Collection[tuple[int, int]] = (),
    *,
    review: float = 0.80,
    auto: float = 0.98,
    max_size: int = 50,
) -> list[Cluster]:
    """Group scored pairs (a, b, match probability) into clusters of two or more records.

    Returned clusters are sorted by their members, which are sorted too. See
    the module docstring for the rules.
    """
    if not 0.0 <= review <= auto <= 1.0:
        raise ValueError(f"need 0 <= review <= auto <= 1, got review={review}, auto={auto}")
    if max_size < 2:
        raise ValueError(f"max_size must be at least 2, got {max_size}")
    groups = _Groups(_partners(cannot_link))
    links = _links(pairs, review)
    forest = _spanning_forest(links)
    drop(links)
    for a, b, p in forest:
        groups.join(a, b, p, auto=auto, max_size=max_size)
    clusters = [_cluster(ids, groups.weakest[root], groups.flags.get(root, set()), auto)
                for root, ids in groups.members.items()]
    return sorted_in_runs(clusters, key=lambda c: c.members)


class _UnionFind:
    """Disjoint sets with path halving; callers hang the smaller set under the larger,
    which keeps work near-linear over millions of links.

    Roots have no entry, so a record never joined to anything costs nothing,
    which matters with a million records.
    """

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}  # record -> a record nearer its set's root

    def find(self, x: int) -> int:
        parent = self.parent
        up = parent.get(x)
        while up is not None:
            above = parent.get(up)
            if above is None:
                return up
            parent[x] = above
            x = above
            up = parent.get(x)
        return x


class _Groups(_UnionFind):
    """Records joined so far along tree links, strongest first, with what each group's rules need."""

    def __init__(self, banned: dict[int, set[int]]) -> None:
        super().__init__()
        self.members: dict[int, list[int]] = {}  # root -> records, for groups of two or more
        self.weakest: dict[int, Link] = {}
        self.flags: dict[int, set[str]] = {}
        self.banned = banned  # root -> records its group may never hold

    def join(self, a: int, b: int, p: float, *, auto: float, max_size: int) -> None:
        """Join the groups of a and b along their tree link, unless a rule keeps them apart."""
        ra, rb = self.find(a), self.find(b)
        group_a, group_b = self.members.get(ra), self.members.get(rb)
        size_a, size_b = len(group_a) if group_a else 1, len(group_b) if group_b else 1
        reason = self._refusal(ra, rb, size_a, size_b, p, auto=auto, max_size=max_size)
        if reason:
            self.flags.setdefault(ra, set()).add(reason)
            self.flags.setdefault(rb, set()).add(reason)
            return
        if size_a < size_b:
            ra, rb, group_a, group_b = rb, ra, group_b, group_a
        self.parent[rb] = ra
        if group_a is None:
            group_a = self.members[ra] = [ra]
        if group_b is None:
            group_a.append(rb)
        else:
            group_a.extend(self.members.pop(rb))
        self.weakest.pop(rb, None)
        self.weakest[ra] = (a, b, p)  # links arrive strongest first, so the newest is the weakest
        for per_root in (self.flags, self.banned):
            moved = per_root.pop(rb, None) if per_root else None
            if moved:
                kept = per_root.setdefault(ra, set())
                if len(kept) < len(moved):
                    kept, moved = moved, kept
                    per_root[ra] = kept
                kept |= moved

    def _refusal(self, ra: int, rb: int, size_a: int, size_b: int, p: float, *,
                 auto: float, max_size: int) -> str | None:
        """Why the groups rooted at ``ra`` and ``rb`` must stay apart, or None to join them."""
        if self.banned:
            ban_a, ban_b = self.banned.get(ra, ()), self.banned.get(rb, ())
            smaller, other_root = (ban_a, rb) if len(ban_a) <= len(ban_b) else (ban_b, ra)
            if any(self.find(record) == other_root for record in smaller):
                return SPLIT_CANNOT_LINK
        if size_a + size_b > max_size:
            return LARGE
        if p < auto and size_a > 1 and size_b > 1:
            doubt = 1.0 - p
            if all(doubt >= CHAIN_DOUBT_RATIO * (1.0 - self.weakest[root][2]) for root in (ra, rb)):
                return SPLIT_CHAIN
        return None


def pairs_within(clusters: Iterable[Cluster]) -> set[tuple[int, int]]:
    """Every (a, b) with a < b that share a cluster: the pairs a clustering claims, for evaluation."""
    return {pair for c in clusters for pair in combinations(c.members, 2)}


def _links(pairs: Iterable[Link], review: float) -> list[tuple[float, int, int]]:
    """Pairs at or above ``review`` as (−p, low id, high id), sorted: strongest first, ties by ids."""
    links = []
    for a, b, p in pairs:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probability of ({a}, {b}) is {p}, not in [0, 1]")
        if a == b:
            raise ValueError(f"pair ({a}, {b}) joins a record to itself")
        if p >= review:
            links.append((-p, a, b) if a < b else (-p, b, a))
    return sorted_in_runs(links)


def _spanning_forest(links: list[tuple[float, int, int]]) -> list[Link]:
    """Kruskal over links sorted strongest first: the maximum spanning tree of every component."""
    forest = _UnionFind()
    size: dict[int, int] = {}  # root -> records, for trees of two or more
    tree = []
    for neg_p, a, b in links:
        ra, rb = forest.find(a), forest.find(b)
        if ra != rb:
            size_a, size_b = size.pop(ra, 1), size.pop(rb, 1)
            if size_a < size_b:
                ra, rb = rb, ra
            forest.parent[rb] = ra
            size[ra] = size_a + size_b
            tree.append((a, b, -neg_p))
    return tree


def _partners(cannot_link: Collection[tuple[int, int]]) -> dict[int, set[int]]:
    """Each record's cannot-link partners: the records its group may never hold."""
    partners: dict[int, set[int]] = {}
    for a, b in cannot_link:
        if a == b:
            raise ValueError(f"cannot-link pair ({a}, {b}) names one record twice")
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    return partners


def _cluster(ids: list[int], weakest: Link, cuts: set[str], auto: float) -> Cluster:
    flags = cuts | {WEAK_LINK} if weakest[2] < auto else cuts
    return Cluster(
        members=tuple(sorted(ids)),
        confidence=weakest[2],
        status=REVIEW if flags else AUTO,
        weakest_link=weakest,
        flags=tuple(sorted(flags)),
    )
