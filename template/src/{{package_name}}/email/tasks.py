"""Background tasks that send email. Registered on `jobs.job_app`."""

from typing import Any

from procrastinate import JobContext, RetryStrategy

from ..jobs import job_app, job_environment
from .messages import render_email
from .senders import sender_for

# Twelve retries, 2, 4, 8 ... 4096 seconds apart (about two hours and a quarter),
# well inside the 24 hours for which Resend remembers an idempotency key. After
# that the job stays in the queue as "failed", never silently dropped.
SEND_RETRY = RetryStrategy(max_attempts=12, exponential_wait=2)


@job_app.task(name="email.send", pass_context=True, retry=SEND_RETRY)
async def send_email(
    context: JobContext,
    *,
    template: str,
    to: str,
    variables: dict[str, Any],
    idempotency_key: str,
) -> None:
    """Render and send one email. Raising leaves the job to be retried."""
    environment = job_environment(context)
    message = render_email(environment.settings, template, to, variables, idempotency_key)
    await sender_for(environment.settings, environment.db).send(message)
