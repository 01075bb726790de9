"""Render an email template into a message with a subject, an html and a text part.

Each email is a pair of templates in `templates/`: `<name>.txt` sets the subject
(`{% set subject = ... %}`) and holds the text part; `<name>.html` holds the html
part. Both see the caller's variables plus `app_name` and `base_url`.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..formatting import format_date, format_money
from ..settings import Settings

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Every `<name>.txt` in templates/ (partials start with "_") is an email.
TEMPLATE_NAMES = frozenset(
    path.stem for path in TEMPLATES_DIR.glob("*.txt") if not path.name.startswith("_")
)


@dataclass(frozen=True)
class EmailMessage:
    template: str
    sender: str
    reply_to: str
    to: str
    subject: str
    html: str
    text: str
    idempotency_key: str


_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_environment.filters["date"] = format_date
_environment.filters["money"] = format_money


def render_email(
    settings: Settings, template: str, to: str, variables: dict[str, Any], idempotency_key: str
) -> EmailMessage:
    if template not in TEMPLATE_NAMES:
        raise ValueError(f"Unknown email template {template!r}")
    context = {**variables, "app_name": settings.app_name, "base_url": settings.base_url}
    text_part = _environment.get_template(f"{template}.txt").make_module(context)
    subject = str(getattr(text_part, "subject", "")).strip()
    if not subject:
        raise ValueError(f"Email template {template}.txt must set a subject")
    html = _environment.get_template(f"{template}.html").render(context, subject=subject)
    return EmailMessage(
        template=template,
        sender=settings.email_from,
        reply_to=settings.email_reply_to,
        to=to,
        subject=subject,
        html=html,
        text=str(text_part),
        idempotency_key=idempotency_key,
    )
