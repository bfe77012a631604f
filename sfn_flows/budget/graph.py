"""Loop detection and longest path over the state graph, linear in states + edges."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sfn_flows.budget.quantities import as_positive_int, times


@dataclass(frozen=True)
class PathResult:
    seconds: float
    path: tuple[str, ...]
    # Loops without a declared bound: reported, never summed.
    loops: tuple[tuple[str, ...], ...]
    # States reachable from the start, in the order the depth-first search found them.
    reachable: tuple[str, ...]
    # The first state of each loop with a declared bound, and what its further rounds cost.
    repeats: dict[str, float]
    # The states with a declared bound that are in a loop (each bounds the innermost loop
    # through it); a declared state not among them bounds nothing.
    bounds: frozenset[str] = frozenset()


def longest_path(
    start: str,
    costs: Mapping[str, float],
    successors: Mapping[str, Sequence[str]],
    iterations: Mapping[str, object] | None = None,
) -> PathResult:
    """Heaviest path from ``start``, where a path's weight is the sum of its states' costs.

    Every successor must be a key of ``costs``; they are visited in the given order. Every
    edge that closes a cycle (a back edge of the depth-first search) is a loop and is left
    out of the path, so the result is the longest path of the acyclic remainder. A loop one
    of whose states has ``iterations[state] = n`` (the smallest, if several) runs at most n
    times: its first state costs ``(n - 1) x`` the loop's longest body more (``n x`` when the
    loop is also entered past its first state), so every path through the loop pays for the
    further rounds. Back edges to one state close one loop. Other loops are reported, and so
    are the states whose declared bound is in a loop (``bounds``).
    Both passes are iterative: a chain of any length cannot exhaust the recursion limit.
    """
    if start not in costs:
        return PathResult(0.0, (), (), (), {})
    edges = _forward_edges(start, successors)
    order = tuple(reversed(edges.postorder))  # a topological order once back edges are gone
    open_loops, repeats, bounds = _bounded_loops(order, edges, costs, iterations or {})
    if repeats:
        costs = {**costs, **{head: costs[head] + extra for head, extra in repeats.items()}}
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
    return PathResult(best[end], tuple(path), open_loops, edges.preorder, repeats, bounds)


def _bounded_loops(
    order: tuple[str, ...],
    edges: _Edges,
    costs: Mapping[str, float],
    iterations: Mapping[str, object],
) -> tuple[tuple[tuple[str, ...], ...], dict[str, float], frozenset[str]]:
    """The loops left unbounded, the extra cost at the head of each bounded one, and the
    declared states that are in a loop."""
    declared = {
        state: count
        for state in edges.preorder
        if (count := as_positive_int(iterations.get(state))) is not None
    }
    if not declared or not edges.loops:
        return edges.loops, {}, frozenset()
    rank = {node: index for index, node in enumerate(order)}
    backward: dict[str, list[str]] = {node: [] for node in edges.forward}
    for node, targets in edges.forward.items():
        for target in targets:
            backward[target].append(node)
    # Edges back to one head close one loop (a Choice with two ways back to the poll's Wait
    # runs one poll loop): its states are every state on a path from the head round to any
    # of those edges, not only the cycle the search happened to find first.
    groups: dict[str, list[tuple[str, ...]]] = {}
    for loop in edges.loops:
        groups.setdefault(loop[0], []).append(loop)
    # A cycle can run through the back edge of another loop (F -> D -> C -> G -> F, where
    # C -> G closes a loop of its own): bodies are read on every edge, back edges included,
    # as the states from the head round to its back edges that do not pass the head again.
    every_forward: dict[str, list[str]] = {node: list(t) for node, t in edges.forward.items()}
    every_backward: dict[str, list[str]] = {node: list(s) for node, s in backward.items()}
    for loop in edges.loops:
        every_forward[loop[-1]].append(loop[0])
        every_backward[loop[0]].append(loop[-1])
    bodies = {
        head: _reach(head, every_forward)
        & ({head} | _reach_avoiding([loop[-1] for loop in loops], head, every_backward))
        for head, loops in groups.items()
    }
    # A declaration belongs to the innermost loop through its state (the smallest; every one
    # of them on a tie): an outer loop's states include those of the loops inside it.
    innermost: dict[str, int] = {}
    for body in bodies.values():
        for state in body & declared.keys():
            innermost[state] = min(innermost.get(state, len(body)), len(body))
    bounded: list[tuple[str, int]] = []
    unbounded: list[tuple[str, ...]] = []
    for head, loops in groups.items():
        body = bodies[head]
        counts = [declared[s] for s in body & declared.keys() if innermost[s] == len(body)]
        if counts:
            bounded.append((head, min(counts)))
        else:
            unbounded.extend(loops)
    repeats: dict[str, float] = {}
    weights = dict(costs)
    # Inner loops first (their heads come later in topological order), so an outer loop's
    # body already includes the rounds of the loops inside it.
    for head, count in sorted(bounded, key=lambda item: -rank[item[0]]):
        body = bodies[head]
        round_seconds = max(
            _heaviest_to(head, loop[-1], order, rank, edges.forward, weights, costs[head])
            for loop in groups[head]
        )
        # Entered only at its head, the path already holds one round; entered elsewhere too
        # (a jump into the middle), it may also hold part of a round before the first full one.
        entered_inside = any(
            source not in body for state in body - {head} for source in backward[state]
        )
        further = count if entered_inside else count - 1
        repeats[head] = repeats.get(head, 0.0) + times(round_seconds, further)
        weights[head] = costs[head] + repeats[head]
    return tuple(unbounded), repeats, frozenset(innermost)


def _reach(start: str, edges: Mapping[str, Sequence[str]]) -> set[str]:
    seen = {start}
    pending = [start]
    while pending:
        for target in edges[pending.pop()]:
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _reach_avoiding(
    starts: Sequence[str], avoid: str, edges: Mapping[str, Sequence[str]]
) -> set[str]:
    """What `starts` reach along `edges` without passing through `avoid`."""
    seen = {start for start in starts if start != avoid}
    pending = list(seen)
    while pending:
        for target in edges[pending.pop()]:
            if target != avoid and target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _heaviest_to(
    head: str,
    tail: str,
    order: tuple[str, ...],
    rank: Mapping[str, int],
    forward: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    head_cost: float,
) -> float:
    """Heaviest acyclic path from ``head`` to ``tail``: one round of the loop they close."""
    best = {head: head_cost}
    for node in order[rank[head] :]:
        if node not in best:
            continue
        if node == tail:
            break
        for target in forward[node]:
            candidate = best[node] + weights[target]
            if target not in best or candidate > best[target]:
                best[target] = candidate
    return best.get(tail, 0.0)


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
