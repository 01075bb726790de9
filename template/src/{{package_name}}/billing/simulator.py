"""Development checkout: subscribe, cancel and fail payments without a gateway account.

With BILLING_SIMULATOR on (refused in production), checkout and the billing
portal lead to local pages instead of the gateway's. Their buttons build the
gateway's own webhook events, sign them with the configured webhook secret and
post them to the app's webhook endpoint, so each click runs the real
verification and the real state changes.
"""

import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import httpx
from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..accounts.queries import current_account
from ..auth.csrf import verify_csrf
from ..auth.dependencies import CurrentUser
from ..auth.models import User
from ..db import Database
from ..deps import DatabaseDep, SettingsDep
from ..settings import Settings
from ..web.templating import render
from .catalog import Plan, Price
from .gateway import (
    CHECKOUT_SUCCESS_PATH,
    PORTAL_RETURN_PATH,
    BillingAccount,
    Gateway,
    GatewaySimulator,
    NormalizedEvent,
    SimulatedCheckout,
    SimulatedSubscription,
    subscription_status,
)
from .plans import find_plan
from .simulated_events import create_simulator

CHECKOUT_PATH = "/dev/checkout"
PORTAL_PATH = "/dev/portal"
_SALT = "billing-simulator-checkout"
_CHECKOUT_MAX_AGE_SECONDS = 24 * 3600


class LocalCheckoutGateway:
    """Wraps the real gateway: checkout and portal stay local, webhooks verify as usual."""

    def __init__(self, gateway: Gateway, settings: Settings) -> None:
        self._gateway = gateway
        self._settings = settings
        self._simulator = create_simulator(settings)

    @property
    def name(self) -> str:
        return self._gateway.name

    async def create_customer(self, account_id: UUID, email: str) -> str:
        return self._simulator.customer_id(account_id)

    async def create_checkout(
        self,
        account: BillingAccount,
        plan: Plan,
        price: Price,
        customer_email: str,
        *,
        quantity: int = 1,
    ) -> str:
        session = {
            "account_id": str(account.id),
            "customer_id": account.customer_id or self._simulator.customer_id(account.id),
            "email": customer_email,
            "plan": plan.key,
            "price": price.key,
            "trial_days": plan.trial_days,
        }
        session_id = _serializer(self._settings).dumps(session)
        return f"{self._settings.base_url.rstrip('/')}{CHECKOUT_PATH}/{session_id}"

    async def create_portal(self, account: BillingAccount) -> str:
        return f"{self._settings.base_url.rstrip('/')}{PORTAL_PATH}"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> NormalizedEvent:
        return self._gateway.verify(body, headers)


def simulator_enabled(settings: SettingsDep) -> None:
    if not settings.billing_simulator:
        raise HTTPException(status.HTTP_404_NOT_FOUND)


router = APIRouter(include_in_schema=False, dependencies=[Depends(simulator_enabled)])


@router.get(CHECKOUT_PATH + "/{session_id}")
async def checkout_page(
    request: Request, session_id: str, user: CurrentUser, db: DatabaseDep, settings: SettingsDep
) -> HTMLResponse:
    checkout = await _load_checkout(session_id, user, db, settings)
    return render(
        request,
        "billing/simulator_checkout.html",
        {"user": user, "checkout": checkout, "session_id": session_id},
    )


@router.post(CHECKOUT_PATH + "/{session_id}/pay", dependencies=[Depends(verify_csrf)])
async def pay(
    request: Request, session_id: str, user: CurrentUser, db: DatabaseDep, settings: SettingsDep
) -> RedirectResponse:
    checkout = await _load_checkout(session_id, user, db, settings)
    simulator = create_simulator(settings)
    await _deliver(request, simulator, simulator.checkout_completed(checkout))
    return RedirectResponse(CHECKOUT_SUCCESS_PATH, status_code=status.HTTP_303_SEE_OTHER)


@router.get(PORTAL_PATH)
async def portal_page(request: Request, user: CurrentUser, db: DatabaseDep) -> HTMLResponse:
    subscription = await _current_subscription(db, user)
    return render(
        request, "billing/simulator_portal.html", {"user": user, "subscription": subscription}
    )


@router.post(PORTAL_PATH, dependencies=[Depends(verify_csrf)])
async def portal_action(
    request: Request,
    action: Annotated[Literal["cancel_at_period_end", "cancel_now", "fail_payment"], Form()],
    user: CurrentUser,
    db: DatabaseDep,
    settings: SettingsDep,
) -> RedirectResponse:
    subscription = await _current_subscription(db, user)
    if subscription is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "There is no subscription to change.")
    simulator = create_simulator(settings)
    if action == "fail_payment":
        events = simulator.payment_failure(subscription)
    else:
        events = simulator.cancellation(subscription, immediately=action == "cancel_now")
    await _deliver(request, simulator, events)
    return RedirectResponse(PORTAL_RETURN_PATH, status_code=status.HTTP_303_SEE_OTHER)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=_SALT)


async def _load_checkout(
    session_id: str, user: User, db: Database, settings: Settings
) -> SimulatedCheckout:
    """The checkout a session id stands for, if it is the signed-in user's and still fresh."""
    try:
        session: dict[str, Any] = _serializer(settings).loads(
            session_id, max_age=_CHECKOUT_MAX_AGE_SECONDS
        )
    except BadSignature as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown or expired checkout.") from error
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
    plan = find_plan(session["plan"])
    price = plan.price(session["price"]) if plan else None
    if str(account.id) != session["account_id"] or plan is None or price is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown or expired checkout.")
    return SimulatedCheckout(
        account_id=account.id,
        customer_id=session["customer_id"],
        email=session["email"],
        plan=replace(plan, trial_days=int(session["trial_days"])),
        price=price,
    )


async def _current_subscription(db: Database, user: User) -> SimulatedSubscription | None:
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
        cursor = await conn.execute(
            """
            select s.gateway_subscription_id, s.plan, s.price_id, s.status,
                   s.current_period_end, s.trial_end, s.cancel_at_period_end,
                   c.gateway_customer_id, c.email
            from public.subscriptions s
            join public.customers c on c.account_id = s.account_id
            where s.account_id = %s and s.status <> 'canceled'
            order by s.source_updated_at desc
            limit 1
            """,
            (account.id,),
        )
        row = await cursor.fetchone()
    current_status = subscription_status(row["status"]) if row else None
    if row is None or current_status is None:
        return None
    period_end: datetime | None = row["current_period_end"]
    trial_end: datetime | None = row["trial_end"]
    return SimulatedSubscription(
        account_id=account.id,
        customer_id=row["gateway_customer_id"],
        email=row["email"],
        subscription_id=row["gateway_subscription_id"],
        plan_key=row["plan"],
        price_id=row["price_id"],
        status=current_status,
        current_period_end=period_end,
        trial_end=trial_end,
        cancel_at_period_end=row["cancel_at_period_end"],
    )


async def _deliver(request: Request, simulator: GatewaySimulator, events: list[bytes]) -> None:
    """Post signed events to this app's own webhook endpoint, in order, in process."""
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url=str(request.base_url)) as client:
        for body in events:
            headers = simulator.sign(body, int(time.time()))
            response = await client.post(simulator.webhook_path, content=body, headers=headers)
            if response.status_code != status.HTTP_200_OK:
                raise HTTPException(
                    status.HTTP_502_BAD_GATEWAY,
                    f"The webhook endpoint answered {response.status_code}: {response.text}",
                )
