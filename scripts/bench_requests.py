"""Instructions the app process runs per request on one path, for an exact A/B of renders.

    uv run python scripts/bench_requests.py --project OLD --project NEW
    uv run python scripts/bench_requests.py --project OLD --project NEW --path /v1/echo

Load tests (`scripts/bench_app.py`) on a shared 2-core machine move by 5-10% between
runs, more than most changes to a request's path are worth. This script counts instead:
it starts, migrates and seeds an embedded PostgreSQL as `bench_app.py` does (a
signed-in browser that holds its session and CSRF cookies; for `/v1`, an API key, with
the plans' limits lifted in the render's `plans.py`). Then it calls the app in-process
through ASGI (no HTTP server, no load generator) under valgrind's callgrind. Two runs,
of 100 and 400 requests, are counted; their difference divided by 300 is the app's own
instructions per request, with start-up and the first requests' warm-up subtracted.
PostgreSQL's own work is not counted (it runs in its own processes). The app runs in
test mode, as `bench_app.py` does. About two minutes per render; asserts nothing.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app import JWT_SECRET, SECRET_KEY, lift_api_limits, seeded_database
from bench_imports import callgrind_instructions

SHORT_RUN, LONG_RUN = 100, 400

# Runs inside the rendered project's environment, under callgrind.
LOOP = """
import asyncio, os, sys
from my_saas.main import create_app

path, requests, cookie, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
app = create_app()
api = path.startswith("/v1")
body = b'{"text": "hello, metered world"}' if api else b""
headers = [(b"host", b"localhost"), (b"accept", b"*/*"), (b"cookie", cookie.encode())]
if api:
    headers += [(b"authorization", b"Bearer " + key.encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode())]

async def call():
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST" if api else "GET", "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8000), "state": {}}
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}
    statuses = []
    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
    await app(scope, receive, send)
    if statuses != [200]:
        raise SystemExit(f"{path} answered {statuses}")

async def main():
    async with app.router.lifespan_context(app):
        for _ in range(requests):
            await call()

asyncio.run(main())
"""


def per_request(project: Path, path: str, seed: dict[str, str]) -> float:
    """The app's instructions for one more call of `path`, from two counted runs."""
    env = {
        **os.environ,
        "PYTHONPATH": "src",
        "VIRTUAL_ENV": "",
        "APP_ENV": "test",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": seed["url"],
        "SUPABASE_JWT_SECRET": JWT_SECRET,
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def command(requests: int) -> list[str]:
        python = str(project / ".venv" / "bin" / "python")
        return [python, "-c", LOOP, path, str(requests), seed["cookie"], seed["key"] or ""]

    subprocess.run(command(1), cwd=project, env=env, check=True)  # writes the bytecode
    long_run = callgrind_instructions(command(LONG_RUN), project, env)
    short_run = callgrind_instructions(command(SHORT_RUN), project, env)
    return (long_run - short_run) / (LONG_RUN - SHORT_RUN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--project", type=Path, action="append", required=True, help="a render (repeatable)"
    )
    parser.add_argument("--path", default="/dashboard", help="a signed-in page, or /v1/echo")
    args = parser.parse_args()
    api = args.path.startswith("/v1")
    print(f"{args.path}: app instructions per request (callgrind, {LONG_RUN} - {SHORT_RUN} calls)")
    for project in args.project:
        subprocess.run(
            ["uv", "sync", "--quiet"],
            cwd=project,
            env={**os.environ, "VIRTUAL_ENV": ""},
            check=True,
        )
        if api:
            lift_api_limits(project)
        with (
            tempfile.TemporaryDirectory(prefix="bench-requests-") as scratch,
            seeded_database(project, Path(scratch), with_key=api, customers=0) as seed,
        ):
            instructions = per_request(project, args.path, seed)
        print(f"{project!s:<40} {instructions / 1e6:8.3f} M")


if __name__ == "__main__":
    main()
