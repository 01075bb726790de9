"""Lemon Squeezy: hosted checkout, the customer portal and webhooks, over its JSON:API.

Lemon Squeezy has no official Python SDK, so this adapter speaks HTTP with httpx.
Checkouts carry the account id in `checkout_data.custom`, which Lemon Squeezy
returns in the `meta.custom_data` of every webhook about the order and its
subscription. Webhooks are signed with `X-Signature`: the hex HMAC-SHA256 of the
raw body with the webhook's signing secret. They carry no event id and are
retried only three times, so the dedupe key is built from the payload (and, in
products that sell subscriptions, `billing/lemonsqueezy/reconcile.py` re-fetches the live ones
on a schedule).
"""

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx

from ...settings import Settings
from ..catalog import Plan, Price, PriceIds
from ..gateway import (
    CHECKOUT_SUCCESS_PATH,
    BillingAccount,
    CustomerState,
    EventKind,
    GatewayError,
    InvalidSignature,
    InvoiceState,
    NormalizedEvent,
    SubscriptionState,
    SubscriptionStatus,
)

GATEWAY_NAME = "lemonsqueezy"
API_URL = "https://api.lemonsqueezy.com"
SIGNATURE_HEADER = "x-signature"
JSON_API = "application/vnd.api+json"
UNKNOWN_PLAN = "unknown"
RECONCILE_EVENT = "reconcile"
ORDER_CREATED = "order_created"

_SUBSCRIPTION_EVENTS: dict[str, EventKind] = {
    "subscription_created": "subscription_changed",
    "subscription_updated": "subscription_changed",
    "subscription_cancelled": "subscription_changed",  # still paid up until `ends_at`
    "subscription_resumed": "subscription_changed",
    "subscription_paused": "subscription_changed",
    "subscription_unpaused": "subscription_changed",
    "subscription_expired": "subscription_canceled",
}
_INVOICE_EVENTS: dict[str, EventKind] = {
    "subscription_payment_success": "invoice_paid",
    "subscription_payment_recovered": "invoice_paid",
    "subscription_payment_failed": "payment_failed",
}
# Recorded in the webhook log; a refund changes no subscription state by itself (if it
# ends the subscription, a subscription event says so).
_RECORDED_ONLY = frozenset({"order_refunded", "subscription_payment_refunded"})
# Every event type read here: what `setup-billing` subscribes the webhook to.
WEBHOOK_EVENTS = (
    ORDER_CREATED,
    *_SUBSCRIPTION_EVENTS,
    *_INVOICE_EVENTS,
    *sorted(_RECORDED_ONLY),
)

# Lemon Squeezy's subscription statuses on the product's list. `cancelled` means the
# customer canceled and keeps access until `ends_at`: active, ending at period end.
# `paused` is a `void` pause; a `free` pause keeps access (see `_subscription_state`).
_STATUSES: dict[str, SubscriptionStatus] = {
    "on_trial": "trialing",
    "active": "active",
    "paused": "paused",
    "past_due": "past_due",
    "unpaid": "unpaid",
    "cancelled": "active",
    "expired": "canceled",
}

logger = logging.getLogger(__name__)


def variant_ids(settings: Settings) -> PriceIds:
    """Lemon Squeezy's variant id for each price ref (LEMONSQUEEZY_VARIANTS)."""
    return PriceIds(settings.lemonsqueezy_variants)


