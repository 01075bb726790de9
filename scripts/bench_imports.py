"""Cold-start import cost of each deploy target's entry module, next to a bare `import fastapi`.

    uv run python scripts/bench_imports.py                 # every target, default answers
    uv run python scripts/bench_imports.py --gateway paddle --repeats 11
    uv run python scripts/bench_imports.py --instructions  # callgrind counts, not ms
    uv run python scripts/bench_imports.py --project OLD --project NEW  # renders you made

Renders one project per target, installs it (`uv sync`), then runs
`python -X importtime -c "import <entry>"` in that project's environment and reads
the cumulative time of the entry module. The app is configured as a production
cold start would be (no development simulator), so what is imported is what a
first request pays for. Bytecode is written by a first, untimed import, as a
deployed image has it (the Dockerfile sets UV_COMPILE_BYTECODE); the entry and
`import fastapi` are then timed in turns, so a slow stretch of the machine hits
both. Prints medians; asserts nothing.

Import times on a shared or virtual machine vary by 10-20% between runs, more than
many changes are worth. `--instructions` counts the instructions each import runs
under valgrind's callgrind instead (the interpreter's own start subtracted): the
same code gives the same count, whatever else the machine is doing, so an A/B of two
renders (`--project`, given twice) is exact. It takes about 20 s per count.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.matrix import choices
from tests.render import render

# The module each target's platform imports first: uvicorn's factory target, Vercel's
# api/index.py, the Lambda handler module.
ENTRY_MODULES = {
    "docker": "my_saas.main",
    "fly": "my_saas.main",
    "render": "my_saas.main",
    "vercel": "index",
    "aws_lambda": "my_saas.lambda_handler",
}

# Enough configuration for create_app() at import time (Vercel's entry builds the app
# when imported), with the development-only simulator off as in production.
COLD_START_ENV = {
    "APP_ENV": "development",
    "BILLING_SIMULATOR": "false",
    "DEV_SIGN_IN": "false",
    "DATABASE_URL": "postgresql://app@127.0.0.1:1/app",
    "SECRET_KEY": "bench-" + "x" * 40,
}

IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


# A shell's "no bytecode" or "bytecode elsewhere" would time compiling, not importing.
UNSET = ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "VIRTUAL_ENV")


def cold_start_env() -> dict[str, str]:
    """This process's environment, without what would skew an import, plus COLD_START_ENV."""
    kept = {name: value for name, value in os.environ.items() if name not in UNSET}
    return {**kept, **COLD_START_ENV}


def cumulative_ms(python: Path, project: Path, module: str) -> float:
    """The entry module's cumulative import time, in milliseconds, from -X importtime."""
    code = f"import sys; sys.path.insert(0, 'api'); import {module}"
    env = cold_start_env()
    result = subprocess.run(
        [str(python), "-X", "importtime", "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match and match.group(3) == "" and match.group(4) == module:
            return int(match.group(2)) / 1000
    raise RuntimeError(f"{module} not found in -X importtime output:\n{result.stderr[-2000:]}")


def instructions(python: Path, project: Path, code: str) -> int:
    """Instructions a `python -c code` process runs, counted by callgrind (bytecode written)."""
    env = cold_start_env()
    command = [str(python), "-c", f"import sys; sys.path.insert(0, 'api'); {code}"]
    subprocess.run(command, cwd=project, env=env, check=True)
    return callgrind_instructions(command, project, env)


def callgrind_instructions(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Instructions `command` runs, counted by valgrind's callgrind (its child processes not)."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no callgrind total in:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def cold_start_instructions(python: Path, project: Path, module: str) -> tuple[float, float]:
    """Millions of instructions importing `module` and `import fastapi` take, beyond start-up."""
    start = instructions(python, project, "pass")
    entry = instructions(python, project, f"import {module}")
    fastapi = instructions(python, project, "import fastapi")
    return (entry - start) / 1e6, (fastapi - start) / 1e6


def entry_module(project: Path) -> str:
    """The entry module of a rendered project, told by the files its target adds."""
    if (project / "api" / "index.py").exists():
        return ENTRY_MODULES["vercel"]
    if next(project.glob("src/*/lambda_handler.py"), None) is not None:
        return ENTRY_MODULES["aws_lambda"]
    return ENTRY_MODULES["docker"]


def cold_start(python: Path, project: Path, module: str, repeats: int) -> tuple[float, float]:
    """Median milliseconds of importing `module` and of `import fastapi`, timed in turns."""
    cumulative_ms(python, project, module)  # writes the bytecode; not timed
    entry, fastapi = [], []
    for _ in range(repeats):
        entry.append(cumulative_ms(python, project, module))
        fastapi.append(cumulative_ms(python, project, "fastapi"))
    return statistics.median(entry), statistics.median(fastapi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gateway", default="stripe", choices=choices("payment_gateway"))
    parser.add_argument("--database", default="supabase", choices=choices("database"))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions with callgrind"
    )
    parser.add_argument(
        "--project", type=Path, action="append", help="measure this render (repeatable)"
    )
    args = parser.parse_args()

    unit = "M instr" if args.instructions else "ms"
    how = "callgrind" if args.instructions else f"median of {args.repeats} runs"
    print(f"gateway={args.gateway} database={args.database}, {how}")
    print(
        f"{'project':<12} {'entry module':<24} {'entry ' + unit:>14} {'fastapi ' + unit:>16}"
        f" {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        projects = args.project or [
            render(
                Path(scratch) / target,
                {
                    "payment_gateway": args.gateway,
                    "database": args.database,
                    "deploy_target": target,
                },
            )
            for target in choices("deploy_target")
        ]
        for project in projects:
            subprocess.run(
                ["uv", "sync", "--quiet"],
                cwd=project,
                env={**os.environ, "VIRTUAL_ENV": ""},
                check=True,
            )
            python = project / ".venv" / "bin" / "python"
            module = entry_module(project)
            if args.instructions:
                entry, fastapi = cold_start_instructions(python, project, module)
            else:
                entry, fastapi = cold_start(python, project, module, args.repeats)
            print(
                f"{project.name:<12} {module:<24} {entry:>14.0f} {fastapi:>16.0f}"
                f" {entry / fastapi:>6.2f}"
            )


if __name__ == "__main__":
    main()
