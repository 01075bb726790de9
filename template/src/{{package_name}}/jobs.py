"""Background jobs on the app's own PostgreSQL (procrastinate; no Redis).

Jobs are deferred inside the caller's transaction (`defer_in`), so a webhook
that fails to commit never leaves an email behind, and one that commits never
loses it.
"""

from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector
from procrastinate.tasks import Task

from .db import Connection

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


def queue_schema_present(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("select to_regclass('public.procrastinate_jobs') is not null").fetchone()
    return bool(row and row[0])


def lock_down_job_queue(conn: psycopg.Connection[Any]) -> None:
    conn.execute(_LOCK_DOWN_SQL)


async def defer_in(conn: Connection, task: Task[..., Any, Any], /, **kwargs: Any) -> int:
    """Enqueue `task` in the transaction `conn` belongs to."""
    job_id: int = await task.configure(connection=conn).defer_async(**kwargs)
    return job_id
