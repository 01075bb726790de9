"""The development mailbox: what the console backend "sent", shown at /dev/mailbox."""

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from psycopg.rows import class_row

from ..auth.dependencies import OptionalUser
from ..db import Connection
from ..deps import DatabaseDep
from ..email.messages import EmailMessage
from ..web.security_headers import content_security_policy
from ..web.templating import render

# Mounted by the app in development only: elsewhere these pages do not exist.
router = APIRouter()

_COLUMNS = "id, template, sender, recipient, subject, html, text, created_at"

# No migration creates this table, so production databases never have it: the mailbox
# makes it on first use (and the test suite when it builds its template database).
# Private schema, RLS on, no policies, no grants: only the app's role reads or writes it.
TABLE_COMMENT = "development mailbox: created by the app in development, never by a migration"
CREATE_TABLE = f"""
do $$
begin
    if to_regclass('internal.dev_mailbox') is null then
        create table internal.dev_mailbox (
            id bigint generated always as identity primary key,
            idempotency_key text not null unique,
            template text not null,
            sender text not null,
            recipient text not null,
            subject text not null,
            html text not null,
            text text not null,
            created_at timestamptz not null default now()
        );
        create index dev_mailbox_created_at_idx on internal.dev_mailbox (created_at desc);
        alter table internal.dev_mailbox enable row level security;
        revoke all on table internal.dev_mailbox from public, anon, authenticated;
        comment on table internal.dev_mailbox is '{TABLE_COMMENT}';
    end if;
end
$$
"""
_table_exists = False


@dataclass(frozen=True)
class MailboxMessage:
    id: int
    template: str
    sender: str
    recipient: str
    subject: str
    html: str
    text: str
    created_at: datetime


async def _create_table_once(conn: Connection) -> None:
    """Create the table the first time this process needs it (a cheap no-op later)."""
    global _table_exists  # one flag per process, set once
    if _table_exists:
        return
    # The app and its worker may both start on an empty database: one creates, one waits.
    await conn.execute("select pg_advisory_xact_lock(hashtext('internal.dev_mailbox'))")
    await conn.execute(CREATE_TABLE)
    _table_exists = True


async def store(conn: Connection, message: EmailMessage) -> bool:
    """Keep `message`; a retried send with the same idempotency key is stored once."""
    await _create_table_once(conn)
    cursor = await conn.execute(
        """
        insert into internal.dev_mailbox
            (idempotency_key, template, sender, recipient, subject, html, text)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (idempotency_key) do nothing
        """,
        (
            message.idempotency_key,
            message.template,
            message.sender,
            message.to,
            message.subject,
            message.html,
            message.text,
        ),
    )
    return cursor.rowcount == 1


async def recent(conn: Connection, limit: int = 50) -> list[MailboxMessage]:
    await _create_table_once(conn)
    async with conn.cursor(row_factory=class_row(MailboxMessage)) as cursor:
        await cursor.execute(
            f"select {_COLUMNS} from internal.dev_mailbox order by id desc limit %s",  # noqa: S608
            (limit,),
        )
        return await cursor.fetchall()


async def find(conn: Connection, message_id: int) -> MailboxMessage | None:
    await _create_table_once(conn)
    async with conn.cursor(row_factory=class_row(MailboxMessage)) as cursor:
        await cursor.execute(
            f"select {_COLUMNS} from internal.dev_mailbox where id = %s",  # noqa: S608
            (message_id,),
        )
        return await cursor.fetchone()


@router.get("/dev/mailbox")
async def dev_mailbox(request: Request, user: OptionalUser, db: DatabaseDep) -> HTMLResponse:
    async with db.service_tx() as conn:
        messages = await recent(conn)
    return render(request, "dev_mailbox.html", {"user": user, "messages": messages})


# The preview frame shows the email as sent: its styles are inline, as email needs.
MAILBOX_MESSAGE_HEADERS = {
    "Content-Security-Policy": content_security_policy()
    .style_src("'self'", "'unsafe-inline'")
    .header_value
}


@router.get("/dev/mailbox/{message_id}")
async def dev_mailbox_message(
    request: Request, message_id: int, user: OptionalUser, db: DatabaseDep
) -> HTMLResponse:
    async with db.service_tx() as conn:
        message = await find(conn, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return render(
        request,
        "dev_mailbox_message.html",
        {"user": user, "message": message},
        headers=MAILBOX_MESSAGE_HEADERS,
    )
