"""OpenTelemetry traces and metrics over OTLP (imported only when OTEL_* names a collector).

Under `opentelemetry-instrument` the providers already exist and are kept; otherwise
they are created here from the standard OTEL_* variables (endpoint, headers, service
name, sampler). FastAPI requests, psycopg queries and httpx calls become spans.
"""

import os

from fastapi import FastAPI
from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

# Probes poll these every few seconds; their spans would drown the rest.
UNTRACED_PATHS = "healthz,readyz"


def instrument(app: FastAPI | None, *, service_name: str) -> None:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        start_providers(service_name)
    if app is not None:
        FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_PATHS)
    HTTPXClientInstrumentor().instrument()
    PsycopgInstrumentor().instrument(enable_commenter=False)


def start_providers(service_name: str) -> None:
    # OTEL_SERVICE_NAME, when set, names the service; the product's name otherwise.
    named = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": service_name}
    resource = Resource.create(named)
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(tracer_provider)
    reader = PeriodicExportingMetricReader(OTLPMetricExporter())
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
