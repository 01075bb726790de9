"""Background jobs on the app's own PostgreSQL (procrastinate; no Redis).

Jobs are deferred inside the caller's transaction (`defer_in`), so a webhook
that fails to commit never leaves an email behind, and one that commits never
loses it.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Unpack

import psycopg
from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.app import WorkerOptions
from procrastinate.tasks import Task

from .db import Connection, Database
from .settings import Settings

# Procrastinate's tables live in `public` (its SQL is unqualified). The Data API must
# never reach them: RLS on with no policies, and no privileges for the API roles.
_LOCK_DOWN_SQL = """
do $$
declare
    item record;
begin
    for item in
        select c.oid::regclass as name from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and c.relname like 'procrastinate%'
    loop
        execute format('alter table %s enable row level security', item.name);
        execute format('revoke all on table %s from anon, authenticated', item.name);
    end loop;
    for item in
        select p.oid::regprocedure as name from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname like 'procrastinate%'
    loop
        execute format('revoke all on function %s from public, anon, authenticated', item.name);
    end loop;
end
$$
"""

job_app = App(connector=PsycopgConnector(), import_paths=[f"{__package__}.email.tasks"])

_ENVIRONMENT_KEY = "environment"


@dataclass(frozen=True)
class JobEnvironment:
    """What tasks need from the process running them (tasks take `pass_context=True`)."""

    settings: Settings
    db: Database


@asynccontextmanager
async def open_job_app(db: Database) -> AsyncIterator[App]:
    """Open `job_app` on `db`'s pool until the block ends.

    Each opening gets a fresh connector: procrastinate keeps a pool it was given
    even after closing, so a second app in one process (tests) would inherit a
    closed pool.
    """
    with job_app.replace_connector(PsycopgConnector()) as app:
        async with app.open_async(pool=db.pool):
            yield app


async def run_worker(settings: Settings, db: Database, **options: Unpack[WorkerOptions]) -> None:
    """Run a worker on the open `job_app` (see `open_job_app`), giving tasks their environment.

    Finished jobs are deleted: their arguments (addresses, sign-in links) have no
    business staying in the database. Failed jobs stay, for inspection.
    """
    options.setdefault("delete_jobs", "successful")
    options["additional_context"] = {
        **options.get("additional_context", {}),
        _ENVIRONMENT_KEY: JobEnvironment(settings=settings, db=db),
    }
    await job_app.run_worker_async(**options)


def job_environment(context: JobContext) -> JobEnvironment:
    environment = context.additional_context.get(_ENVIRONMENT_KEY)
    if not isinstance(environment, JobEnvironment):
        raise RuntimeError("Start workers with jobs.run_worker(), which provides the environment")
    return environment


def queue_schema_present(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("select to_regclass('public.procrastinate_jobs') is not null").fetchone()
    return bool(row and row[0])


def lock_down_job_queue(conn: psycopg.Connection[Any]) -> None:
    conn.execute(_LOCK_DOWN_SQL)


async def defer_in(conn: Connection, task: Task[..., Any, Any], /, **kwargs: Any) -> int:
    """Enqueue `task` in the transaction `conn` belongs to."""
    job_id: int = await task.configure(connection=conn).defer_async(**kwargs)
    return job_id
