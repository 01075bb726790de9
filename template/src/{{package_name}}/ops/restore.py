"""The `restore FILE` command: load a `pg_dump -Fc` backup into an empty database.

Restoring over live data would mix two histories, so a database that already has
tables is refused: create a new database, restore into it, check it, then point
DATABASE_URL at it. The restore runs in one transaction: it lands whole or not at all.
Owners and grants come back as dumped, so the roles must exist (on the same server
they do; on a new one, create them first) and the restoring role must be allowed to
give objects to them (the server's admin role is).
"""

import shutil
import subprocess
from pathlib import Path

import psycopg

TABLES_SQL = """
select count(*) as tables from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
"""


class RestoreRefused(Exception):
    """The restore cannot start; the message says why and what to do."""


def postgres_tool(name: str, bin_dir: str = "") -> str:
    """The path of a PostgreSQL client program: in `bin_dir` when given, else on PATH."""
    found = str(Path(bin_dir) / name) if bin_dir else shutil.which(name)
    if not found or not Path(found).is_file():
        where = bin_dir or "PATH"
        raise FileNotFoundError(
            f"{name} was not found in {where}: install the PostgreSQL client of the server's"
            " major version (or newer), or set POSTGRES_BIN_DIR to its bin directory"
        )
    return found


def restore(database_url: str, dump: Path, *, bin_dir: str = "") -> None:
    if not dump.is_file():
        raise RestoreRefused(f"{dump} is not a file")
    try:
        pg_restore = postgres_tool("pg_restore", bin_dir)
    except FileNotFoundError as missing:
        raise RestoreRefused(str(missing)) from None
    with psycopg.connect(database_url) as conn:
        row = conn.execute(TABLES_SQL).fetchone()
    tables = row[0] if row else 0
    if tables:
        raise RestoreRefused(
            f"the database already has {tables} tables: restore into a new, empty database"
            " (createdb), then point DATABASE_URL at it"
        )
    subprocess.run(  # noqa: S603 (our arguments, no shell)
        [pg_restore, "--exit-on-error", "--single-transaction", "--dbname", database_url, dump],
        check=True,
    )
