"""Stripe-shaped webhook events for the development checkout simulator (and the tests).

Every object starts from Stripe's own published definition (`corpus.load`, see
corpus/README.md) and overrides only ids, times, statuses, amounts and the
metadata the app sets at checkout; the shapes follow the pinned API version
(periods on subscription items, invoices pointing at their subscription through
`parent`). The events are signed with STRIPE_WEBHOOK_SECRET exactly as Stripe
signs them, so the app's real webhook endpoint verifies and applies them.
Development only: nothing here talks to Stripe.
"""

import calendar
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ...settings import Settings
from ..catalog import Plan, Price, PriceIds, find_price
from ..gateway import SimulatedCheckout, SimulatedSubscription
from ..plans import PLANS
from . import corpus
from .adapter import API_VERSION, GATEWAY_NAME, SIGNATURE_HEADER, price_ids

DAY = 86_400
RETRY_DELAY = 3 * DAY


class StripeSimulator:
    webhook_path = f"/webhooks/{GATEWAY_NAME}"

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.stripe_webhook_secret.get_secret_value()
        self._price_ids = price_ids(settings)

    def customer_id(self, account_id: UUID) -> str:
        return f"cus_{account_id.hex[:24]}"

    def checkout_completed(self, checkout: SimulatedCheckout) -> list[bytes]:
        now = int(time.time())
        subscription_id = new_id("sub")
        price_id = self._price_ids.id_for(checkout.plan, checkout.price)
        trial_days = checkout.plan.trial_days
        trial_end = now + trial_days * DAY if trial_days else None
        metadata = {"account_id": str(checkout.account_id), "plan": checkout.plan.key}
        period_end = trial_end or add_interval(now, checkout.price.interval)
        created = subscription_object(
            subscription_id=subscription_id,
            customer_id=checkout.customer_id,
            status="trialing" if trial_end else "active",
            metadata=metadata,
            items=[subscription_item(subscription_id, price_id, checkout.price, now, period_end)],
            created=now,
            trial_end=trial_end,
        )
        amount = 0 if trial_end else checkout.price.amount_cents
        session = checkout_session_object(
            mode="subscription",
            account_id=checkout.account_id,
            customer_id=checkout.customer_id,
            email=checkout.email,
            metadata=metadata,
            amount_cents=amount,
            currency=checkout.price.currency,
            payment_status="no_payment_required" if trial_end else "paid",
            created=now,
            subscription_id=subscription_id,
        )
        invoice = invoice_object(
            customer_id=checkout.customer_id,
            email=checkout.email,
            subscription_id=subscription_id,
            metadata=metadata,
            amount_cents=amount,
            currency=checkout.price.currency,
            status="paid",
            billing_reason="subscription_create",
            created=now,
        )
        return [
            event_body("checkout.session.completed", session, now),
            event_body("customer.subscription.created", created, now),
            event_body("invoice.paid", invoice, now),
        ]

    def cancellation(
        self, subscription: SimulatedSubscription, *, immediately: bool
    ) -> list[bytes]:
        now = int(time.time())
        current = self._subscription(subscription, now)
        if immediately:
            canceled = {**current, "status": "canceled", "canceled_at": now, "ended_at": now}
            return [event_body("customer.subscription.deleted", canceled, now)]
        scheduled = {
            **current,
            "cancel_at_period_end": True,
            "cancel_at": items_period_end(current),
            "canceled_at": now,
        }
        previous = {"cancel_at_period_end": False, "cancel_at": None, "canceled_at": None}
        return [event_body("customer.subscription.updated", scheduled, now, previous)]

    def updated(self, subscription: SimulatedSubscription) -> list[bytes]:
        now = int(time.time())
        current = self._subscription(subscription, now)
        return [event_body("customer.subscription.updated", current, now)]

    def payment_failure(self, subscription: SimulatedSubscription) -> list[bytes]:
        now = int(time.time())
        current = self._subscription(subscription, now)
        price = _known_price(self._price_ids, subscription.price_id)
        invoice = invoice_object(
            customer_id=subscription.customer_id,
            email=subscription.email,
            subscription_id=subscription.subscription_id,
            metadata=current["metadata"],
            amount_cents=price.amount_cents if price else 0,
            currency=price.currency if price else "usd",
            status="open",
            billing_reason="subscription_cycle",
            created=now,
            next_payment_attempt=now + RETRY_DELAY,
        )
        past_due = {**current, "status": "past_due"}
        return [
            event_body("invoice.payment_failed", invoice, now),
            event_body(
                "customer.subscription.updated", past_due, now, {"status": current["status"]}
            ),
        ]

    def sign(self, body: bytes, timestamp: int) -> dict[str, str]:
        return {
            SIGNATURE_HEADER: signature(body, timestamp, self._secret),
            "content-type": "application/json",
        }

    def _subscription(self, subscription: SimulatedSubscription, now: int) -> dict[str, Any]:
        price_id = subscription.price_id or self._price_ids.id_for(*_first_price())
        price = _known_price(self._price_ids, price_id) or _first_price()[1]
        period_end = (
            int(subscription.current_period_end.timestamp())
            if subscription.current_period_end
            else add_interval(now, price.interval)
        )
        trial_end = int(subscription.trial_end.timestamp()) if subscription.trial_end else None
        return subscription_object(
            subscription_id=subscription.subscription_id,
            customer_id=subscription.customer_id,
            status=subscription.status,
            metadata={"account_id": str(subscription.account_id), "plan": subscription.plan_key},
            items=[
                subscription_item(subscription.subscription_id, price_id, price, now, period_end)
            ],
            created=now,
            trial_end=trial_end,
            cancel_at=period_end if subscription.cancel_at_period_end else None,
            cancel_at_period_end=subscription.cancel_at_period_end,
        )


