"""Queue an email in the caller's transaction; a worker sends it after commit.

    async with db.service_tx() as conn:
        ...  # change state
        await enqueue_email(conn, "payment_failed", email, {"plan_name": "Pro"},
                            idempotency_key=f"payment_failed/{invoice_id}")

If the transaction rolls back, the email was never queued; once it commits, the
email is sent (and retried) until it goes out. Context values must be JSON
types; dates, datetimes, UUIDs and decimals are stored as strings.
"""

import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ..db import Connection
from .messages import TEMPLATE_NAMES

# Resend accepts idempotency keys of up to 256 characters.
MAX_IDEMPOTENCY_KEY_LENGTH = 256


def _to_json(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    raise TypeError(f"Email context values must be JSON types, not {type(value).__name__}")


async def enqueue_email(
    conn: Connection, template: str, to: str, context: dict[str, Any], idempotency_key: str
) -> None:
    if template not in TEMPLATE_NAMES:
        raise ValueError(f"Unknown email template {template!r}")
    if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError("idempotency_key must be 1 to 256 characters, e.g. '<event>/<entity id>'")
    variables = json.loads(json.dumps(context, default=_to_json))
    # The job queue loads with the first email queued, not with the app (see jobs.py).
    from ..jobs import defer_in
    from .tasks import send_email

    await defer_in(
        conn,
        send_email,
        template=template,
        to=to,
        variables=variables,
        idempotency_key=idempotency_key,
    )
