"""Database access: one async pool, two kinds of transaction.

`user_tx(claims)` runs as the `authenticated` role with the caller's JWT claims
set for the transaction, so row-level security decides what the user sees.
`service_tx()` runs as the app's own role, for trusted server code (webhooks,
jobs, provisioning). `service_statement()` is `service_tx()` for a hot path whose
work is one statement (a SQL function): that statement is its own transaction,
one round trip instead of three (no BEGIN, no COMMIT). Nothing else should open
transactions.
"""

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

Connection = AsyncConnection[DictRow]


class Database:
    def __init__(self, url: str, *, max_size: int = 10) -> None:
        self.pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            open=False,
            connection_class=AsyncConnection[DictRow],
            kwargs={"row_factory": dict_row},
        )

    async def open(self) -> None:
        await self.pool.open(wait=True)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def service_tx(self) -> AsyncIterator[Connection]:
        async with self.pool.connection() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def service_statement(self) -> AsyncIterator[Connection]:
        """A connection in autocommit as the app's own role: run ONE statement on it."""
        async with self.pool.connection() as conn:
            await conn.set_autocommit(True)
            try:
                yield conn
            finally:
                if not conn.closed:
                    await conn.set_autocommit(False)

    @asynccontextmanager
    async def user_tx(self, claims: Mapping[str, Any]) -> AsyncIterator[Connection]:
        """A transaction in which RLS applies to the user described by `claims`.

        `claims` must contain `sub` (the user id) and `role`; they come from a
        verified access token, never from the request body.
        """
        role = claims.get("role", "authenticated")
        if role not in ("authenticated", "anon"):
            raise ValueError(f"user_tx cannot assume role {role!r}")
        async with self.pool.connection() as conn, conn.transaction():
            # One round trip for both: set_config(..., true) on `role` is SET LOCAL ROLE.
            await conn.execute(
                "select set_config('request.jwt.claims', %s, true), set_config('role', %s, true)",
                (json.dumps(dict(claims)), role),
            )
            yield conn
