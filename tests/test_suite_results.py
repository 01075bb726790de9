"""The suite-result store is sound: a result is reused only when every input is the same.

Fast: a tiny fake project and a tiny fake suite (a Python one-liner), recorded by the same
recorder the generated suites run under (suite_results.py).
"""

import json
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .forkservers import Forkserver, stop_started
from .products import clean_environ
from .suite_results import Outcome, obtain

FILES = {
    "pyproject.toml": "[project]\nname = 'fake'\n",
    "src/app.py": "GREETING = 'hello'\n",
    "data/greeting.txt": "hello\n",
    "config/base.toml": "x = 1\n",
    "Dockerfile": "FROM python:3.12\n",
    "README.md": "# fake\n",
}


class Store:
    """Runs fake suites against projects, sharing one result store (one session)."""

    def __init__(self, root: Path, forkserver: Forkserver | None = None) -> None:
        self.root = root
        self.runs = 0
        self.forkserver = forkserver

    def project(self, name: str, **changes: str | None) -> Path:
        """A fake render: FILES with some files changed (None removes one)."""
        project = self.root / name
        shutil.rmtree(project, ignore_errors=True)
        for relative, text in {**FILES, **changes}.items():
            if text is None:
                continue
            path = project / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return project

    def suite(self, project: Path, code: str, dependency_set: str = "deps") -> Outcome:
        return self.command(project, [sys.executable, "-c", code], dependency_set)

    def command(self, project: Path, command: list[str], dependency_set: str = "deps") -> Outcome:
        self.runs += 1
        return obtain(
            self.root / "store",
            dependency_set,
            project,
            command,
            {**clean_environ(), "PYTHONPYCACHEPREFIX": str(self.root / "pycache")},
            self.root / f"log-{self.runs}",
            self.forkserver,
        )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path)


