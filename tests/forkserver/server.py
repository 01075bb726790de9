"""A warm interpreter that forks a fresh pytest run per request (run by tests/forkservers.py).

It runs under a generated project's environment (standard library only: it is not part
of the template's test package), imports the third-party stack named on its command line
once, and then serves requests on a Unix socket. A request names what a command-line
`pytest` would be started with: its argv, folder and environment. The forked child makes
itself look like that process, one that had just started with that environment:

- `os.environ` is the request's, and `sys.path` is what Python builds from it (the
  script's folder, then PYTHONPATH, then the environment's own paths);
- `sitecustomize` is imported again from that path, as site.py would (the harness's
  recorder is one);
- standard input is /dev/null, standard output and error go to the files named;
- it runs `pytest.console_main()`, then what interpreter shutdown runs (non-daemon
  threads joined, atexit handlers), and exits with pytest's code.

Only modules of the environment are imported here, never the project's: the project's
code (and coverage of it) starts from nothing in every child. Plugins pytest registers
from entry points are left for the child too, so pytest still rewrites their asserts.

The answer to a request is the child's exit status and its CPU seconds (its own and its
waited-for subprocesses'). The server exits when it has been idle for IDLE_SECONDS.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback

IDLE_SECONDS = 300.0


def environment_paths() -> list[str]:
    """Where the environment's own modules live (its site-packages and the standard library)."""
    import sysconfig

    keys = ("stdlib", "platstdlib", "purelib", "platlib")
    return sorted({os.path.realpath(sysconfig.get_paths()[key]) for key in keys})


def plugin_modules() -> set[str]:
    """Top-level modules of pytest plugins registered by entry point (pytest rewrites them)."""
    found = set()
    for entry in importlib.metadata.entry_points(group="pytest11"):
        found.add(entry.value.split(":")[0].split(".")[0])
    return found


def preload(distributions: list[str]) -> list[str]:
    """Import the top-level modules of these distributions that live in the environment."""
    wanted = {name.lower().replace("-", "_") for name in distributions}
    top_level: set[str] = set()
    for module, owners in importlib.metadata.packages_distributions().items():
        if any(owner.lower().replace("-", "_") in wanted for owner in owners):
            top_level.add(module)
    skip = plugin_modules()
    roots = tuple(path + os.sep for path in environment_paths())
    loaded = []
    for module in sorted(top_level - skip):
        if module.startswith("_") or not module.isidentifier():
            continue
        spec = importlib.util.find_spec(module)
        origin = spec and (spec.origin or next(iter(spec.submodule_search_locations or []), ""))
        if not origin or not os.path.realpath(origin).startswith(roots):
            continue  # a project's own package (an editable install) stays unimported
        try:
            importlib.import_module(module)
        except Exception as error:  # an optional extra of a distribution may be absent
            print(f"forkserver: not preloaded {module}: {error!r}", file=sys.stderr)
            continue
        loaded.append(module)
    return loaded


def forget_shadowed(preloaded: list[str], folders: list[str]) -> None:
    """Unload preloaded modules that the request's own folders would have provided.

    A fresh process finds a module in the project (its `tests` package, say) before any
    the environment has under that name; a distribution may install such a name too (a
    top-level `tests` package is a common packaging slip). So a preloaded module whose
    name the project's folders (the working folder, the script's, PYTHONPATH) also provide
    is forgotten, with its submodules, and the child imports the project's."""
    for name in preloaded:
        if any(
            os.path.isdir(os.path.join(folder, name))
            or os.path.isfile(os.path.join(folder, name + ".py"))
            for folder in folders
        ):
            for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                del sys.modules[loaded]


def become(request: dict[str, object], base_path: list[str], preloaded: list[str]) -> int:
    """In the forked child: turn into the requested pytest process and run it."""
    argv = [str(arg) for arg in request["argv"]]  # type: ignore[attr-defined]
    env = {str(k): str(v) for k, v in request["env"].items()}  # type: ignore[attr-defined]
    os.environ.clear()
    os.environ.update(env)
    os.chdir(str(request["cwd"]))
    for target, path, flags in (
        (0, os.devnull, os.O_RDONLY),
        (1, str(request["stdout"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        (2, str(request["stderr"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
    ):
        descriptor = os.open(path, flags, 0o644)
        os.dup2(descriptor, target)
        os.close(descriptor)
    python_path = [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]
    own_paths = [os.path.dirname(argv[0]), *python_path]
    sys.path[:] = [*own_paths, *base_path]
    sys.argv = argv
    sys.pycache_prefix = env.get("PYTHONPYCACHEPREFIX") or None
    sys.modules.pop("sitecustomize", None)
    with contextlib.suppress(ImportError):  # what site.py would have done at start-up
        import sitecustomize  # noqa: F401
    # After the recorder (a sitecustomize): what is looked up in the project is recorded.
    forget_shadowed(preloaded, [os.getcwd(), *own_paths])
    import pytest

    code = int(pytest.main())  # the arguments are sys.argv[1:], as for the console script
    threading._shutdown()  # type: ignore[attr-defined] - what interpreter shutdown does
    import atexit

    atexit._run_exitfuncs()
    return code


def serve(listener: socket.socket, base_path: list[str], preloaded: list[str]) -> None:
    """Fork a child per request until idle or told to stop (SIGTERM), then answer the
    children still running before returning: a stop never loses a suite in flight."""
    waiting: dict[int, socket.socket] = {}
    idle_since = time.monotonic()
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while waiting or not (stopping or time.monotonic() - idle_since >= IDLE_SECONDS):
        if stopping and listener.fileno() != -1:
            listener.close()  # new requests now start another server
        readable = []
        if listener.fileno() != -1:
            readable, _, _ = select.select([listener], [], [], 0.05)
        else:
            time.sleep(0.05)
        if readable:
            connection, _ = listener.accept()
            try:
                request = json.loads(receive_all(connection))
            except ValueError:  # a probe that only checks the server listens
                connection.close()
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                code = 70
                try:
                    listener.close()
                    for other in waiting.values():
                        other.close()
                    connection.close()
                    signal.signal(signal.SIGINT, signal.default_int_handler)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    code = become(request, base_path, preloaded)
                except SystemExit as exit_:
                    code = exit_.code if isinstance(exit_.code, int) else 1
                except BaseException:  # reported; the child exits all the same
                    traceback.print_exc()
                finally:
                    for stream in (sys.stdout, sys.stderr):
                        with contextlib.suppress(Exception):  # the exit code says it all
                            stream.flush()
                    os._exit(code)
            waiting[pid] = connection
        while waiting:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if pid == 0:
                break
            connection = waiting.pop(pid)
            answer = {
                "returncode": os.waitstatus_to_exitcode(status),
                "cpu": usage.ru_utime + usage.ru_stime,
            }
            with contextlib.suppress(OSError):  # a client that went away waits for nothing
                connection.sendall(json.dumps(answer).encode())
            connection.close()
            idle_since = time.monotonic()


def receive_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def main() -> None:
    socket_path, ready_path, *distributions = sys.argv[1:]
    own_folder = os.path.dirname(os.path.abspath(__file__))
    loaded = preload(distributions)
    base_path = [entry for entry in sys.path if os.path.abspath(entry or ".") != own_folder]
    if threading.active_count() != 1:
        sys.exit(f"forkserver: preloading started threads {threading.enumerate()}; not forking")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    with open(ready_path + ".part", "w") as ready:
        json.dump({"pid": os.getpid(), "preloaded": loaded}, ready)
    os.replace(ready_path + ".part", ready_path)
    serve(listener, base_path, loaded)
    listener.close()


if __name__ == "__main__":
    main()
