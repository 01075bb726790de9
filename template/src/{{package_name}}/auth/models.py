"""The signed-in user, as the rest of the app sees it."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


class AuthUnavailableError(Exception):
    """The session could not be checked: the service that holds it is out of reach."""


@dataclass(frozen=True)
class User:
    """A user whose access token has been verified.

    `claims` are the token's verified claims; pass them to `Database.user_tx` so
    row-level security applies to this user.
    """

    id: UUID
    email: str
    claims: dict[str, Any] = field(repr=False)
