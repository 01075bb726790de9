"""The sign-in form and the helpers every sign-in route shares."""

from typing import Annotated, Any
from urllib.parse import urlencode

from email_validator import EmailNotValidError, validate_email
from fastapi import Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from ..deps import SettingsDep
from ..settings import Settings
from ..web.templating import render
from .dev import dev_sign_in_enabled
from .redirects import safe_next_path

NextField = Annotated[str, Form(alias="next")]


async def require_dev_sign_in(settings: SettingsDep) -> None:
    """Dependency: development sign-in routes do not exist unless it is enabled."""
    if not dev_sign_in_enabled(settings):
        raise HTTPException(status.HTTP_404_NOT_FOUND)


def normalized_email(value: str) -> str | None:
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def login_form(
    request: Request,
    *,
    next_path: str | None,
    status_code: int,
    email: str = "",
    error: str | None = None,
    template: str = "auth/login.html",
) -> Response:
    settings: Settings = request.app.state.settings
    context: dict[str, Any] = {
        "user": None,
        "email": email,
        "error": error,
        "next": safe_next_path(next_path),
        "dev_sign_in": dev_sign_in_enabled(settings),
    }
    return render(request, template, context, status_code=status_code)


def confirm_sign_in(
    request: Request, fields: dict[str, str], *, email: str | None = None
) -> Response:
    """The page an emailed link opens: one button that posts `fields` to sign in.

    Mail scanners open (GET or HEAD) every link in a message before the person
    does; only the person presses the button, so only their POST uses the link.
    The page issues the CSRF cookie the POST needs when this browser has none.
    """
    context: dict[str, Any] = {"user": None, "email": email, "fields": fields}
    return render(
        request,
        "auth/confirm.html",
        context,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def login_redirect(error: str, next_path: str | None) -> RedirectResponse:
    query = urlencode({"error": error, "next": safe_next_path(next_path)})
    return RedirectResponse(f"/login?{query}", status.HTTP_303_SEE_OTHER)


def invalid_email(request: Request, next_path: str | None, email: str) -> Response:
    return login_form(
        request,
        next_path=next_path,
        email=email,
        error="Enter a valid email address.",
        status_code=status.HTTP_400_BAD_REQUEST,
    )
