"""Sign-in pages and endpoints: magic link with PKCE, callback, sign-out, dev sign-in."""

import logging
from typing import Annotated, Any
from urllib.parse import urlencode

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from ..deps import DatabaseDep, SettingsDep
from ..settings import Settings
from ..web.templating import render
from .cookies import (
    PendingCookiesMiddleware,
    cookie_name,
    delete_private_cookie,
    set_private_cookie,
)
from .csrf import verify_csrf
from .dependencies import OptionalUser
from .dev import DEV_SESSION_SECONDS, dev_sign_in_enabled, ensure_user
from .redirects import DEFAULT_AFTER_SIGN_IN, safe_next_path
from .session import access_token, clear_session_cookies, get_auth, set_session_cookies
from .supabase import AuthServiceError, SupabaseAuth, TokenHashType
from .tokens import mint_access_token

logger = logging.getLogger(__name__)

VERIFIER_MAX_AGE_SECONDS = 10 * 60
VERIFIER_COOKIE = "sb-code-verifier"
_TOKEN_HASH_TYPES: dict[str, TokenHashType] = {
    "email": "email",
    "magiclink": "magiclink",
    "signup": "signup",
    "invite": "invite",
}

# Shown on the sign-in page for `/login?error=<key>`; never echo text from the URL.
LOGIN_ERRORS = {
    "other_browser": (
        "Open the sign-in link in the browser where you asked for it, or ask for a new link below."
    ),
    "invalid_link": (
        "That sign-in link is invalid or has expired. Links work once and only for a "
        "short time, and only the latest one you asked for: ask for a new link below."
    ),
    "unavailable": "Sign-in is temporarily unavailable. Please try again in a minute.",
    "rate_limited": "Too many sign-in emails were sent. Please wait a minute and try again.",
}

router = APIRouter(tags=["auth"])
AuthDep = Annotated[SupabaseAuth, Depends(get_auth)]
NextField = Annotated[str, Form(alias="next")]


def install_auth(app: FastAPI) -> None:
    """Wire sign-in into the app: the Supabase client, cookie middleware and routes."""
    app.state.auth = SupabaseAuth(app.state.settings)
    app.add_middleware(PendingCookiesMiddleware)
    app.include_router(router)


async def require_dev_sign_in(settings: SettingsDep) -> None:
    if not dev_sign_in_enabled(settings):
        raise HTTPException(status.HTTP_404_NOT_FOUND)


@router.get("/login", include_in_schema=False)
async def login_page(
    request: Request,
    user: OptionalUser,
    next_path: Annotated[str | None, Query(alias="next")] = None,
    error: str | None = None,
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next_path(next_path), status.HTTP_303_SEE_OTHER)
    message = LOGIN_ERRORS.get(error or "")
    return _login_form(request, next_path=next_path, error=message, status_code=200)


