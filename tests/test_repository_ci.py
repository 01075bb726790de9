"""The template repository's own CI workflow passes the linters its products' workflows pass."""

from pathlib import Path

import yaml

from .matrix import TEMPLATE_ROOT
from .test_generated_config import ZIZMOR_CONFIG, run, tool

WORKFLOWS = sorted((TEMPLATE_ROOT / ".github" / "workflows").glob("*.y*ml"))


def test_repository_workflows_pass_actionlint_and_zizmor() -> None:
    assert WORKFLOWS, "the template repository has no GitHub workflows"
    run(
        [tool("actionlint"), "-no-color", f"-shellcheck={tool('shellcheck')}", *WORKFLOWS],
        cwd=TEMPLATE_ROOT,
    )
    run(
        [
            tool("zizmor"),
            "--offline",
            "--no-progress",
            "--format=plain",
            "--config",
            ZIZMOR_CONFIG,
            *WORKFLOWS,
        ],
        cwd=TEMPLATE_ROOT,
    )


def test_ci_runs_the_readme_commands_with_the_release_tags() -> None:
    ci = yaml.safe_load((TEMPLATE_ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert ci["permissions"] == {"contents": "read"}
    [job] = ci["jobs"].values()
    commands = [step["run"] for step in job["steps"] if "run" in step]
    # .ci/run is `make test` on a bare machine (it also fetches tags when it can).
    assert commands == [".ci/run", "make docs"]
    assert "make test </dev/null" in (TEMPLATE_ROOT / ".ci" / "run").read_text()
    assert "mkdocs build --strict" in (TEMPLATE_ROOT / "Makefile").read_text()
    [checkout] = [
        step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0, "the update test needs the release tags"
    assert all(
        len(step["uses"].split("@")[1].split()[0]) == 40 for step in job["steps"] if "uses" in step
    ), "pin actions by commit SHA"


def test_ci_entry_point_is_executable() -> None:
    assert Path(TEMPLATE_ROOT / ".ci" / "run").stat().st_mode & 0o111
