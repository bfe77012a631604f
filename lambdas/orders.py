"""Workers of the order-fulfilment workflow. Deterministic stand-ins for inventory, payment
and shipping services, so the flow runs end to end without external systems."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any


class PaymentDeclined(Exception):
    """Raised for orders whose total is negative or marked declined; not retried."""


class PaymentProviderBusy(Exception):
    """A transient refusal; the workflow retries ChargePayment on it."""


def reserve_stock(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    lines = event.get("lines", [])
    return {"reserved": sum(int(line.get("quantity", 0)) for line in lines)}


def charge_payment(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    total = int(event.get("total_cents", 0))
    if event.get("busy_once"):
        # Demonstrates the retrier: the first attempt for an order is refused, the next works.
        marker = Path(tempfile.gettempdir()) / f"payment-busy-{event.get('order_id')}"
        if not marker.exists():
            marker.touch()
            raise PaymentProviderBusy("the payment provider is busy; try again")
    if total < 0 or event.get("decline"):
        raise PaymentDeclined(f"payment of {total} cents declined")
    return {"charged_cents": total}


def pack_line(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    return {"sku": event.get("sku"), "packed": int(event.get("quantity", 0))}


def check_pickup(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    return {"order_id": event.get("order_id"), "picked_up": True}