@pytest.fixture(params=["process", "forkserver"])
def pytest_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store whose pytest suites start as processes, or fork from a warm interpreter
    (as the generated suites do; its environment is this one, pytest preloaded)."""
    if request.param == "process":
        yield Store(tmp_path)
        return
    servers = tmp_path / "forkservers"
    yield Store(tmp_path, Forkserver(servers, "deps", Path(sys.executable), ["pytest"]))
    stop_started(servers)
    assert (servers / "deps.ready").exists()  # the suites did run as forked children


# The pytest of this environment, as a console script (a forkserver child becomes one).
PYTEST = [str(Path(sys.executable).with_name("pytest")), "-q", "-p", "no:cacheprovider", "tests"]


READS_DATA = "print(open('data/greeting.txt').read())"


def test_a_suite_is_reused_when_only_a_file_it_never_read_changed(store: Store) -> None:
    first = store.suite(store.project("docker"), READS_DATA)
    assert first.passed and first.reused_from is None
    twin = store.project("fly", Dockerfile=None, **{"fly.toml": "app = 'x'\n"})
    second = store.suite(twin, READS_DATA)
    assert second.reused_from == "docker"
    assert second.passed and second.output == first.output


def test_changing_a_file_the_suite_read_runs_it_again(store: Store) -> None:
    store.suite(store.project("a"), READS_DATA)
    changed = store.suite(store.project("b", **{"data/greeting.txt": "bonjour\n"}), READS_DATA)
    assert changed.reused_from is None
    assert "bonjour" in changed.output


def test_an_existence_check_separates_results(store: Store) -> None:
    checks = "import pathlib; print(pathlib.Path('Dockerfile').exists())"
    store.suite(store.project("docker"), checks)
    without = store.suite(store.project("vercel", Dockerfile=None), checks)
    assert without.reused_from is None
    assert "False" in without.output
    again = store.suite(store.project("render", Dockerfile="FROM other\n"), checks)
    assert again.reused_from == "docker"  # only existence was asked, not the bytes


def test_a_file_read_only_under_one_target_separates_results(store: Store) -> None:
    reads_config = (
        "import pathlib\n"
        "for path in sorted(pathlib.Path('config').glob('*.toml')): print(path.read_text())"
    )
    store.suite(store.project("docker"), reads_config)
    vercel = store.project("vercel", **{"config/vercel.toml": "y = 2\n"})
    assert store.suite(vercel, reads_config).reused_from is None
    fly = store.project("fly", **{"fly.toml": "app = 'x'\n"})
    assert store.suite(fly, reads_config).reused_from == "docker"
    edited = store.project("vercel2", **{"config/vercel.toml": "y = 3\n"})
    assert store.suite(edited, reads_config).reused_from is None


def test_a_module_missing_in_one_project_and_present_in_another_separates_results(
    store: Store,
) -> None:
    imports = (
        "import sys; sys.path.insert(0, 'src')\n"
        "try:\n    import extra\nexcept ImportError:\n    print('no extra')\n"
        "import app; print(app.GREETING)"
    )
    first = store.suite(store.project("a"), imports)
    assert "no extra" in first.output
    extra = store.suite(store.project("b", **{"src/extra.py": "print('extra')\n"}), imports)
    assert extra.reused_from is None and "no extra" not in extra.output
    changed = store.suite(store.project("c", **{"src/app.py": "GREETING = 'hi'\n"}), imports)
    assert changed.reused_from is None


def test_a_failure_is_reused_as_a_failure_with_its_output(store: Store) -> None:
    fails = "assert open('data/greeting.txt').read() == 'bye', 'greeting is not bye'"
    first = store.suite(store.project("a"), fails)
    assert not first.passed and "greeting is not bye" in first.output
    second = store.suite(store.project("b", **{"README.md": "# other\n"}), fails)
    assert second.reused_from == "a"
    assert not second.passed and second.output == first.output


def test_subprocesses_of_the_suite_record_what_they_read(store: Store) -> None:
    spawns = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'open(\"data/greeting.txt\").read()'], check=True)"
    )
    store.suite(store.project("a"), spawns)
    assert store.suite(store.project("b"), spawns).reused_from == "a"
    changed = store.suite(store.project("c", **{"data/greeting.txt": "hi\n"}), spawns)
    assert changed.reused_from is None


def test_a_suite_that_writes_into_its_project_is_never_reused(store: Store) -> None:
    writes = "open('data/greeting.txt').read(); open('out.txt', 'w').write('x')"
    store.suite(store.project("a"), writes)
    assert store.suite(store.project("b"), writes).reused_from is None


def test_another_command_or_dependency_set_is_not_reused(store: Store) -> None:
    store.suite(store.project("a"), READS_DATA)
    assert store.suite(store.project("b"), READS_DATA + "  # another command").reused_from is None
    assert store.suite(store.project("c"), READS_DATA, "other deps").reused_from is None
    assert store.suite(store.project("d"), READS_DATA).reused_from == "a"


def test_pytest_collection_depends_on_python_files_and_folders_not_on_deploy_files(
    pytest_store: Store,
) -> None:
    store, pytest_suite = pytest_store, PYTEST
    test = "def test_greeting():\n    assert open('data/greeting.txt').read() == 'hello\\n'\n"
    docker = store.project("docker", **{"tests/__init__.py": "", "tests/test_greeting.py": test})
    first = store.command(docker, pytest_suite)
    assert first.passed and first.reused_from is None, first.output
    fly = store.project(
        "fly",
        Dockerfile=None,
        **{"fly.toml": "app = 'x'\n", "tests/__init__.py": "", "tests/test_greeting.py": test},
    )
    assert store.command(fly, pytest_suite).reused_from == "docker"
    more_tests = store.project(
        "more",
        **{
            "tests/__init__.py": "",
            "tests/test_greeting.py": test,
            "tests/test_more.py": "def test_fails():\n    assert False\n",
        },
    )
    more = store.command(more_tests, pytest_suite)
    assert more.reused_from is None and not more.passed
    root_module = store.project(
        "module", **{"tests/__init__.py": "", "tests/test_greeting.py": test, "helper.py": ""}
    )
    assert store.command(root_module, pytest_suite).reused_from is None


def test_a_forked_suite_imports_its_own_project_and_records_what_it_reads(
    pytest_store: Store,
) -> None:
    # Two projects, one server: each child imports the project's module from its own `src`
    # (nothing of a project is loaded before the fork), and what a test reads is recorded
    # in the child as in a process of its own.
    test = (
        "import sys\n"
        "sys.path.insert(0, 'src')\n"
        "import app\n\n"
        "def test_greeting():\n"
        "    print(app.GREETING, open('data/greeting.txt').read())\n"
        "    assert app.GREETING == 'hello'\n"
    )
    files = {"tests/__init__.py": "", "tests/test_app.py": test}
    first = pytest_store.command(pytest_store.project("a", **files), PYTEST)
    assert first.passed and first.reused_from is None, first.output
    other_app = pytest_store.project("b", **files, **{"src/app.py": "GREETING = 'hi'\n"})
    second = pytest_store.command(other_app, PYTEST)
    assert second.reused_from is None and not second.passed, second.output
    other_data = pytest_store.project("c", **files, **{"data/greeting.txt": "bonjour\n"})
    assert pytest_store.command(other_data, PYTEST).reused_from is None
    deploy_only = pytest_store.project("d", **files, Dockerfile="FROM other\n")
    assert pytest_store.command(deploy_only, PYTEST).reused_from == "a"


def test_a_forked_suite_finds_its_own_tests_package_when_a_preloaded_sdk_ships_one(
    tmp_path: Path,
) -> None:
    # paddle-python-sdk installs a top-level `tests` package (a generated Paddle product
    # depends on it): the child must import the project's `tests`, as a new process would.
    servers = tmp_path / "forkservers"
    preloads_paddle = Forkserver(servers, "deps", Path(sys.executable), ["paddle-python-sdk"])
    store = Store(tmp_path, preloads_paddle)
    test = "from tests.helper import GREETING\n\ndef test_greeting():\n    assert GREETING\n"
    files = {"tests/__init__.py": "", "tests/helper.py": "GREETING = 'hi'\n"}
    project = store.project("a", **files, **{"tests/test_greeting.py": test})
    try:
        outcome = store.command(project, PYTEST)
    finally:
        stop_started(servers)
    assert "tests" in json.loads((servers / "deps.ready").read_text())["preloaded"]
    assert outcome.passed, outcome.output


def test_a_forkserver_told_to_stop_answers_the_suite_in_flight(tmp_path: Path) -> None:
    servers = tmp_path / "forkservers"
    store = Store(tmp_path, Forkserver(servers, "deps", Path(sys.executable), ["pytest"]))
    runs = tmp_path / "runs.txt"
    slow = (
        "import time\n\n"
        "def test_slow():\n"
        f"    open({str(runs)!r}, 'a').write('ran\\n')\n"
        "    time.sleep(1.5)\n"
    )
    project = store.project("a", **{"tests/__init__.py": "", "tests/test_slow.py": slow})
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(store.command, project, PYTEST)
        while not list(tmp_path.glob("log-1-output/stdout")):
            time.sleep(0.02)  # the child has started
        stop_started(servers)
        outcome = running.result()
    assert outcome.passed and outcome.reused_from is None, outcome.output
    assert runs.read_text() == "ran\n", "the suite was answered, not run again elsewhere"
