"""The shape of what the product sells, whatever the pricing model.

A `Plan` has one or more `Price`s; `price_ref(plan, price)` names a price in
the product ("pro.monthly"), and `PriceIds` maps those names to the gateway's
own ids (from the gateway's one price setting, a JSON object keyed by price
ref) and back, so checkout sends the gateway its id and a webhook's id finds
the plan again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Price:
    """One way to pay for a plan. `interval=None` means it is charged once.

    A metered price has a `unit` ("request"): `amount_cents` is charged per unit
    reported during each interval, not once per interval.
    """

    key: str
    amount_cents: int
    currency: str
    interval: Literal["month", "year"] | None
    unit: str | None = None

    @property
    def metered(self) -> bool:
        return self.unit is not None


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    tagline: str
    features: tuple[str, ...]
    prices: tuple[Price, ...]
    trial_days: int
    # Billed per unit on top of whichever of `prices` the customer chose (usage pricing).
    metered_price: Price | None = None

    def price(self, key: str) -> Price | None:
        return next((price for price in self.prices if price.key == key), None)


def price_ref(plan: Plan, price: Price) -> str:
    """The product's name for a price, e.g. "pro.monthly": the key of the gateway id settings."""
    return f"{plan.key}.{price.key}"


def price_refs(plans: Iterable[Plan]) -> tuple[str, ...]:
    """Every price the plans offer, by reference, in catalog order."""
    return tuple(price_ref(plan, price) for plan in plans for price in plan.prices)


def with_placeholders(
    ids: Mapping[str, str], plans: Iterable[Plan], placeholder: Callable[[int, str], str]
) -> dict[str, str]:
    """`ids` with a made-up id for every price it lacks (development only).

    `placeholder(index, ref)` shapes the id like the gateway's own, so the
    development simulator can run before any price exists at the gateway.
    """
    filled = dict(ids)
    for index, ref in enumerate(price_refs(plans)):
        filled.setdefault(ref, placeholder(index, ref))
    return filled


class UnknownPrice(LookupError):
    """A price of the catalog has no gateway id configured."""


class PriceIds:
    """The two-way map between price refs and the gateway's price (or variant) ids."""

    def __init__(self, ids: Mapping[str, str]) -> None:
        self._ids = dict(ids)
        self._refs = {gateway_id: ref for ref, gateway_id in self._ids.items()}

    def id_for(self, plan: Plan, price: Price) -> str:
        ref = price_ref(plan, price)
        try:
            return self._ids[ref]
        except KeyError:
            raise UnknownPrice(f"no gateway price id is configured for {ref}") from None

    def ref_for(self, gateway_price_id: str | None) -> str | None:
        """The price ref a gateway id stands for, or None if it is none of ours."""
        return self._refs.get(gateway_price_id) if gateway_price_id is not None else None

    def plan_for(self, gateway_price_id: str | None) -> str | None:
        """The key of the plan a gateway price id belongs to, or None."""
        ref = self.ref_for(gateway_price_id)
        return ref.partition(".")[0] if ref is not None else None

    def items(self) -> tuple[tuple[str, str], ...]:
        """(ref, gateway id) pairs, sorted by ref."""
        return tuple(sorted(self._ids.items()))


def find_price(plans: Iterable[Plan], ref: str | None) -> tuple[Plan, Price] | None:
    """The plan and price a price ref names, or None."""
    if ref is None:
        return None
    plan_key, _, price_key = ref.partition(".")
    for plan in plans:
        price = plan.price(price_key) if plan.key == plan_key else None
        if price is not None:
            return plan, price
    return None


@dataclass(frozen=True)
class YearlySaving:
    """What paying yearly saves over twelve monthly payments of the same plan."""

    cents: int
    percent: int
    # Set when the saving is a whole number of monthly payments ("2 months free").
    months_free: int | None

    @property
    def label(self) -> str:
        if self.months_free is not None:
            return f"{self.months_free} month{'' if self.months_free == 1 else 's'} free"
        return f"save {self.percent}%"


def yearly_saving(plan: Plan) -> YearlySaving | None:
    """The saving of the plan's yearly price over its monthly one; None without one."""
    monthly = next((price for price in plan.prices if price.interval == "month"), None)
    yearly = next((price for price in plan.prices if price.interval == "year"), None)
    if monthly is None or yearly is None or monthly.currency != yearly.currency:
        return None
    twelve_months = 12 * monthly.amount_cents
    saved = twelve_months - yearly.amount_cents
    if saved <= 0:
        return None
    months, rest = divmod(saved, monthly.amount_cents)
    return YearlySaving(
        cents=saved,
        percent=round(100 * saved / twelve_months),
        months_free=months if rest == 0 else None,
    )
