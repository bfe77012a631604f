"""Workers of the order-fulfilment workflow. Deterministic stand-ins for inventory, payment
and shipping services, so the flow runs end to end without external systems."""

from __future__ import annotations

from typing import Any


class PaymentDeclined(Exception):
    """Raised for orders whose total is negative or marked declined; not retried."""


class PaymentProviderBusy(Exception):
    """A transient refusal; the workflow retries ChargePayment on it."""


# Orders marked busy_once that were refused already. A warm Lambda keeps its module between
# invocations, as the engines keep a handler's: the retry of the same order is accepted.
_REFUSED_ONCE: set[str] = set()


def reserve_stock(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    lines = event.get("lines", [])
    return {"reserved": sum(int(line.get("quantity", 0)) for line in lines)}


def charge_payment(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    total = int(event.get("total_cents", 0))
    order_id = str(event.get("order_id"))
    if event.get("busy_once") and order_id not in _REFUSED_ONCE:
        # Demonstrates the retrier: the first attempt for an order is refused, the next works.
        _REFUSED_ONCE.add(order_id)
        raise PaymentProviderBusy("the payment provider is busy; try again")
    if total < 0 or event.get("decline"):
        raise PaymentDeclined(f"payment of {total} cents declined")
    return {"charged_cents": total}


def pack_line(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    return {"sku": event.get("sku"), "packed": int(event.get("quantity", 0))}


def check_pickup(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    return {"order_id": event.get("order_id"), "picked_up": True}
