"""Only the gateway's folder, its selection, settings, tests, docs name the gateway.

Everything specific to the gateway lives in `billing/<gateway>/`; the rest of the
product talks to the Gateway protocol (and `billing/deps.py` picks the folder), so
swapping gateways is a matter of files, not of edits spread through the code.
"""

from pathlib import Path

import pytest

from .matrix import choices
from .render import project_files, render

# Files of the generated project that may name the chosen gateway, and why.
MAY_NAME_THE_GATEWAY = {
    "src/{package}/billing/deps.py",  # the one import that selects the gateway's folder
    "src/{package}/settings.py",  # its keys, secrets and production checks
    "src/{package}/cli.py",  # setup-billing runs the folder's setup
    "src/{package}/main.py",  # Paddle's /pay page is a route of its folder
    "src/{package}/jobs.py",  # the worker loads the folder's scheduled jobs
    "src/{package}/web/templates/billing/pay.html",  # Paddle's checkout page
    "src/{package}/web/static/pay.js",  # Paddle's checkout script
    "tests/e2e/test_pay_page.py",  # which runs Paddle.js under the page's policy
    "tests/test_billing_{gateway}.py",
    "tests/test_lifecycles_{gateway}.py",  # its lifecycles, in any order
    "tests/test_plan_changes_{gateway}.py",  # tiered: its plan-change calls
    "tests/test_usage_{gateway}.py",  # usage: its usage report through the real SDK
    "tests/test_usage.py",  # usage: that the worker schedules the gateway's report job
    "tests/test_seat_sync.py",  # per_seat: seat sync through the real SDK
    "tests/test_setup_billing.py",
    "tests/test_corpus.py",  # the folder's corpus, loaded as the simulator loads it
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
# Folders whose every file may name it: the gateway's own code (adapter, setup, simulated
# events, seat sync, metering, purchases) and its published payloads (corpus/).
MAY_NAME_THE_GATEWAY_UNDER = ("src/{package}/billing/{gateway}/",)


@pytest.mark.parametrize("model", choices("pricing_model"))
@pytest.mark.parametrize("gateway", choices("payment_gateway"))
def test_only_the_adapter_and_its_configuration_name_the_gateway(
    tmp_path: Path, gateway: str, model: str
) -> None:
    answers = {"payment_gateway": gateway, "pricing_model": model}
    files = project_files(render(tmp_path / "project", answers))
    allowed = {name.format(package="my_saas", gateway=gateway) for name in MAY_NAME_THE_GATEWAY}
    others = [other for other in choices("payment_gateway") if other != gateway]

    naming = sorted(name for name, data in files.items() if gateway.encode() in data.lower())
    under = tuple(
        folder.format(package="my_saas", gateway=gateway) for folder in MAY_NAME_THE_GATEWAY_UNDER
    )
    assert [name for name in naming if name not in allowed and not name.startswith(under)] == []
    for other in others:
        assert [name for name, data in files.items() if other.encode() in data.lower()] == []
