"""The owner's console at /ops, for the addresses in OPERATORS only.

Anyone else, signed in or not, gets the site's 404 page: the console does not
admit it exists. Pages read every tenant's rows with `service_tx`, which is why
the operator check runs first, as a dependency of the whole router.
"""

import logging
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from ..auth.csrf import verify_csrf
from ..auth.dependencies import OptionalUser
from ..auth.models import User
from ..billing.deps import GatewayDep, price_ids
from ..billing.failures import count_failed_attempt
from ..billing.plans import PLANS
from ..deps import DatabaseDep, SettingsDep
from ..web.templating import render
from . import queries, revenue
from .replay import replay_event, replay_failure

logger = logging.getLogger(__name__)

OPS_PATH = "/ops"


async def require_operator(user: OptionalUser, settings: SettingsDep) -> User:
    if user is None or user.email.lower() not in settings.operator_emails:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return user


Operator = Annotated[User, Depends(require_operator)]

router = APIRouter(
    prefix=OPS_PATH, include_in_schema=False, dependencies=[Depends(require_operator)]
)


@router.get("")
async def overview(
    request: Request, user: Operator, db: DatabaseDep, settings: SettingsDep
) -> HTMLResponse:
    async with db.service_tx() as conn:
        figures = await revenue.overview(conn, datetime.now(UTC), PLANS, price_ids(settings))
        failed_webhooks = await queries.failed_delivery_count(conn)
    context = {"user": user, "figures": figures, "failed_webhooks": failed_webhooks}
    return render(request, "ops/overview.html", context)


@router.get("/webhooks")
async def webhooks(
    request: Request,
    user: Operator,
    db: DatabaseDep,
    unhandled: bool = False,
    replayed: str | None = None,
) -> HTMLResponse:
    async with db.service_tx() as conn:
        failures = await queries.failed_deliveries(conn)
        events = await queries.webhook_events(conn, unhandled_only=unhandled)
    context = {
        "user": user,
        "failures": failures,
        "events": events,
        "unhandled": unhandled,
        "replayed": replayed,
    }
    return render(request, "ops/webhooks.html", context)


@router.post("/webhooks/{event_id}/replay", dependencies=[Depends(verify_csrf)])
async def replay(event_id: int, db: DatabaseDep, gateway: GatewayDep) -> RedirectResponse:
    async with db.service_tx() as conn:
        outcome = await replay_event(conn, event_id, gateway)
    if outcome == "not found":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such event in the webhook log.")
    if outcome == "unreadable":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "This event was not a gateway's delivery (a reconciliation's, say): "
            "there is nothing to replay.",
        )
    return RedirectResponse(
        f"{OPS_PATH}/webhooks?replayed={outcome}", status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/webhooks/failures/{failure_id}/replay", dependencies=[Depends(verify_csrf)])
async def replay_failed(failure_id: int, db: DatabaseDep, gateway: GatewayDep) -> RedirectResponse:
    outcome: str
    try:
        async with db.service_tx() as conn:
            outcome = await replay_failure(conn, failure_id, gateway)
    except Exception as error:  # rolled back; the list shows the new error
        logger.exception("replaying the failed webhook delivery %s failed again", failure_id)
        async with db.service_tx() as conn:
            await count_failed_attempt(conn, failure_id, error)
        outcome = "failed"
    if outcome == "not found":
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "No such failed delivery: it may have been applied since.",
        )
    return RedirectResponse(
        f"{OPS_PATH}/webhooks?replayed={outcome}", status_code=status.HTTP_303_SEE_OTHER
    )


@router.get("/jobs")
async def jobs(
    request: Request, user: Operator, db: DatabaseDep, done: str | None = None
) -> HTMLResponse:
    async with db.service_tx() as conn:
        open_jobs = await queries.open_jobs(conn)
        outbox = await queries.outbox(conn)
    context = {"user": user, "jobs": open_jobs, "outbox": outbox, "done": done}
    return render(request, "ops/jobs.html", context)


@router.post("/jobs/{job_id}/retry", dependencies=[Depends(verify_csrf)])
async def retry(job_id: int, db: DatabaseDep) -> RedirectResponse:
    async with db.service_tx() as conn:
        if not await queries.retry_job(conn, job_id):
            raise HTTPException(status.HTTP_409_CONFLICT, "Only a failed job can be retried.")
    return RedirectResponse(f"{OPS_PATH}/jobs?done=retried", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/jobs/{job_id}/cancel", dependencies=[Depends(verify_csrf)])
async def cancel(job_id: int, db: DatabaseDep) -> RedirectResponse:
    async with db.service_tx() as conn:
        if not await queries.cancel_job(conn, job_id):
            raise HTTPException(
                status.HTTP_409_CONFLICT, "Only a job still waiting to run can be cancelled."
            )
    return RedirectResponse(
        f"{OPS_PATH}/jobs?done=cancelled", status_code=status.HTTP_303_SEE_OTHER
    )


@router.get("/accounts")
async def accounts(
    request: Request, user: Operator, db: DatabaseDep, email: str = ""
) -> HTMLResponse:
    query = email.strip()[:320]
    found: list[queries.FoundAccount] = []
    if query:
        async with db.service_tx() as conn:
            found = await queries.find_accounts(conn, query)
    return render(request, "ops/accounts.html", {"user": user, "email": query, "found": found})


@router.get("/accounts/{account_id}")
async def account(
    request: Request, user: Operator, db: DatabaseDep, account_id: UUID
) -> HTMLResponse:
    async with db.service_tx() as conn:
        view = await queries.account_view(conn, account_id)
        if view is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account.")
        addresses = [member["email"] for member in view.members]
        if view.customer and view.customer.get("email"):
            addresses.append(view.customer["email"])
        events = await queries.webhook_events(conn, account_id=account_id)
        emails = await queries.open_jobs(conn, emails_to=addresses)
    context = {"user": user, "account": view, "events": events, "emails": emails}
    return render(request, "ops/account.html", context)
