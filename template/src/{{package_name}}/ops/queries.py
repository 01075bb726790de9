"""What the console lists: the webhook log and its failures, the job queue, the email
outbox, accounts.

Every function takes a `service_tx` connection: the console sees every tenant's
rows, so its routes call these only after checking that the user is an operator.
Job arguments are never shown whole: an email's carry sign-in links.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ..db import Connection

EMAIL_TASK = "email.send"
# Jobs worth an operator's look: waiting (some after failed attempts), running, failed.
OPEN_JOB_STATUSES = ("todo", "doing", "failed")
LIST_LIMIT = 50


@dataclass(frozen=True)
class LoggedEvent:
    id: int
    gateway: str
    event_type: str
    occurred_at: datetime
    received_at: datetime
    account_id: UUID | None
    handled: bool


async def webhook_events(
    conn: Connection, *, unhandled_only: bool = False, account_id: UUID | None = None
) -> list[LoggedEvent]:
    """The newest logged events; `unhandled_only`: ignored or belonging to no account."""
    cursor = await conn.execute(
        """
        select id, gateway, event_type, occurred_at, received_at, account_id, handled
        from internal.webhook_events
        where (not %(unhandled_only)s or not handled)
          and (%(account_id)s::uuid is null or account_id = %(account_id)s::uuid)
        order by received_at desc, id desc
        limit %(limit)s
        """,
        {"unhandled_only": unhandled_only, "account_id": account_id, "limit": LIST_LIMIT},
    )
    return [LoggedEvent(**row) for row in await cursor.fetchall()]


@dataclass(frozen=True)
class FailedDelivery:
    id: int
    gateway: str
    dedupe_key: str
    event_type: str | None
    error_class: str
    error_message: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime


async def failed_deliveries(conn: Connection) -> list[FailedDelivery]:
    """Webhook deliveries still failing (not applied since), the latest failure first."""
    cursor = await conn.execute(
        """
        select id, gateway, dedupe_key, event_type, error_class, error_message, attempts,
               first_failed_at, last_failed_at
        from internal.webhook_failures
        where resolved_at is null
        order by last_failed_at desc, id desc
        limit %s
        """,
        (LIST_LIMIT,),
    )
    return [FailedDelivery(**row) for row in await cursor.fetchall()]


async def failed_delivery_count(conn: Connection) -> int:
    """The console's "failed webhooks" figure: events whose last delivery failed."""
    cursor = await conn.execute(
        "select count(*) as n from internal.webhook_failures where resolved_at is null"
    )
    row = await cursor.fetchone()
    assert row is not None  # an aggregate always returns a row
    return int(row["n"])


@dataclass(frozen=True)
class QueuedJob:
    id: int
    task_name: str
    status: str
    attempts: int
    scheduled_at: datetime | None
    # For emails: the template and the address, never the rest of the arguments.
    email_template: str | None
    email_to: str | None

    @property
    def retrying(self) -> bool:
        return self.status == "todo" and self.attempts > 0


def _job(row: dict[str, Any]) -> QueuedJob:
    args = row["args"] if row["task_name"] == EMAIL_TASK else {}
    return QueuedJob(
        id=row["id"],
        task_name=row["task_name"],
        status=row["status"],
        attempts=row["attempts"],
        scheduled_at=row["scheduled_at"],
        email_template=args.get("template"),
        email_to=args.get("to"),
    )


async def open_jobs(conn: Connection, *, emails_to: list[str] | None = None) -> list[QueuedJob]:
    """Queued, running and failed jobs, newest first; `emails_to`: only emails to these."""
    cursor = await conn.execute(
        """
        select id, task_name, status::text as status, attempts, scheduled_at, args
        from public.procrastinate_jobs
        where status::text = any(%(statuses)s)
          and (%(to)s::text[] is null
               or (task_name = %(email_task)s and lower(args ->> 'to') = any(%(to)s::text[])))
        order by id desc
        limit %(limit)s
        """,
        {
            "statuses": list(OPEN_JOB_STATUSES),
            "to": None if emails_to is None else [email.lower() for email in emails_to],
            "email_task": EMAIL_TASK,
            "limit": LIST_LIMIT,
        },
    )
    return [_job(row) for row in await cursor.fetchall()]


async def outbox(conn: Connection) -> dict[str, int]:
    """Emails in the queue by state: queued, retrying, sending, failed.

    Sent emails are not counted: the worker deletes a job once it succeeds.
    """
    cursor = await conn.execute(
        """
        select case when status = 'todo' and attempts > 0 then 'retrying'
                    when status = 'todo' then 'queued'
                    when status = 'doing' then 'sending'
                    else status::text end as state,
               count(*) as n
        from public.procrastinate_jobs
        where task_name = %s
        group by 1
        """,
        (EMAIL_TASK,),
    )
    found = {row["state"]: row["n"] for row in await cursor.fetchall()}
    return {state: found.get(state, 0) for state in ("queued", "retrying", "sending", "failed")}


async def retry_job(conn: Connection, job_id: int) -> bool:
    """Queue a failed job again, to run now; False if it is not a failed job."""
    cursor = await conn.execute(
        """
        update public.procrastinate_jobs set status = 'todo', scheduled_at = null
        where id = %s and status = 'failed'
        returning id
        """,
        (job_id,),
    )
    return await cursor.fetchone() is not None


async def cancel_job(conn: Connection, job_id: int) -> bool:
    """Cancel a job still waiting to run (procrastinate's own cancel); False otherwise."""
    cursor = await conn.execute(
        "select procrastinate_cancel_job_v1(%s, false, false) as id", (job_id,)
    )
    row = await cursor.fetchone()
    return row is not None and row["id"] is not None


@dataclass(frozen=True)
class FoundAccount:
    id: UUID
    name: str
    email: str
    role: str


async def find_accounts(conn: Connection, email: str) -> list[FoundAccount]:
    """Accounts whose members' or billing address contains `email` (case-insensitive)."""
    pattern = "%" + email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    cursor = await conn.execute(
        """
        select a.id, a.name, u.email, m.role
        from auth.users u
        join public.account_members m on m.user_id = u.id
        join public.accounts a on a.id = m.account_id
        where u.email ilike %(pattern)s
           or exists (select 1 from public.customers c
                      where c.account_id = a.id and c.email ilike %(pattern)s)
        order by u.email, a.name
        limit %(limit)s
        """,
        {"pattern": pattern, "limit": LIST_LIMIT},
    )
    return [FoundAccount(**row) for row in await cursor.fetchall()]


@dataclass(frozen=True)
class AccountView:
    id: UUID
    name: str
    created_at: datetime
    members: list[dict[str, Any]]
    customer: dict[str, Any] | None
    subscriptions: list[dict[str, Any]]


async def account_view(conn: Connection, account_id: UUID) -> AccountView | None:
    cursor = await conn.execute(
        """
        select a.id, a.name, a.created_at,
               coalesce((select jsonb_agg(jsonb_build_object('email', u.email, 'role', m.role)
                                          order by m.created_at)
                         from public.account_members m join auth.users u on u.id = m.user_id
                         where m.account_id = a.id), '[]') as members,
               (select to_jsonb(c) - 'account_id' from public.customers c
                where c.account_id = a.id) as customer,
               coalesce((select jsonb_agg(to_jsonb(s) order by s.created_at desc)
                         from public.subscriptions s where s.account_id = a.id), '[]')
                   as subscriptions
        from public.accounts a
        where a.id = %s
        """,
        (account_id,),
    )
    row = await cursor.fetchone()
    return None if row is None else AccountView(**row)
