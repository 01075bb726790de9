"""What the product sells: one plan, billed monthly or yearly.

Prices here are what the pricing page shows; the gateway's own price ids live
in settings. Code that gates a feature asks `entitlements(state)` what the
account may do, never which plan it is on, so plans can change without
touching the features they unlock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..settings import Settings
    from .service import BillingState

PriceKey = Literal["monthly", "yearly"]


@dataclass(frozen=True)
class Price:
    key: PriceKey
    amount_cents: int
    currency: str
    interval: Literal["month", "year"]


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    tagline: str
    features: tuple[str, ...]
    prices: tuple[Price, ...]
    trial_days: int

    def price(self, key: str) -> Price | None:
        return next((price for price in self.prices if price.key == key), None)


STANDARD = Plan(
    key="standard",
    name="Standard",
    tagline="Everything in the product, for one simple price.",
    features=(
        "Every feature, no limits",
        "Email support",
        "Cancel any time from the billing portal",
    ),
    prices=(
        Price(key="monthly", amount_cents=1900, currency="usd", interval="month"),
        Price(key="yearly", amount_cents=19000, currency="usd", interval="year"),
    ),
    trial_days=14,
)

PLANS: tuple[Plan, ...] = (STANDARD,)


def catalog(settings: Settings) -> tuple[Plan, ...]:
    """The plans as offered right now: the trial length comes from settings (TRIAL_DAYS)."""
    return tuple(replace(plan, trial_days=settings.trial_days) for plan in PLANS)


def find_plan(key: str) -> Plan | None:
    return next((plan for plan in PLANS if plan.key == key), None)


@dataclass(frozen=True)
class Entitlements:
    """What an account may do, derived from its billing state."""

    use_paid_features: bool
    start_checkout: bool
    manage_billing: bool


def entitlements(state: BillingState) -> Entitlements:
    return Entitlements(
        use_paid_features=state.is_active,
        start_checkout=not state.is_active,
        manage_billing=state.has_customer,
    )
