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


async def store(conn: Connection, message: EmailMessage) -> bool:
    """Keep `message`; a retried send with the same idempotency key is stored once."""
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
    async with conn.cursor(row_factory=class_row(MailboxMessage)) as cursor:
        await cursor.execute(
            f"select {_COLUMNS} from internal.dev_mailbox order by id desc limit %s",  # noqa: S608
            (limit,),
        )
        return await cursor.fetchall()


async def find(conn: Connection, message_id: int) -> MailboxMessage | None:
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
