"""The page Paddle's checkout opens on: Paddle.js shows the checkout for `_ptxn`.

Kept apart from the adapter so serving it (and importing the app) does not load
the Paddle SDK.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ...auth.dependencies import OptionalUser
from ...deps import SettingsDep
from ...web.security_headers import content_security_policy, permissions_policy
from ...web.templating import render
from ..gateway import CHECKOUT_CANCEL_PATH, CHECKOUT_SUCCESS_PATH

PAY_PATH = "/pay"

# Paddle's checkout link points at this page (the "default payment link" in Paddle's
# checkout settings, and the `checkout.url` of every transaction the adapter makes).
# Paddle's emails link here too, to update a card, so it does not require signing in.
router = APIRouter(include_in_schema=False)

# This page alone loads Paddle.js, which shows the checkout in a frame from Paddle's
# checkout domain (live or sandbox) and may style its overlay inline; Apple Pay and
# Google Pay in that frame need the Payment Request API.
PADDLE_CHECKOUT_FRAMES = ("https://buy.paddle.com", "https://sandbox-buy.paddle.com")
PAY_PAGE_HEADERS = {
    "Content-Security-Policy": content_security_policy()
    .script_src("'self'", "https://cdn.paddle.com")
    .style_src("'self'", "'unsafe-inline'", "https://cdn.paddle.com")
    .img_src("'self'", "data:", "https://cdn.paddle.com")
    .connect_src("'self'", "https://*.paddle.com")
    .frame_src(*PADDLE_CHECKOUT_FRAMES)
    .header_value,
    "Permissions-Policy": permissions_policy(
        payment=("self", *(f'"{origin}"' for origin in PADDLE_CHECKOUT_FRAMES))
    ).header_value,
}


@router.get(PAY_PATH)
async def pay_page(
    request: Request,
    user: OptionalUser,
    settings: SettingsDep,
    transaction_id: Annotated[str, Query(alias="_ptxn", pattern=r"^txn_[a-z0-9]+$")],
) -> HTMLResponse:
    return render(
        request,
        "billing/pay.html",
        {
            "user": user,
            "transaction_id": transaction_id,
            "client_token": settings.paddle_client_token,
            "sandbox": settings.paddle_environment == "sandbox",
            "success_url": settings.base_url.rstrip("/") + CHECKOUT_SUCCESS_PATH,
            "cancel_url": CHECKOUT_CANCEL_PATH,
        },
        headers=PAY_PAGE_HEADERS,
    )