def sign(body: bytes, secret: str) -> str:
    """Lemon Squeezy's `X-Signature`: hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class LemonSqueezyGateway:
    name = GATEWAY_NAME

    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._settings = settings
        self._http = httpx.AsyncClient(
            base_url=API_URL,
            transport=transport,
            timeout=30.0,
            headers={
                "Accept": JSON_API,
                "Content-Type": JSON_API,
                "Authorization": f"Bearer {settings.lemonsqueezy_api_key.get_secret_value()}",
            },
        )
        self._variant_ids = variant_ids(settings)

    async def create_customer(self, account_id: UUID, email: str) -> str:
        store = self._settings.lemonsqueezy_store_id
        found = await self._request(
            "GET",
            "/v1/customers",
            params={"filter[store_id]": store, "filter[email]": email},
        )
        for customer in found.get("data") or []:
            return str(customer["id"])
        created = await self._request(
            "POST",
            "/v1/customers",
            {
                "data": {
                    "type": "customers",
                    "attributes": {"name": email.split("@")[0], "email": email},
                    "relationships": {"store": {"data": {"type": "stores", "id": store}}},
                }
            },
        )
        return str(created["data"]["id"])

    async def create_checkout(
        self,
        account: BillingAccount,
        plan: Plan,
        price: Price,
        customer_email: str,
        *,
        quantity: int = 1,
    ) -> str:
        # Trials belong to the variant (its free trial setting), not to the checkout.
        variant_id = self._variant_ids.id_for(plan, price)
        checkout_data: dict[str, Any] = {
            "email": customer_email,
            "custom": {"account_id": str(account.id), "plan": plan.key},
        }
        if quantity != 1:
            checkout_data["variant_quantities"] = [
                {"variant_id": int(variant_id), "quantity": quantity}
            ]
        body = {
            "data": {
                "type": "checkouts",
                "attributes": {
                    "checkout_data": checkout_data,
                    "product_options": {
                        "redirect_url": self._settings.base_url.rstrip("/") + CHECKOUT_SUCCESS_PATH,
                    },
                    "test_mode": self._settings.lemonsqueezy_test_mode,
                },
                "relationships": {
                    "store": {
                        "data": {"type": "stores", "id": self._settings.lemonsqueezy_store_id}
                    },
                    "variant": {"data": {"type": "variants", "id": variant_id}},
                },
            }
        }
        created = await self._request("POST", "/v1/checkouts", body)
        return str(created["data"]["attributes"]["url"])

    async def create_portal(self, account: BillingAccount) -> str:
        # The portal URL is signed and valid for 24 hours: fetch a fresh one every time.
        if account.subscription_ids:
            path = f"/v1/subscriptions/{account.subscription_ids[0]}"
        elif account.customer_id:
            path = f"/v1/customers/{account.customer_id}"
        else:
            raise GatewayError("the account has no Lemon Squeezy customer yet")
        found = await self._request("GET", path)
        url = (found["data"]["attributes"].get("urls") or {}).get("customer_portal")
        if not url:
            raise GatewayError("Lemon Squeezy returned no customer portal URL")
        return str(url)

    async def fetch_subscription_event(self, subscription_id: str) -> NormalizedEvent:
        """The subscription as Lemon Squeezy has it now, as an event to apply."""
        found = await self._request("GET", f"/v1/subscriptions/{subscription_id}")
        payload = {"meta": {"event_name": RECONCILE_EVENT}, "data": found["data"]}
        return self._normalize(payload)

    async def fetch_subscription(self, gateway_subscription_id: str) -> SubscriptionState:
        event = await self.fetch_subscription_event(gateway_subscription_id)
        if event.subscription is None:
            raise GatewayError(f"Lemon Squeezy returned no subscription {gateway_subscription_id}")
        return event.subscription

    async def cancel_subscription(
        self, gateway_subscription_id: str, *, at_period_end: bool
    ) -> SubscriptionState:
        """`DELETE /v1/subscriptions/{id}`: Lemon Squeezy's only way to cancel.

        It always cancels at the end of the period: the subscription becomes
        `cancelled` and expires at `ends_at`, when `subscription_expired` (or the
        reconciliation job) ends it here too. Lemon Squeezy has no immediate
        cancellation, so `at_period_end=False` does the same: no further payment
        is ever taken, and access ends with the period that was paid for.
        """
        found = await self._request("DELETE", f"/v1/subscriptions/{gateway_subscription_id}")
        return self._answered_subscription(found)

    async def resume_subscription(self, gateway_subscription_id: str) -> SubscriptionState:
        """`PATCH /v1/subscriptions/{id}` with `cancelled: false`, before it has expired."""
        body = {
            "data": {
                "type": "subscriptions",
                "id": gateway_subscription_id,
                "attributes": {"cancelled": False},
            }
        }
        found = await self._request("PATCH", f"/v1/subscriptions/{gateway_subscription_id}", body)
        return self._answered_subscription(found)

    async def change_price(
        self, gateway_subscription_id: str, plan: Plan, price: Price
    ) -> SubscriptionState:
        """`PATCH /v1/subscriptions/{id}` with the new `variant_id`.

        `invoice_immediately` charges (or credits) the difference for the rest of the
        period at once, instead of on the next renewal.
        """
        body = {
            "data": {
                "type": "subscriptions",
                "id": gateway_subscription_id,
                "attributes": {
                    "variant_id": int(self._variant_ids.id_for(plan, price)),
                    "invoice_immediately": True,
                },
            }
        }
        found = await self._request("PATCH", f"/v1/subscriptions/{gateway_subscription_id}", body)
        return self._answered_subscription(found)

    def _answered_subscription(self, found: dict[str, Any]) -> SubscriptionState:
        """The subscription an API answer carries, read like a webhook's."""
        try:
            event = self._normalize(
                {"meta": {"event_name": RECONCILE_EVENT}, "data": found["data"]}
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayError(f"Lemon Squeezy answered an unreadable subscription: {exc}") from exc
        if event.subscription is None:
            raise GatewayError("Lemon Squeezy answered without a subscription")
        return event.subscription

    def verify(self, body: bytes, headers: Mapping[str, str]) -> NormalizedEvent:
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), "")
        expected = sign(body, self._settings.lemonsqueezy_webhook_secret.get_secret_value())
        if not given or not hmac.compare_digest(expected, given):
            raise InvalidSignature("X-Signature does not match the body")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise InvalidSignature(f"malformed event: {exc}") from exc
        if not isinstance(payload, dict) or "event_name" not in (payload.get("meta") or {}):
            raise InvalidSignature("not a Lemon Squeezy webhook")
        return self._normalize(payload)

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, json=body, params=params)
            response.raise_for_status()
            result: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GatewayError(f"Lemon Squeezy refused {method} {path}: {exc}") from exc
        return result

    def read_logged(self, payload: Mapping[str, Any]) -> NormalizedEvent:
        return self._normalize(dict(payload))

    def _normalize(self, payload: dict[str, Any]) -> NormalizedEvent:
        meta: dict[str, Any] = payload["meta"]
        event_name = str(meta["event_name"])
        data: dict[str, Any] = payload.get("data") or {}
        attributes: dict[str, Any] = data.get("attributes") or {}
        updated_at = str(attributes.get("updated_at") or attributes.get("created_at"))
        envelope = NormalizedEvent(
            gateway=GATEWAY_NAME,
            # No event id: the same event about the same version of the same object.
            dedupe_key=f"{event_name}/{data.get('type')}/{data.get('id')}/{updated_at}/"
            + _digest(attributes),
            event_type=event_name,
            occurred_at=_time(updated_at),
            kind="ignored",
            payload=payload,
            account_id=_account_id(meta.get("custom_data")),
        )
        if data.get("type") == "subscriptions" and (
            event_name in _SUBSCRIPTION_EVENTS or event_name == RECONCILE_EVENT
        ):
            return replace(
                envelope,
                kind=_SUBSCRIPTION_EVENTS.get(event_name, "subscription_changed"),
                customer=CustomerState(
                    str(attributes["customer_id"]), email=attributes.get("user_email")
                ),
                subscription=self._subscription_state(str(data["id"]), attributes, meta),
            )
        if data.get("type") == "subscription-invoices" and event_name in _INVOICE_EVENTS:
            return replace(
                envelope,
                kind=_INVOICE_EVENTS[event_name],
                customer=CustomerState(str(attributes["customer_id"])),
                invoice=InvoiceState(
                    gateway_invoice_id=str(data["id"]),
                    gateway_subscription_id=str(attributes["subscription_id"]),
                    amount_due_cents=int(attributes.get("total") or 0),
                    currency=str(attributes.get("currency") or "USD").lower(),
                    hosted_invoice_url=(attributes.get("urls") or {}).get("invoice_url"),
                    next_payment_attempt=None,
                ),
            )
        if data.get("type") == "orders" and event_name == ORDER_CREATED:
            if envelope.account_id is None:
                return envelope  # not from this app's checkout
            return replace(
                envelope,
                kind="checkout_completed",
                customer=CustomerState(
                    str(attributes["customer_id"]), email=attributes.get("user_email")
                ),
            )
        if event_name not in _RECORDED_ONLY:
            logger.info("Lemon Squeezy event %s is not used by this product", event_name)
        return envelope

    def _subscription_state(
        self, subscription_id: str, attributes: dict[str, Any], meta: dict[str, Any]
    ) -> SubscriptionState:
        raw_status = str(attributes["status"])
        status = _STATUSES.get(raw_status)
        if status is None:
            raise ValueError(f"unknown Lemon Squeezy subscription status {raw_status!r}")
        pause: dict[str, Any] = attributes.get("pause") or {}
        if raw_status == "paused" and pause.get("mode") == "free":
            # "Offer your subscription services for free, whilst halting payment
            # collection": the seller keeps serving the customer, so access stays.
            # Only a `void` pause ("you can't offer your services") pauses access.
            status = "active"
        cancelled = bool(attributes.get("cancelled")) or raw_status == "cancelled"
        # Null while the subscription has no item, e.g. in a free trial: one unit until
        # the item exists (seat sync and usage reporting wait for it, see seat_sync.py
        # and metering.py).
        item = attributes.get("first_subscription_item") or {}
        variant_id = str(attributes["variant_id"])
        ends_at = _optional_time(attributes.get("ends_at"))
        # A paused subscription collects its next payment when the pause ends.
        renews_at = _optional_time(pause.get("resumes_at") or attributes.get("renews_at"))
        trial_ends_at = _optional_time(attributes.get("trial_ends_at"))
        in_trial = raw_status == "on_trial" or (
            raw_status == "cancelled"
            and trial_ends_at is not None
            and (ends_at is None or ends_at <= trial_ends_at)
        )
        return SubscriptionState(
            gateway_subscription_id=subscription_id,
            status="trialing" if in_trial else status,
            plan=self._plan_key(variant_id, meta.get("custom_data")),
            price_id=variant_id,
            quantity=int(item.get("quantity") or 1),
            current_period_end=ends_at if cancelled else renews_at,
            cancel_at_period_end=cancelled and status != "canceled",
            trial_end=trial_ends_at if in_trial else None,
            canceled_at=ends_at if status == "canceled" else None,
        )

    def _plan_key(self, variant_id: str, custom_data: dict[str, Any] | None) -> str:
        plan = self._variant_ids.plan_for(variant_id)
        if plan is not None:
            return plan
        if custom_data and "plan" in custom_data:
            return str(custom_data["plan"])
        logger.warning("Lemon Squeezy variant %s belongs to no plan in plans.py", variant_id)
        return UNKNOWN_PLAN


