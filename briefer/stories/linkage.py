"""Agglomerative clustering over pair scores: average or complete linkage, stopped at a threshold.

Single linkage (connected components) is what lets a chain of weak links merge different events
(A–B share "Ukraine", B–C share a sanctions paragraph); average linkage asks every pair of the
two groups, on average, to look like one story, complete linkage asks it of the weakest pair.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Literal

Linkage = Literal["average", "complete"]


def cluster(
    n: int,
    score: Callable[[int, int], float],
    threshold: float,
    linkage: Linkage = "average",
) -> list[list[int]]:
    """Groups of ``range(n)``: merge the two most similar groups while their linkage score
    reaches ``threshold``. Ties go to the groups with the smallest members, so the result
    depends on the scores and the order of ``range(n)`` only."""
    if linkage not in ("average", "complete"):
        raise ValueError(f"unknown linkage {linkage!r}: use 'average' or 'complete'")
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    # links[a][b]: sum (average) or minimum (complete) of the pair scores between groups a, b;
    # groups without an entry score 0 between them.
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for i in range(n):
        for j in range(i + 1, n):
            s = score(i, j)
            if s > 0:
                links[i][j] = links[j][i] = s
    heap: list[tuple[float, int, int, int, int]] = []

    def value(a: int, b: int) -> float:
        raw = links[a].get(b, 0.0)
        if linkage == "average":
            return raw / (len(members[a]) * len(members[b]))
        return raw

    def push(a: int, b: int) -> None:
        v = value(a, b)
        if v >= threshold:
            lo, hi = sorted((a, b), key=lambda g: members[g][0])
            heapq.heappush(heap, (-v, members[lo][0], members[hi][0], lo, hi))

    for a in range(n):
        for b in links[a]:
            if a < b:
                push(a, b)
    next_id = n
    while heap:
        _, _, _, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue  # one of them was merged since this entry was pushed
        new = next_id
        next_id += 1
        members[new] = sorted(members.pop(a) + members.pop(b))
        merged: dict[int, float] = {}
        for other in set(links[a]) | set(links[b]):
            if other in (a, b):
                continue
            x, y = links[a].get(other, 0.0), links[b].get(other, 0.0)
            if linkage == "average":
                merged[other] = x + y
            elif other in links[a] and other in links[b]:
                merged[other] = min(x, y)
            # complete linkage: a group with no link to one side scores 0 with the union
        for gone in (a, b):
            for other in links.pop(gone):
                if other in links:
                    links[other].pop(gone, None)
        links[new] = merged
        for other, v in merged.items():
            links[other][new] = v
        for other in merged:
            push(new, other)
    return sorted(members.values())
