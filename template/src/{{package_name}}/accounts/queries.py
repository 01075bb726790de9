"""Account queries. Run them inside `Database.user_tx`, where RLS applies."""

from dataclasses import dataclass
from uuid import UUID

from ..db import Connection


@dataclass(frozen=True)
class Account:
    id: UUID
    name: str


class AccountNotFoundError(LookupError):
    """The signed-in user has no personal account (or no user is signed in)."""


async def current_account(conn: Connection) -> Account:
    """The personal account of the user whose claims `conn`'s transaction carries.

    RLS limits the rows to accounts the user belongs to; the filter below only
    picks their own personal one among them.
    """
    row = await (
        await conn.execute(
            """
            select a.id, a.name
            from public.accounts a
            join public.account_members m on m.account_id = a.id
            where a.personal and m.role = 'owner' and m.user_id = (select auth.uid())
            order by a.created_at
            limit 1
            """
        )
    ).fetchone()
    if row is None:
        raise AccountNotFoundError("no personal account for the current user")
    return Account(id=row["id"], name=row["name"])
