"""The order-fulfilment physical path in the container engine: Choice -> Parallel -> a Map
over 100 lines (MaxConcurrency 10) -> the 600 s Wait, scaled down by conftest.py -> Shipped."""

from __future__ import annotations

import json
import math
from typing import Any

from sfn_flows.deploy.naming import state_machine_output
from sfn_flows.testing import FlowResult

from .conftest import TIME_SCALE

LINES = [{"sku": f"sku-{n:03d}", "quantity": n % 7 + 1} for n in range(100)]
ORDER = {"order_id": "o-many", "kind": "physical", "lines": LINES, "total_cents": 12_345}


def test_the_deployed_definition_is_time_scaled(sfn_deployed: Any) -> None:
    sfn = sfn_deployed.target.client("stepfunctions")
    arn = sfn_deployed.outputs[state_machine_output("order-fulfilment")]
    states = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["States"]
    assert states["AwaitCourier"]["Seconds"] == math.ceil(600 * TIME_SCALE)
    assert states["PackLines"]["MaxConcurrency"] == 10
    charge = states["ReserveAndCharge"]["Branches"][1]["States"]["ChargePayment"]
    assert charge["Retry"][0]["IntervalSeconds"] == 1  # 2 s scaled, kept at the AWS minimum


def test_a_physical_order_packs_every_line(run_flow: Any) -> None:
    result: FlowResult = run_flow("order-fulfilment", ORDER, timeout=180)
    assert result.succeeded, (result.error, result.cause)
    # The top-level states in order (MiniStack records no states inside the Parallel and the
    # Map, where AWS and the sfn-flows engine do).
    top = ["RouteByKind", "ReserveAndCharge", "PackLines", "AwaitCourier", "CheckPickup", "Shipped"]
    assert [state for state in result.states if state in top] == top
    output = result.output
    assert output["prepared"] == [
        {"reserved": sum(line["quantity"] for line in LINES)},
        {"charged_cents": 12_345},
    ]
    # One packed result per line, in line order, with that line's sku and quantity.
    assert len(output["packed"]) == 100
    assert output["packed"] == [{"sku": line["sku"], "packed": line["quantity"]} for line in LINES]
    assert output["pickup"]["Payload"] == {"order_id": "o-many", "picked_up": True}
