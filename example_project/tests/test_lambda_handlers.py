"""Unit tests of the Lambda handlers in src/ (plain Python: no state machine involved)."""

from __future__ import annotations

from typing import Any

import pytest
from charge_card import app as charge_card
from hypothesis import given
from hypothesis import strategies as st
from release_stock import app as release_stock
from reserve_stock import app as reserve_stock

# --- reserve-stock -----------------------------------------------------------------------


def test_reserve_answers_what_the_state_machine_selects() -> None:
    event = {"orderId": "o-1001", "sku": "MUG-01", "quantity": 2}

    assert reserve_stock.handler(event) == {
        "sku": "MUG-01",
        "reservationId": "res-o-1001-MUG-01",
        "quantity": 2,
    }


@pytest.mark.parametrize(
    ("sku", "quantity", "error", "message"),
    [
        pytest.param("NOPE-00", 1, reserve_stock.StockUnavailable, "unknown SKU", id="unknown-sku"),
        pytest.param(
            "POT-02", 4, reserve_stock.StockUnavailable, "4 requested, 3 on hand", id="short"
        ),
        pytest.param("MUG-01", 0, ValueError, "positive whole number", id="zero"),
        pytest.param("MUG-01", -1, ValueError, "positive whole number", id="negative"),
        pytest.param("MUG-01", 1.5, ValueError, "positive whole number", id="fraction"),
        pytest.param("MUG-01", True, ValueError, "positive whole number", id="bool"),
    ],
)
def test_reserve_refuses(sku: str, quantity: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        reserve_stock.reserve("o-1", sku, quantity)


def test_reserve_takes_all_the_stock_on_hand() -> None:
    assert reserve_stock.reserve("o-1", "POT-02", 3)["quantity"] == 3


def test_stock_errors_reach_step_functions_under_their_lambda_error_name() -> None:
    # Lambda reports type(exc).__name__ as the error that Retry and Catch match.
    assert reserve_stock.StockUnavailable.__name__ == "Stock.Unavailable"


# --- charge-card -------------------------------------------------------------------------


def test_charge_answers_a_charge_id_derived_from_the_order() -> None:
    event = {"orderId": "o-1001", "amount": 59.9, "cardToken": "tok_visa"}

    first = charge_card.handler(event)

    assert first == {"chargeId": first["chargeId"], "amountCents": 5990}
    assert first["chargeId"].startswith("ch_") and len(first["chargeId"]) == 15
    assert charge_card.handler(event) == first  # the same order, the same charge id
    assert charge_card.handler({**event, "orderId": "o-1002"})["chargeId"] != first["chargeId"]


@pytest.mark.parametrize(
    ("amount", "cents"),
    [(59.9, 5990), (1, 100), ("12.50", 1250), (0.01, 1), (100000, 10000000)],
)
def test_amounts_in_cents(amount: Any, cents: int) -> None:
    assert charge_card.to_cents(amount) == cents


@pytest.mark.parametrize("amount", [0, -5, 0.001, "abc", "NaN", "Infinity", True, 12.345])
def test_invalid_amounts(amount: Any) -> None:
    with pytest.raises(charge_card.InvalidAmount):
        charge_card.to_cents(amount)


@given(st.integers(min_value=1, max_value=10**9))
def test_cents_round_trip(cents: int) -> None:
    assert charge_card.to_cents(f"{cents // 100}.{cents % 100:02d}") == cents


@pytest.mark.parametrize(("token", "reason"), sorted(charge_card.DECLINED_TOKENS.items()))
def test_declined_cards(token: str, reason: str) -> None:
    with pytest.raises(charge_card.PaymentDeclined, match=reason):
        charge_card.charge("o-1", 10, token)


def test_payment_errors_carry_the_names_the_state_machine_matches() -> None:
    assert charge_card.PaymentDeclined.__name__ == "Payment.Declined"
    assert charge_card.InvalidAmount.__name__ == "Payment.InvalidAmount"


# --- release-stock -----------------------------------------------------------------------


def test_release_answers_each_reservation_once() -> None:
    event = {
        "orderId": "o-1001",
        "reservations": [
            {"sku": "MUG-01", "reservationId": "res-o-1001-MUG-01"},
            {"sku": "TEA-17", "reservationId": "res-o-1001-TEA-17"},
            {"sku": "MUG-01", "reservationId": "res-o-1001-MUG-01"},
        ],
    }

    assert release_stock.handler(event) == {
        "orderId": "o-1001",
        "released": ["res-o-1001-MUG-01", "res-o-1001-TEA-17"],
    }


def test_release_of_nothing() -> None:
    assert release_stock.handler({"orderId": "o-1"}) == {"orderId": "o-1", "released": []}


@pytest.mark.parametrize(
    ("reservation", "message"),
    [
        pytest.param({"sku": "MUG-01"}, "without a reservationId", id="missing-id"),
        pytest.param({"reservationId": ""}, "without a reservationId", id="empty-id"),
        pytest.param({"reservationId": "res-o-2-MUG-01"}, "not one of order o-1", id="other-order"),
    ],
)
def test_release_refuses(reservation: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        release_stock.release("o-1", [reservation])


@given(
    st.lists(st.sampled_from(["MUG-01", "TEA-17", "POT-02"]), max_size=8).map(
        lambda skus: [{"reservationId": f"res-o-1-{sku}"} for sku in skus]
    )
)
def test_release_is_idempotent(reservations: list[dict[str, str]]) -> None:
    once = release_stock.release("o-1", reservations)["released"]

    assert release_stock.release("o-1", reservations + reservations)["released"] == once
    assert sorted(once) == sorted({r["reservationId"] for r in reservations})
