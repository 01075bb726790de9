"""Public pages, the dashboard and the development mailbox."""

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ..accounts.queries import current_account
from ..auth.dependencies import CurrentUser, OptionalUser
from ..billing.plans import catalog
from ..billing.service import billing_state
from ..deps import DatabaseDep, SettingsDep
from ..email import mailbox
from .templating import STATIC_DIR, render

# The landing page's headline; edit tagline.txt to change it.
TAGLINE = (Path(__file__).resolve().parent / "tagline.txt").read_text(encoding="utf-8").strip()

router = APIRouter(include_in_schema=False)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


@router.get("/")
async def landing(request: Request, user: OptionalUser, settings: SettingsDep) -> HTMLResponse:
    plan = next(plan for plan in catalog(settings) if plan.prices)
    return render(request, "landing.html", {"user": user, "tagline": TAGLINE, "plan": plan})


@router.get("/pricing")
async def pricing(request: Request, user: OptionalUser, settings: SettingsDep) -> HTMLResponse:
    return render(request, "pricing.html", {"user": user, "plans": catalog(settings)})


@router.get("/dashboard")
async def dashboard(request: Request, user: CurrentUser, db: DatabaseDep) -> HTMLResponse:
    async with db.user_tx(user.claims) as conn:
        account = await current_account(conn)
        billing = await billing_state(conn, account.id)
    return render(request, "dashboard.html", {"user": user, "account": account, "billing": billing})


def development_only(settings: SettingsDep) -> None:
    """Pages for local development answer 404 anywhere else."""
    if settings.app_env != "development":
        raise HTTPException(status.HTTP_404_NOT_FOUND)


@router.get("/dev/mailbox", dependencies=[Depends(development_only)])
async def dev_mailbox(request: Request, user: OptionalUser, db: DatabaseDep) -> HTMLResponse:
    async with db.service_tx() as conn:
        messages = await mailbox.recent(conn)
    return render(request, "dev_mailbox.html", {"user": user, "messages": messages})


@router.get("/dev/mailbox/{message_id}", dependencies=[Depends(development_only)])
async def dev_mailbox_message(
    request: Request, message_id: int, user: OptionalUser, db: DatabaseDep
) -> HTMLResponse:
    async with db.service_tx() as conn:
        message = await mailbox.find(conn, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return render(request, "dev_mailbox_message.html", {"user": user, "message": message})
