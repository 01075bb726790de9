"""`/readyz`: whether the database answers, and how far behind the job queue is.

The queue's lag is the age of the oldest job waiting to run (due and not yet
picked up): a worker that stopped shows here long before customers notice
missing emails. One query answers both questions.
"""

from typing import Any

from ..db import Database

QUEUE_LAG_SQL = """
select coalesce(extract(epoch from now() - min(coalesce(job.scheduled_at, deferred.at))), 0)
       ::float8 as lag
from procrastinate_jobs job
left join lateral (
    select min(event.at) as at from procrastinate_events event
    where event.job_id = job.id and event.type = 'deferred'
) deferred on true
where job.status = 'todo' and (job.scheduled_at is null or job.scheduled_at <= now())
"""


async def readiness(database: Database) -> tuple[bool, dict[str, Any]]:
    """(ready, report): not ready only when the database cannot be reached."""
    try:
        async with database.pool.connection() as conn:
            row = await (await conn.execute(QUEUE_LAG_SQL)).fetchone()
    except Exception:  # any failure to reach the database means "not ready"
        return False, {"database": "unavailable"}
    lag = float(row["lag"]) if row else 0.0
    return True, {"database": "ok", "job_queue_lag_seconds": round(lag, 1)}
