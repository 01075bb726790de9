"""Jinja2 templates for every page, and `render` to turn one into a response.

Pages extend `base.html`. Every template can use `settings`, `app_name` and
`csrf_token(request)`, and the `money` (cents, currency) and `date` filters.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..auth.csrf import csrf_token
from ..formatting import format_date, format_money
from ..settings import Settings

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _app_context(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return {"settings": settings, "app_name": settings.app_name}


templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_app_context])
templates.env.globals["csrf_token"] = csrf_token
templates.env.filters["money"] = format_money
templates.env.filters["date"] = format_date


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, context or {}, status_code=status_code, headers=headers
    )