def create_simulator(settings: Settings) -> StripeSimulator:
    return StripeSimulator(settings)


# Builders: each starts from the corpus object and overrides what the app or the moment sets.


def signature(body: bytes, timestamp: int, secret: str) -> str:
    """Stripe's scheme: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    signed = f"{timestamp}.".encode() + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def event_body(
    event_type: str,
    obj: dict[str, Any],
    created: int,
    previous_attributes: dict[str, Any] | None = None,
    *,
    event_id: str | None = None,
) -> bytes:
    """A snapshot event carrying `obj`, as the webhook endpoint receives it."""
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    event = corpus.load("event")
    event.update(
        id=event_id or new_id("evt"),
        type=event_type,
        created=created,
        data=data,
        # Stripe renders events in the webhook endpoint's version: the pinned one.
        api_version=API_VERSION,
        pending_webhooks=1,
    )
    return json.dumps(event, indent=2).encode()


def subscription_object(
    *,
    subscription_id: str,
    customer_id: str,
    status: str,
    metadata: dict[str, str],
    items: list[dict[str, Any]],
    created: int,
    trial_end: int | None = None,
    cancel_at: int | None = None,
    cancel_at_period_end: bool = False,
    canceled_at: int | None = None,
    ended_at: int | None = None,
) -> dict[str, Any]:
    subscription = corpus.load("subscription")
    subscription.update(
        id=subscription_id,
        customer=customer_id,
        status=status,
        metadata=metadata,
        created=created,
        start_date=created,
        billing_cycle_anchor=trial_end or created,
        trial_start=created if trial_end else None,
        trial_end=trial_end,
        cancel_at=cancel_at,
        cancel_at_period_end=cancel_at_period_end,
        canceled_at=canceled_at,
        ended_at=ended_at,
    )
    subscription["items"].update(
        data=items, url=f"/v1/subscription_items?subscription={subscription_id}"
    )
    return subscription


def subscription_item(
    subscription_id: str,
    price_id: str,
    price: Price | None,
    period_start: int,
    period_end: int,
    *,
    quantity: int = 1,
    item_id: str | None = None,
) -> dict[str, Any]:
    """One item of a subscription: its price, quantity and (since basil) billing period."""
    item = corpus.load("subscription_item")
    item.update(
        id=item_id or new_id("si"),
        subscription=subscription_id,
        created=period_start,
        current_period_start=period_start,
        current_period_end=period_end,
        quantity=quantity,
    )
    item["price"]["id"] = price_id
    if price is not None:
        item["price"].update(
            currency=price.currency,
            unit_amount=price.amount_cents,
            unit_amount_decimal=str(price.amount_cents),
        )
        if price.interval is not None:
            item["price"]["recurring"]["interval"] = price.interval
    return item


def invoice_object(
    *,
    customer_id: str,
    email: str | None,
    subscription_id: str,
    metadata: dict[str, str],
    amount_cents: int,
    currency: str,
    status: str,
    billing_reason: str,
    created: int,
    next_payment_attempt: int | None = None,
    invoice_id: str | None = None,
) -> dict[str, Any]:
    paid = status == "paid"
    invoice = corpus.load("invoice")
    invoice.update(
        id=invoice_id or new_id("in"),
        customer=customer_id,
        customer_email=email,
        status=status,
        billing_reason=billing_reason,
        amount_due=amount_cents,
        amount_paid=amount_cents if paid else 0,
        amount_remaining=0 if paid else amount_cents,
        attempt_count=1,
        attempted=True,
        currency=currency,
        created=created,
        period_start=created,
        period_end=created,
        next_payment_attempt=next_payment_attempt,
    )
    # A subscription's invoice: `parent` names the subscription and carries its metadata.
    parent = invoice["parent"]
    parent.update(type="subscription_details", quote_details=None)
    parent["subscription_details"].update(metadata=metadata, subscription=subscription_id)
    return invoice


def checkout_session_object(
    *,
    mode: str,
    account_id: UUID,
    customer_id: str | None,
    email: str | None,
    metadata: dict[str, str],
    amount_cents: int,
    currency: str,
    payment_status: str,
    created: int,
    subscription_id: str | None = None,
    payment_intent: str | None = None,
    session_id: str | None = None,
) -> dict[str, Any]:
    session = corpus.load("checkout_session")
    session_id = session_id or new_id("cs_test")
    session.update(
        id=session_id,
        mode=mode,
        status="complete",
        payment_status=payment_status,
        client_reference_id=str(account_id),
        customer=customer_id,
        subscription=subscription_id,
        payment_intent=payment_intent,
        metadata=metadata,
        amount_subtotal=amount_cents,
        amount_total=amount_cents,
        currency=currency,
        created=created,
        expires_at=created + DAY,
        url=None,  # a completed session has no URL left to visit
    )
    session["customer_details"]["email"] = email
    return session


def customer_object(customer_id: str, email: str | None, created: int) -> dict[str, Any]:
    customer = corpus.load("customer")
    customer.update(id=customer_id, email=email, created=created)
    return customer


def items_period_end(subscription: dict[str, Any]) -> int:
    return max(int(item["current_period_end"]) for item in subscription["items"]["data"])


def add_interval(timestamp: int, interval: str | None) -> int:
    start = datetime.fromtimestamp(timestamp, UTC)
    months = start.month - 1 + (12 if interval == "year" else 1)
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _known_price(ids: PriceIds, price_id: str | None) -> Price | None:
    found = find_price(PLANS, ids.ref_for(price_id))
    return found[1] if found else None


def _first_price() -> tuple[Plan, Price]:
    """The catalog's first price, for subscriptions whose price is none of ours."""
    return next((plan, price) for plan in PLANS for price in plan.prices)
