"""A richer flow: route by order kind (Choice), reserve stock and charge at once (Parallel),
pack every line (Map), and give the courier time before checking the pickup (Wait)."""

from pydantic import BaseModel, Field

from sfn_flows import (
    Choice,
    Fail,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Parallel,
    Pass,
    Succeed,
    Wait,
    Workflow,
)
from sfn_flows import (
    conditions as c,
)


class OrderLine(BaseModel):
    sku: str = Field(min_length=1)
    quantity: int = Field(ge=1, le=1000)


class Order(BaseModel):
    order_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(pattern=r"^(physical|digital)$")
    lines: list[OrderLine] = Field(min_length=1, max_length=100)
    total_cents: int = Field(ge=0)


reserve_fn = LambdaFunction("ReserveStock", handler="orders.reserve_stock", timeout_seconds=20)
charge_fn = LambdaFunction("ChargePayment", handler="orders.charge_payment", timeout_seconds=20)
pack_fn = LambdaFunction("PackLine", handler="orders.pack_line", timeout_seconds=20)
pickup_fn = LambdaFunction("CheckPickup", handler="orders.check_pickup", timeout_seconds=10)

reserve = LambdaInvoke("ReserveStock", function=reserve_fn, timeout_seconds=20)
charge = LambdaInvoke("ChargePayment", function=charge_fn, timeout_seconds=20).add_retry(
    ["PaymentProviderBusy"], interval_seconds=2, max_attempts=2, backoff_rate=2.0
)
prepare = Parallel("ReserveAndCharge", branches=[reserve, charge], result_path="$.prepared")

pack = Map(
    "PackLines",
    processor=LambdaInvoke("PackLine", function=pack_fn, timeout_seconds=20),
    items_path="$.lines",
    max_concurrency=10,
    max_items=100,
    result_path="$.packed",
)
await_courier = Wait("AwaitCourier", seconds=600)
check_pickup = LambdaInvoke(
    "CheckPickup", function=pickup_fn, timeout_seconds=10, result_path="$.pickup"
)
shipped = Succeed("Shipped")
delivered = Pass(
    "DeliverDigital", parameters={"order_id.$": "$.order_id", "delivered": True}
) >> Succeed("Delivered")
rejected = Fail("Rejected", error="OrderRejected", cause="The order kind is not supported")
payment_failed = Fail("PaymentFailed", error="PaymentFailed", cause="Stock or payment failed")

prepare.add_catch(payment_failed)
route = (
    Choice("RouteByKind")
    .when(
        c.string_equals("$.kind", "physical") & c.numeric_greater_than("$.total_cents", 0), prepare
    )
    .when(c.string_equals("$.kind", "digital"), delivered)
    .otherwise(rejected)
)
prepare >> pack >> await_courier >> check_pickup >> shipped

order_fulfilment = Workflow(
    name="order-fulfilment",
    comment="Route, prepare, pack and ship an order",
    start=route,
    timeout_seconds=3600,
    default_task_timeout=30,
    input_model=Order,
)
