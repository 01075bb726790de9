"""Each combination's generated project: installed from its own pyproject, linted, tested.

The tools run in the environment of the project's dependency set (see products.py):
created by `uv sync` from the first project with that set, reused by the others. The
generated suite clones its own database on the shared server, so suites never share
state. Lints run for every combination; the suite's result is reused from an earlier
combination of the session whose suite read byte-identical inputs (suite_results.py).
"""

from pathlib import Path

import pytest

from .forkservers import Forkserver, declared_distributions
from .matrix import combination_id, combination_params
from .products import Timed, Toolchain, dependency_set, record_timing, rendered, run
from .suite_results import obtain

# The user property a generated-suite test reports: "executed" or "reused" (conftest.py).
SUITE_PROPERTY = "generated_suite"


@pytest.mark.slow
@pytest.mark.parametrize("answers", combination_params())
def test_generated_project_lints_and_passes_its_suite(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    shared_dir: Path,
    postgres_admin_url: str,
    answers: dict[str, str],
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
    outcome = obtain(
        shared_dir / "suite-results",
        toolchain.key,
        product,
        [toolchain.tool("pytest"), "-q", "-p", "no:cacheprovider", f"--basetemp={tmp_path}/pt"],
        env,
        tmp_path / "suite-inputs",
        Forkserver(
            shared_dir / "forkservers",
            toolchain.key,
            toolchain.venv / "bin" / "python",
            declared_distributions(dependency_set(product)),
        ),
    )
    suite.wall, suite.cpu = outcome.wall, outcome.cpu
    request.node.user_properties.append(
        (SUITE_PROPERTY, "reused" if outcome.reused_from else "executed")
    )
    figures = {"sync": toolchain.sync, "ruff": ruff, "mypy": mypy, "pytest": suite}
    record_timing(
        combination_id(answers),
        dependency_set=toolchain.key,
        created_environment=toolchain.created_here,
        suite_reused_from=outcome.reused_from,
        **{f"{name}_s": round(timed.wall, 3) for name, timed in figures.items()},
        **{f"{name}_cpu_s": round(timed.cpu, 3) for name, timed in figures.items()},
    )
    source = f" (reused from {outcome.reused_from}: same inputs)" if outcome.reused_from else ""
    assert outcome.passed, f"the generated suite failed in {product}{source}:\n{outcome.output}"
