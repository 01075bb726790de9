"""Security headers on every response, built with `secure`.

The Content-Security-Policy allows exactly what the pages load: the site's own
scripts, styles and images, nothing inline, no plugins, no framing by other
sites. Forms post to the app itself and to the payment provider's hosted pages:
a checkout or portal button's POST is answered with a redirect there, and
Chromium applies `form-action` to that redirect. A page that needs more sets its
own header, which the middleware leaves alone.

Development sends the same headers, so a policy mistake shows on the first
`make dev`; production adds HSTS (the site is HTTPS-only there).
"""

from fastapi import FastAPI
from secure import (
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
)
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..billing.deps import HOSTED_PAGES
from ..settings import Settings

# Browser features the app never uses: no page, and no frame in it, may ask for them.
UNUSED_FEATURES = (
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
)
HSTS_MAX_AGE_SECONDS = 63_072_000  # two years: browsers remember HTTPS-only that long


def content_security_policy() -> ContentSecurityPolicy:
    return (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'")
        .style_src("'self'")
        .img_src("'self'")
        .connect_src("'self'")
        .object_src("'none'")
        .base_uri("'self'")
        .form_action("'self'", *HOSTED_PAGES)
        .frame_ancestors("'none'")
    )


def permissions_policy(**allowed: tuple[str, ...]) -> PermissionsPolicy:
    """Deny every unused feature, except those given as `feature_name=(allowlist...)`."""
    policy = PermissionsPolicy().clear()
    for feature in UNUSED_FEATURES:
        policy.add_directive(feature, *allowed.get(feature.replace("-", "_"), ()))
    return policy


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers every response carries, by name."""
    secure = Secure(
        csp=content_security_policy(),
        coop=CrossOriginOpenerPolicy().same_origin(),
        hsts=(
            StrictTransportSecurity().max_age(HSTS_MAX_AGE_SECONDS).include_subdomains()
            if settings.is_production
            else None
        ),
        permissions=permissions_policy(),
        referrer=ReferrerPolicy().strict_origin_when_cross_origin(),
        xcto=XContentTypeOptions().nosniff(),
    )
    return dict(secure.headers)


class SecurityHeadersMiddleware:
    """Adds each security header a response does not set itself."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    response_headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI, settings: Settings) -> None:
    """The middleware, and the headers kept for the 500 page (served outside it)."""
    app.state.security_headers = security_headers(settings)
    app.add_middleware(SecurityHeadersMiddleware, headers=app.state.security_headers)
