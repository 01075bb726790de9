"""Every signed-in page reads what it shows in at most three round trips, in one transaction.

Identity (the session and the transaction's claims), the account with its billing state,
and what the page adds to them: in production each statement is one more wait on the
database's network. Statements are counted where psycopg sends them, so a helper that
queries behind the page's back is counted too, and so is a transaction of its own.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest

from .conftest import SignIn

MAX_ROUND_TRIPS = 3


@dataclass
class Sent:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0


@contextmanager
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    """The SQL statements and the transactions opened inside the block."""
    sent = Sent()
    execute = psycopg.AsyncCursor.execute
    transaction = psycopg.AsyncConnection.transaction

    async def counting(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.statements.append(" ".join(str(query).split()))
        return await execute(cursor, query, *args, **kwargs)

    def counting_transaction(conn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.transactions += 1
        return transaction(conn, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(psycopg.AsyncCursor, "execute", counting)
        patch.setattr(psycopg.AsyncConnection, "transaction", counting_transaction)
        yield sent


@pytest.mark.parametrize("page", ["/dashboard", "/account", "/billing"])
async def test_a_signed_in_page_takes_at_most_three_round_trips_in_one_transaction(
    client: httpx.AsyncClient, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    await sign_in()
    with counted(monkeypatch) as sent:
        response = await client.get(page)
    assert response.status_code == 200
    assert len(sent.statements) <= MAX_ROUND_TRIPS, "\n".join(sent.statements)
    assert sent.transactions == 1, "\n".join(sent.statements)
