"""The generated browser tests (`make e2e`), run on a few combinations.

Every pricing model and every gateway appears at least once, and both databases.
Each run reuses the combination's render and environment (products.py), so nothing
is rendered or installed twice; Chromium is the machine's (E2E_CHROMIUM, else
`chromium` on the path), since Playwright's own download is not always reachable.
"""

import os
import shutil
from pathlib import Path

import pytest

from .matrix import PRODUCT_QUESTIONS, choices, combination_id
from .products import Timed, Toolchain, record_timing, rendered, run

E2E_COMBINATIONS = [
    ("stripe", "supabase", "docker", "flat"),
    ("paddle", "postgres", "render", "per_seat"),
    ("lemonsqueezy", "postgres", "fly", "usage"),
    ("stripe", "postgres", "aws_lambda", "tiered"),
    ("paddle", "supabase", "vercel", "one_time"),
    ("lemonsqueezy", "supabase", "docker", "tiered"),
    ("stripe", "postgres", "render", "one_time"),
]


def e2e_params() -> list[object]:
    params = []
    for combo in E2E_COMBINATIONS:
        answers = dict(zip(PRODUCT_QUESTIONS, combo, strict=True))
        name = combination_id(answers)
        params.append(pytest.param(answers, id=name, marks=pytest.mark.xdist_group(name)))
    return params


def chromium() -> str:
    found = os.environ.get("E2E_CHROMIUM") or shutil.which("chromium")
    assert found, "browser tests need Chromium: apt-get install chromium (.ci/run does)"
    return found


def test_e2e_combinations_cover_every_model_gateway_and_database() -> None:
    for index, question in enumerate(PRODUCT_QUESTIONS):
        if question == "deploy_target":
            continue
        covered = {combo[index] for combo in E2E_COMBINATIONS}
        assert covered == set(choices(question)), question


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("answers", e2e_params())
def test_generated_browser_tests_pass(
    tmp_path: Path, shared_dir: Path, postgres_admin_url: str, answers: dict[str, str]
) -> None:
    product = rendered(shared_dir, answers)
    toolchain = Toolchain(shared_dir, product)
    env = toolchain.environ(
        TEST_DATABASE_URL=postgres_admin_url,
        E2E_CHROMIUM=chromium(),
        E2E_ARTIFACTS=str(tmp_path / "screenshots"),
    )
    suite = Timed()
    pytest_args = ["-m", "e2e", "--no-cov", "-q", "-p", "no:cacheprovider"]
    run([toolchain.tool("pytest"), *pytest_args, f"--basetemp={tmp_path}/pt"], product, env, suite)
    assert any((tmp_path / "screenshots").rglob("*.png")), "no page was photographed"
    record_timing(
        combination_id(answers), e2e_s=round(suite.wall, 3), e2e_cpu_s=round(suite.cpu, 3)
    )
