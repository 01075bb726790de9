"""Where rendered emails go: Resend in production; the console and /dev/mailbox otherwise."""

from typing import Protocol

from ..db import Database
from ..settings import Settings
from .messages import EmailMessage


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver `message`, or raise so the job is retried."""


class ResendSender:
    """Sends through the Resend API.

    The message's idempotency key travels as the `Idempotency-Key` header, so
    when a job is retried after a timeout Resend still sends the email once.
    """

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    async def send(self, message: EmailMessage) -> None:
        # Imported here, not at the top: a serverless cold start that never sends email
        # should not pay for the SDK.
        import resend

        resend.api_key = self._api_key  # the SDK reads its key from module state
        params: resend.Emails.SendParams = {
            "from": message.sender,
            "to": [message.to],
            "subject": message.subject,
            "html": message.html,
            "text": message.text,
            "tags": [{"name": "template", "value": message.template}],
        }
        if message.reply_to:
            params["reply_to"] = message.reply_to
        options: resend.Emails.SendOptions = {"idempotency_key": message.idempotency_key}
        await resend.Emails.send_async(params, options)


class ConsoleSender:
    """Development: print the message and keep it for /dev/mailbox."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def send(self, message: EmailMessage) -> None:
        from ..dev import mailbox  # development only: production sends through Resend

        async with self._db.service_tx() as conn:
            stored = await mailbox.store(conn, message)
        if stored:
            print(
                f"--- email to {message.to}: {message.subject}\n{message.text}--- end of email",
                flush=True,
            )


def sender_for(settings: Settings, db: Database) -> EmailSender:
    if settings.email_backend == "resend":
        return ResendSender(settings.resend_api_key.get_secret_value())
    return ConsoleSender(db)
