"""The docs site builds without warnings; it and the product README cannot drift from the code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .matrix import TEMPLATE_ROOT, choices, questions

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
    return [name for name in questions() if not name.startswith("_")]


@pytest.mark.parametrize("name", _question_names())
def test_every_question_is_documented(name: str) -> None:
    page = OPTIONS_PAGE.read_text()
    spec = questions()[name]
    assert f"### `{name}`" in page, f"docs/options.md has no section for `{name}`"
    assert spec["help"] in page, f"docs/options.md does not quote the help text of `{name}`"
    if "choices" in spec:
        for choice in choices(name):
            assert f"`{choice}`" in page, f"docs/options.md does not list `{name}: {choice}`"


STRIPE_ADAPTER = (
    TEMPLATE_ROOT
    / "template"
    / "src"
    / "{{package_name}}"
    / "billing"
    / "{% if payment_gateway == 'stripe' %}stripe.py{% endif %}"
)
PRODUCT_README = TEMPLATE_ROOT / "template" / "README.md.jinja"


def test_product_readme_lists_the_stripe_events_the_code_handles() -> None:
    adapter = STRIPE_ADAPTER.read_text()
    readme = PRODUCT_README.read_text()
    handled = set(re.findall(r'"((?:checkout|customer|invoice)\.[a-z_.]+)"', adapter))
    assert handled, f"found no Stripe event types in {STRIPE_ADAPTER.name}"
    listed = set(re.findall(r"^\s*- `((?:checkout|customer|invoice)\.[a-z_.]+)`$", readme, re.M))
    assert listed == handled, "README.md.jinja's webhook event list differs from the adapter's"


def test_product_readme_names_the_pinned_stripe_api_version() -> None:
    pinned = re.search(r'^API_VERSION = "([^"]+)"', STRIPE_ADAPTER.read_text(), re.M)
    assert pinned, f"no API_VERSION in {STRIPE_ADAPTER.name}"
    assert f"`{pinned.group(1)}`" in PRODUCT_README.read_text()
