"""Log lines carry the request id; production writes them as JSON, one object a line.

JSON comes from python-json-logger: it is a `logging.Formatter`, so every library's
records (uvicorn, procrastinate, psycopg) go through it unchanged, where structlog
would bring a second logging API for the product's own code to learn.
"""

import logging
import sys
from typing import IO

from ..settings import Settings
from ..web.errors import request_id

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ("levelname", "name", "message", "request_id")
# Uvicorn's loggers keep handlers of their own; in production they go through ours.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being handled ("" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id()
        return True


def log_handler(*, json: bool, stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if json:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                list(JSON_FIELDS),
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",  # ISO 8601, UTC
            )
        )
    else:
        handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
    return handler


def configure_logging(settings: Settings) -> None:
    """Route every log record to one handler on the root logger, once per process.

    Production (or LOG_FORMAT=json) writes JSON; development writes plain lines. A
    process whose root logger already has handlers (pytest, `logging.basicConfig`
    in a script, a second app) keeps them and its level.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    root.setLevel(settings.log_level)
    root.addHandler(log_handler(json=settings.json_logs))
    if settings.json_logs:
        for name in SERVER_LOGGERS:
            server_logger = logging.getLogger(name)
            server_logger.handlers.clear()
            server_logger.propagate = True
