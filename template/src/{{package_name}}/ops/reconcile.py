"""Repair subscriptions that missed webhooks: re-fetch them from the gateway, apply what differs.

Every subscription that has not ended (of one account, or all) is fetched through
the gateway adapter (`Gateway.fetch_subscription`). One that differs from the stored
row is applied like a webhook, through `billing.service.process_event`: logged as a
`reconciled` event at the time of the fetch (the gateway's state as of now), with
the same ordering guard and the same emails. One that matches is left alone and not
logged, so the webhook log shows each repair and nothing else.
"""

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ..billing.gateway import Gateway, GatewayError, NormalizedEvent, SubscriptionState
from ..billing.service import process_event
from ..db import Database

logger = logging.getLogger(__name__)

RECONCILED_EVENT = "reconciled"
_COMPARED = (
    "status",
    "plan",
    "price_id",
    "quantity",
    "current_period_end",
    "cancel_at_period_end",
    "cancel_at",
    "trial_end",
    "canceled_at",
)


@dataclass
class Report:
    checked: int = 0
    repaired: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)


async def reconcile(
    db: Database, gateway: Gateway, *, account_id: UUID | None = None, now: datetime | None = None
) -> Report:
    now = now or datetime.now(UTC)
    async with db.service_tx() as conn:
        cursor = await conn.execute(
            f"""
            select account_id, gateway_subscription_id, {", ".join(_COMPARED)}
            from public.subscriptions
            where gateway = %s and status <> 'canceled'
              and (%s::uuid is null or account_id = %s::uuid)
            order by gateway_subscription_id
            """,  # noqa: S608 (the column names are this module's constants)
            (gateway.name, account_id, account_id),
        )
        stored = await cursor.fetchall()
    report = Report()
    for row in stored:
        subscription_id = str(row["gateway_subscription_id"])
        report.checked += 1
        try:
            state = await gateway.fetch_subscription(subscription_id)
        except GatewayError:
            logger.exception("could not re-fetch subscription %s", subscription_id)
            report.unreachable.append(subscription_id)
            continue
        if all(row[name] == getattr(state, name) for name in _COMPARED):
            continue
        event = reconciled_event(gateway.name, UUID(str(row["account_id"])), state, now)
        async with db.service_tx() as conn:
            if await process_event(conn, event, gateway) == "applied":
                report.repaired.append(subscription_id)
    return report


def reconciled_event(
    gateway: str, account_id: UUID, state: SubscriptionState, now: datetime
) -> NormalizedEvent:
    payload: dict[str, Any] = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in asdict(state).items()
    }
    return NormalizedEvent(
        gateway=gateway,
        dedupe_key=f"{RECONCILED_EVENT}/{state.gateway_subscription_id}/{now.isoformat()}",
        event_type=RECONCILED_EVENT,
        occurred_at=now,
        kind="subscription_changed",
        payload={RECONCILED_EVENT: payload},
        account_id=account_id,
        subscription=state,
    )
