"""Paddle Billing: checkout, the customer portal and webhooks, through paddle-python-sdk.

Checkout is a transaction created here with the plan's price and the account
id in `custom_data`. Paddle's checkout link leads to this app's `/pay` page,
which loads Paddle.js with the client-side token; Paddle.js opens the checkout
for the `_ptxn` in the link. Webhooks ("notifications") carry a
`Paddle-Signature: ts=<unix time>;h1=<hex HMAC-SHA256 of "<ts>:<body>">`
header, checked with the SDK's Verifier on the raw body. Updates are ordered by the
entity's `updated_at` (microseconds); two notifications with the same one and
different states are settled by `fetch_subscription` (GET /subscriptions/{id}).
Subscription requests go through the SDK's client and operations, and their answer
is read as the same JSON a notification carries, so one parser maps both.

The SDK is synchronous (requests): its calls run in a worker thread.
"""

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import requests
from paddle_billing import Client, Environment, Options
from paddle_billing.Entities.Shared import Checkout, CustomData
from paddle_billing.Entities.Subscriptions import (
    SubscriptionEffectiveFrom,
    SubscriptionProrationBillingMode,
)
from paddle_billing.Notifications import Secret, Verifier
from paddle_billing.Resources.CustomerPortalSessions.Operations import (
    CreateCustomerPortalSession,
)
from paddle_billing.Resources.Customers.Operations import CreateCustomer, ListCustomers
from paddle_billing.Resources.Subscriptions.Operations import (
    CancelSubscription,
    UpdateSubscription,
)
from paddle_billing.Resources.Subscriptions.Operations.Update import SubscriptionUpdateItem
from paddle_billing.Resources.Transactions.Operations import CreateTransaction
from paddle_billing.Resources.Transactions.Operations.Create import TransactionCreateItem
from requests.adapters import BaseAdapter

from ...settings import Settings
from ..catalog import Plan, Price, PriceIds
from ..gateway import (
    BillingAccount,
    CustomerState,
    EventKind,
    GatewayError,
    InvalidSignature,
    InvoiceState,
    NormalizedEvent,
    SubscriptionState,
    subscription_status,
)
from .pay_page import PAY_PATH

GATEWAY_NAME = "paddle"
SIGNATURE_HEADER = "paddle-signature"
# Paddle's guidance: reject a signature whose timestamp is more than 5 seconds off.
SIGNATURE_TOLERANCE_SECONDS = 5
UNKNOWN_PLAN = "unknown"

