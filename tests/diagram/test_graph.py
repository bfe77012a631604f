"""The pure Graph of a definition: what is drawn, where, and in which order."""

from __future__ import annotations

from sfn_flows.diagram.graph import FINISH, START, build_graph, nesting
from sfn_flows.validate import validate_definition
from tests.diagram.machines import HOSTILE_NAMES, hostile_definition, nested_definition


def test_the_example_definitions_are_valid_asl() -> None:
    for definition in (nested_definition(), hostile_definition()):
        errors = [p for p in validate_definition(definition) if p.severity == "error"]
        assert errors == []


def test_every_state_is_a_node_with_its_type_and_details() -> None:
    graph = build_graph(nested_definition())
    by_state = {node.state: node for node in graph.nodes.values() if node.state}
    assert set(by_state) == {
        "Route", "Both", "Fast", "Prepare", "EachItem", "Item", "Nap", "Finish", "Done",
        "Rejected",
    }  # fmt: skip
    assert by_state["Fast"].kind == "Task"
    assert by_state["Fast"].details == ("lambda:invoke", "timeout 5 s")
    assert by_state["Nap"].details == ("wait 600 s",)
    assert by_state["Rejected"].details == ("Fail: Rejected",)
    assert by_state["Both"].details == ("Parallel, 2 branches",)
    assert by_state["EachItem"].details == ("Map",)
    assert graph.state_nodes["Route"] == by_state["Route"].id


def test_task_details_name_the_integration_and_every_limit() -> None:
    graph = build_graph(
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:charge",
                    "TimeoutSecondsPath": "$.limit",
                    "HeartbeatSeconds": 20,
                    "Next": "B",
                },
                "B": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {},
                    "End": True,
                },
            },
        }
    )
    a, b = (graph.nodes[graph.state_nodes[n]] for n in "AB")
    assert a.details == ("function charge", "timeout at $.limit, heartbeat 20 s")
    assert b.details == ("sqs:sendMessage.waitForTaskToken", "timeout none")


def test_parallel_branches_and_map_processors_are_nested_clusters() -> None:
    graph = build_graph(nested_definition())
    clusters = {c.id: c for c in graph.clusters.values()}
    opened = [(ident, depth) for what, ident, depth in nesting(graph) if what == "open"]
    titles = [(clusters[ident].title, depth) for ident, depth in opened]
    assert titles == [
        ("in parallel", 0),
        ("branch 1", 1),
        ("branch 2", 1),
        ("for each item, 2 at once", 2),
    ]
    parallel, _, slow, each = (ident for ident, _ in opened)
    members = {ident: graph.members[ident] for ident in clusters}
    node = graph.state_nodes
    # The head first, the branches, the join point last.
    assert members[parallel][0] == node["Both"]
    assert graph.nodes[members[parallel][-1]].kind == "join"
    assert members[slow] == (node["Prepare"], each)
    assert members[each][:2] == (node["EachItem"], node["Item"])
    assert graph.nodes[members[each][-1]].kind == "join"


def test_edges_are_transitions_rules_defaults_catches_retries_and_joins() -> None:
    graph = build_graph(nested_definition())
    node = graph.state_nodes
    found = {(e.kind, e.from_state, e.to_state): e for e in graph.edges}
    assert found[("start", None, "Route")].source == START
    rule = found[("choice", "Route", "Both")]
    assert rule.label == ('$.kind == "big" and $.size > 10',)
    assert found[("choice", "Route", "Nap")].label == ("$.coupon is present",)
    assert found[("default", "Route", "Rejected")].label == ("otherwise",)
    # A Parallel's Next and Catch leave from its join point, its Retry loops on its head.
    leave = found[("next", "Both", "Nap")]
    assert graph.nodes[leave.source].kind == "join"
    assert found[("catch", "Both", "Rejected")].source == leave.source
    assert found[("catch", "Both", "Rejected")].label == ("catch States.ALL",)
    assert found[("retry", "Both", "Both")].source == node["Both"]
    assert found[("retry", "Both", "Both")].label == ("retry States.TaskFailed x1",)
    # MaxAttempts 0 never retries: not drawn.
    assert found[("retry", "Finish", "Finish")].label == ("retry Busy x2",)
    assert found[("branch", "Both", "Fast")].source == node["Both"]
    assert found[("branch", "EachItem", "Item")].source == node["EachItem"]
    # A branch's last state goes to its Parallel's join; the machine's to the end.
    assert found[("join", "Fast", "Both")].target == leave.source
    assert found[("join", "EachItem", "Both")].target == leave.source
    assert graph.nodes[found[("join", "Item", "EachItem")].target].kind == "join"
    assert found[("end", "Done", None)].target == FINISH
    assert ("end", "Rejected", None) not in found  # a Fail ends nothing well


def test_the_graph_is_the_same_every_time() -> None:
    assert build_graph(nested_definition()) == build_graph(nested_definition())
    assert build_graph(hostile_definition()) == build_graph(hostile_definition())


def test_ids_never_come_from_state_names() -> None:
    graph = build_graph(hostile_definition())
    for ident in [*graph.nodes, *graph.clusters]:
        assert ident.isascii() and ident.replace("_", "").isalnum(), ident
    titles = {node.title for node in graph.nodes.values()}
    assert set(HOSTILE_NAMES) <= titles


def test_a_transition_to_a_missing_state_is_left_out_not_fatal() -> None:
    graph = build_graph(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": "junk"}}
    )
    assert [e.kind for e in graph.edges] == ["start"]
