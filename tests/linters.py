"""Running the ecosystem's linters from tests, with verdicts remembered for the session."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

# `uses: ./...` for the repository's own reusable workflow works on every GitHub
# runner and Enterprise Server; zizmor's newer `$/` suggestion does not, yet.
ZIZMOR_CONFIG = Path(__file__).with_name("zizmor.yml")

LINTER_TIMEOUT_SECONDS = 120

# Folders that are not part of the generated project's own files.
IGNORED_PARTS = frozenset({".git", ".venv", "node_modules", "__pycache__"})


def tool(name: str) -> str:
    """Path of a linter installed beside this interpreter (or, failing that, on PATH)."""
    found = shutil.which(name, path=sysconfig.get_path("scripts")) or shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not installed: it belongs in the template's dev dependencies")
    return found


# Linter verdicts by what they read (see `lint_key`), shared by this session's workers.
_verdicts: dict[str, Path] = {}


def keep_verdicts_in(folder: Path) -> None:
    """Where verdicts live for this session (a folder every worker shares)."""
    folder.mkdir(exist_ok=True)
    _verdicts["dir"] = folder


def lint_key(command: Sequence[str], cwd: Path) -> str:
    """A digest of a linter run's inputs: its arguments and the bytes of every file it reads.

    Paths are taken relative to the project, so two combinations that render a file
    byte for byte alike share one verdict: the linter has checked exactly those bytes.
    Files named on the command line (or below a folder named there), configuration and
    schema files given to the linter, and the project's top-level dotfiles, where linters
    look for their configuration, are read.
    """
    digest = hashlib.sha256()
    read: set[Path] = {path for path in cwd.glob(".*") if path.is_file()}
    read.discard(cwd / ".copier-answers.yml")
    for arg in command:
        path = Path(arg) if Path(arg).is_absolute() else cwd / arg
        if path.is_relative_to(cwd) and path.exists():
            digest.update(b"<project>/" + str(path.relative_to(cwd)).encode() + b"\0")
            read |= {path} if path.is_file() else set(project_files(path, "*"))
        elif path.suffix in {".json", ".yaml", ".yml"} and path.is_file():
            digest.update(path.read_bytes() + b"\0")  # a configuration or schema file
        else:
            digest.update(arg.encode() + b"\0")
    for path in sorted(read):
        digest.update(str(path.relative_to(cwd)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run(args: Sequence[str | Path], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run a linter and fail the test with its report when it exits non-zero.

    A verdict of success is kept for the session: the same inputs (another combination
    rendering the same files) are not linted twice. Failures are never kept.
    """
    command = [str(arg) for arg in args]
    verdict = _verdicts["dir"] / lint_key(command, cwd)
    if verdict.exists():
        return verdict.read_text()
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=LINTER_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` exited {result.returncode}\n{result.stdout}\n{result.stderr}",
        )
    partial = verdict.with_suffix(f".{os.getpid()}")
    partial.write_text(result.stdout)
    partial.replace(verdict)
    return result.stdout


def actionlint(workflows: Sequence[Path], cwd: Path, *options: str) -> None:
    """actionlint with shellcheck for the `run:` scripts."""
    run(
        [
            tool("actionlint"),
            "-no-color",
            f"-shellcheck={tool('shellcheck')}",
            *options,
            *workflows,
        ],
        cwd=cwd,
    )


def zizmor(targets: Sequence[str | Path], cwd: Path) -> None:
    """zizmor offline (no GitHub API lookups) with the template's audit configuration."""
    run(
        [
            tool("zizmor"),
            "--offline",
            "--no-progress",
            "--format=plain",
            "--config",
            ZIZMOR_CONFIG,
            *targets,
        ],
        cwd=cwd,
    )


def project_files(project: Path, *patterns: str) -> list[Path]:
    files = {
        path
        for pattern in patterns
        for path in project.rglob(pattern)
        if path.is_file() and not IGNORED_PARTS.intersection(path.relative_to(project).parts)
    }
    return sorted(files)
