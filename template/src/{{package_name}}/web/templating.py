"""Jinja2 templates for every page, and `render` to turn one into a response.

Pages extend `base.html`. Every template can use `settings`, `app_name`,
`tagline`, `site_url`, `canonical_url` and `csrf_token(request)`, and the `money` (cents,
currency) and `date` filters.
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

# The product in one sentence: the landing page's headline and every page's default
# meta description. Edit tagline.txt to change it.
TAGLINE = (Path(__file__).resolve().parent / "tagline.txt").read_text(encoding="utf-8").strip()


def _app_context(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    # Search engines and link previews get the public address, whatever host was asked.
    site_url = settings.base_url.rstrip("/")
    return {
        "settings": settings,
        "app_name": settings.app_name,
        "site_url": site_url,
        "canonical_url": site_url + request.url.path,
    }


templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_app_context])
templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["tagline"] = TAGLINE
templates.env.filters["money"] = format_money
templates.env.filters["date"] = format_date


def install_templates(settings: Settings) -> None:
    """Outside development, each template is read once: no file check on every page."""
    templates.env.auto_reload = settings.app_env == "development"


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