@router.post("/login", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def send_link(
    request: Request,
    settings: SettingsDep,
    auth: AuthDep,
    email: Annotated[str, Form()],
    next_path: NextField = DEFAULT_AFTER_SIGN_IN,
) -> Response:
    address = _normalized_email(email)
    if address is None:
        return _invalid_email(request, next_path, email)
    callback = f"{settings.base_url.rstrip('/')}/auth/callback?" + urlencode(
        {"next": safe_next_path(next_path)}
    )
    try:
        verifier = await auth.send_magic_link(address, redirect_to=callback)
    except AuthServiceError as error:
        logger.warning("could not send a sign-in link: %s", error)
        too_many = error.status == status.HTTP_429_TOO_MANY_REQUESTS
        return _login_form(
            request,
            next_path=next_path,
            email=address,
            error=LOGIN_ERRORS["rate_limited" if too_many else "unavailable"],
            status_code=status.HTTP_429_TOO_MANY_REQUESTS
            if too_many
            else status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    response = render(request, "auth/check_email.html", {"user": None, "email": address})
    set_private_cookie(
        response, settings, VERIFIER_COOKIE, verifier, max_age=VERIFIER_MAX_AGE_SECONDS
    )
    return response


@router.get("/auth/callback", include_in_schema=False)
async def auth_callback(
    request: Request,
    settings: SettingsDep,
    auth: AuthDep,
    code: str | None = None,
    token_hash: str | None = None,
    link_type: Annotated[str | None, Query(alias="type")] = None,
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """Where the emailed link lands: `?code=` (PKCE) or `?token_hash=&type=`.

    Supabase sends `?code=` to the browser that asked for the link, whose cookie
    holds the PKCE verifier. An email template that links here with
    `token_hash` works in any browser.
    """
    try:
        if code:
            verifier = request.cookies.get(cookie_name(settings, VERIFIER_COOKIE))
            if not verifier:
                return _login_redirect("other_browser", next_path)
            session = await auth.exchange_code(code, verifier)
        elif token_hash and link_type in _TOKEN_HASH_TYPES:
            session = await auth.verify_token_hash(token_hash, _TOKEN_HASH_TYPES[link_type])
        else:
            # Also where Supabase sends `?error=...&error_code=otp_expired`.
            return _login_redirect("invalid_link", next_path)
    except AuthServiceError as error:
        logger.info("sign-in link refused: %s", error)
        return _login_redirect("invalid_link" if error.rejected else "unavailable", next_path)
    response = RedirectResponse(safe_next_path(next_path), status.HTTP_303_SEE_OTHER)
    set_session_cookies(response, settings, session.access_token, session.refresh_token)
    delete_private_cookie(response, settings, VERIFIER_COOKIE)
    return response


@router.post("/logout", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def logout(request: Request, settings: SettingsDep, auth: AuthDep) -> Response:
    token = access_token(request)
    if token:
        try:
            await auth.sign_out(token)
        except AuthServiceError as error:
            # The cookies go regardless; the refresh token expires on its own.
            logger.info("could not revoke the session at Supabase: %s", error)
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    clear_session_cookies(response, settings)
    return response


@router.post(
    "/auth/dev-sign-in",
    include_in_schema=False,
    dependencies=[Depends(require_dev_sign_in), Depends(verify_csrf)],
)
async def dev_sign_in(
    request: Request,
    settings: SettingsDep,
    db: DatabaseDep,
    email: Annotated[str, Form()],
    next_path: NextField = DEFAULT_AFTER_SIGN_IN,
) -> Response:
    address = _normalized_email(email)
    if address is None:
        return _invalid_email(request, next_path, email)
    user_id = await ensure_user(db, address)
    token = mint_access_token(settings, user_id, address, lifetime_seconds=DEV_SESSION_SECONDS)
    response = RedirectResponse(safe_next_path(next_path), status.HTTP_303_SEE_OTHER)
    set_session_cookies(response, settings, token, None)
    return response


def _normalized_email(value: str) -> str | None:
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def _login_form(
    request: Request,
    *,
    next_path: str | None,
    status_code: int,
    email: str = "",
    error: str | None = None,
) -> Response:
    settings: Settings = request.app.state.settings
    context: dict[str, Any] = {
        "user": None,
        "email": email,
        "error": error,
        "next": safe_next_path(next_path),
        "dev_sign_in": dev_sign_in_enabled(settings),
    }
    return render(request, "auth/login.html", context, status_code=status_code)


def _login_redirect(error: str, next_path: str | None) -> RedirectResponse:
    query = urlencode({"error": error, "next": safe_next_path(next_path)})
    return RedirectResponse(f"/login?{query}", status.HTTP_303_SEE_OTHER)


def _invalid_email(request: Request, next_path: str | None, email: str) -> Response:
    return _login_form(
        request,
        next_path=next_path,
        email=email,
        error="Enter a valid email address.",
        status_code=status.HTTP_400_BAD_REQUEST,
    )
