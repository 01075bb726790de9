"""Cookie names and a way for dependencies to set cookies on any response.

FastAPI drops headers set on an injected `Response` when the endpoint returns
its own response (as every HTML page does), so code that runs before the
endpoint — refreshing a session, issuing a CSRF token — queues its cookies on
the request, and `PendingCookiesMiddleware` adds them to whatever response goes
out. A cookie the endpoint sets itself wins over a queued one of the same name.
"""

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings

_PENDING = "pending_cookies"


def cookie_name(settings: Settings, name: str) -> str:
    """`name`, with the `__Host-` prefix when cookies are Secure.

    Browsers only accept `__Host-` cookies that are Secure, have Path=/ and no
    Domain, so a sibling subdomain cannot plant or overwrite them.
    """
    return f"__Host-{name}" if settings.secure_cookies else name


def set_private_cookie(
    response: Response, settings: Settings, name: str, value: str, *, max_age: int | None = None
) -> None:
    """Set a cookie scripts cannot read, sent on same-site navigation only."""
    response.set_cookie(
        cookie_name(settings, name),
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def delete_private_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(
        cookie_name(settings, name),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def pending_cookies(request: Request) -> Response:
    """A response whose `set_cookie`/`delete_cookie` calls reach the real response."""
    state = request.scope.get("state", {})
    if _PENDING not in state:
        raise RuntimeError("PendingCookiesMiddleware is not installed")
    jar = state[_PENDING]
    if jar is None:
        jar = state[_PENDING] = Response()
    assert isinstance(jar, Response)
    return jar


class PendingCookiesMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The jar is made by the first cookie queued: most requests queue none.
        state = scope.setdefault("state", {})
        state[_PENDING] = None

        async def send_with_cookies(message: Message) -> None:
            jar = state[_PENDING]
            if message["type"] == "http.response.start" and jar is not None:
                headers = MutableHeaders(scope=message)
                already_set = {_name(value) for value in headers.getlist("set-cookie")}
                for value in jar.headers.getlist("set-cookie"):
                    if _name(value) not in already_set:
                        headers.append("set-cookie", value)
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def _name(set_cookie: str) -> str:
    return set_cookie.split("=", 1)[0].strip()
