"""The browser session: two HttpOnly cookies holding Supabase's tokens.

The access token is verified locally on every request that needs the user.
When it has expired, the refresh token renews the session through Supabase
and the new cookies go out with the response; if that fails, the user is
signed out.
"""

import logging
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from ..settings import Settings
from .cookies import cookie_name, delete_private_cookie, pending_cookies, set_private_cookie
from .models import User
from .supabase import AuthServiceError, SupabaseAuth
from .tokens import AuthUnavailableError, ExpiredTokenError, InvalidTokenError

logger = logging.getLogger(__name__)

# The cookies outlive the one-hour access token so that the refresh token can
# renew it; a browser unused for this long signs in again.
SESSION_MAX_AGE_SECONDS = 60 * 60 * 24 * 30
ACCESS_COOKIE = "sb-access-token"
REFRESH_COOKIE = "sb-refresh-token"
_UNRESOLVED = object()


def get_auth(request: Request) -> SupabaseAuth:
    auth: SupabaseAuth = request.app.state.auth
    return auth


def access_token(request: Request) -> str | None:
    settings: Settings = request.app.state.settings
    return request.cookies.get(cookie_name(settings, ACCESS_COOKIE))


def set_session_cookies(
    response: Response, settings: Settings, access: str, refresh: str | None
) -> None:
    for name, value in ((ACCESS_COOKIE, access), (REFRESH_COOKIE, refresh)):
        if value is None:
            delete_private_cookie(response, settings, name)
            continue
        set_private_cookie(response, settings, name, value, max_age=SESSION_MAX_AGE_SECONDS)


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        delete_private_cookie(response, settings, name)


async def current_user(request: Request) -> User | None:
    """The signed-in user, resolved once per request.

    Raises `AuthUnavailableError` when the session cannot be checked because
    Supabase Auth is out of reach; the cookies are kept for a later attempt.
    """
    resolved = getattr(request.state, "auth_user", _UNRESOLVED)
    if resolved is _UNRESOLVED:
        resolved = await _resolve(request)
        request.state.auth_user = resolved
    assert resolved is None or isinstance(resolved, User)
    return resolved


async def _resolve(request: Request) -> User | None:
    settings: Settings = request.app.state.settings
    auth = get_auth(request)
    access = request.cookies.get(cookie_name(settings, ACCESS_COOKIE))
    refresh = request.cookies.get(cookie_name(settings, REFRESH_COOKIE))
    if not access and not refresh:
        return None
    if access:
        try:
            return _user(await auth.tokens.verify(access))
        except ExpiredTokenError:
            pass
        except InvalidTokenError as error:
            logger.info("discarding an invalid access token: %s", error)
            clear_session_cookies(pending_cookies(request), settings)
            return None
    if not refresh:
        clear_session_cookies(pending_cookies(request), settings)
        return None
    try:
        session = await auth.refresh(refresh)
        claims = await auth.tokens.verify(session.access_token)
    except AuthServiceError as error:
        if not error.rejected:
            raise AuthUnavailableError(f"could not refresh the session: {error}") from error
        logger.info("session refresh refused, signing out: %s", error)
        clear_session_cookies(pending_cookies(request), settings)
        return None
    except InvalidTokenError as error:
        logger.warning("Supabase issued a token that does not verify: %s", error)
        clear_session_cookies(pending_cookies(request), settings)
        return None
    set_session_cookies(
        pending_cookies(request), settings, session.access_token, session.refresh_token
    )
    return _user(claims)


def _user(claims: dict[str, Any]) -> User:
    return User(id=UUID(str(claims["sub"])), email=str(claims.get("email") or ""), claims=claims)
