"""The charge-card Lambda: charge an order's total to the customer's card.

The state machine's ``ChargeCard`` state calls it with
``{"orderId": ..., "amount": ..., "cardToken": ...}`` and keeps ``chargeId`` of the answer.
A refused card raises ``Payment.Declined``: the state machine does not retry it and
releases the reserved stock instead. (A gateway timeout, ``Payment.GatewayTimeout``, is
retried; it happens on the network, so the tests mock it.)

The payment gateway is simulated by :func:`authorize`, so the function is pure.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

#: Test card tokens the simulated gateway refuses, with the reason.
DECLINED_TOKENS = {
    "tok_chargeDeclined": "card declined",
    "tok_insufficientFunds": "insufficient funds",
    "tok_expired": "card expired",
}


class PaymentDeclined(Exception):
    """The card issuer refused the charge."""


class InvalidAmount(ValueError):
    """The amount is not a positive number with at most two decimals."""


# Lambda reports an exception's class name as the error; Retry and Catch match on it.
PaymentDeclined.__name__ = PaymentDeclined.__qualname__ = "Payment.Declined"
InvalidAmount.__name__ = InvalidAmount.__qualname__ = "Payment.InvalidAmount"


def to_cents(amount: float | int | str) -> int:
    """``amount`` in cents.

    Raises:
        InvalidAmount: ``amount`` is not positive or has more than two decimals.
    """
    if isinstance(amount, bool):
        raise InvalidAmount(f"amount must be a number, not {amount!r}")
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        raise InvalidAmount(f"amount must be a number, not {amount!r}") from None
    cents = value * 100
    if not value.is_finite() or value <= 0 or cents != cents.to_integral_value():
        raise InvalidAmount(f"amount must be positive with at most two decimals, not {amount}")
    return int(cents)


def authorize(card_token: str, cents: int) -> None:
    """The simulated payment gateway: refuse the test tokens of :data:`DECLINED_TOKENS`.

    Raises:
        PaymentDeclined: the card is refused.
    """
    reason = DECLINED_TOKENS.get(card_token)
    if reason is not None:
        raise PaymentDeclined(reason)


def charge(order_id: str, amount: float | int | str, card_token: str) -> dict[str, Any]:
    """Charge ``amount`` for ``order_id``; the charge id is derived from the order id.

    Raises:
        InvalidAmount: see :func:`to_cents`.
        PaymentDeclined: the card is refused.
    """
    cents = to_cents(amount)
    authorize(card_token, cents)
    digest = hashlib.sha256(order_id.encode()).hexdigest()[:12]
    return {"chargeId": f"ch_{digest}", "amountCents": cents}


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    """Lambda entry point (``Handler: app.handler``)."""
    return charge(event["orderId"], event["amount"], event["cardToken"])
