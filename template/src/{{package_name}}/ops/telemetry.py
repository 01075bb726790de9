"""Opt-in telemetry: Sentry when SENTRY_DSN is set, OpenTelemetry when OTEL_* says where to send.

Each SDK is imported only when its setting is present, so a process without them
(and every cold start's health check) pays nothing for them.
"""

import os
from collections.abc import Mapping

from fastapi import FastAPI

from ..settings import Settings

# Any of these names an OTLP collector; the SDK reads them (and the other OTEL_*) itself.
OTLP_ENDPOINT_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
)


def otel_configured(environ: Mapping[str, str] = os.environ) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(name) for name in OTLP_ENDPOINT_VARIABLES)


def install_telemetry(app: FastAPI | None, settings: Settings) -> None:
    """Start what the settings ask for; `app` is None in the worker (no requests to trace)."""
    if settings.sentry_dsn.get_secret_value():
        from .sentry import start_sentry

        start_sentry(settings)
    if otel_configured():
        from .otel import instrument

        instrument(app, service_name=settings.app_name)
