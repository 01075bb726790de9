"""Content-addressed results of the generated suites: run a suite once per distinct input.

A suite's inputs are its dependency set (the environment it runs in, see products.py),
this harness, and every file, listing and existence check of the rendered project that
the suite's processes asked about while it ran (recorded by `recorder/sitecustomize.py`,
which the harness puts on the suite's PYTHONPATH; nothing is added to the project).

After a suite runs, its result (passed or failed, and its output) is stored with the
questions it asked and the answers the project gave (a file's sha256, a listing's
names, a path's kind, the names that could answer an import). A later combination with
the same dependency set reuses a stored result when its own project gives the same
answer to EVERY question of that stored run: the suite would have read the same bytes,
seen the same listings and found the same files, so it would do the same thing. A failure
is reused as a failure, with the original output. Nothing is reused across sessions
(installed versions, PostgreSQL and the harness may differ): the store lives in the
session's folder. A suite that writes into its project is never stored.

The generated products differ by deploy target mostly in files no test reads (Dockerfile,
fly.toml, render.yaml, the README, the answers file), so the fly and render renders of
the same other answers share one result (docker's adds a backup job and its tests). Two
twins must not execute at once on two workers (both would run): `obtain` holds a lock
named by a cheap digest of the files that decide most suites (`src/`, `tests/`,
`pyproject.toml`, the migrations), so a twin waits for the first and then reuses its
result (`matrix.combination_params` also gives likely twins one xdist group, which
pytest-xdist 3.8 under pytest 9.2 does not honour). Both only affect speed, never what
is reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from dataclasses import dataclass
from functools import cache
from importlib.machinery import all_suffixes
from pathlib import Path

from . import forkservers
from .forkservers import Finished, Forkserver
from .products import children_cpu, file_lock

RECORDER = Path(__file__).resolve().with_name("recorder")
KINDS = ("read", "list", "collect", "metadata", "stat", "find")
METADATA_SUFFIXES = (".dist-info", ".egg-info", ".egg")


@cache
def harness_digest() -> str:
    """What the harness contributes to every result: the recorder, this module, the forkserver."""
    digest = hashlib.sha256()
    for path in (*sorted(RECORDER.glob("*.py")), Path(__file__), forkservers.SERVER):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def recording_environ(env: dict[str, str], project: Path, log: Path) -> dict[str, str]:
    """The suite's environment with the recorder on its path (inherited by subprocesses)."""
    path = os.pathsep.join(filter(None, (str(RECORDER), env.get("PYTHONPATH"))))
    return {
        **env,
        "PYTHONPATH": path,
        "SUITE_INPUTS_ROOT": str(project),
        "SUITE_INPUTS_LOG": str(log),
        "PYTEST_PLUGINS": "suite_inputs_pytest",
    }


def questions_asked(log: Path) -> dict[str, set[str]]:
    """Every process's questions, together."""
    asked: dict[str, set[str]] = {kind: set() for kind in (*KINDS, "write")}
    for part in sorted(log.glob("*.json")):
        for kind, items in json.loads(part.read_text()).items():
            asked[kind].update(items)
    return asked


def kind_of(path: Path) -> str:
    if path.is_symlink():
        return "link:" + os.readlink(path)
    if path.is_dir():
        return "dir"
    if path.is_file():
        return "file"
    return "missing" if not path.exists() else "other"


