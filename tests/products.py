"""Rendered products and the environments their toolchains run in, shared within a session.

Every combination is rendered once per session; all its tests (lint, suite, config,
leftover syntax) read that one render, made once under a file lock per combination.
Tests carry an `xdist_group` mark per combination, shared by its likely twins
(`matrix.twin_group`), but pytest 9.2 with pytest-xdist 3.8 ignores it (xdist writes the
group into a node-id attribute pytest no longer reads), so a combination's tests may run on
several workers: the locks, not the scheduler, keep the render and twin suites from
running twice.

A generated project's ruff, mypy and pytest run in the environment of its
*dependency set* (its declared dependencies, dependency groups, Python and build
requirements). The first combination with a given set creates that environment with
`uv sync` from its own pyproject.toml and runs its suite against the installed
project. Later combinations with the same set reuse the environment with their own
`src` first on the path. So each distinct dependency set is installed fresh from the
generated file in every session (an undeclared dependency fails that suite), and no
combination repeats an install another one already did.

Nothing is written into a render by its toolchain except `uv.lock` (by the sync):
bytecode, coverage data and the mypy cache go to shared folders. Each worker keeps a
mypy cache across sessions in `.cache/mypy/<worker>`; mypy revalidates every entry by
file hash, so a changed template or render is always rechecked. A cache in use by another
session's worker of the same name is left alone (the worker then starts a cache of its own).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import IO, Any

import pytest

from .matrix import TEMPLATE_ROOT, combination_id
from .render import render

UV = shutil.which("uv") or "uv"
READY = ".ready"
# Per-combination timings are appended here as JSON lines when set (scripts/bench_matrix.py).
TIMINGS_ENV = "MATRIX_TIMINGS"
MYPY_CACHE_ROOT = TEMPLATE_ROOT / ".cache" / "mypy"


def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every xdist worker of this session (and by no other session)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_held_locks: list[IO[str]] = []


@cache
def mypy_cache_dir() -> Path:
    """This worker's mypy cache, kept across sessions but never written by two at once.

    mypy does not lock its cache; two sessions writing one can report errors that are
    not there. The lock is held until this process ends.
    """
    folder = MYPY_CACHE_ROOT / worker_name()
    folder.parent.mkdir(parents=True, exist_ok=True)
    handle = open(folder.with_suffix(".lock"), "a")  # noqa: SIM115 - held for the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return Path(tempfile.mkdtemp(prefix=f"mypy-{worker_name()}-"))
    _held_locks.append(handle)
    return folder


def record_timing(combination: str, **figures: Any) -> None:
    target = os.environ.get(TIMINGS_ENV)
    if not target:
        return
    line = json.dumps({"combination": combination, "worker": worker_name(), **figures})
    with open(target, "a") as handle:  # one short append per line: whole lines, never mixed
        handle.write(line + "\n")


def rendered(shared: Path, answers: dict[str, str]) -> Path:
    """The combination's project, rendered once per session (git-initialised, as a user would)."""
    name = combination_id(answers)
    project = shared / "renders" / name
    done = shared / "renders" / f"{name}.done"
    with file_lock(shared / "renders" / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(project, ignore_errors=True)
            start, cpu = time.perf_counter(), time.process_time() + children_cpu()
            render(project, answers)  # copier runs git in subprocesses: count them too
            elapsed = time.perf_counter() - start
            cpu = time.process_time() + children_cpu() - cpu
            # actionlint finds the project root, and so local reusable workflows, through .git.
            subprocess.run(["git", "init", "--quiet", str(project)], check=True)
            done.touch()
            record_timing(name, render_s=round(elapsed, 3), render_cpu_s=round(cpu, 3))
    return project


def dependency_set(project: Path) -> dict[str, Any]:
    """What decides a project's environment, normalised: declared requirements, not code."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())

    def normalised(requirements: list[Any]) -> list[str]:
        return sorted(
            "".join(item.split()) if isinstance(item, str) else json.dumps(item, sort_keys=True)
            for item in requirements
        )

    project_table = pyproject["project"]
    return {
        "name": project_table["name"],
        "requires-python": project_table.get("requires-python"),
        "dependencies": normalised(project_table.get("dependencies", [])),
        "optional-dependencies": {
            extra: normalised(requirements)
            for extra, requirements in project_table.get("optional-dependencies", {}).items()
        },
        "dependency-groups": {
            group: normalised(requirements)
            for group, requirements in pyproject.get("dependency-groups", {}).items()
        },
        "build-system": normalised(pyproject.get("build-system", {}).get("requires", [])),
        "uv": pyproject.get("tool", {}).get("uv", {}),
    }


def dependency_key(project: Path) -> str:
    canonical = json.dumps(dependency_set(project), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def clean_environ() -> dict[str, str]:
    # The template's own virtualenv and pytest session must not leak into the product's tools.
    leaks = ("VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT")
    return {
        name: value
        for name, value in os.environ.items()
        if name not in leaks and not name.startswith(("PYTEST_", "COV_CORE_"))
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Timed:
    """Wall and CPU seconds of the tools run so far (CPU: this process's finished children)."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0


def run(command: list[str], cwd: Path, env: dict[str, str], timed: Timed | None = None) -> None:
    """Run one tool; fail with its output when it fails."""
    start, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if timed is not None:
        timed.wall += time.perf_counter() - start
        timed.cpu += children_cpu() - cpu
    assert result.returncode == 0, (
        f"`{' '.join(command)}` failed in {cwd} ({result.returncode}):\n"
        f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    )


class Toolchain:
    """The environment a project's tools run in, and whether this project created it."""

    def __init__(self, shared: Path, project: Path) -> None:
        self.project = project
        self.key = dependency_key(project)
        self.venv = shared / "envs" / self.key
        self.pycache = shared / "pycache"
        self.created_here = False
        self.sync = Timed()
        with file_lock(shared / "envs" / f"{self.key}.lock"):
            if not (self.venv / READY).exists():
                shutil.rmtree(self.venv, ignore_errors=True)
                # The project's own pyproject.toml, installed by the same command its CI runs.
                run(
                    [UV, "sync", "--quiet"],
                    project,
                    {**clean_environ(), "UV_PROJECT_ENVIRONMENT": str(self.venv)},
                    self.sync,
                )
                (self.venv / READY).write_text(project.name + "\n")
                self.created_here = True

    def environ(self, **extra: str) -> dict[str, str]:
        env = clean_environ()
        env.update(
            VIRTUAL_ENV=str(self.venv),
            PATH=f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            # Bytecode of the environment is written once and reused by every suite.
            PYTHONPYCACHEPREFIX=str(self.pycache),
            MYPY_CACHE_DIR=str(mypy_cache_dir()),
            RUFF_NO_CACHE="true",
            **extra,
        )
        if not self.created_here:
            # The environment's editable install is another render's; this one's code comes first.
            env["PYTHONPATH"] = str(self.project / "src")
            env["MYPYPATH"] = str(self.project / "src")
        return env

    def tool(self, name: str) -> str:
        return str(self.venv / "bin" / name)
