"""The docs site builds without warnings; it and the product README cannot drift from the code."""

import re
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest

from .matrix import TEMPLATE_ROOT, choices, questions
from .render import render

OPTIONS_PAGE = TEMPLATE_ROOT / "docs" / "options.md"


def test_docs_build_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(TEMPLATE_ROOT / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    )
    assert (tmp_path / "site" / "options" / "index.html").is_file()


def _question_names() -> list[str]:
    return [
        name
        for name, spec in questions().items()
        if not name.startswith("_") and spec.get("when") is not False
    ]


@pytest.mark.parametrize("name", _question_names())
def test_every_question_is_documented(name: str) -> None:
    page = OPTIONS_PAGE.read_text()
    spec = questions()[name]
    assert f"### `{name}`" in page, f"docs/options.md has no section for `{name}`"
    assert spec["help"] in page, f"docs/options.md does not quote the help text of `{name}`"
    if "choices" in spec:
        for choice in choices(name):
            assert f"`{choice}`" in page, f"docs/options.md does not list `{name}: {choice}`"


BILLING_DIR = TEMPLATE_ROOT / "template" / "src" / "{{package_name}}" / "billing"
PRODUCT_README = TEMPLATE_ROOT / "template" / "README.md.jinja"
# The event names each adapter dispatches on, as a pattern for their quoted strings.
EVENT_PATTERNS = {
    "stripe": r"(?:checkout|customer|invoice)\.[a-z_.]+",
    "paddle": r"(?:subscription|transaction|customer)\.[a-z_]+",
    "lemonsqueezy": r"(?:order|subscription)_[a-z_]+",
}
# Strings in the adapters that match a pattern but are not event names: the product's
# event kinds, a field name and a Stripe object type (an event's `data.object.object`).
NOT_EVENTS = {
    "subscription_changed",
    "subscription_canceled",
    "subscription_id",
    "checkout.session",
}


def gateway_dir(gateway: str) -> Path:
    """The gateway's folder in the template: `billing/<gateway>/` in a product."""
    return BILLING_DIR / f"{{% if payment_gateway == '{gateway}' %}}{gateway}{{% endif %}}"


def adapter_source(gateway: str) -> str:
    folder = gateway_dir(gateway)
    # An adapter with a pricing model's line or two in it is rendered: it ends in .jinja.
    (path,) = [p for p in (folder / "adapter.py", folder / "adapter.py.jinja") if p.is_file()]
    return path.read_text()


@cache
def product_readme(gateway: str) -> str:
    """The product README exactly as Copier renders it for `gateway`."""
    destination = Path(tempfile.mkdtemp(prefix=f"readme-{gateway}-")) / "product"
    return (render(destination, {"payment_gateway": gateway}) / "README.md").read_text()


def test_every_gateway_choice_has_an_event_list_to_check() -> None:
    assert set(choices("payment_gateway")) == set(EVENT_PATTERNS)


@pytest.mark.parametrize("gateway", sorted(EVENT_PATTERNS))
def test_product_readme_lists_the_events_the_adapter_handles(gateway: str) -> None:
    pattern = EVENT_PATTERNS[gateway]
    handled = set(re.findall(rf'"({pattern})"', adapter_source(gateway))) - NOT_EVENTS
    assert handled, f"found no {gateway} event types in its adapter"
    readme = product_readme(gateway)
    listed = set(re.findall(rf"^\s*- `({pattern})`$", readme, re.M))
    assert listed == handled, (
        f"the {gateway} README's webhook event list differs from the adapter's"
    )


# one_time: the events its purchase adapter dispatches on (payments, refunds, disputes).
PURCHASE_EVENT_PATTERNS = {
    "stripe": r"(?:checkout|charge|customer)\.[a-z_.]+",
    "paddle": r"(?:transaction|adjustment)\.[a-z_]+",
    "lemonsqueezy": r"order_[a-z_]+",
}


@pytest.mark.parametrize("gateway", sorted(PURCHASE_EVENT_PATTERNS))
def test_one_time_readme_lists_the_events_the_purchase_adapter_handles(
    tmp_path: Path, gateway: str
) -> None:
    pattern = PURCHASE_EVENT_PATTERNS[gateway]
    source = (
        gateway_dir(gateway) / "{% if pricing_model == 'one_time' %}purchases.py{% endif %}"
    ).read_text()
    handled = set(re.findall(rf'"({pattern})"', source)) - NOT_EVENTS
    assert handled, f"found no {gateway} purchase event types in its adapter"
    answers = {"payment_gateway": gateway, "pricing_model": "one_time"}
    readme = (render(tmp_path / "product", answers) / "README.md").read_text()
    listed = set(re.findall(r"^\s*- `([a-z_]+(?:\.[a-z_]+)*)`$", readme, re.M))
    assert listed == handled, f"the one_time {gateway} README's event list differs"


@pytest.mark.parametrize("gateway", sorted(EVENT_PATTERNS))
def test_product_readme_names_only_the_chosen_gateway(gateway: str) -> None:
    readme = product_readme(gateway).lower()
    for other in EVENT_PATTERNS.keys() - {gateway}:
        assert other not in readme, f"the {gateway} README mentions {other}"


@pytest.mark.parametrize("gateway", sorted(EVENT_PATTERNS))
def test_every_gateway_has_a_docs_page(gateway: str) -> None:
    assert (TEMPLATE_ROOT / "docs" / "gateways" / f"{gateway}.md").is_file()
    assert f"gateways/{gateway}.md" in (TEMPLATE_ROOT / "mkdocs.yml").read_text()


def test_product_readme_names_the_pinned_stripe_api_version() -> None:
    pinned = re.search(r'^API_VERSION = "([^"]+)"', adapter_source("stripe"), re.M)
    assert pinned, "no API_VERSION in the Stripe adapter"
    assert f"`{pinned.group(1)}`" in product_readme("stripe")
