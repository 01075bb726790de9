"""`copier update` from the previous release to the working tree.

A product is generated from the previous release tag, committed, and updated to
the template under test (tagged as the next version), exactly as a user would:
no `--trust`, no questions asked (`defaults=True` keeps the recorded answers and
takes the default for a question the new version adds).
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import copier
import pytest
import yaml

from .releases import git, two_release_template

UV = shutil.which("uv") or "uv"
CONFLICT_MARKERS = re.compile(rb"^(<<<<<<< before updating|>>>>>>> after updating)", re.MULTILINE)


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copier and the tests commit; a bare CI machine has no git identity."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Template Tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@example.com")


@pytest.fixture(scope="module")
def template_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    repo = tmp_path_factory.mktemp("template") / "copier-micro-saas"
    repo.mkdir()
    old, new = two_release_template(repo)
    return repo, old, new


def generate(template: Path, tag: str, destination: Path) -> Path:
    copier.run_copy(
        str(template), destination, defaults=True, unsafe=False, quiet=True, vcs_ref=tag
    )
    git("init", "--quiet", cwd=destination)
    git("add", "-A", cwd=destination)
    git(
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        f"Start from the template at {tag}",
        cwd=destination,
    )
    return destination


def update(project: Path) -> float:
    """Update to the newest template tag, as `copier update --defaults` does; returns seconds."""
    started = time.perf_counter()
    copier.run_update(
        project, defaults=True, overwrite=True, unsafe=False, quiet=True, conflict="inline"
    )
    return time.perf_counter() - started


def files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def unmerged(project: Path) -> list[str]:
    return sorted(set(git("diff", "--name-only", "--diff-filter=U", cwd=project).split()))


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
def test_untouched_project_updates_cleanly_and_passes_its_suite(
    template_releases: tuple[Path, str, str], tmp_path: Path, postgres_admin_url: str
) -> None:
    template, old, new = template_releases
    project = generate(template, old, tmp_path / "product")

    seconds = update(project)
    print(f"copier update {old} -> {new}: {seconds:.1f} s")

    assert unmerged(project) == []
    assert [name for name in files(project) if name.endswith(".rej")] == []
    assert [name for name, data in files(project).items() if CONFLICT_MARKERS.search(data)] == []
    answers = (project / ".copier-answers.yml").read_text()
    assert re.search(rf"^_commit: {re.escape(new)}$", answers, re.MULTILINE), answers

    # An untouched product updated to the new version is the new version's product.
    fresh = files(
        copier.run_copy(
            str(template), tmp_path / "fresh", defaults=True, unsafe=False, quiet=True, vcs_ref=new
        ).dst_path
    )
    updated = files(project)
    assert sorted(updated) == sorted(fresh)
    assert [name for name in fresh if fresh[name] != updated[name]] == []

    run([UV, "sync", "--quiet"], project)
    run([UV, "run", "--no-sync", "ruff", "check", "."], project)
    run([UV, "run", "--no-sync", "ruff", "format", "--check", "."], project)
    run([UV, "run", "--no-sync", "mypy"], project)
    run(
        [UV, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
        project,
        env={"TEST_DATABASE_URL": postgres_admin_url},
    )


def _changed_line(old: dict[str, bytes], new: dict[str, bytes]) -> tuple[str, str] | None:
    """A file and one of its lines that the template changes between the two versions.

    App code under src/ is preferred; any other text file the template changes will do.
    """
    candidates = sorted(
        (not name.startswith("src/"), name)
        for name in old.keys() & new.keys()
        if old[name] != new[name] and name != ".copier-answers.yml"
    )
    for _, name in candidates:
        try:
            old_lines = old[name].decode().splitlines()
            new_lines = set(new[name].decode().splitlines())
        except UnicodeDecodeError:
            continue
        for line in old_lines:
            if line.strip() and line not in new_lines:
                return name, line
    return None


@pytest.mark.slow
def test_user_edits_survive_or_show_as_conflicts(
    template_releases: tuple[Path, str, str], tmp_path: Path
) -> None:
    template, old, new = template_releases
    project = generate(template, old, tmp_path / "product")
    package = next((project / "src").iterdir()).name
    new_render = files(
        copier.run_copy(
            str(template), tmp_path / "new", defaults=True, unsafe=False, quiet=True, vcs_ref=new
        ).dst_path
    )
    changed = _changed_line(files(project), new_render)
    edits: dict[str, str] = {}

    # An edit on a line the new version changes too: both sides changed the same line.
    if changed is not None:
        name, line = changed
        edited = f"{line}  # changed by the product's owner"
        path = project / name
        path.write_text(path.read_text().replace(line, edited, 1))
        edits[name] = edited

    # An edit the template does not touch: the product's own wording in an app module.
    untouched = f"src/{package}/main.py"
    first_line = user_docstring = ""
    if untouched not in edits:
        main = project / untouched
        first_line = main.read_text().splitlines()[0]
        user_docstring = '"""Acme Invoices: the ASGI application, tuned by its owner."""'
        main.write_text(main.read_text().replace(first_line, user_docstring, 1))
        edits[untouched] = user_docstring

    git("commit", "--quiet", "--no-verify", "-am", "Owner's edits", cwd=project)
    update(project)

    conflicted = unmerged(project)
    for name, text in edits.items():
        content = (project / name).read_bytes()
        rejected = project / f"{name}.rej"
        kept = text.encode() in content or (
            rejected.exists() and text.encode() in rejected.read_bytes()
        )
        assert kept, f"the owner's edit to {name} was lost in the update"
        if CONFLICT_MARKERS.search(content):
            assert name in conflicted, f"{name} has conflict markers git does not report"
    if changed is not None:
        # Both sides changed the same line: a normal conflict the owner resolves.
        assert changed[0] in conflicted
        assert CONFLICT_MARKERS.search((project / changed[0]).read_bytes())
    if user_docstring and new_render[untouched].decode().startswith(first_line + "\n"):
        # The new version kept the line the owner changed: the edit merges silently.
        assert untouched not in conflicted
        assert (project / untouched).read_text().startswith(user_docstring + "\n")


def check_update_script(project: Path) -> str:
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    assert set(workflow[True]) == {"schedule", "workflow_dispatch"}  # YAML reads `on` as True
    [step] = [step for step in workflow["jobs"]["check"]["steps"] if "run" in step]
    assert workflow["env"]["COPIER_VERSION"] == copier.__version__, (
        "the generated workflow pins another Copier than the one these tests use"
    )
    script: str = step["run"]
    return script


def run_check_update(project: Path, tmp_path: Path) -> tuple[int, str, str]:
    """Run the workflow's step as GitHub would, with `uvx` resolved to this Copier."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    uvx = bin_dir / "uvx"
    # `uvx --from copier==X copier ARGS` -> this interpreter's copier with ARGS (no network).
    uvx.write_text(f'#!/bin/sh\nshift 3\nexec "{sys.executable}" -m copier "$@"\n')
    uvx.chmod(0o755)
    summary = tmp_path / "summary.md"
    summary.write_text("")
    if shutil.which("jq") is None:
        pytest.fail("`jq` is not installed (GitHub's runners have it; .ci/run installs it)")
    result = subprocess.run(
        ["bash", "-e", "-c", check_update_script(project)],
        cwd=project,
        env={
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(summary),
            "COPIER_VERSION": copier.__version__,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, summary.read_text()


def test_scheduled_check_reports_a_newer_release(
    template_releases: tuple[Path, str, str], tmp_path: Path
) -> None:
    template, old, new = template_releases
    behind = generate(template, old, tmp_path / "behind")
    # The old release predates the workflow: run the new version's step in the old product.
    current = copier.run_copy(
        str(template), tmp_path / "current", defaults=True, unsafe=False, quiet=True, vcs_ref=new
    ).dst_path
    shutil.copytree(current / ".github", behind / ".github", dirs_exist_ok=True)

    status, stdout, summary = run_check_update(behind, tmp_path / "behind-run")
    assert status == 1
    assert f"Template update available: {old} -> {new}" in summary
    assert "copier update --defaults" in summary
    assert stdout.startswith("::warning title=Template update available::")
    assert f"copier-micro-saas {new} is out (this product is on {old})" in stdout

    git("init", "--quiet", cwd=current)
    status, stdout, summary = run_check_update(current, tmp_path / "current-run")
    assert status == 0, stdout
    assert summary == f"This product is on the latest template release, {new}.\n"
    assert "::warning" not in stdout
