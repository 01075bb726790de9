"""Error reports to Sentry (imported only when SENTRY_DSN is set).

Only server faults are reported: a 4xx (a rejected webhook signature, a bad form)
is the client's mistake and is logged at warning, which Sentry keeps as a
breadcrumb, not an event. Each event carries the request id the error page shows.
"""

from typing import Any

import sentry_sdk
from sentry_sdk.types import Event, Hint

from ..settings import Settings
from ..web.errors import request_id


def start_sentry(settings: Settings, **options: Any) -> None:
    """Start the SDK; `options` go to `sentry_sdk.init` (tests pass a transport)."""
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.app_env,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        before_send=_with_request_id,
        **options,
    )


def _with_request_id(event: Event, hint: Hint) -> Event | None:
    current = request_id()
    if current:
        event.setdefault("tags", {})["request_id"] = current
    return event
