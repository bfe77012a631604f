"""Timeout budget: the worst-case duration of an Amazon States Language definition.

``compute_budget(definition, map_max_items=..., loop_max_iterations=...)`` takes a definition
as a plain dict (already parsed JSON) and returns a :class:`Budget`. It is a pure function
that never raises: whatever it cannot understand (wrong types, unknown targets, random JSON)
is reported as :class:`Unbounded` with a JSON pointer, the state name and a reason, and
counts 0 seconds.
``Budget.seconds`` is therefore the worst case of the bounded parts only; ``Budget.bounded``
says whether that number is a true upper bound.

Rules
-----
Task
    Cost is ``TimeoutSeconds`` (a positive integer). ``TimeoutSecondsPath``, a JSONata
    ``"{% ... %}"`` TimeoutSeconds, or no timeout at all is unbounded.
Retry (Task, Parallel, Map)
    Each retrier counts its attempts independently, so in the worst case every retrier is
    exhausted: ``attempts = 1 + sum(MaxAttempts_i)`` and
    ``waits = sum_i sum_{k < MaxAttempts_i} min(IntervalSeconds_i * BackoffRate_i**k,
    MaxDelaySeconds_i or inf)``; cost = ``attempts * body + waits``. Defaults are MaxAttempts 3
    (0 = never retries), IntervalSeconds 1, BackoffRate 2.0, no MaxDelaySeconds; a value AWS
    refuses (``asl.retry``: BackoffRate below 1.0, an integer out of range) leaves the
    retrier unbounded. JitterStrategy FULL draws each delay between 0 and the computed delay,
    so its bound equals NONE. Retriers whose ErrorEquals names only errors nothing matches
    (``States.Runtime``, an unknown ``States.*`` name: ``asl.error_names``) never fire and are
    ignored; ``States.DataLimitExceeded`` counts, as AWS retries and catches it.
Wait
    ``Seconds`` (integer) costs that many seconds. ``Timestamp``, ``SecondsPath``,
    ``TimestampPath`` or a JSONata ``Seconds`` are unbounded.
Pass, Choice, Succeed, Fail
    0 seconds.
Parallel
    Body is the maximum over ``Branches`` of each branch's own budget; problems and loops
    inside branches propagate with pointers such as ``/States/P/Branches/0/States/X``.
Map (``ItemProcessor`` or legacy ``Iterator``)
    Per item: the budget of the processor machine. Items: ``map_max_items[name]`` if given,
    else ``ItemReader.ReaderConfig.MaxItems`` if a positive integer, else unbounded.
    Iterations: ``ceil(items / ItemBatcher.MaxItemsPerBatch)``, except that a batch byte limit
    (``MaxInputBytesPerBatch[Path]``) may shrink batches to one item, so then iterations =
    items. Concurrency: a positive ``MaxConcurrency``, capped at the service limit; when 0 or
    absent the service limit itself, 40 for inline Maps and 10,000 for
    ``ProcessorConfig.Mode == "DISTRIBUTED"``; ``MaxConcurrencyPath`` or an unreadable value
    counts as 1, the slowest possible. Body = ``per_item * ceil(iterations / concurrency)``.
Transitions
    Next, then Choices[i].Next in order, then Default, then Catch[i].Next in order, read from
    the fields whatever the state's Type (``asl.scopes.transitions``). A Catch
    edge leaves after the full cost of the state, retries included. A transition to a missing
    state or to a non-string is unbounded.
Graph
    Longest path from StartAt. A depth-first search in the edge order above finds every
    edge that closes a cycle (a loop: the cycle's states in order) and leaves it out of the
    path. A loop with a state named in ``loop_max_iterations`` (value n, a positive integer;
    the smallest if several; any state on a path round the loop, which counts for the
    innermost loop through it) runs at most n times: its first state costs ``(n - 1) x`` the
    longest path round the loop more (inner loops counted first, so nested loops multiply;
    ``n x`` for a loop also entered past its first state, where a path may begin with part
    of a round), and ``state_seconds`` of that first state includes it. Edges back to one
    state close one loop. Other loops are reported, never summed; ``loop_bounds`` lists the
    named states that are in a loop (a name elsewhere bounds nothing). Both passes are iterative
    and linear in states + edges. States that cannot be reached from StartAt never run: they get a
    ``state_seconds`` entry but contribute no problems. Sub-machines nested more than 40 deep
    are unbounded rather than analysed.

Results are deterministic: the same input gives an equal :class:`Budget` with the same
tuple orders.
"""

from sfn_flows.budget.machine import compute_budget
from sfn_flows.budget.model import Budget, Unbounded

__all__ = ["Budget", "Unbounded", "compute_budget"]
