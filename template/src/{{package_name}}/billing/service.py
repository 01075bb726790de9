"""Billing state in the database: customers, subscriptions and the webhook log.

Webhooks call `process_event` inside one `service_tx`: the event is logged
(once: the log is unique per gateway and dedupe key), its state applied and
its emails queued, all or nothing. Pages read `billing_state`.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from psycopg.types.json import Jsonb

from ..db import Connection, Database
from ..email.outbox import enqueue_email
from ..formatting import format_money
from .catalog import Plan, Price
from .gateway import (
    ACCESS_STATUSES,
    BillingAccount,
    Gateway,
    NormalizedEvent,
    SubscriptionState,
    SubscriptionStatus,
    subscription_status,
)
from .plans import find_plan

logger = logging.getLogger(__name__)

EventOutcome = Literal["applied", "duplicate", "ignored"]

_FIRST_ACTIVE_STATUSES = frozenset({"trialing", "active"})


@dataclass(frozen=True)
class BillingState:
    """An account's subscription, as the dashboard and billing page show it."""

    plan: Plan | None
    status: SubscriptionStatus | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    trial_end: datetime | None
    is_active: bool
    has_customer: bool
    trial_available: bool


async def billing_state(conn: Connection, account_id: UUID) -> BillingState:
    """The account's current subscription (the one granting access, if any).

    Works in `user_tx` (RLS lets members read their account's rows) and in `service_tx`.
    """
    cursor = await conn.execute(
        """
        select plan, status, current_period_end, cancel_at_period_end, trial_end
        from public.subscriptions
        where account_id = %(account_id)s
        order by status = any(%(access)s) desc, source_updated_at desc
        limit 1
        """,
        {"account_id": account_id, "access": list(ACCESS_STATUSES)},
    )
    subscription = await cursor.fetchone()
    has_customer = await _exists(
        conn, "select 1 from public.customers where account_id = %s", account_id
    )
    if subscription is None:
        return BillingState(
            plan=None,
            status=None,
            current_period_end=None,
            cancel_at_period_end=False,
            trial_end=None,
            is_active=False,
            has_customer=has_customer,
            trial_available=True,
        )
    status = subscription_status(subscription["status"])
    return BillingState(
        plan=find_plan(subscription["plan"]),
        status=status,
        current_period_end=subscription["current_period_end"],
        cancel_at_period_end=subscription["cancel_at_period_end"],
        trial_end=subscription["trial_end"],
        is_active=status in ACCESS_STATUSES,
        has_customer=has_customer,
        trial_available=False,
    )


async def customer_id(conn: Connection, account_id: UUID) -> str | None:
    cursor = await conn.execute(
        "select gateway_customer_id from public.customers where account_id = %s", (account_id,)
    )
    row = await cursor.fetchone()
    return None if row is None else str(row["gateway_customer_id"])


async def subscription_ids(conn: Connection, account_id: UUID) -> tuple[str, ...]:
    """The account's subscriptions at the gateway that have not ended, newest first."""
    cursor = await conn.execute(
        """
        select gateway_subscription_id from public.subscriptions
        where account_id = %s and status <> 'canceled'
        order by source_updated_at desc
        """,
        (account_id,),
    )
    return tuple(str(row["gateway_subscription_id"]) for row in await cursor.fetchall())


async def ensure_customer(conn: Connection, gateway: Gateway, account_id: UUID, email: str) -> str:
    """The account's customer at the gateway, created on first use and never twice.

    The account row stays locked until the transaction ends, so a second click
    waits for the first and then finds its customer.
    """
    await conn.execute(
        "select 1 from public.accounts where id = %s for no key update", (account_id,)
    )
    existing = await customer_id(conn, account_id)
    if existing is not None:
        return existing
    created = await gateway.create_customer(account_id, email)
    await conn.execute(
        """
        insert into public.customers (account_id, gateway, gateway_customer_id, email)
        values (%s, %s, %s, %s)
        """,
        (account_id, gateway.name, created, email),
    )
    return created


async def start_checkout(
    db: Database,
    gateway: Gateway,
    account_id: UUID,
    email: str,
    plan: Plan,
    price: Price,
    *,
    quantity: int = 1,
) -> str:
    """Make sure the account has a customer, then open a checkout for it; return its URL."""
    async with db.service_tx() as conn:
        customer = await ensure_customer(conn, gateway, account_id, email)
    account = BillingAccount(account_id, customer)
    return await gateway.create_checkout(account, plan, price, email, quantity=quantity)


