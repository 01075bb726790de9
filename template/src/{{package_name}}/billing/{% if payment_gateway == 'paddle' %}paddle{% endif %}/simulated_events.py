"""Paddle-shaped notifications for the development checkout simulator.

Every notification starts from Paddle's own payloads (billing/paddle/corpus/, each file's
source named in its README): only ids, times, statuses, amounts and the
`custom_data` the app sets at checkout are filled in here. They are signed with
PADDLE_WEBHOOK_SECRET exactly as Paddle signs them, so the app's real webhook
endpoint verifies and applies them. Development only: nothing here talks to Paddle.
"""

import calendar
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from ...settings import Settings
from ..catalog import Plan, Price, PriceIds, find_price
from ..gateway import SimulatedCheckout, SimulatedSubscription
from ..plans import PLANS
from .adapter import GATEWAY_NAME, price_ids
from .corpus import load

# The corpus file holding Paddle's subscription in each status whose shape differs
# (a paused or canceled subscription has no billing period; a trial dates its items).
_SUBSCRIPTION_FILES = {
    "trialing": "subscription_trialing",
    "paused": "subscription_paused",
    "canceled": "subscription_canceled",
}
# Totals that carry the whole amount; the other amounts (tax, fees, credit) are zero here.
_WHOLE_AMOUNT = frozenset({"subtotal", "total", "grand_total", "earnings", "amount"})


class PaddleSimulator:
    webhook_path = f"/webhooks/{GATEWAY_NAME}"

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.paddle_webhook_secret.get_secret_value()
        self._price_ids = price_ids(settings)

    def customer_id(self, account_id: UUID) -> str:
        return f"ctm_{account_id.hex[:26]}"

    def checkout_completed(self, checkout: SimulatedCheckout) -> list[bytes]:
        now = datetime.now(UTC)
        subscription_id = new_id("sub")
        transaction_id = new_id("txn")
        trial_days = checkout.plan.trial_days
        trial_end = now + timedelta(days=trial_days) if trial_days else None
        custom_data = {"account_id": str(checkout.account_id), "plan": checkout.plan.key}
        price_id = self._price_ids.id_for(checkout.plan, checkout.price)
        subscription = subscription_data(
            subscription_id=subscription_id,
            customer_id=checkout.customer_id,
            status="trialing" if trial_end else "active",
            custom_data=custom_data,
            price_id=price_id,
            price=checkout.price,
            period_start=now,
            period_end=trial_end or add_interval(now, checkout.price.interval),
            trial_end=trial_end,
            now=now,
            transaction_id=transaction_id,
        )
        transaction = transaction_data(
            transaction_id=transaction_id,
            customer_id=checkout.customer_id,
            subscription_id=subscription_id,
            custom_data=custom_data,
            price_id=price_id,
            price=checkout.price,
            status="completed",
            origin="web",
            amount=0 if trial_end else checkout.price.amount_cents,
            now=now,
        )
        return [
            notification("subscription.created", subscription, now),
            notification("transaction.completed", transaction, now),
        ]

    def cancellation(
        self, subscription: SimulatedSubscription, *, immediately: bool
    ) -> list[bytes]:
        now = datetime.now(UTC)
        if immediately:
            canceled = self._subscription(subscription, now, status="canceled")
            return [notification("subscription.canceled", canceled, now)]
        scheduled = self._subscription(subscription, now, scheduled_cancel=True)
        return [notification("subscription.updated", scheduled, now)]

    def updated(self, subscription: SimulatedSubscription) -> list[bytes]:
        now = datetime.now(UTC)
        return [notification("subscription.updated", self._subscription(subscription, now), now)]

    def payment_failure(self, subscription: SimulatedSubscription) -> list[bytes]:
        now = datetime.now(UTC)
        current = self._subscription(subscription, now, status="past_due")
        price_id = current["items"][0]["price"]["id"]
        price = _known_price(self._price_ids, price_id) or _first_price()[1]
        transaction = transaction_data(
            transaction_id=new_id("txn"),
            customer_id=subscription.customer_id,
            subscription_id=subscription.subscription_id,
            custom_data=current["custom_data"],
            price_id=price_id,
            price=price,
            status="past_due",
            origin="subscription_recurring",
            amount=price.amount_cents,
            now=now,
        )
        return [
            notification("transaction.payment_failed", transaction, now),
            notification("subscription.past_due", current, now),
        ]

    def sign(self, body: bytes, timestamp: int) -> dict[str, str]:
        """Paddle's scheme: `ts=<unix time>;h1=<hex HMAC-SHA256 of "<ts>:<body>">`."""
        signed = f"{timestamp}:".encode() + body
        digest = hmac.new(self._secret.encode(), signed, hashlib.sha256).hexdigest()
        return {
            "Paddle-Signature": f"ts={timestamp};h1={digest}",
            "content-type": "application/json",
        }

    def _subscription(
        self,
        subscription: SimulatedSubscription,
        now: datetime,
        *,
        status: str | None = None,
        scheduled_cancel: bool | None = None,
    ) -> dict[str, Any]:
        price_id = subscription.price_id or self._price_ids.id_for(*_first_price())
        price = _known_price(self._price_ids, price_id) or _first_price()[1]
        return subscription_data(
            subscription_id=subscription.subscription_id,
            customer_id=subscription.customer_id,
            status=status or subscription.status,
            custom_data={"account_id": str(subscription.account_id), "plan": subscription.plan_key},
            price_id=price_id,
            price=price,
            period_start=now,
            period_end=subscription.current_period_end or add_interval(now, price.interval),
            trial_end=subscription.trial_end,
            now=now,
            scheduled_cancel=subscription.cancel_at_period_end
            if scheduled_cancel is None
            else scheduled_cancel,
        )


