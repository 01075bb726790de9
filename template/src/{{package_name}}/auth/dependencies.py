"""FastAPI dependencies that give routes the signed-in user."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, status

from ..web.negotiation import wants_json
from .models import AuthUnavailableError, User
from .session import current_user


async def optional_user(request: Request) -> User | None:
    """The signed-in user, or None (also when the session cannot be checked now)."""
    try:
        return await current_user(request)
    except AuthUnavailableError:
        return None


async def require_user(request: Request) -> User:
    """The signed-in user; browsers without a session are sent to sign in."""
    try:
        user = await current_user(request)
    except AuthUnavailableError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "Sign-in is unavailable; try again shortly."
        ) from error
    if user is not None:
        return user
    if wants_json(request):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Sign in required.")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise HTTPException(
        status.HTTP_303_SEE_OTHER,
        "Sign in required.",
        headers={"Location": "/login?" + urlencode({"next": target})},
    )


CurrentUser = Annotated[User, Depends(require_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
