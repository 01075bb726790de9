"""Monthly recurring revenue: paying subscriptions at their catalog price.

MRR counts the subscriptions being paid for now (`active`, `past_due`) at the catalog
price their gateway price id names: a monthly price as is, a yearly one as a twelfth,
times the subscription's quantity (seats). Subscriptions on a price the catalog does
not know are counted apart, not guessed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..billing.catalog import Plan, Price, PriceIds, find_price
from ..db import Connection

PAYING_STATUSES = ("active", "past_due")


@dataclass(frozen=True)
class PricedGroup:
    """Paying subscriptions on one gateway price: how many, and their units."""

    price_id: str | None
    subscriptions: int
    quantity: int


@dataclass(frozen=True)
class Recurring:
    """Monthly recurring revenue per currency, in cents (rounded half up)."""

    mrr: dict[str, int]
    paying: int
    # Paying subscriptions whose price is none of the catalog's (not in `mrr`).
    unpriced: int

    @property
    def arr(self) -> dict[str, int]:
        return {currency: 12 * cents for currency, cents in self.mrr.items()}


def monthly_cents(price: Price, quantity: int) -> Fraction:
    """What `quantity` units of `price` bring in a month: a year's price counts a twelfth."""
    if price.interval is None:
        return Fraction(0)
    total = Fraction(price.amount_cents * quantity)
    return total if price.interval == "month" else total / 12


def recurring_revenue(
    groups: Iterable[PricedGroup], plans: Sequence[Plan], ids: PriceIds
) -> Recurring:
    totals: dict[str, Fraction] = {}
    paying = unpriced = 0
    for group in groups:
        paying += group.subscriptions
        found = find_price(plans, ids.ref_for(group.price_id))
        if found is None:
            unpriced += group.subscriptions
            continue
        price = found[1]
        amount = monthly_cents(price, group.quantity)
        totals[price.currency] = totals.get(price.currency, Fraction(0)) + amount
    return Recurring(mrr=rounded_cents(totals), paying=paying, unpriced=unpriced)


def rounded_cents(totals: dict[str, Fraction]) -> dict[str, int]:
    """Whole cents per currency, rounded half up, in currency order."""
    return {currency: int(cents + Fraction(1, 2)) for currency, cents in sorted(totals.items())}


async def priced_groups(conn: Connection) -> list[PricedGroup]:
    cursor = await conn.execute(
        """
        select price_id, count(*) as subscriptions, sum(quantity) as quantity
        from public.subscriptions
        where status = any(%(paying)s)
        group by price_id
        order by price_id
        """,
        {"paying": list(PAYING_STATUSES)},
    )
    return [
        PricedGroup(
            price_id=row["price_id"], subscriptions=row["subscriptions"], quantity=row["quantity"]
        )
        for row in await cursor.fetchall()
    ]
