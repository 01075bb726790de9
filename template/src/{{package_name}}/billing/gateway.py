"""The seam between the product and its payment gateway.

Everything outside the adapter module speaks in these terms: a `Gateway` that
opens checkout and portal sessions and turns a signed webhook into a
`NormalizedEvent`, whose state the service applies to the database. Nothing
here knows which gateway is behind it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, get_args
from uuid import UUID

from .catalog import Plan, Price

# The statuses public.subscriptions accepts; adapters map the gateway's onto these.
SubscriptionStatus = Literal[
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
]
SUBSCRIPTION_STATUSES: tuple[SubscriptionStatus, ...] = get_args(SubscriptionStatus)

# Statuses that keep the product unlocked. `past_due` is included: the gateway
# is still retrying the card, and locking people out mid-retry loses customers.
ACCESS_STATUSES: frozenset[str] = frozenset({"trialing", "active", "past_due"})

EventKind = Literal[
    "checkout_completed",
    "subscription_changed",
    "subscription_canceled",
    "trial_ending",
    "invoice_paid",
    "payment_failed",
    "customer_changed",
    "ignored",
]

# Where the gateway sends the customer back to, relative to settings.base_url.
CHECKOUT_SUCCESS_PATH = "/dashboard?checkout=success"
CHECKOUT_CANCEL_PATH = "/billing?checkout=canceled"
PORTAL_RETURN_PATH = "/billing"


class InvalidSignature(Exception):
    """The webhook is not a genuine, recent, well-formed event from the gateway."""


class GatewayError(Exception):
    """The gateway refused a request or could not be reached."""


@dataclass(frozen=True)
class BillingAccount:
    """The account a checkout or portal session is for.

    `subscription_ids` are the account's subscriptions at the gateway, for
    gateways whose portal sessions are opened for particular subscriptions.
    """

    id: UUID
    customer_id: str | None = None
    subscription_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomerState:
    gateway_customer_id: str
    email: str | None = None


@dataclass(frozen=True)
class SubscriptionState:
    gateway_subscription_id: str
    status: SubscriptionStatus
    plan: str
    price_id: str | None
    quantity: int
    current_period_end: datetime | None
    cancel_at_period_end: bool
    trial_end: datetime | None
    canceled_at: datetime | None


@dataclass(frozen=True)
class InvoiceState:
    gateway_invoice_id: str
    gateway_subscription_id: str | None
    amount_due_cents: int
    currency: str
    hosted_invoice_url: str | None
    next_payment_attempt: datetime | None


@dataclass(frozen=True)
class NormalizedEvent:
    """One verified webhook, in the product's terms.

    `dedupe_key` is stable across redeliveries of the same event; `occurred_at`
    is the gateway's time for it, used to refuse stale updates; `account_id`
    comes from the metadata set at checkout (None when the gateway omits it:
    the service then finds the account through the customer).
    """

    gateway: str
    dedupe_key: str
    event_type: str
    occurred_at: datetime
    kind: EventKind
    payload: Mapping[str, Any]
    account_id: UUID | None = None
    customer: CustomerState | None = None
    subscription: SubscriptionState | None = None
    invoice: InvoiceState | None = None


class Gateway(Protocol):
    @property
    def name(self) -> str:
        """Short lowercase name, used in URLs and stored with every row it owns."""
        ...

    async def create_customer(self, account_id: UUID, email: str) -> str:
        """Create the gateway's customer for an account; return its id.

        Called at most once per account (under a lock on the account), and
        idempotent at the gateway as well, so a retry never makes a second one.
        """
        ...

    async def create_checkout(
        self,
        account: BillingAccount,
        plan: Plan,
        price: Price,
        customer_email: str,
        *,
        quantity: int = 1,
    ) -> str:
        """Start a subscription checkout for `plan` at `price`; return the URL to send the user to.

        `plan.trial_days` is the trial to grant (0 for none); `quantity` is how
        many units of the price the subscription starts with.
        """
        ...

    async def create_portal(self, account: BillingAccount) -> str:
        """Return the URL of the gateway's self-service billing page for this customer."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> NormalizedEvent:
        """Check the webhook's signature on the raw body and normalize it.

        Raises InvalidSignature for anything not signed by the gateway recently.
        """
        ...


def subscription_status(value: str) -> SubscriptionStatus | None:
    """`value` as a status public.subscriptions accepts, or None if it is not one."""
    return next((status for status in SUBSCRIPTION_STATUSES if status == value), None)


# Development simulator: each gateway provides a `GatewaySimulator` that builds
# its native webhook payloads and signs them like the gateway would.


@dataclass(frozen=True)
class SimulatedCheckout:
    account_id: UUID
    customer_id: str
    email: str
    plan: Plan
    price: Price


@dataclass(frozen=True)
class SimulatedSubscription:
    account_id: UUID
    customer_id: str
    email: str | None
    subscription_id: str
    plan_key: str
    price_id: str | None
    status: SubscriptionStatus
    current_period_end: datetime | None
    trial_end: datetime | None
    cancel_at_period_end: bool


class GatewaySimulator(Protocol):
    @property
    def webhook_path(self) -> str: ...

    def customer_id(self, account_id: UUID) -> str:
        """A stable, gateway-shaped customer id for an account."""
        ...

    def checkout_completed(self, checkout: SimulatedCheckout) -> list[bytes]:
        """The events the gateway sends when this checkout is paid, in its order."""
        ...

    def cancellation(
        self, subscription: SimulatedSubscription, *, immediately: bool
    ) -> list[bytes]:
        """The events for canceling now, or at the end of the current period."""
        ...

    def payment_failure(self, subscription: SimulatedSubscription) -> list[bytes]:
        """The events for a renewal payment that fails."""
        ...

    def sign(self, body: bytes, timestamp: int) -> dict[str, str]:
        """The headers the gateway would send with `body`."""
        ...