def create_simulator(settings: Settings) -> PaddleSimulator:
    return PaddleSimulator(settings)


def notification(event_type: str, data: dict[str, Any], occurred_at: datetime) -> bytes:
    """Paddle's notification envelope around `data`."""
    envelope = load("event")
    envelope.update(
        event_id=new_id("evt"),
        event_type=event_type,
        occurred_at=iso(occurred_at),
        notification_id=new_id("ntf"),
        data=data,
    )
    return json.dumps(envelope, indent=2).encode()


def subscription_data(
    *,
    subscription_id: str,
    customer_id: str,
    status: str,
    custom_data: dict[str, str] | None,
    price_id: str,
    price: Price,
    period_start: datetime,
    period_end: datetime,
    trial_end: datetime | None,
    now: datetime,
    quantity: int = 1,
    scheduled_cancel: bool = False,
    transaction_id: str | None = None,
) -> dict[str, Any]:
    """Paddle's subscription in `status`, for one price; `transaction_id` for `.created`."""
    created = transaction_id is not None and status == "active"
    subscription = load(
        "subscription_created" if created else _SUBSCRIPTION_FILES.get(status, "subscription")
    )
    # A trial's dates are on its items.
    [item] = load("subscription_trialing" if trial_end else "subscription")["items"]
    _set_price(item["price"], price_id, price)
    item.update(
        status="trialing" if status == "trialing" else "active",
        quantity=quantity,
        created_at=iso(period_start),
        updated_at=iso(now),
        previously_billed_at=None if status == "trialing" else iso(period_start),
        next_billed_at=None if status in ("paused", "canceled") else iso(period_end),
        trial_dates={"starts_at": iso(period_start), "ends_at": iso(trial_end)}
        if trial_end
        else None,
    )
    item["product"]["id"] = item["price"]["product_id"]
    subscription.update(
        id=subscription_id,
        status=status,
        customer_id=customer_id,
        currency_code=price.currency.upper(),
        created_at=iso(period_start),
        updated_at=iso(now),
        started_at=iso(period_start),
        first_billed_at=iso(trial_end or period_start),
        next_billed_at=None if status in ("paused", "canceled") else iso(period_end),
        custom_data=custom_data,
        discount=None,
        billing_cycle={**subscription["billing_cycle"], "interval": price.interval or "month"},
        items=[item],
    )
    if transaction_id:
        subscription["transaction_id"] = transaction_id
    if status == "canceled":
        subscription["canceled_at"] = iso(now)
    elif status == "paused":
        subscription["paused_at"] = iso(now)
    else:
        subscription["current_billing_period"] = {
            "starts_at": iso(period_start),
            "ends_at": iso(period_end),
        }
    if scheduled_cancel and status not in ("paused", "canceled"):
        subscription["scheduled_change"] = {
            **load("scheduled_change"),
            "action": "cancel",
            "effective_at": iso(period_end),
        }
    return subscription