# Paddle's subscription statuses are a subset of the product's, with the same names.
_SUBSCRIPTION_EVENTS: dict[str, EventKind] = {
    "subscription.created": "subscription_changed",
    "subscription.activated": "subscription_changed",
    "subscription.updated": "subscription_changed",
    "subscription.trialing": "subscription_changed",
    "subscription.past_due": "subscription_changed",
    "subscription.paused": "subscription_changed",
    "subscription.resumed": "subscription_changed",
    "subscription.canceled": "subscription_canceled",
}
TRANSACTION_COMPLETED = "transaction.completed"
TRANSACTION_PAYMENT_FAILED = "transaction.payment_failed"
_CUSTOMER_EVENTS = frozenset({"customer.created", "customer.updated"})
# Transactions Paddle creates to renew a subscription; the others come from checkout.
_RENEWAL_ORIGINS = frozenset({"subscription_recurring", "subscription_payment_method_change"})
# Every event type read here: what `setup-billing` subscribes the notification destination to.
WEBHOOK_EVENTS = (
    *_SUBSCRIPTION_EVENTS,
    TRANSACTION_COMPLETED,
    TRANSACTION_PAYMENT_FAILED,
    *sorted(_CUSTOMER_EVENTS),
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def price_ids(settings: Settings) -> PriceIds:
    """Paddle's price id for each price ref (PADDLE_PRICES)."""
    return PriceIds(settings.paddle_prices)


@dataclass(frozen=True)
class _SignedRequest:
    """What the SDK's Verifier reads from a request: the raw body and the headers."""

    body: bytes
    headers: Mapping[str, str]


class PaddleGateway:
    name = GATEWAY_NAME

    def __init__(self, settings: Settings, *, http_adapter: BaseAdapter | None = None) -> None:
        self._settings = settings
        environment = (
            Environment.PRODUCTION
            if settings.paddle_environment == "production"
            else Environment.SANDBOX
        )
        self._client = Client(
            settings.paddle_api_key.get_secret_value(), options=Options(environment)
        )
        if http_adapter is not None:
            self._client.client.mount("https://", http_adapter)
        self._verifier = Verifier(maximum_variance=SIGNATURE_TOLERANCE_SECONDS)
        self._price_ids = price_ids(settings)

    async def create_customer(self, account_id: UUID, email: str) -> str:
        # Paddle refuses a second customer with the same email: reuse the existing one.
        existing = await self._call(
            "look up the customer", self._client.customers.list, ListCustomers(emails=[email])
        )
        for customer in existing.items:
            return str(customer.id)
        customer = await self._call(
            "create the customer",
            self._client.customers.create,
            CreateCustomer(email=email, custom_data=CustomData({"account_id": str(account_id)})),
        )
        return str(customer.id)

    async def create_checkout(
        self,
        account: BillingAccount,
        plan: Plan,
        price: Price,
        customer_email: str,
        *,
        quantity: int = 1,
    ) -> str:
        # Trials belong to the Paddle price (its trial period), not to the transaction.
        operation = CreateTransaction(
            items=[
                TransactionCreateItem(
                    price_id=self._price_ids.id_for(plan, price), quantity=quantity
                )
            ],
            customer_id=account.customer_id,
            custom_data=CustomData({"account_id": str(account.id), "plan": plan.key}),
            checkout=Checkout(url=self._url(PAY_PATH)),
        )
        transaction = await self._call(
            "start checkout", self._client.transactions.create, operation
        )
        url = transaction.checkout.url if transaction.checkout else None
        if not url:
            raise GatewayError("Paddle returned a transaction without a checkout URL")
        return str(url)

    async def create_portal(self, account: BillingAccount) -> str:
        if not account.customer_id:
            raise GatewayError("the account has no Paddle customer yet")
        session = await self._call(
            "open the customer portal",
            self._client.customer_portal_sessions.create,
            account.customer_id,
            CreateCustomerPortalSession(subscription_ids=list(account.subscription_ids)),
        )
        return str(session.urls.general.overview)

    async def fetch_subscription(self, gateway_subscription_id: str) -> SubscriptionState:
        response = await self._call(
            "fetch the subscription",
            self._client.get_raw,
            f"/subscriptions/{gateway_subscription_id}",
        )
        found: dict[str, Any] = response.json()["data"]
        return self._subscription_state(found)

    async def cancel_subscription(
        self, gateway_subscription_id: str, *, at_period_end: bool
    ) -> SubscriptionState:
        effective_from = (
            SubscriptionEffectiveFrom.NextBillingPeriod
            if at_period_end
            else SubscriptionEffectiveFrom.Immediately
        )
        response = await self._call(
            "cancel the subscription",
            self._client.post_raw,
            f"/subscriptions/{gateway_subscription_id}/cancel",
            CancelSubscription(effective_from=effective_from),
        )
        return self._subscription_state(response.json()["data"])

    async def resume_subscription(self, gateway_subscription_id: str) -> SubscriptionState:
        # A scheduled cancellation is the subscription's scheduled change: removing it resumes.
        response = await self._call(
            "resume the subscription",
            self._client.patch_raw,
            f"/subscriptions/{gateway_subscription_id}",
            UpdateSubscription(scheduled_change=None),
        )
        return self._subscription_state(response.json()["data"])

    async def change_price(
        self, gateway_subscription_id: str, plan: Plan, price: Price
    ) -> SubscriptionState:
        """Replace the subscription's item, prorated and billed now.

        Paddle replaces the whole item list, quantity included, so the current
        quantity (seats) is read first and kept. `prorated_immediately` charges
        (or credits) the difference for the rest of the period at once.
        """
        path = f"/subscriptions/{gateway_subscription_id}"
        current = await self._call("fetch the subscription", self._client.get_raw, path)
        items: list[dict[str, Any]] = current.json()["data"].get("items") or []
        quantity = int(items[0].get("quantity") or 1) if items else 1
        operation = UpdateSubscription(
            items=[
                SubscriptionUpdateItem(
                    price_id=self._price_ids.id_for(plan, price), quantity=quantity
                )
            ],
            proration_billing_mode=SubscriptionProrationBillingMode.ProratedImmediately,
        )
        response = await self._call("change the price", self._client.patch_raw, path, operation)
        return self._subscription_state(response.json()["data"])

    def verify(self, body: bytes, headers: Mapping[str, str]) -> NormalizedEvent:
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
        if not header:
            raise InvalidSignature("no Paddle-Signature header")
        secrets = [Secret(self._settings.paddle_webhook_secret.get_secret_value())]
        request = _SignedRequest(body, {"Paddle-Signature": header})
        try:
            genuine = self._verifier.verify(request, secrets)
        except ConnectionRefusedError as exc:  # the SDK's answer when no secret matches
            raise InvalidSignature("the signature matches no webhook secret") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidSignature(f"malformed Paddle-Signature header: {exc}") from exc
        if not genuine:
            raise InvalidSignature("the signature is stale or does not match")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise InvalidSignature(f"malformed event: {exc}") from exc
        if not isinstance(payload, dict) or "event_id" not in payload:
            raise InvalidSignature("not a Paddle notification")
        return self._normalize(payload)

    async def _call(self, action: str, method: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.to_thread(method, *args)
        except requests.RequestException as exc:  # the SDK's ApiError is one of these
            raise GatewayError(f"Paddle could not {action}: {exc}") from exc

    def _url(self, path: str) -> str:
        return self._settings.base_url.rstrip("/") + path

    def read_logged(self, payload: Mapping[str, Any]) -> NormalizedEvent:
        return self._normalize(dict(payload))

    def _normalize(self, payload: dict[str, Any]) -> NormalizedEvent:
        event_type = str(payload["event_type"])
        data: dict[str, Any] = payload.get("data") or {}
        envelope = NormalizedEvent(
            gateway=GATEWAY_NAME,
            dedupe_key=str(payload["event_id"]),
            event_type=event_type,
            # The entity's own version orders events about it; the notification's time otherwise.
            occurred_at=_time(data.get("updated_at") or payload["occurred_at"]),
            kind="ignored",
            payload=payload,
        )
        if event_type in _SUBSCRIPTION_EVENTS:
            return replace(
                envelope,
                kind=_SUBSCRIPTION_EVENTS[event_type],
                account_id=_account_id(data.get("custom_data")),
                customer=CustomerState(str(data["customer_id"])),
                subscription=self._subscription_state(data),
            )
        if event_type == TRANSACTION_COMPLETED:
            return self._transaction_completed(envelope, data)
        if event_type == TRANSACTION_PAYMENT_FAILED:
            return self._payment_failed(envelope, data)
        if event_type in _CUSTOMER_EVENTS:
            return replace(
                envelope,
                kind="customer_changed",
                account_id=_account_id(data.get("custom_data")),
                customer=CustomerState(str(data["id"]), email=data.get("email")),
            )
        return envelope

    def _transaction_completed(
        self, envelope: NormalizedEvent, transaction: dict[str, Any]
    ) -> NormalizedEvent:
        customer_id = transaction.get("customer_id")
        if not customer_id or not transaction.get("subscription_id"):
            return envelope  # not a subscription payment: nothing this product tracks
        renewal = transaction.get("origin") in _RENEWAL_ORIGINS
        return replace(
            envelope,
            kind="invoice_paid" if renewal else "checkout_completed",
            account_id=_account_id(transaction.get("custom_data")),
            customer=CustomerState(str(customer_id)),
            invoice=_invoice_state(transaction),
        )

    def _payment_failed(
        self, envelope: NormalizedEvent, transaction: dict[str, Any]
    ) -> NormalizedEvent:
        # A card declined in checkout fails the transaction too, but the customer is
        # still on the checkout page and can retry: only a failed renewal is news.
        if transaction.get("origin") not in _RENEWAL_ORIGINS or not transaction.get("customer_id"):
            return envelope
        return replace(
            envelope,
            kind="payment_failed",
            account_id=_account_id(transaction.get("custom_data")),
            customer=CustomerState(str(transaction["customer_id"])),
            invoice=_invoice_state(transaction),
        )

    def _subscription_state(self, subscription: dict[str, Any]) -> SubscriptionState:
        status = subscription_status(str(subscription["status"]))
        if status is None:
            raise ValueError(f"unknown Paddle subscription status {subscription['status']!r}")
        items: list[dict[str, Any]] = subscription.get("items") or []
        price_id = str(items[0]["price"]["id"]) if items else None
        period = subscription.get("current_billing_period") or {}
        period_end = _optional_time(period.get("ends_at"))
        # Paddle schedules a cancellation for the end of the billing period; any other
        # date (e.g. one set through the API on a paused subscription) is a dated end.
        scheduled = subscription.get("scheduled_change") or {}
        cancel_on = (
            _optional_time(scheduled.get("effective_at"))
            if scheduled.get("action") == "cancel"
            else None
        )
        trial_ends = [
            _time(item["trial_dates"]["ends_at"])
            for item in items
            if (item.get("trial_dates") or {}).get("ends_at")
        ]
        return SubscriptionState(
            gateway_subscription_id=str(subscription["id"]),
            status=status,
            plan=self._plan_key(price_id, subscription.get("custom_data")),
            price_id=price_id,
            quantity=int(items[0].get("quantity") or 1) if items else 1,
            current_period_end=period_end,
            cancel_at_period_end=cancel_on is not None and cancel_on == period_end,
            cancel_at=cancel_on if cancel_on is not None and cancel_on != period_end else None,
            trial_end=max(trial_ends) if trial_ends and status == "trialing" else None,
            canceled_at=_optional_time(subscription.get("canceled_at")),
        )

    def _plan_key(self, price_id: str | None, custom_data: dict[str, Any] | None) -> str:
        plan = self._price_ids.plan_for(price_id)
        if plan is not None:
            return plan
        if custom_data and "plan" in custom_data:
            return str(custom_data["plan"])
        logger.warning("Paddle price %s belongs to no plan in plans.py", price_id)
        return UNKNOWN_PLAN


def create_gateway(settings: Settings) -> PaddleGateway:
    return PaddleGateway(settings)


def _invoice_state(transaction: dict[str, Any]) -> InvoiceState:
    totals = (transaction.get("details") or {}).get("totals") or {}
    return InvoiceState(
        gateway_invoice_id=str(transaction["id"]),
        gateway_subscription_id=transaction.get("subscription_id"),
        # Paddle sends amounts as strings in the currency's lowest unit.
        amount_due_cents=int(totals.get("grand_total") or totals.get("total") or 0),
        currency=str(transaction.get("currency_code") or "USD").lower(),
        hosted_invoice_url=None,
        next_payment_attempt=None,
    )


def _account_id(custom_data: dict[str, Any] | None) -> UUID | None:
    if not custom_data or "account_id" not in custom_data:
        return None
    try:
        return UUID(str(custom_data["account_id"]))
    except ValueError:
        return None


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _optional_time(value: str | None) -> datetime | None:
    return _time(value) if value else None
