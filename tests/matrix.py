"""The answer combinations the template supports, read from copier.yml.

Tests enumerate choices from the questions file, never from a hand-written list,
so every choice a later change adds is rendered and tested automatically.
"""

import itertools
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
PRODUCT_QUESTIONS = ("payment_gateway", "database", "deploy_target", "pricing_model")


@cache
def questions() -> dict[str, Any]:
    return yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())


def choices(question: str) -> list[str]:
    spec = questions()[question]["choices"]
    values = spec.values() if isinstance(spec, dict) else spec
    return [value["value"] if isinstance(value, dict) else value for value in values]


def combinations() -> list[dict[str, str]]:
    options = [choices(question) for question in PRODUCT_QUESTIONS]
    return [
        dict(zip(PRODUCT_QUESTIONS, combo, strict=True)) for combo in itertools.product(*options)
    ]


def combination_id(answers: dict[str, str]) -> str:
    return "-".join(answers[question] for question in PRODUCT_QUESTIONS)


# Deploy targets whose renders differ only in files no generated test reads (deploy
# files, README, answers): their suites share one result (suite_results.py). Docker is
# not one of them: a VPS has no platform backups, so its product has its own backup job.
CONTAINER_TARGETS = ("fly", "render")


def twin_group(answers: dict[str, str]) -> str:
    """The xdist group of a combination: likely twins share one, so one worker runs them
    in order, the first suite executes and the others reuse its result (never two twins
    executing at once on two workers). Only speed depends on this guess, not soundness."""
    if answers["deploy_target"] in CONTAINER_TARGETS:
        return combination_id({**answers, "deploy_target": "+".join(CONTAINER_TARGETS)})
    return combination_id(answers)


def combination_params() -> list[Any]:
    """One pytest param per combination; its tests share a worker and a render, and likely
    twins share the worker too (see `twin_group`)."""
    return [
        pytest.param(
            answers,
            id=combination_id(answers),
            marks=pytest.mark.xdist_group(twin_group(answers)),
        )
        for answers in combinations()
    ]
