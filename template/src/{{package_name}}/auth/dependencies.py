"""FastAPI dependencies that give routes the signed-in user."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, status

from ..db import Connection
from ..web.negotiation import wants_json
from .models import AuthUnavailableError, User
from .session import current_user, user_transaction


async def optional_user(request: Request) -> User | None:
    """The signed-in user, or None (also when the session cannot be checked now)."""
    try:
        return await current_user(request)
    except AuthUnavailableError:
        return None


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user and the open `user_tx` a page reads in."""

    user: User
    conn: Connection


async def require_user(request: Request) -> User:
    """The signed-in user; browsers without a session are sent to sign in."""
    try:
        user = await current_user(request)
    except AuthUnavailableError as error:
        raise _unavailable() from error
    if user is None:
        raise _sign_in_required(request)
    return user


async def signed_in(request: Request) -> AsyncIterator[SignedIn]:
    """Like `require_user`, with the user's transaction open for the whole handler.

    Who is asking is checked in the transaction's first statement (on databases that
    hold the session), so a page spends its other round trips on what it shows.
    """
    try:
        async with user_transaction(request) as found:
            if found is None:
                raise _sign_in_required(request)
            yield SignedIn(*found)
    except AuthUnavailableError as error:
        raise _unavailable() from error


def _unavailable() -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, "Sign-in is unavailable; try again shortly."
    )


def _sign_in_required(request: Request) -> HTTPException:
    if wants_json(request):
        return HTTPException(status.HTTP_401_UNAUTHORIZED, "Sign in required.")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(
        status.HTTP_303_SEE_OTHER,
        "Sign in required.",
        headers={"Location": "/login?" + urlencode({"next": target})},
    )


CurrentUser = Annotated[User, Depends(require_user)]
# Ends the transaction when the handler returns, before the response is sent.
SignedInTx = Annotated[SignedIn, Depends(signed_in, scope="function")]
OptionalUser = Annotated[User | None, Depends(optional_user)]
