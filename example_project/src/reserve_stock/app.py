"""The reserve-stock Lambda: reserve the stock of one order line.

The state machine's ``ReserveStock`` Map calls it once per order line with
``{"orderId": ..., "sku": ..., "quantity": ...}``. It answers
``{"sku": ..., "reservationId": ..., "quantity": ...}``, or raises ``Stock.Unavailable``
(Step Functions sees a Lambda error under its exception class name, ``errorType``).

Stock levels come from a fixed table, so the function is pure: a real one would hold
them in a database.
"""

from __future__ import annotations

from typing import Any

#: Units on hand per SKU.
STOCK = {"MUG-01": 120, "TEA-17": 40, "POT-02": 3}


class StockUnavailable(Exception):
    """The SKU is unknown or has fewer units on hand than the line asks for."""


# Lambda reports an exception's class name as the error; Retry and Catch match on it.
StockUnavailable.__name__ = StockUnavailable.__qualname__ = "Stock.Unavailable"


def reserve(order_id: str, sku: str, quantity: int) -> dict[str, Any]:
    """Reserve ``quantity`` units of ``sku`` for an order.

    Raises:
        ValueError: ``quantity`` is not a positive whole number.
        StockUnavailable: the SKU is unknown or short of stock.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValueError(f"quantity must be a positive whole number, not {quantity!r}")
    on_hand = STOCK.get(sku)
    if on_hand is None:
        raise StockUnavailable(f"unknown SKU {sku!r}")
    if quantity > on_hand:
        raise StockUnavailable(f"{sku}: {quantity} requested, {on_hand} on hand")
    return {"sku": sku, "reservationId": f"res-{order_id}-{sku}", "quantity": quantity}


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    """Lambda entry point (``Handler: app.handler``)."""
    return reserve(event["orderId"], event["sku"], event["quantity"])
