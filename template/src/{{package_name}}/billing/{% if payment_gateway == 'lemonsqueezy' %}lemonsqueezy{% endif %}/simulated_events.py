"""Lemon Squeezy webhooks for the development checkout simulator.

Every payload starts from Lemon Squeezy's documented examples (`billing/lemonsqueezy/corpus/`:
the webhook envelope, the order, subscription and subscription invoice objects),
with only ids, times, statuses, amounts, the email and the checkout's custom data
set here. They are signed with LEMONSQUEEZY_WEBHOOK_SECRET exactly as Lemon
Squeezy signs them, so the app's real webhook endpoint verifies and applies them.
Development only: nothing here talks to Lemon Squeezy.
"""

import calendar
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from ...settings import Settings
from ..catalog import Plan, Price, PriceIds, find_price
from ..gateway import SimulatedCheckout, SimulatedSubscription
from ..plans import PLANS
from . import corpus
from .adapter import GATEWAY_NAME, sign, variant_ids


class LemonSqueezySimulator:
    webhook_path = f"/webhooks/{GATEWAY_NAME}"

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.lemonsqueezy_webhook_secret.get_secret_value()
        self._store_id = int(settings.lemonsqueezy_store_id)
        self._variant_ids = variant_ids(settings)

    def customer_id(self, account_id: UUID) -> str:
        return str(account_id.int % 10**7)

    def checkout_completed(self, checkout: SimulatedCheckout) -> list[bytes]:
        now = datetime.now(UTC)
        custom = {"account_id": str(checkout.account_id), "plan": checkout.plan.key}
        trial_days = checkout.plan.trial_days
        trial_end = now + timedelta(days=trial_days) if trial_days else None
        order_id = _new_id()
        variant_id = self._variant_ids.id_for(checkout.plan, checkout.price)
        amount = 0 if trial_end else checkout.price.amount_cents
        order = self._order(
            order_id=order_id,
            customer_id=checkout.customer_id,
            email=checkout.email,
            variant_id=variant_id,
            amount=amount,
            currency=checkout.price.currency,
            now=now,
        )
        subscription = self._subscription(
            account_id=checkout.account_id,
            customer_id=checkout.customer_id,
            email=checkout.email,
            variant_id=variant_id,
            status="on_trial" if trial_end else "active",
            renews_at=trial_end or _add_interval(now, checkout.price.interval),
            trial_end=trial_end,
            order_id=order_id,
            now=now,
        )
        subscription_id = str(_new_id())
        events = [
            _event("order_created", custom, "orders", str(order_id), order),
            _event("subscription_created", custom, "subscriptions", subscription_id, subscription),
        ]
        if not trial_end:  # a trial starts without a payment
            invoice = self._invoice(subscription, subscription_id, checkout.price, "initial", now)
            invoice.update(status="paid", status_formatted="Paid")
            events.append(
                _event(
                    "subscription_payment_success",
                    custom,
                    "subscription-invoices",
                    str(_new_id()),
                    invoice,
                )
            )
        return events

    def cancellation(
        self, subscription: SimulatedSubscription, *, immediately: bool
    ) -> list[bytes]:
        now = datetime.now(UTC)
        current = self._current(subscription, now)
        custom = {"account_id": str(subscription.account_id), "plan": subscription.plan_key}
        ends_at = now if immediately else (subscription.current_period_end or now)
        cancelled = {**current, "status": "cancelled", "cancelled": True, "ends_at": _iso(ends_at)}
        events = [
            _event(
                "subscription_cancelled",
                custom,
                "subscriptions",
                subscription.subscription_id,
                cancelled,
            )
        ]
        if immediately:
            expired = {**cancelled, "status": "expired", "updated_at": _iso(now + _TICK)}
            events.append(
                _event(
                    "subscription_expired",
                    custom,
                    "subscriptions",
                    subscription.subscription_id,
                    expired,
                )
            )
        return events

    def updated(self, subscription: SimulatedSubscription) -> list[bytes]:
        now = datetime.now(UTC)
        custom = {"account_id": str(subscription.account_id), "plan": subscription.plan_key}
        current = self._current(subscription, now)
        return [
            _event(
                "subscription_updated",
                custom,
                "subscriptions",
                subscription.subscription_id,
                current,
            )
        ]

    def payment_failure(self, subscription: SimulatedSubscription) -> list[bytes]:
        now = datetime.now(UTC)
        current = self._current(subscription, now)
        custom = {"account_id": str(subscription.account_id), "plan": subscription.plan_key}
        price = _known_price(self._variant_ids, subscription.price_id) or _first_price()[1]
        invoice = self._invoice(current, subscription.subscription_id, price, "renewal", now)
        past_due = {**current, "status": "past_due", "updated_at": _iso(now + _TICK)}
        return [
            _event(
                "subscription_payment_failed",
                custom,
                "subscription-invoices",
                str(_new_id()),
                invoice,
            ),
            _event(
                "subscription_updated",
                custom,
                "subscriptions",
                subscription.subscription_id,
                past_due,
            ),
        ]

    def sign(self, body: bytes, timestamp: int) -> dict[str, str]:
        """Lemon Squeezy's scheme: `X-Signature` is the hex HMAC-SHA256 of the body."""
        event_name = json.loads(body)["meta"]["event_name"]
        return {
            "X-Signature": sign(body, self._secret),
            "X-Event-Name": event_name,
            "content-type": "application/json",
        }

    def _invoice(
        self,
        subscription: dict[str, Any],
        subscription_id: str,
        price: Price,
        billing_reason: str,
        now: datetime,
    ) -> dict[str, Any]:
        invoice: dict[str, Any] = corpus.load("subscription_invoice")["attributes"]
        invoice.update(
            store_id=self._store_id,
            subscription_id=int(subscription_id),
            customer_id=subscription["customer_id"],
            user_email=subscription["user_email"],
            billing_reason=billing_reason,
            status="pending",
            status_formatted="Pending",
            refunded_amount=0,
            refunded_amount_usd=0,
            created_at=_iso(now),
            updated_at=_iso(now),
        )
        invoice["urls"]["invoice_url"] = None  # "null if status is pending"
        _set_amounts(invoice, price.amount_cents, price.currency)
        return invoice

    def _order(
        self,
        *,
        order_id: int,
        customer_id: str,
        email: str | None,
        variant_id: str | None,
        amount: int,
        currency: str,
        now: datetime,
    ) -> dict[str, Any]:
        order: dict[str, Any] = corpus.load("order")["attributes"]
        order.update(
            store_id=self._store_id,
            customer_id=int(customer_id),
            identifier=str(UUID(int=secrets.randbits(128))),
            order_number=order_id,
            status="paid",
            status_formatted="Paid",
            refunded=False,
            refunded_at=None,
            refunded_amount=0,
            setup_fee=0,
            setup_fee_usd=0,
            setup_fee_formatted=_formatted(0, currency),
            # None when the simulator does not know it: the app keeps the email it has.
            user_email=email,
            created_at=_iso(now),
            updated_at=_iso(now),
        )
        _set_amounts(order, amount, currency)
        order["first_order_item"].update(
            id=_new_id(),
            order_id=order_id,
            variant_id=int(variant_id) if variant_id else None,
            price=amount,
            created_at=_iso(now),
            updated_at=_iso(now),
        )
        order["urls"]["receipt"] = None  # no receipt page exists for a simulated order
        return order

    def _current(self, subscription: SimulatedSubscription, now: datetime) -> dict[str, Any]:
        variant_id = subscription.price_id or self._variant_ids.id_for(*_first_price())
        price = _known_price(self._variant_ids, variant_id) or _first_price()[1]
        state = self._subscription(
            account_id=subscription.account_id,
            customer_id=subscription.customer_id,
            email=subscription.email or "customer@example.com",
            variant_id=variant_id,
            status="on_trial" if subscription.status == "trialing" else subscription.status,
            renews_at=subscription.current_period_end or _add_interval(now, price.interval),
            trial_end=subscription.trial_end,
            order_id=_new_id(),
            now=now,
        )
        if subscription.cancel_at_period_end:
            state.update(status="cancelled", cancelled=True, ends_at=state["renews_at"])
        return state

    def _subscription(
        self,
        *,
        account_id: UUID,
        customer_id: str,
        email: str,
        variant_id: str,
        status: str,
        renews_at: datetime,
        trial_end: datetime | None,
        order_id: int,
        now: datetime,
    ) -> dict[str, Any]:
        subscription: dict[str, Any] = corpus.load("subscription")["attributes"]
        subscription.update(
            store_id=self._store_id,
            customer_id=int(customer_id),
            order_id=order_id,
            order_item_id=_new_id(),
            variant_id=int(variant_id),
            user_email=email,
            status=status,
            status_formatted=status.replace("_", " ").capitalize(),
            trial_ends_at=_iso(trial_end) if trial_end else None,
            billing_anchor=now.day,
            renews_at=_iso(renews_at),
            ends_at=None,
            created_at=_iso(now),
            updated_at=_iso(now),
        )
        if status == "on_trial":
            # "null if there is no subscription item, for example if the subscription
            # is currently in a free trial"
            subscription["first_subscription_item"] = None
        else:
            subscription["first_subscription_item"].update(
                id=_new_id(), price_id=_new_id(), created_at=_iso(now), updated_at=_iso(now)
            )
        return subscription


