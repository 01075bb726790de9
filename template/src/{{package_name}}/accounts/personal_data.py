"""Where a user's data lives: what "export my data" gives them and "delete" removes.

The rule, read from the catalog so a table a later migration adds is covered
without changes here (tables in `public` and `internal`, the job queue aside):

- a row with a `user_id` column belongs to that user (profile, memberships, sessions);
- otherwise a row with an `account_id` column belongs to the account, and an
  account's rows are the user's when they own the account (a member of someone
  else's team gets their membership, not the team's data);
- otherwise a row with an `email` column is the user's when it is their address
  (sign-in link requests);
- emails sent to them: queued and failed sends in the job queue.

Columns ending in `_hash` (API keys, links, sessions) are never exported: they
are credentials, not information about the person. Everything runs in
`service_tx` with the user's id in every WHERE: the export reads tables that RLS
closes to users (`auth.users`, `internal`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from ..db import Connection

SCHEMAS = ("public", "internal")
# Kept in the export's own sections, or not the user's business (the job queue); the
# development mailbox exists only on development databases (`dev/mailbox.py`).
_SKIPPED = frozenset({("public", "accounts"), ("internal", "dev_mailbox")})
_HASHED_SUFFIX = "_hash"
EMAIL_TASK = "email.send"


@dataclass(frozen=True)
class DataTable:
    schema: str
    name: str
    owner_column: str  # user_id, account_id or email
    secret_columns: tuple[str, ...]

    @property
    def identifier(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"


async def data_tables(conn: Connection) -> list[DataTable]:
    """Every table that holds rows of users or accounts, and how to find them."""
    rows = await (
        await conn.execute(
            """
            select c.table_schema as schema, c.table_name as name,
                   array_agg(c.column_name::text order by c.ordinal_position) as columns
            from information_schema.columns c
            join information_schema.tables t
              on t.table_schema = c.table_schema and t.table_name = c.table_name
            where c.table_schema = any (%s) and t.table_type = 'BASE TABLE'
              and c.table_name not like 'procrastinate%%'
            group by c.table_schema, c.table_name
            order by c.table_schema desc, c.table_name
            """,
            (list(SCHEMAS),),
        )
    ).fetchall()
    tables = []
    for row in rows:
        if (row["schema"], row["name"]) in _SKIPPED:
            continue
        columns: list[str] = row["columns"]
        owner = next((name for name in ("user_id", "account_id", "email") if name in columns), None)
        if owner is None:
            continue
        secret_columns = tuple(name for name in columns if name.endswith(_HASHED_SUFFIX))
        tables.append(DataTable(row["schema"], row["name"], owner, secret_columns))
    return tables


async def owned_accounts(conn: Connection, user_id: UUID) -> list[UUID]:
    """The accounts `user_id` owns: removed with them, exported in full."""
    rows = await (
        await conn.execute(
            "select account_id from public.account_members where user_id = %s and role = 'owner'",
            (user_id,),
        )
    ).fetchall()
    return [row["account_id"] for row in rows]


def _owner_match(table: DataTable) -> sql.Composable:
    column = sql.Identifier(table.owner_column)
    if table.owner_column == "user_id":
        return sql.SQL("{} = %(user_id)s").format(column)
    if table.owner_column == "account_id":
        return sql.SQL("{} = any (%(accounts)s)").format(column)
    return sql.SQL("lower({}) = lower(%(email)s)").format(column)


async def export_user_data(conn: Connection, user_id: UUID) -> dict[str, Any]:
    """Everything the product holds about `user_id`, as JSON-ready data. Run in `service_tx`."""
    user = await (
        await conn.execute(
            """
            select id, email, created_at, email_confirmed_at, last_sign_in_at,
                   raw_user_meta_data as user_metadata, raw_app_meta_data as app_metadata
            from auth.users where id = %s
            """,
            (user_id,),
        )
    ).fetchone()
    if user is None:
        raise LookupError(f"no user {user_id}")
    email = str(user["email"] or "")
    params = {"user_id": user_id, "accounts": await owned_accounts(conn, user_id), "email": email}
    accounts = await (
        await conn.execute(
            """
            select a.id, a.name, a.personal, a.created_at, m.role, m.created_at as joined_at
            from public.accounts a join public.account_members m on m.account_id = a.id
            where m.user_id = %(user_id)s
            order by m.created_at
            """,
            params,
        )
    ).fetchall()
    tables = {}
    for table in await data_tables(conn):
        query = sql.SQL(
            "select coalesce(jsonb_agg(to_jsonb(t) - %(secrets)s::text[]), '[]') as rows"
            " from {} t where {}"
        ).format(table.identifier, _owner_match(table))
        row = await (
            await conn.execute(query, {**params, "secrets": list(table.secret_columns)})
        ).fetchone()
        assert row is not None
        tables[table.label] = row["rows"]
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "user": _json_ready(dict(user)),
        "accounts": [_json_ready(dict(account)) for account in accounts],
        "tables": tables,
        "emails": await _emails(conn, email),
    }


async def _emails(conn: Connection, email: str) -> list[dict[str, Any]]:
    """Emails to the user's address: template, time and status, never their content."""
    rows = await (
        await conn.execute(
            """
            select j.args ->> 'template' as template, j.status::text as status,
                   (select min(e.at) from public.procrastinate_events e where e.job_id = j.id)
                       as queued_at
            from public.procrastinate_jobs j
            where j.task_name = %(task)s and lower(j.args ->> 'to') = lower(%(email)s)
            order by queued_at
            """,
            {"task": EMAIL_TASK, "email": email},
        )
    ).fetchall()
    return [_json_ready(dict(row)) for row in rows]


async def erase_user_data(conn: Connection, user_id: UUID) -> list[UUID]:
    """Remove the user and every row the export would list; return the accounts removed.

    Run in `service_tx`, after the accounts' subscriptions were canceled at the
    gateway. Deleting the owned accounts and the user cascades through the
    foreign keys; rows without one (the webhook log, sign-in requests, emails)
    are deleted here by the same rule the export uses.
    """
    email_row = await (
        await conn.execute("select email from auth.users where id = %s", (user_id,))
    ).fetchone()
    if email_row is None:
        return []
    email = str(email_row["email"] or "")
    accounts = await owned_accounts(conn, user_id)
    params = {"user_id": user_id, "accounts": accounts, "email": email}
    for table in await data_tables(conn):
        statement = sql.SQL("delete from {} where {}").format(table.identifier, _owner_match(table))
        await conn.execute(statement, params)
    await conn.execute(
        """
        delete from public.procrastinate_jobs
        where task_name = %(task)s and lower(args ->> 'to') = lower(%(email)s) and status <> 'doing'
        """,
        {"task": EMAIL_TASK, "email": email},
    )
    await conn.execute("delete from public.accounts where id = any (%s)", (accounts,))
    await conn.execute("delete from auth.users where id = %s", (user_id,))
    return accounts


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in row.items()}


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value
