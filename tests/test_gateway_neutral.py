"""Only the adapter, settings, tests of them, docs and the simulator know the gateway's name.

The rest of the product talks to the Gateway protocol, so swapping gateways is a matter
of files, not of edits spread through the code.
"""

from pathlib import Path

import pytest

from .matrix import choices
from .render import project_files, render

# Files of the generated project that may name the chosen gateway, and why.
MAY_NAME_THE_GATEWAY = {
    "src/{package}/billing/{gateway}.py",  # the adapter
    "src/{package}/billing/simulated_events.py",  # its development simulator
    "src/{package}/billing/deps.py",  # the one import that selects the adapter
    "src/{package}/settings.py",  # its keys, secrets and production checks
    "src/{package}/web/templates/billing/pay.html",  # Paddle's checkout page
    "src/{package}/billing/pay_page.py",  # and its route
    "src/{package}/web/static/pay.js",  # and its script
    "tests/e2e/test_pay_page.py",  # which runs Paddle.js under the page's policy
    "src/{package}/billing/reconcile.py",  # Lemon Squeezy's reconciliation job
    "src/{package}/billing/setup.py",  # setup-billing: creates the catalog at the gateway
    "tests/test_billing_{gateway}.py",
    "tests/test_lifecycles_{gateway}.py",  # its lifecycles, in any order
    "tests/test_setup_billing.py",
    "tests/conftest.py",  # test settings
    "tests/test_settings.py",
    "tests/test_cli.py",  # the development webhook secret's name
    "tests/test_import_cost.py",  # the SDK that must load lazily
    "README.md",
    ".env.example",
    "pyproject.toml",
    "uv.lock",
    ".copier-answers.yml",
}
# Folders whose every file may name it: the gateway's own published payloads.
MAY_NAME_THE_GATEWAY_UNDER = ("src/{package}/billing/corpus/",)


@pytest.mark.parametrize("gateway", choices("payment_gateway"))
def test_only_the_adapter_and_its_configuration_name_the_gateway(
    tmp_path: Path, gateway: str
) -> None:
    files = project_files(render(tmp_path / "project", {"payment_gateway": gateway}))
    allowed = {name.format(package="my_saas", gateway=gateway) for name in MAY_NAME_THE_GATEWAY}
    others = [other for other in choices("payment_gateway") if other != gateway]

    naming = sorted(name for name, data in files.items() if gateway.encode() in data.lower())
    under = tuple(folder.format(package="my_saas") for folder in MAY_NAME_THE_GATEWAY_UNDER)
    assert [name for name in naming if name not in allowed and not name.startswith(under)] == []
    for other in others:
        assert [name for name, data in files.items() if other.encode() in data.lower()] == []
