"""Users in `auth.users`, created the first time an email address signs in."""

from uuid import UUID

from psycopg.types.json import Jsonb

from ..db import Database


async def ensure_user(db: Database, email: str, provider: str = "email") -> UUID:
    """The id of the user with `email`, creating a confirmed user if there is none.

    `provider` records how the address was proven ("email", or the identity provider).
    A new row in `auth.users` fires the trigger that provisions a personal account.
    Concurrent first sign-ins of one address end with one user.
    """
    async with db.service_tx() as conn:
        row = await (
            await conn.execute(
                """
                insert into auth.users
                    (id, aud, role, email, email_confirmed_at, last_sign_in_at, raw_app_meta_data)
                values (gen_random_uuid(), 'authenticated', 'authenticated', %s, now(), now(), %s)
                on conflict (email) do update set last_sign_in_at = excluded.last_sign_in_at
                returning id
                """,
                (email, Jsonb({"provider": provider, "providers": [provider]})),
            )
        ).fetchone()
    assert row is not None
    user_id: UUID = row["id"]
    return user_id
