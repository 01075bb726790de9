"""Apply the SQL migrations (and the job queue's schema) to a database.

The migration files are plain SQL in the Supabase CLI convention, so
`supabase db push` can apply them too; yoyo-migrations records what it applied
in the private `internal` schema, away from the Data API.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from yoyo import get_backend, read_migrations

from .jobs import lock_down_job_queue, queue_schema_present

TRACKING_SCHEMA = "internal"


@dataclass(frozen=True)
class MigrationReport:
    applied: list[str]
    job_queue_installed: bool


def yoyo_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    query = (
        f"{parts.query}&schema={TRACKING_SCHEMA}" if parts.query else f"schema={TRACKING_SCHEMA}"
    )
    return urlunsplit(parts._replace(scheme="postgresql+psycopg", query=query))


def apply_migrations(database_url: str, migrations_dir: Path) -> MigrationReport:
    if not migrations_dir.is_dir():
        raise FileNotFoundError(f"No migrations directory at {migrations_dir}")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"create schema if not exists {TRACKING_SCHEMA}")
    backend = get_backend(yoyo_url(database_url))
    migrations = read_migrations(str(migrations_dir))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    applied = [migration.id for migration in pending]
    job_queue_installed = install_job_queue(database_url)
    return MigrationReport(applied=applied, job_queue_installed=job_queue_installed)


def install_job_queue(database_url: str) -> bool:
    """Create procrastinate's tables once; return whether this call created them."""
    from procrastinate import SyncPsycopgConnector
    from procrastinate.schema import SchemaManager

    with psycopg.connect(database_url, autocommit=True) as conn:
        if queue_schema_present(conn):
            lock_down_job_queue(conn)
            return False
    connector = SyncPsycopgConnector(conninfo=database_url)
    connector.open()
    try:
        SchemaManager(connector).apply_schema()
    finally:
        connector.close()
    with psycopg.connect(database_url, autocommit=True) as conn:
        lock_down_job_queue(conn)
    return True
