"""Reading and creating projects.

Listing, renaming and deleting run in `user_tx`, where RLS limits them to the
user's accounts. Creating runs in `service_tx` under a lock on the account, so
two requests at once cannot both take the last free slot of the tier's limit.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ..billing.plans import entitlements
from ..billing.service import billing_state
from ..db import Connection, Database

MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class Project:
    id: UUID
    name: str
    created_at: datetime


class ProjectLimitReached(Exception):
    """The account already has as many projects as its tier allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Your plan allows {limit} projects. Upgrade to create more.")
        self.limit = limit


async def list_projects(conn: Connection, account_id: UUID) -> list[Project]:
    cursor = await conn.execute(
        """
        select id, name, created_at from public.projects
        where account_id = %s order by created_at, id
        """,
        (account_id,),
    )
    return [Project(row["id"], row["name"], row["created_at"]) for row in await cursor.fetchall()]


async def count_projects(conn: Connection, account_id: UUID) -> int:
    cursor = await conn.execute(
        "select count(*) as used from public.projects where account_id = %s", (account_id,)
    )
    row = await cursor.fetchone()
    return int(row["used"]) if row else 0


async def create_project(db: Database, account_id: UUID, name: str) -> Project:
    """Create a project if the account's tier has room for one (ProjectLimitReached if not)."""
    async with db.service_tx() as conn:
        await conn.execute("select 1 from public.accounts where id = %s for update", (account_id,))
        may = entitlements(await billing_state(conn, account_id))
        used = await count_projects(conn, account_id)
        if may.remaining("projects", used) == 0:
            raise ProjectLimitReached(may.limit("projects") or 0)
        cursor = await conn.execute(
            """
            insert into public.projects (account_id, name) values (%s, %s)
            returning id, name, created_at
            """,
            (account_id, name),
        )
        row = await cursor.fetchone()
    assert row is not None
    return Project(row["id"], row["name"], row["created_at"])


async def delete_project(conn: Connection, project_id: UUID) -> bool:
    cursor = await conn.execute("delete from public.projects where id = %s", (project_id,))
    return cursor.rowcount == 1
