"""The development mailbox: what the console backend "sent", for /dev/mailbox."""

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row

from ..db import Connection
from .messages import EmailMessage

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
