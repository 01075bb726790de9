"""The names people choose: their own display name and their account's name.

Both run inside `Database.user_tx`, so row-level security decides: a user
writes only their own profile row, and renames an account only where a policy
lets their role do so (the owner; on teams, admins too).
"""

from uuid import UUID

from ..db import Connection
from .queries import Account

MAX_DISPLAY_NAME = 100
MAX_ACCOUNT_NAME = 200


class InvalidNameError(ValueError):
    """A name the user may not set; the message says why."""


def clean_name(value: str, *, limit: int, what: str) -> str:
    name = " ".join(value.split())
    if len(name) > limit:
        raise InvalidNameError(f"{what} can be at most {limit} characters long.")
    return name


async def save_display_name(conn: Connection, user_id: UUID, value: str) -> str | None:
    """Set (or, when `value` is blank, clear) the user's display name; return it."""
    name = clean_name(value, limit=MAX_DISPLAY_NAME, what="Your name") or None
    await conn.execute(
        """
        insert into public.profiles (user_id, display_name) values (%s, %s)
        on conflict (user_id) do update
            set display_name = excluded.display_name, updated_at = now()
        """,
        (user_id, name),
    )
    return name


async def rename_account(conn: Connection, account: Account, value: str) -> str:
    """Rename `account`; refused unless the user's role may (RLS matches no row)."""
    name = clean_name(value, limit=MAX_ACCOUNT_NAME, what="The name")
    if not name:
        raise InvalidNameError("Enter a name.")
    cursor = await conn.execute(
        "update public.accounts set name = %s, updated_at = now() where id = %s",
        (name, account.id),
    )
    if cursor.rowcount == 0:
        raise InvalidNameError(
            "Your role in this account does not let you rename it: ask its owner."
        )
    return name
