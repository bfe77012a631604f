"""Loop detection and longest path over the state graph, linear in states + edges."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PathResult:
    seconds: float
    path: tuple[str, ...]
    loops: tuple[tuple[str, ...], ...]
    # States reachable from the start, in the order the depth-first search found them.
    reachable: tuple[str, ...]


def longest_path(
    start: str,
    costs: Mapping[str, float],
    successors: Mapping[str, Sequence[str]],
) -> PathResult:
    """Heaviest path from ``start``, where a path's weight is the sum of its states' costs.

    Every successor must be a key of ``costs``; they are visited in the given order. Every
    edge that closes a cycle (a back edge of the depth-first search) is reported as a loop
    and left out of the path, so the result is the longest path of the acyclic remainder.
    Both passes are iterative: a chain of any length cannot exhaust the recursion limit.
    """
    if start not in costs:
        return PathResult(0.0, (), (), ())
    edges = _forward_edges(start, successors)
    order = tuple(reversed(edges.postorder))  # a topological order once back edges are gone
    best: dict[str, float] = {start: costs[start]}
    previous: dict[str, str] = {}
    for node in order:
        reached = best[node]
        for target in edges.forward[node]:
            candidate = reached + costs[target]
            # Strictly greater keeps the first-found path on ties, so output is deterministic.
            if target not in best or candidate > best[target]:
                best[target] = candidate
                previous[target] = node
    end = _heaviest_sink(order, edges.forward, best)
    path = [end]
    while path[-1] in previous:
        path.append(previous[path[-1]])
    path.reverse()
    return PathResult(best[end], tuple(path), edges.loops, edges.preorder)


def _heaviest_sink(
    order: Sequence[str], forward: Mapping[str, Sequence[str]], best: Mapping[str, float]
) -> str:
    # Costs are never negative, so some sink is as heavy as any node; ending on a sink
    # keeps zero-cost terminal states (Succeed, Fail) on the critical path.
    end = ""
    for node in order:
        if not forward[node] and (not end or best[node] > best[end]):
            end = node
    return end


@dataclass(frozen=True)
class _Edges:
    forward: dict[str, tuple[str, ...]]
    loops: tuple[tuple[str, ...], ...]
    preorder: tuple[str, ...]
    postorder: tuple[str, ...]


def _forward_edges(start: str, successors: Mapping[str, Sequence[str]]) -> _Edges:
    forward: dict[str, tuple[str, ...]] = {}
    loops: list[tuple[str, ...]] = []
    preorder: list[str] = []
    postorder: list[str] = []
    # The DFS path as a list, plus each node's position in it for O(1) "is on path".
    path: list[str] = []
    position: dict[str, int] = {}
    pending: list[Iterator[str]] = []
    kept: dict[str, list[str]] = {}

    def enter(node: str) -> None:
        # Two edges to one target (e.g. Next and a Catch) are one edge for path and loops.
        pending.append(iter(dict.fromkeys(successors.get(node, ()))))
        kept[node] = []
        position[node] = len(path)
        path.append(node)
        preorder.append(node)

    enter(start)
    while path:
        node = path[-1]
        for target in pending[-1]:
            if target in position:
                loops.append(tuple(path[position[target] :]))
                continue
            kept[node].append(target)
            if target not in kept:
                enter(target)
                break
        else:
            path.pop()
            pending.pop()
            del position[node]
            postorder.append(node)
            forward[node] = tuple(kept[node])
    return _Edges(forward, tuple(loops), tuple(preorder), tuple(postorder))