async def process_event(conn: Connection, event: NormalizedEvent) -> EventOutcome:
    """Log a verified event and apply it, unless it was seen before."""
    account_id = await resolve_account(conn, event)
    handled = event.kind != "ignored" and account_id is not None
    cursor = await conn.execute(
        """
        insert into internal.webhook_events
            (gateway, dedupe_key, event_type, occurred_at, account_id, handled, payload)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (gateway, dedupe_key) do nothing
        returning id
        """,
        (
            event.gateway,
            event.dedupe_key,
            event.event_type,
            event.occurred_at,
            account_id,
            handled,
            Jsonb(dict(event.payload)),
        ),
    )
    if await cursor.fetchone() is None:
        return "duplicate"
    if event.kind == "ignored":
        logger.info("ignored %s event %s (%s)", event.gateway, event.dedupe_key, event.event_type)
        return "ignored"
    if account_id is None:
        logger.warning(
            "%s event %s (%s) belongs to no known account; recorded, not applied",
            event.gateway,
            event.dedupe_key,
            event.event_type,
        )
        return "ignored"
    await apply_event(conn, event, account_id)
    return "applied"


async def resolve_account(conn: Connection, event: NormalizedEvent) -> UUID | None:
    """The account an event belongs to: from its metadata, else through its customer."""
    if event.account_id is not None and await _exists(
        conn, "select 1 from public.accounts where id = %s", event.account_id
    ):
        return event.account_id
    if event.customer is None:
        return None
    cursor = await conn.execute(
        "select account_id from public.customers where gateway = %s and gateway_customer_id = %s",
        (event.gateway, event.customer.gateway_customer_id),
    )
    row = await cursor.fetchone()
    return None if row is None else UUID(str(row["account_id"]))


async def apply_event(conn: Connection, event: NormalizedEvent, account_id: UUID) -> None:
    # Every billing write for an account runs under this lock, so "what was the
    # previous state" questions below have one answer.
    await conn.execute(
        "select 1 from public.accounts where id = %s for no key update", (account_id,)
    )
    if event.kind == "checkout_completed" and event.customer is not None:
        await conn.execute(
            """
            insert into public.customers (account_id, gateway, gateway_customer_id, email)
            values (%s, %s, %s, %s)
            on conflict do nothing
            """,
            (account_id, event.gateway, event.customer.gateway_customer_id, event.customer.email),
        )
    if event.kind == "customer_changed" and event.customer is not None:
        await conn.execute(
            """
            update public.customers set email = coalesce(%s, email)
            where gateway = %s and gateway_customer_id = %s
            """,
            (event.customer.email, event.gateway, event.customer.gateway_customer_id),
        )
    if event.subscription is not None:
        await _apply_subscription(conn, event, account_id, event.subscription)
    if event.kind == "payment_failed" and event.invoice is not None:
        invoice = event.invoice
        await _email(
            conn,
            account_id,
            "payment_failed",
            {
                "amount": format_money(invoice.amount_due_cents, invoice.currency),
                "plan_name": await _plan_name(conn, event.gateway, invoice.gateway_subscription_id),
                "next_attempt": invoice.next_payment_attempt,
            },
            f"payment_failed/{invoice.gateway_invoice_id}",
        )


