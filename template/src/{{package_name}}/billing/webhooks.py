"""The gateway's webhook endpoint.

In order: verify the signature on the raw body (a bad one gets 400 and nothing
is written), then in one transaction log the event, apply it and queue its
emails. A duplicate is answered 200 without effect; an event type the product
does not use is logged and answered 200; any failure answers 500 with the
transaction rolled back, so the gateway delivers the event again later, and is
recorded in the failure log for the console (`failures.py`).
"""

import logging

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from ..deps import DatabaseDep
from .deps import WEBHOOK_PATH, GatewayDep
from .failures import record_failed_event, record_unreadable_body
from .gateway import InvalidSignature
from .service import process_event

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@router.post(WEBHOOK_PATH)
async def receive_webhook(request: Request, gateway: GatewayDep, db: DatabaseDep) -> JSONResponse:
    body = await request.body()
    try:
        event = gateway.verify(body, request.headers)
    except InvalidSignature as error:
        logger.warning("rejected a %s webhook: %s", gateway.name, error)
        return JSONResponse({"error": "invalid signature"}, status_code=status.HTTP_400_BAD_REQUEST)
    except Exception as error:  # signed but unreadable: 5xx, retried once the code can read it
        logger.exception("could not read a signed %s webhook", gateway.name)
        await record_unreadable_body(db, gateway.name, body, error)
        return _failed()
    try:
        async with db.service_tx() as conn:
            outcome = await process_event(conn, event, gateway)
    except Exception as error:  # the gateway retries on 5xx; the rollback left no trace but this
        logger.exception(
            "failed to process %s event %s (%s)", event.gateway, event.dedupe_key, event.event_type
        )
        await record_failed_event(db, event, error)
        return _failed()
    return JSONResponse({"received": event.dedupe_key, "outcome": outcome})


def _failed() -> JSONResponse:
    return JSONResponse(
        {"error": "processing failed"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
    )
