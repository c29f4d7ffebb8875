"""The release-stock Lambda: give back the stock reserved for an order.

The compensation path of the state machine (``ReleaseStock``, after a failed charge)
calls it with ``{"orderId": ..., "reservations": [{"sku": ..., "reservationId": ...}]}``.
Releasing is idempotent: a reservation id given twice is released once.
"""

from __future__ import annotations

from typing import Any


def release(order_id: str, reservations: list[dict[str, Any]]) -> dict[str, Any]:
    """The reservations released for ``order_id``, each once, in the order given.

    Raises:
        ValueError: a reservation has no ``reservationId`` or belongs to another order.
    """
    released: list[str] = []
    for reservation in reservations:
        reservation_id = reservation.get("reservationId")
        if not isinstance(reservation_id, str) or not reservation_id:
            raise ValueError(f"reservation without a reservationId: {reservation!r}")
        if not reservation_id.startswith(f"res-{order_id}-"):
            raise ValueError(f"reservation {reservation_id} is not one of order {order_id}")
        if reservation_id not in released:
            released.append(reservation_id)
    return {"orderId": order_id, "released": released}


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    """Lambda entry point (``Handler: app.handler``)."""
    return release(event["orderId"], event.get("reservations") or [])
