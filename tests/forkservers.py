"""Generated suites forked from a warm interpreter, one per dependency set (shared start-up).

Every generated suite used to start a new interpreter and import the same third-party
stack (FastAPI, psycopg, the gateway SDK, pytest…): about 1 s of CPU per suite, more
with coverage tracing the imports. A forkserver (`forkserver/server.py`) runs in the
environment of a dependency set, imports the top-level modules of the distributions the
project declares once, and forks a child per suite that becomes the `pytest` process the
command names (see the server's docstring for what the child resets).

Nothing of the project is imported before the fork, so coverage still measures the
product from a clean start, and the recorder (suite_results.py) is installed in the child
before anything reads the project. Set MATRIX_FORKSERVER=0 to start every suite as its
own process instead (for comparison).

The first suite of a dependency set starts its server, as a child of the worker that
ran it; each process stops and waits for the servers it started when its session ends
(`stop_started`), so their CPU seconds, and their suites', are counted where the run is
measured, and never inside another tool's measurement. A server told to stop answers the
suites still running first. Servers also stop by themselves after five idle minutes.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

from .products import file_lock

SERVER = Path(__file__).resolve().with_name("forkserver") / "server.py"
ENABLED_ENV = "MATRIX_FORKSERVER"
START_TIMEOUT_SECONDS = 120


def enabled() -> bool:
    return os.environ.get(ENABLED_ENV, "1") != "0"


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    cpu: float


def declared_distributions(dependency_set: dict[str, object]) -> list[str]:
    """The distribution names a project declares: runtime and every dependency group."""
    requirements = list(dependency_set["dependencies"])  # type: ignore[call-overload]
    for group in dependency_set["dependency-groups"].values():  # type: ignore[attr-defined]
        requirements += [item for item in group if isinstance(item, str)]
    return sorted({Requirement(item).name for item in requirements})


class Forkserver:
    """The server of one dependency set, started on first use (shared by the workers)."""

    def __init__(self, folder: Path, key: str, python: Path, distributions: list[str]) -> None:
        self.folder = folder
        self.socket = folder / f"{key}.sock"
        self.ready = folder / f"{key}.ready"
        self.log = folder / f"{key}.log"
        self.lock = folder / f"{key}.lock"
        self.python = python
        self.distributions = distributions

    def run(self, argv: list[str], cwd: Path, env: dict[str, str], output: Path) -> Finished:
        """Run `argv` (a `pytest` of this environment) as a forked child; wait for it."""
        output.mkdir(parents=True, exist_ok=True)
        request = {
            "argv": argv,
            "cwd": str(cwd),
            "env": env,
            "stdout": str(output / "stdout"),
            "stderr": str(output / "stderr"),
        }
        answer = self._ask(request, base_env=env)
        return Finished(
            returncode=int(answer["returncode"]),
            stdout=(output / "stdout").read_text(errors="replace"),
            stderr=(output / "stderr").read_text(errors="replace"),
            cpu=float(answer["cpu"]),
        )

    def _ask(self, request: dict[str, object], base_env: dict[str, str]) -> dict[str, object]:
        # A server that stopped while idle refuses the connection (or closes it unanswered,
        # if it stopped with the request queued): start another and ask again, once.
        for attempt in range(2):
            if attempt or not self.ready.exists():
                self._start(base_env, replace=attempt > 0)
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                    connection.connect(str(self.socket))
                    connection.sendall(json.dumps(request).encode())
                    connection.shutdown(socket.SHUT_WR)
                    reply = b"".join(iter(lambda: connection.recv(65536), b""))
            except (ConnectionRefusedError, FileNotFoundError):
                continue
            if reply:
                answer: dict[str, object] = json.loads(reply)
                return answer
        raise RuntimeError(f"the forkserver for {self.socket.stem} did not answer: {self._tail()}")

    def _start(self, base_env: dict[str, str], replace: bool) -> None:
        with file_lock(self.lock):
            if self.ready.exists() and not replace:
                return  # another worker started it while this one waited
            if replace and self._alive():
                return  # another worker replaced it already
            self.ready.unlink(missing_ok=True)
            # The server's own environment: the suite's, less what belongs to one suite.
            env = {
                name: value
                for name, value in base_env.items()
                if name not in ("PYTHONPATH", "COVERAGE_FILE", "PYTEST_PLUGINS")
                and not name.startswith("SUITE_INPUTS_")
            }
            with self.log.open("a") as log:
                server = subprocess.Popen(
                    [
                        str(self.python),
                        str(SERVER),
                        str(self.socket),
                        str(self.ready),
                        *self.distributions,
                    ],
                    cwd=self.folder,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            # Held, so that nothing reaps the server before `stop_started` waits for it.
            _started.setdefault(self.folder, []).append(server)
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not self.ready.exists():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the forkserver did not start: {self._tail()}")
                time.sleep(0.05)

    def _alive(self) -> bool:
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as probe:
            probe.connect(str(self.socket))
            return True  # the server takes the empty request as a closed connection
        return False

    def _tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else "(no log)"


_started: dict[Path, list[subprocess.Popen[bytes]]] = {}


def stop_started(folder: Path | None = None) -> None:
    """Stop the servers this process started (in `folder`, or all), and wait for them."""
    for place in [folder] if folder is not None else list(_started):
        servers = _started.pop(place, [])
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()
