"""Each combination's generated project: installed from its own pyproject, linted, tested.

The tools run in the environment of the project's dependency set (see products.py):
created by `uv sync` from the first project with that set, reused by the others. The
generated suite clones its own database on the shared server, so suites never share
state.
"""

from pathlib import Path

import pytest

from .matrix import combination_id, combination_params
from .products import Timed, Toolchain, record_timing, rendered, run


@pytest.mark.slow
@pytest.mark.parametrize("answers", combination_params())
def test_generated_project_lints_and_passes_its_suite(
    tmp_path: Path, shared_dir: Path, postgres_admin_url: str, answers: dict[str, str]
) -> None:
    product = rendered(shared_dir, answers)
    toolchain = Toolchain(shared_dir, product)
    env = toolchain.environ(
        TEST_DATABASE_URL=postgres_admin_url, COVERAGE_FILE=str(tmp_path / ".coverage")
    )
    ruff, mypy, suite = Timed(), Timed(), Timed()
    run([toolchain.tool("ruff"), "check", "."], product, env, ruff)
    run([toolchain.tool("ruff"), "format", "--check", "."], product, env, ruff)
    run([toolchain.tool("mypy")], product, env, mypy)
    run(
        [toolchain.tool("pytest"), "-q", "-p", "no:cacheprovider", f"--basetemp={tmp_path}/pt"],
        product,
        env,
        suite,
    )
    figures = {"sync": toolchain.sync, "ruff": ruff, "mypy": mypy, "pytest": suite}
    record_timing(
        combination_id(answers),
        dependency_set=toolchain.key,
        created_environment=toolchain.created_here,
        **{f"{name}_s": round(timed.wall, 3) for name, timed in figures.items()},
        **{f"{name}_cpu_s": round(timed.cpu, 3) for name, timed in figures.items()},
    )
