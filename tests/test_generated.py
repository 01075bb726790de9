"""Each combination's generated project: installed from its own pyproject, linted, tested.

The generated suite creates its own database on the shared server, so suites
never share state.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .matrix import combination_id, combinations
from .render import render

UV = shutil.which("uv") or "uv"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "VIRTUAL_ENV": "", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"`{' '.join(command)}` failed in {cwd} ({result.returncode}):\n"
        f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("answers", combinations(), ids=combination_id)
def test_generated_project_lints_and_passes_its_suite(
    tmp_path: Path, postgres_admin_url: str, answers: dict[str, str]
) -> None:
    project = render(tmp_path / "product", answers)
    run([UV, "sync", "--quiet"], project)
    run([UV, "run", "--no-sync", "ruff", "check", "."], project)
    run([UV, "run", "--no-sync", "ruff", "format", "--check", "."], project)
    run([UV, "run", "--no-sync", "mypy"], project)
    run(
        [UV, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
        project,
        env={"TEST_DATABASE_URL": postgres_admin_url},
    )
