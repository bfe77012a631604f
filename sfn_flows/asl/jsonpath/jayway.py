"""A path's segments as Jayway, the JSONPath engine AWS runs, prints them in its messages."""

from __future__ import annotations

from sfn_flows.asl.jsonpath.segments import (
    Field,
    Filter,
    Index,
    Script,
    Segment,
    Slice,
    Wildcard,
)


def jayway_fragment(segment: Segment) -> str:
    """One segment in Jayway's bracket notation: ``['a']``, ``[0]``, ``[*]``, ``..['a']``."""
    if isinstance(segment, Field):
        return "[" + ",".join(f"'{name}'" for name in segment.names) + "]"
    if isinstance(segment, Index):
        return "[" + ",".join(str(i) for i in segment.indexes) + "]"
    if isinstance(segment, Slice):
        start = "" if segment.start is None else str(segment.start)
        stop = "" if segment.stop is None else str(segment.stop)
        return f"[{start}:{stop}]"
    if isinstance(segment, Wildcard):
        return "[*]"
    if isinstance(segment, Filter):
        return "[?]"
    if isinstance(segment, Script):
        return f"[({segment.expression})]"
    return ".." + jayway_fragment(segment.selector)
