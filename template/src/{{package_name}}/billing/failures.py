"""The log of webhook deliveries that failed (internal.webhook_failures).

A delivery that fails rolls its transaction back and leaves nothing in the webhook
log; the gateway delivers it again later. So the console can list what is failing
meanwhile, the endpoint records the failure afterwards, in a transaction of its own:
one row per event, a failing retry adds an attempt and the latest error. The
transaction that finally logs the event marks its failure resolved (a trigger on the
webhook log, so every path that applies an event does it).
"""

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from psycopg.types.json import Jsonb

from ..db import Connection, Database
from .gateway import NormalizedEvent

logger = logging.getLogger(__name__)

# Where an error message is cut: the traceback is in the application's log.
ERROR_MESSAGE_LIMIT = 2000


async def record_failed_event(db: Database, event: NormalizedEvent, error: BaseException) -> None:
    """Record that applying `event` failed; never raises (the 5xx must still go out)."""
    await _record(db, event.gateway, event.dedupe_key, event.event_type, event.payload, error)


async def record_unreadable_body(
    db: Database, gateway: str, body: bytes, error: BaseException
) -> None:
    """Record a signed body the adapter could not read, keyed by its digest; never raises."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        payload = body.decode(errors="replace")
    key = "sha256:" + hashlib.sha256(body).hexdigest()
    await _record(db, gateway, key, None, payload, error)


async def _record(
    db: Database,
    gateway: str,
    dedupe_key: str,
    event_type: str | None,
    payload: Mapping[str, Any] | str,
    error: BaseException,
) -> None:
    try:
        async with db.service_tx() as conn:
            await upsert_failure(conn, gateway, dedupe_key, event_type, payload, error)
    except Exception:  # the database may be what failed: the original error is logged already
        logger.exception("could not record the failed %s webhook %s", gateway, dedupe_key)


async def upsert_failure(
    conn: Connection,
    gateway: str,
    dedupe_key: str,
    event_type: str | None,
    payload: Mapping[str, Any] | str,
    error: BaseException,
) -> None:
    """Insert the failure, or count one more attempt of an unresolved or resolved one."""
    await conn.execute(
        """
        insert into internal.webhook_failures
            (gateway, dedupe_key, event_type, payload, error_class, error_message)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (gateway, dedupe_key) do update set
            event_type = coalesce(excluded.event_type, webhook_failures.event_type),
            payload = excluded.payload,
            error_class = excluded.error_class,
            error_message = excluded.error_message,
            attempts = webhook_failures.attempts + 1,
            last_failed_at = now(),
            resolved_at = null
        """,
        (
            gateway,
            dedupe_key,
            event_type,
            Jsonb(dict(payload) if isinstance(payload, Mapping) else payload),
            _class_name(error),
            str(error)[:ERROR_MESSAGE_LIMIT],
        ),
    )


async def count_failed_attempt(conn: Connection, failure_id: int, error: BaseException) -> None:
    """One more attempt at a recorded failure failed (the console's replay, say)."""
    await conn.execute(
        """
        update internal.webhook_failures
        set error_class = %s, error_message = %s, attempts = attempts + 1,
            last_failed_at = now()
        where id = %s
        """,
        (_class_name(error), str(error)[:ERROR_MESSAGE_LIMIT], failure_id),
    )


def _class_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins.")
