"""The billing page, and the buttons that lead to checkout and to the billing portal."""

import logging
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..accounts.queries import current_account
from ..auth.csrf import verify_csrf
from ..auth.dependencies import CurrentUser
from ..auth.models import User
from ..db import Database
from ..deps import DatabaseDep, SettingsDep
from ..settings import Settings
from ..web.templating import render
from .catalog import Plan
from .deps import GatewayDep
from .gateway import BillingAccount, GatewayError
from .plans import catalog, entitlements
from .service import billing_state, customer_id, start_checkout, subscription_ids

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

_NOTICES = {"canceled": "Checkout canceled: nothing was charged."}
_GATEWAY_DOWN = "The payment provider did not answer. Please try again in a minute."


@router.get("/billing")
async def billing_page(
    request: Request,
    user: CurrentUser,
    db: DatabaseDep,
    settings: SettingsDep,
    checkout: str | None = None,
) -> HTMLResponse:
    return await _billing_page(request, user, db, settings, notice=_NOTICES.get(checkout or ""))


@router.post("/billing/checkout", dependencies=[Depends(verify_csrf)])
async def checkout(
    request: Request,
    user: CurrentUser,
    db: DatabaseDep,
    settings: SettingsDep,
    gateway: GatewayDep,
    price: Annotated[str, Form()],
    plan: Annotated[str | None, Form()] = None,
) -> Response:
    offered = catalog(settings)
    chosen = next((p for p in offered if p.key == plan), None) if plan else offered[0]
    chosen_price = chosen.price(price) if chosen else None
    if chosen is None or chosen_price is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Unknown plan or price.")
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
        state = await billing_state(conn, account.id)
    if state.is_active:  # already subscribed: changes go through the portal
        return RedirectResponse("/billing", status_code=status.HTTP_303_SEE_OTHER)
    if not state.trial_available:
        chosen = replace(chosen, trial_days=0)
    try:
        url = await start_checkout(db, gateway, account.id, user.email, chosen, chosen_price)
    except GatewayError:
        logger.exception("could not start checkout for account %s", account.id)
        return await _billing_page(
            request, user, db, settings, error=_GATEWAY_DOWN, status_code=502
        )
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


@router.post("/billing/portal", dependencies=[Depends(verify_csrf)])
async def portal(
    request: Request, user: CurrentUser, db: DatabaseDep, settings: SettingsDep, gateway: GatewayDep
) -> Response:
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
        customer = await customer_id(conn, account.id)
        subscriptions = await subscription_ids(conn, account.id)
    if customer is None:  # never checked out: nothing to manage yet
        return RedirectResponse("/billing", status_code=status.HTTP_303_SEE_OTHER)
    try:
        url = await gateway.create_portal(BillingAccount(account.id, customer, subscriptions))
    except GatewayError:
        logger.exception("could not open the billing portal for account %s", account.id)
        return await _billing_page(
            request, user, db, settings, error=_GATEWAY_DOWN, status_code=502
        )
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


async def _billing_page(
    request: Request,
    user: User,
    db: Database,
    settings: Settings,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
        state = await billing_state(conn, account.id)
    plans: tuple[Plan, ...] = catalog(settings)
    if not state.trial_available:
        plans = tuple(replace(plan, trial_days=0) for plan in plans)
    context = {
        "user": user,
        "account": account,
        "billing": state,
        "may": entitlements(state),
        "plans": plans,
        "notice": notice,
        "error": error,
    }
    return render(request, "billing/billing.html", context, status_code=status_code)