def create_simulator(settings: Settings) -> LemonSqueezySimulator:
    return LemonSqueezySimulator(settings)


# Events sent by one click are a moment apart, as they would be at Lemon Squeezy.
_TICK = timedelta(milliseconds=1)


def _event(
    event_name: str,
    custom: dict[str, str],
    resource_type: str,
    resource_id: str,
    attributes: dict[str, Any],
) -> bytes:
    """A webhook as Lemon Squeezy sends it: the documented envelope around the resource."""
    webhook = corpus.load("webhook")
    webhook["meta"].update(event_name=event_name, custom_data=custom)
    webhook["data"] = {"type": resource_type, "id": resource_id, "attributes": attributes}
    return json.dumps(webhook, indent=2).encode()


def _set_amounts(attributes: dict[str, Any], cents: int, currency: str) -> None:
    """An order's or invoice's amounts for `cents` in `currency`, without discount or tax."""
    for field, value in (("subtotal", cents), ("discount_total", 0), ("tax", 0), ("total", cents)):
        attributes[field] = value
        attributes[f"{field}_usd"] = value
        attributes[f"{field}_formatted"] = _formatted(value, currency)
    attributes["currency"] = currency.upper()


def _formatted(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency.upper()}"


def _known_price(ids: PriceIds, variant_id: str | None) -> Price | None:
    found = find_price(PLANS, ids.ref_for(variant_id))
    return found[1] if found else None


def _first_price() -> tuple[Plan, Price]:
    """The catalog's first price, for subscriptions whose price is none of ours."""
    return next((plan, price) for plan in PLANS for price in plan.prices)


def _add_interval(start: datetime, interval: str | None) -> datetime:
    months = start.month - 1 + (12 if interval == "year" else 1)
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def _iso(moment: datetime) -> str:
    """Lemon Squeezy's timestamps: ISO 8601 in UTC with microseconds and a `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new_id() -> int:
    return secrets.randbelow(10**7) + 1
