"""CSRF protection for form posts: a signed double-submit token.

The browser holds a random secret in an HttpOnly cookie; every form carries
that secret signed with SECRET_KEY in a hidden `csrf_token` field. A post is
accepted only when the field's signature is valid and it signs the cookie's
secret. Another site can make the browser send the cookie, but cannot read it
to build a matching field.
"""

import hmac
import secrets
from functools import lru_cache

from fastapi import HTTPException, Request, status
from itsdangerous import BadSignature, URLSafeSerializer

from ..settings import Settings
from .cookies import cookie_name, pending_cookies, set_private_cookie

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
CSRF_COOKIE = "csrf"
_SALT = "csrf-token"


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def signed_token(settings: Settings, secret: str) -> str:
    """The form field value that matches the cookie value `secret`."""
    return _signed(settings.secret_key.get_secret_value(), secret)


@lru_cache(maxsize=4096)
def _signed(secret_key: str, secret: str) -> str:
    # Signing derives the key anew each time; a browser keeps its secret for as long as
    # the cookie lives, so each page it loads would sign the same value again.
    return str(_serializer(secret_key).dumps(secret))


def csrf_token(request: Request) -> str:
    """The token to put in this request's forms; issues the cookie if needed."""
    cached: str | None = getattr(request.state, "csrf_token", None)
    if cached is not None:
        return cached
    settings: Settings = request.app.state.settings
    name = cookie_name(settings, CSRF_COOKIE)
    secret = request.cookies.get(name)
    if not secret:
        secret = secrets.token_urlsafe(32)
        set_private_cookie(pending_cookies(request), settings, CSRF_COOKIE, secret)
    token = signed_token(settings, secret)
    request.state.csrf_token = token
    return token


async def verify_csrf(request: Request) -> None:
    """Dependency for every state-changing form: 403 unless the token matches."""
    settings: Settings = request.app.state.settings
    secret = request.cookies.get(cookie_name(settings, CSRF_COOKIE))
    submitted = request.headers.get(HEADER)
    if submitted is None:
        form = await request.form()
        field = form.get(FORM_FIELD)
        submitted = field if isinstance(field, str) else None
    if not secret or not submitted:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Missing CSRF token; reload the page.")
    try:
        signed_secret = _serializer(settings.secret_key.get_secret_value()).loads(submitted)
    except BadSignature:
        signed_secret = None
    if not isinstance(signed_secret, str) or not hmac.compare_digest(
        signed_secret.encode(), secret.encode()
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Invalid CSRF token; reload the page.")
