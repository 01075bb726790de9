"""Record which files of a generated project its test suite depends on (tests/suite_results.py).

The harness puts this folder on PYTHONPATH of a generated suite, with
SUITE_INPUTS_ROOT (the project) and SUITE_INPUTS_LOG (a folder) set. Every Python process
of the suite, the subprocesses it spawns included (they inherit PYTHONPATH), records
*questions* it asked about the project, and writes them to `<log>/<pid>.json` at exit:

- `read`: a file opened (audit event `open`, which `open`, `os.open` and `io.open_code`,
  the import system's source reads, raise);
- `list`: a directory listed (audit events `os.listdir`, `os.scandir`; glob and
  `Path.iterdir`/`rglob` go through them);
- `collect`: a directory listed by pytest's collection, which only turns directories and
  Python files into collectors: its answer keeps only those entries. The plugin
  `suite_inputs_pytest.py` (loaded with PYTEST_PLUGINS) makes pytest skip every other
  file at once, so neither its kind nor its conftest lookup is asked about (a deploy file
  in the project root is not an input of the suite);
- `metadata`: a directory of `sys.path` listed by `importlib.metadata` to find installed
  distributions (pytest's plugin entry points): its answer keeps only the names that
  can be distribution metadata (`*.dist-info`, `*.egg-info`, `*.egg`);
- `stat`: a path whose existence or kind was checked. `os.stat` raises no audit event, so
  `os.stat` and `os.lstat` are wrapped: `Path.exists`/`is_file`/`is_dir` and
  `os.path.exists`/`isfile`/`isdir` look them up at call time and so are recorded, a
  missing path included (a negative lookup is an input too: a suite that checks whether
  `Dockerfile` exists depends on the answer);
- `find`: an import looked up in a directory of the project (`FileFinder.find_spec`:
  the import system stats and lists through the C `posix` module, which the wrappers do
  not see; its own directory listings are left out of `list`, and this query keeps only
  the names that could answer the import, so a deploy file beside `tests/` in the project
  root does not make two projects look different);
- `write`: a file opened for writing, or removed, renamed, created in the project. A
  suite that writes into its project is never reused.

Only the questions are recorded; the answers (file bytes, listings, kinds) are computed
from the project after the suite ends, and again from any project that may reuse the
result. What this cannot see: files read by non-Python programs the suite starts, and
facts taken from `os.stat` other than the kind of a path (sizes, times).
"""

from __future__ import annotations

import atexit
import os
import sys
from importlib.machinery import FileFinder


def _install(root: str, log: str) -> None:
    roots = tuple({root.rstrip(os.sep), os.path.realpath(root).rstrip(os.sep)})
    questions: dict[str, set[str]] = {
        name: set() for name in ("read", "list", "collect", "metadata", "stat", "find", "write")
    }
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def inside(path: object) -> str | None:
        """The path relative to the project, or None when it is elsewhere (or a descriptor)."""
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        elif not isinstance(path, str):
            try:
                path = os.fspath(path)  # type: ignore[arg-type]
            except TypeError:
                return None
            if isinstance(path, bytes):
                path = os.fsdecode(path)
        if not os.path.isabs(path):
            path = os.path.join(os.getcwd(), path)
        absolute = os.path.normpath(path)
        for base in roots:
            if absolute == base:
                return "."
            if absolute.startswith(base + os.sep):
                return absolute[len(base) + 1 :]
        return None

    def audit(event: str, args: tuple[object, ...]) -> None:
        if event == "open":
            relative = inside(args[0])
            if relative is None:
                return
            mode, flags = args[1], args[2]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags
            )
            questions["write" if writes else "read"].add(relative)
        elif event in ("os.listdir", "os.scandir"):
            caller = sys._getframe(1).f_code
            if caller.co_name == "_fill_cache":  # the import system's own listing: see `find`
                return
            relative = inside(args[0] if args[0] is not None else ".")
            if relative is not None:
                where = caller.co_filename
                if caller.co_name == "scandir" and "_pytest" in where:
                    questions["collect"].add(relative)
                elif caller.co_name == "children" and "importlib" in where and "metadata" in where:
                    questions["metadata"].add(relative)
                else:
                    questions["list"].add(relative)
        elif event in ("os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.truncate"):
            relative = inside(args[0])
            if relative is not None:
                questions["write"].add(relative)

    def stat_recorded(original):  # type: ignore[no-untyped-def]
        def stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if kwargs.get("dir_fd") is None:
                relative = inside(path)
                if relative is not None:
                    questions["stat"].add(relative)
            return original(path, *args, **kwargs)

        return stat

    global unrecorded_stat
    unrecorded_stat = os.stat
    os.stat = stat_recorded(os.stat)
    os.lstat = stat_recorded(os.lstat)

    find_spec = FileFinder.find_spec

    def find_spec_recorded(self, fullname, target=None):  # type: ignore[no-untyped-def]
        relative = inside(self.path or ".")
        if relative is not None:
            questions["find"].add(relative + "\0" + fullname.rpartition(".")[2])
        return find_spec(self, fullname, target)

    FileFinder.find_spec = find_spec_recorded  # type: ignore[method-assign]

    def write_log() -> None:
        import json

        os.makedirs(log, exist_ok=True)
        path = os.path.join(log, f"{os.getpid()}.json")
        with open(path + ".part", "w") as handle:
            json.dump({name: sorted(items) for name, items in questions.items()}, handle)
        os.replace(path + ".part", path)

    atexit.register(write_log)
    sys.addaudithook(audit)


unrecorded_stat = os.stat

if os.environ.get("SUITE_INPUTS_ROOT") and os.environ.get("SUITE_INPUTS_LOG"):
    _install(os.environ["SUITE_INPUTS_ROOT"], os.environ["SUITE_INPUTS_LOG"])