class Answers:
    """The project's answers to recorded questions, each computed once."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self._known: dict[str, str] = {}

    def __call__(self, question: str) -> str:
        if question not in self._known:
            self._known[question] = self._answer(question)
        return self._known[question]

    def _answer(self, question: str) -> str:
        kind, _, subject = question.partition(":")
        if kind == "find":
            folder, _, name = subject.partition("\0")
            return self._import_candidates(self.project / folder, name)
        path = self.project / subject
        found = kind_of(path)
        if kind == "read" and found == "file":
            return hashlib.sha256(path.read_bytes()).hexdigest()
        if kind == "list" and found == "dir":
            return json.dumps(self._listing(path))
        if kind == "collect" and found == "dir":
            listing = self._listing(path)
            return json.dumps([name for name in listing if name.endswith(("/", ".py"))])
        if kind == "metadata" and found == "dir":
            names = [name.rstrip("/") for name in self._listing(path)]
            return json.dumps([n for n in names if n.lower().endswith(METADATA_SUFFIXES)])
        return found

    @staticmethod
    def _listing(folder: Path) -> list[str]:
        return sorted(entry.name + ("/" if entry.is_dir() else "") for entry in folder.iterdir())

    def _import_candidates(self, folder: Path, name: str) -> str:
        """The entries that could answer `import name` in `folder` (module files, package)."""
        if not folder.is_dir():
            return "missing"
        wanted = {name, *(name + suffix for suffix in all_suffixes())}
        found = [entry for entry in self._listing(folder) if entry.rstrip("/") in wanted]
        package = folder / name
        if package.is_dir():
            inits = {"__init__" + suffix for suffix in all_suffixes()}
            found += [f"{name}/{entry}" for entry in self._listing(package) if entry in inits]
        return json.dumps(found)


TWIN_PARTS = ("src", "tests", "pyproject.toml", "migrations", "supabase/migrations")


def twin_digest(project: Path) -> str:
    """A cheap guess at which projects will share a result (only used to serialise them)."""
    digest = hashlib.sha256()
    for part in TWIN_PARTS:
        top = project / part
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(project)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Outcome:
    passed: bool
    output: str
    reused_from: str | None  # the combination whose run is reused; None: executed here
    wall: float = 0.0
    cpu: float = 0.0


def run_suite(
    command: list[str], project: Path, env: dict[str, str], forkserver: Forkserver | None, log: Path
) -> Finished:
    """The suite as a child of its dependency set's forkserver, or as a process of its own."""
    if forkserver is not None and forkservers.enabled():
        return forkserver.run(command, project, env, log.with_name(log.name + "-output"))
    cpu = children_cpu()
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    return Finished(result.returncode, result.stdout, result.stderr, children_cpu() - cpu)


def stored_runs(folder: Path) -> list[dict[str, object]]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def find_reusable(folder: Path, project: Path) -> dict[str, object] | None:
    """A stored run whose every question this project answers the same way."""
    answers = Answers(project)
    for run in stored_runs(folder):
        inputs = run["inputs"]
        assert isinstance(inputs, dict)
        if all(answers(question) == answer for question, answer in inputs.items()):
            return run
    return None


def obtain(
    store: Path,
    dependency_key: str,
    project: Path,
    command: list[str],
    env: dict[str, str],
    log: Path,
    forkserver: Forkserver | None = None,
) -> Outcome:
    """The suite's result for this project: reused from a run with the same inputs, or run.

    Likely twins wait for each other (see the module's docstring)."""
    with file_lock(store / "locks" / f"{dependency_key}-{twin_digest(project)}.lock"):
        return _obtain(store, dependency_key, project, command, env, log, forkserver)


def _obtain(
    store: Path,
    dependency_key: str,
    project: Path,
    command: list[str],
    env: dict[str, str],
    log: Path,
    forkserver: Forkserver | None,
) -> Outcome:
    # The command is part of the key; its private temporary folder is not.
    stable = [arg for arg in command if not arg.startswith("--basetemp=")]
    command_digest = hashlib.sha256(json.dumps(stable).encode()).hexdigest()[:8]
    folder = store / f"{dependency_key}-{harness_digest()}-{command_digest}"
    reusable = find_reusable(folder, project)
    if reusable is not None:
        return Outcome(
            passed=bool(reusable["passed"]),
            output=str(reusable["output"]),
            reused_from=str(reusable["combination"]),
        )
    start = time.perf_counter()
    result = run_suite(command, project, recording_environ(env, project, log), forkserver, log)
    outcome = Outcome(
        passed=result.returncode == 0,
        output=f"exit code {result.returncode}\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}",
        reused_from=None,
        wall=time.perf_counter() - start,
        cpu=result.cpu,
    )
    asked = questions_asked(log)
    if not asked["write"] and any(asked[kind] for kind in KINDS):
        answers = Answers(project)
        inputs = {
            f"{kind}:{subject}": answers(f"{kind}:{subject}")
            for kind in KINDS
            for subject in sorted(asked[kind])
        }
        canonical = json.dumps(inputs, sort_keys=True)
        name = hashlib.sha256(canonical.encode()).hexdigest()[:32]
        record = {
            "combination": project.name,
            "dependency_set": dependency_key,
            "command": command,
            "passed": outcome.passed,
            "output": outcome.output,
            "inputs": inputs,
        }
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{name}.{os.getpid()}"
        partial.write_text(json.dumps(record))
        partial.replace(folder / f"{name}.json")
    return outcome