def create_gateway(settings: Settings) -> LemonSqueezyGateway:
    return LemonSqueezyGateway(settings)


def _account_id(custom_data: dict[str, Any] | None) -> UUID | None:
    if not custom_data or "account_id" not in custom_data:
        return None
    try:
        return UUID(str(custom_data["account_id"]))
    except ValueError:
        return None


def _digest(attributes: dict[str, Any]) -> str:
    """What the object says, short: `updated_at` has whole seconds, and two different
    states of one subscription within a second must not look like one redelivered event
    (the second would be dropped as a duplicate instead of settled by a re-fetch).
    `urls` is left out: its links are signed afresh and say nothing about the state."""
    state = {key: value for key, value in attributes.items() if key != "urls"}
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _optional_time(value: str | None) -> datetime | None:
    return _time(value) if value else None


async def subscription_item(http: httpx.AsyncClient, subscription_id: str) -> dict[str, Any] | None:
    """The subscription's item (its price and quantity), or None while it has none.

    `first_subscription_item` is null while there is no item, "for example if the
    subscription is currently in a free trial"; then the subscription's items are listed
    (`GET /v1/subscription-items?filter[subscription_id]=…`) in case one exists already.
    None means there is nothing to bill yet: the caller raises, so its job is retried
    until the item exists, and the side effect is never dropped.
    """
    found = await _get(http, f"/v1/subscriptions/{subscription_id}")
    item: dict[str, Any] | None = (found.get("attributes") or {}).get("first_subscription_item")
    if item:
        return item
    listed = await _get(
        http, "/v1/subscription-items", params={"filter[subscription_id]": subscription_id}
    )
    for resource in listed if isinstance(listed, list) else []:
        return {**(resource.get("attributes") or {}), "id": resource["id"]}
    return None


async def _get(http: httpx.AsyncClient, path: str, params: dict[str, str] | None = None) -> Any:
    """The `data` of a GET, or GatewayError."""
    try:
        response = await http.get(path, params=params)
        response.raise_for_status()
        return response.json()["data"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise GatewayError(f"Lemon Squeezy refused GET {path}: {exc}") from exc
