"""Replay a logged webhook, or a failed delivery: read its stored payload again and apply it
like a new delivery.

For an event that arrived before its account could be found (a customer created
later, say) or while the code could not apply it: the account is resolved again,
the log row updated, and the event applied through the same service path as a
webhook (`billing.service.apply_event`), in the caller's transaction.
"""

from typing import Literal

from ..billing.gateway import Gateway
from ..billing.service import EventOutcome, apply_event, process_event, resolve_account
from ..db import Connection
from .reconcile import RECONCILED_EVENT

ReplayOutcome = Literal["applied", "ignored", "not found", "unreadable"]


async def replay_event(conn: Connection, event_id: int, gateway: Gateway) -> ReplayOutcome:
    cursor = await conn.execute(
        "select event_type, payload from internal.webhook_events"
        " where id = %s and gateway = %s for update",
        (event_id, gateway.name),
    )
    row = await cursor.fetchone()
    if row is None:
        return "not found"
    if row["event_type"] == RECONCILED_EVENT:  # a repair, not a gateway's delivery
        return "unreadable"
    event = gateway.read_logged(row["payload"])
    account_id = await resolve_account(conn, event)
    handled = event.kind != "ignored" and account_id is not None
    await conn.execute(
        "update internal.webhook_events set account_id = %s, handled = %s where id = %s",
        (account_id, handled, event_id),
    )
    if account_id is None or not handled:
        return "ignored"
    await apply_event(conn, event, account_id, gateway)
    return "applied"


async def replay_failure(
    conn: Connection, failure_id: int, gateway: Gateway
) -> EventOutcome | Literal["not found"]:
    """Apply a failed delivery's stored payload as the gateway's next delivery would be.

    Through `process_event`, like a webhook: the event is logged (which resolves its
    failure) and applied. An error propagates, for the caller to roll back and count.
    """
    cursor = await conn.execute(
        "select payload from internal.webhook_failures"
        " where id = %s and gateway = %s and resolved_at is null for update",
        (failure_id, gateway.name),
    )
    row = await cursor.fetchone()
    if row is None:
        return "not found"
    outcome = await process_event(conn, gateway.read_logged(row["payload"]), gateway)
    # A body that could not be read was recorded under its digest, not the event's key.
    await conn.execute(
        "update internal.webhook_failures set resolved_at = now()"
        " where id = %s and resolved_at is null",
        (failure_id,),
    )
    return outcome