def transaction_data(
    *,
    transaction_id: str,
    customer_id: str,
    subscription_id: str | None,
    custom_data: dict[str, str] | None,
    price_id: str,
    price: Price,
    status: str,
    origin: str,
    amount: int,
    now: datetime,
    quantity: int = 1,
) -> dict[str, Any]:
    """Paddle's transaction for one price: a renewal that failed is `past_due`."""
    if subscription_id is None:
        transaction = load("transaction_one_time")
    else:
        transaction = load("transaction_past_due" if status == "past_due" else "transaction")
    currency = price.currency.upper()
    [item] = transaction["items"]
    _set_price(item["price"], price_id, price)
    item["quantity"] = quantity
    [line] = transaction["details"]["line_items"]
    line.update(
        id=new_id("txnitm"),
        price_id=price_id,
        quantity=quantity,
        totals=amounts(line["totals"], amount),
        unit_totals=amounts(line["unit_totals"], amount // max(quantity, 1)),
    )
    line["product"]["id"] = item["price"]["product_id"]
    details = transaction["details"]
    due = amount if status == "past_due" else 0
    for key in ("totals", "adjusted_totals", "payout_totals", "adjusted_payout_totals"):
        if details.get(key):
            details[key] = {**amounts(details[key], amount, due=due), "currency_code": currency}
    for payment in transaction["payments"]:
        payment["amount"] = str(amount)
    period = transaction.get("billing_period")
    transaction.update(
        id=transaction_id,
        status=status,
        customer_id=customer_id,
        subscription_id=subscription_id,
        custom_data=custom_data,
        origin=origin,
        currency_code=currency,
        invoice_id=None,
        invoice_number=None,
        created_at=iso(now),
        updated_at=iso(now),
        billed_at=iso(now),
        billing_period={"starts_at": iso(now), "ends_at": iso(add_interval(now, price.interval))}
        if period and subscription_id
        else None,
    )
    return transaction


def _set_price(entity: dict[str, Any], price_id: str, price: Price) -> None:
    """Paddle's price entity `entity`, made the catalog's `price` (id, amount, cycle)."""
    entity.update(
        id=price_id,
        unit_price={"amount": str(price.amount_cents), "currency_code": price.currency.upper()},
    )
    if entity.get("billing_cycle") is not None:
        entity["billing_cycle"] = {**entity["billing_cycle"], "interval": price.interval or "month"}


def amounts(totals: dict[str, Any], amount: int, *, due: int = 0) -> dict[str, Any]:
    """Paddle's totals object with `amount` as its whole and nothing taxed or owed."""
    changed: dict[str, Any] = {}
    for key, value in totals.items():
        if key in _WHOLE_AMOUNT:
            changed[key] = str(amount)
        elif key == "balance":
            changed[key] = str(due)
        elif isinstance(value, str) and value.isdigit():
            changed[key] = "0"
        else:
            changed[key] = value
    return changed


def _known_price(ids: PriceIds, price_id: str | None) -> Price | None:
    found = find_price(PLANS, ids.ref_for(price_id))
    return found[1] if found else None


def _first_price() -> tuple[Plan, Price]:
    """The catalog's first price, for subscriptions whose price is none of ours."""
    return next((plan, price) for plan in PLANS for price in plan.prices)


def add_interval(start: datetime, interval: str | None) -> datetime:
    months = start.month - 1 + (12 if interval == "year" else 1)
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def iso(moment: datetime) -> str:
    """Paddle's timestamps: RFC 3339 in UTC with microseconds and a `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(13)}"