async def _apply_subscription(
    conn: Connection, event: NormalizedEvent, account_id: UUID, state: SubscriptionState
) -> None:
    cursor = await conn.execute(
        """
        select status, cancel_at_period_end from public.subscriptions
        where gateway = %s and gateway_subscription_id = %s
        """,
        (event.gateway, state.gateway_subscription_id),
    )
    previous = await cursor.fetchone()
    # An event older than the stored state must not overwrite it: the gateway
    # does not promise delivery order.
    cursor = await conn.execute(
        """
        insert into public.subscriptions (
            account_id, gateway, gateway_subscription_id, plan, price_id, status, quantity,
            current_period_end, cancel_at_period_end, trial_end, canceled_at, source_updated_at
        )
        values (
            %(account_id)s, %(gateway)s, %(subscription_id)s, %(plan)s, %(price_id)s, %(status)s,
            %(quantity)s, %(current_period_end)s, %(cancel_at_period_end)s, %(trial_end)s,
            %(canceled_at)s, %(occurred_at)s
        )
        on conflict (gateway, gateway_subscription_id) do update set
            plan = excluded.plan,
            price_id = excluded.price_id,
            status = excluded.status,
            quantity = excluded.quantity,
            current_period_end = excluded.current_period_end,
            cancel_at_period_end = excluded.cancel_at_period_end,
            trial_end = excluded.trial_end,
            canceled_at = excluded.canceled_at,
            source_updated_at = excluded.source_updated_at,
            updated_at = now()
        where public.subscriptions.source_updated_at <= excluded.source_updated_at
        returning id
        """,
        {
            "account_id": account_id,
            "gateway": event.gateway,
            "subscription_id": state.gateway_subscription_id,
            "plan": state.plan,
            "price_id": state.price_id,
            "status": state.status,
            "quantity": state.quantity,
            "current_period_end": state.current_period_end,
            "cancel_at_period_end": state.cancel_at_period_end,
            "trial_end": state.trial_end,
            "canceled_at": state.canceled_at,
            "occurred_at": event.occurred_at,
        },
    )
    applied = await cursor.fetchone() is not None
    if not applied:
        logger.info(
            "%s event %s is older than the stored subscription %s; state kept",
            event.gateway,
            event.dedupe_key,
            state.gateway_subscription_id,
        )
    plan = find_plan(state.plan)
    plan_name = plan.name if plan else None
    if (
        applied
        and state.status in _FIRST_ACTIVE_STATUSES
        and (previous is None or previous["status"] not in ACCESS_STATUSES)
        and not await _had_other_subscription(conn, account_id, state.gateway_subscription_id)
    ):
        await _email(conn, account_id, "welcome", {"plan_name": plan_name}, f"welcome/{account_id}")
    # One cancellation email: when the cancellation is scheduled (access runs to the
    # end of the period), or when the subscription ends without one being scheduled.
    already_scheduled = previous is not None and previous["cancel_at_period_end"]
    newly_scheduled = (
        applied
        and event.kind == "subscription_changed"
        and state.cancel_at_period_end
        and not already_scheduled
    )
    ended_unannounced = event.kind == "subscription_canceled" and not already_scheduled
    if newly_scheduled or ended_unannounced:
        await _email(
            conn,
            account_id,
            "subscription_canceled",
            {
                "plan_name": plan_name,
                "ends_at": state.current_period_end if newly_scheduled else None,
            },
            f"subscription_canceled/{state.gateway_subscription_id}",
        )
    if event.kind == "trial_ending" and state.trial_end is not None:
        await _email(
            conn,
            account_id,
            "trial_ending",
            {"plan_name": plan_name, "trial_end": state.trial_end},
            f"trial_ending/{state.gateway_subscription_id}",
        )


async def _email(
    conn: Connection, account_id: UUID, template: str, context: dict[str, Any], key: str
) -> None:
    to = await billing_contact(conn, account_id)
    if to is None:
        logger.warning("no address to send %s to for account %s", template, account_id)
        return
    await enqueue_email(
        conn,
        template,
        to,
        {name: value for name, value in context.items() if value is not None},
        idempotency_key=key,
    )


async def billing_contact(conn: Connection, account_id: UUID) -> str | None:
    """Where billing email goes: the customer's address, else the account owner's."""
    cursor = await conn.execute(
        """
        select coalesce(
            (select c.email from public.customers c where c.account_id = %(account_id)s),
            (select u.email
             from public.account_members m
             join auth.users u on u.id = m.user_id
             where m.account_id = %(account_id)s and m.role = 'owner'
             order by m.created_at
             limit 1)
        ) as email
        """,
        {"account_id": account_id},
    )
    row = await cursor.fetchone()
    return None if row is None or row["email"] is None else str(row["email"])


async def _plan_name(conn: Connection, gateway: str, subscription_id: str | None) -> str | None:
    cursor = await conn.execute(
        "select plan from public.subscriptions where gateway = %s and gateway_subscription_id = %s",
        (gateway, subscription_id),
    )
    row = await cursor.fetchone()
    plan = find_plan(row["plan"]) if row else None
    return plan.name if plan else None


async def _had_other_subscription(
    conn: Connection, account_id: UUID, gateway_subscription_id: str
) -> bool:
    return await _exists(
        conn,
        """
        select 1 from public.subscriptions
        where account_id = %s and gateway_subscription_id <> %s
        """,
        account_id,
        gateway_subscription_id,
    )


async def _exists(conn: Connection, query: str, *params: object) -> bool:
    cursor = await conn.execute(query, params)
    return await cursor.fetchone() is not None
