"""Webhook objects as the payment gateway publishes them, for the simulator and the tests.

Each gateway's folder has a `corpus/` of objects taken from the gateway's own
published definitions (its OpenAPI fixtures and examples, SDK models, documented
webhook payloads); `corpus/README.md` names the source of each file. Simulated and test events
start from these and override only what makes them this app's: ids, times,
statuses, amounts and the metadata the app sets at checkout. So a payload the
adapter reads has the gateway's shape, not a shape written next to the adapter.
The gateway's `corpus.py` binds `load` to its folder.
"""

import copy
import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any


def loader(module: str) -> Callable[[str], dict[str, Any]]:
    """`load(name)` for the `corpus/` folder next to `module` (a gateway's `corpus.py`)."""
    package = module.rpartition(".")[0]

    def load(name: str) -> dict[str, Any]:
        """A fresh copy of `corpus/<name>.json`, free to change."""
        return copy.deepcopy(_read(package, name))

    return load


@cache
def _read(package: str, name: str) -> dict[str, Any]:
    text = (files(package) / "corpus" / f"{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
