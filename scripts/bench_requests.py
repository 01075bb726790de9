"""Instructions the app process runs per request on one path, for an exact A/B of renders.

    uv run python scripts/bench_requests.py --project OLD --project NEW
    uv run python scripts/bench_requests.py --project OLD --project NEW --path /v1/echo

Load tests (`scripts/bench_app.py`) on a shared 2-core machine move by 5-10% between
runs, more than most changes to a request's path are worth. This script counts instead:
in each render's environment it starts an embedded PostgreSQL, migrates it, seeds a
signed-in user (a browser that holds its session and CSRF cookies) and, for `/v1`, an
API key with the plans' limits lifted (in the render's `plans.py`, as `bench_app.py`
does). Then it calls the app in-process through ASGI (no HTTP server, no load
generator) under valgrind's callgrind. Two runs, of 100 and 400
requests, are counted; their difference divided by 300 is the app's own instructions
per request, with start-up, migrations and the first requests' warm-up subtracted.
PostgreSQL's own work is not counted (it runs in its own processes). The app runs in
test mode, as `bench_app.py` does. About a minute per render and path; asserts nothing.
"""

import argparse
import os
import re
import subprocess
from pathlib import Path

SHORT_RUN, LONG_RUN = 100, 400

# Runs inside the rendered project's environment, under callgrind.
LOOP = """
import asyncio, hashlib, os, secrets, sys, tempfile, uuid
from pathlib import Path
import psycopg
from my_saas.dev.database import create_database, start_embedded_server, with_database
from my_saas.migrate import apply_migrations

path, requests = sys.argv[1], int(sys.argv[2])
admin = start_embedded_server(Path(tempfile.mkdtemp()) / "pgdata")
url = create_database(admin, "bench")
migrations = next(p for p in (Path("supabase/migrations"), Path("migrations")) if p.is_dir())
apply_migrations(url, migrations)
jwt_secret = "bench-jwt-secret-" + "x" * 32
with psycopg.connect(with_database(admin, "bench"), autocommit=True) as conn:
    user_id, = conn.execute(
        "insert into auth.users (email, raw_user_meta_data) values ('b@example.com', '{}')"
        " returning id"
    ).fetchone()
    account_id, = conn.execute(
        "select account_id from public.account_members where user_id = %s", (user_id,)
    ).fetchone()
    session = secrets.token_urlsafe(32)
    if conn.execute("select to_regclass('internal.sessions')").fetchone()[0]:
        conn.execute(
            "insert into internal.sessions (id_hash, user_id, expires_at)"
            " values (%s, %s, now() + interval '1 day')",
            (hashlib.sha256(session.encode()).digest(), user_id),
        )
    key = "key_bench" + uuid.uuid4().hex
    if conn.execute("select to_regclass('public.api_keys')").fetchone()[0]:
        conn.execute(
            "insert into public.api_keys (account_id, name, prefix, key_hash)"
            " values (%s, 'bench', %s, %s)",
            (account_id, key[:12], hashlib.sha256(key.encode()).hexdigest()),
        )
os.environ.update(APP_ENV="test", SECRET_KEY="x" * 48, DATABASE_URL=url,
                  SUPABASE_JWT_SECRET=jwt_secret)
from my_saas.main import create_app
from my_saas.settings import get_settings
try:
    from my_saas.auth.tokens import mint_access_token
except ImportError:
    cookie = "session=" + session
else:
    cookie = "sb-access-token=" + mint_access_token(
        get_settings(), user_id, "b@example.com", lifetime_seconds=3600
    )
cookie += "; csrf=" + secrets.token_urlsafe(32)
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


def instructions(project: Path, path: str, requests: int) -> int:
    """Instructions the project's Python runs to serve `requests` calls of `path` (and set up)."""
    env = {**os.environ, "PYTHONPATH": "src", "VIRTUAL_ENV": ""}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [str(project / ".venv" / "bin" / "python"), "-c", LOOP, path, str(requests)]
    subprocess.run([*command[:3], path, "1"], cwd=project, env=env, check=True)  # bytecode
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no callgrind total in:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def lift_api_limits(project: Path) -> None:
    """Every metered call must be accepted: the same edit `bench_app.py` makes."""
    plans = project / "src" / "my_saas" / "billing" / "plans.py"
    plans.write_text(
        re.sub(
            r"Limits\(requests_per_minute=[\d_]+, requests_per_month=[\d_]+\)",
            "Limits(requests_per_minute=10**9, requests_per_month=10**9)",
            plans.read_text(),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--project", type=Path, action="append", required=True, help="a render (repeatable)"
    )
    parser.add_argument("--path", default="/dashboard", help="a signed-in page, or /v1/echo")
    args = parser.parse_args()
    print(f"{args.path}: app instructions per request (callgrind, {LONG_RUN} - {SHORT_RUN} calls)")
    for project in args.project:
        subprocess.run(
            ["uv", "sync", "--quiet"],
            cwd=project,
            env={**os.environ, "VIRTUAL_ENV": ""},
            check=True,
        )
        if args.path.startswith("/v1"):
            lift_api_limits(project)
        long_run = instructions(project, args.path, LONG_RUN)
        short_run = instructions(project, args.path, SHORT_RUN)
        per_request = (long_run - short_run) / (LONG_RUN - SHORT_RUN)
        print(f"{project!s:<40} {per_request / 1e6:8.3f} M")


if __name__ == "__main__":
    main()
