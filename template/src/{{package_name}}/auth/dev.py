"""Development sign-in: become any email address without Supabase sending mail.

It creates the user as Supabase Auth would (the `auth.users` trigger provisions
the account) and mints an access token with the project's JWT secret, so every
request afterwards goes through the normal token verification.
"""

from uuid import UUID

from ..db import Database
from ..settings import Settings

# Development tokens cannot be refreshed, so they last a working day.
DEV_SESSION_SECONDS = 12 * 60 * 60


def dev_sign_in_enabled(settings: Settings) -> bool:
    return (
        settings.dev_sign_in
        and not settings.is_production
        and settings.supabase_jwt_secret is not None
    )


async def ensure_user(db: Database, email: str) -> UUID:
    """The id of the user with `email`, creating a confirmed user if there is none."""
    async with db.service_tx() as conn:
        row = await (
            await conn.execute("select id from auth.users where email = %s", (email,))
        ).fetchone()
        if row is None:
            row = await (
                await conn.execute(
                    """
                    insert into auth.users
                        (id, aud, role, email, email_confirmed_at, raw_app_meta_data)
                    values (
                        gen_random_uuid(), 'authenticated', 'authenticated', %s, now(),
                        '{"provider": "email", "providers": ["email"]}'::jsonb
                    )
                    returning id
                    """,
                    (email,),
                )
            ).fetchone()
    assert row is not None
    user_id: UUID = row["id"]
    return user_id
