"""The calls this app makes to Supabase Auth, through the `supabase_auth` client.

Each operation uses a fresh client with in-memory storage: the server keeps no
session of its own; sessions live in the browser's cookies. Pass `transport`
to route the HTTP traffic elsewhere (tests use `httpx.MockTransport`).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import httpx
from supabase_auth import AsyncGoTrueClient, AsyncMemoryStorage, Session
from supabase_auth.errors import AuthError

from ..settings import Settings
from .tokens import TokenVerifier

HTTP_TIMEOUT_SECONDS = 10.0
_STORAGE_KEY = "sb-auth"
# Where supabase_auth keeps the PKCE verifier it generates, in the client's storage.
_VERIFIER_KEY = f"{_STORAGE_KEY}-code-verifier"

# Link types a sign-in email may carry in `?type=` next to `token_hash`.
TokenHashType = Literal["email", "magiclink", "signup", "invite"]


class AuthServiceError(Exception):
    """Supabase Auth refused the request or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def rejected(self) -> bool:
        """Supabase answered and said no (as opposed to an outage)."""
        return self.status is not None and 400 <= self.status < 500


class SupabaseAuth:
    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._url = f"{settings.supabase_url.rstrip('/')}/auth/v1"
        self._api_key = settings.supabase_anon_key.get_secret_value()
        self._transport = transport
        self.tokens = TokenVerifier(settings, self._http_client)

    def _http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self._transport, timeout=HTTP_TIMEOUT_SECONDS)

    @asynccontextmanager
    async def _client(
        self, storage: AsyncMemoryStorage | None = None
    ) -> AsyncIterator[AsyncGoTrueClient]:
        client = AsyncGoTrueClient(
            url=self._url,
            headers={"apikey": self._api_key},
            http_client=self._http_client(),
            storage_key=_STORAGE_KEY,
            storage=storage or AsyncMemoryStorage(),
            flow_type="pkce",
            auto_refresh_token=False,
            persist_session=False,
        )
        try:
            yield client
        except AuthError as error:
            raise AuthServiceError(str(error), getattr(error, "status", None)) from error
        except (httpx.HTTPError, ValueError) as error:
            # Transport failures and responses that are not Supabase's JSON.
            raise AuthServiceError(f"unexpected answer from Supabase Auth: {error}") from error
        finally:
            await client.close()

    async def send_magic_link(self, email: str, *, redirect_to: str) -> str:
        """Email a sign-in link; return the PKCE code verifier the callback needs."""
        storage = AsyncMemoryStorage()
        async with self._client(storage) as client:
            await client.sign_in_with_otp(
                {"email": email, "options": {"email_redirect_to": redirect_to}}
            )
        verifier = await storage.get_item(_VERIFIER_KEY)
        assert verifier, "the client stores a PKCE verifier when flow_type is 'pkce'"
        return verifier

    async def exchange_code(self, code: str, verifier: str) -> Session:
        async with self._client() as client:
            response = await client.exchange_code_for_session(
                {"auth_code": code, "code_verifier": verifier}
            )
        return _session(response.session)

    async def verify_token_hash(self, token_hash: str, link_type: TokenHashType) -> Session:
        async with self._client() as client:
            response = await client.verify_otp({"token_hash": token_hash, "type": link_type})
        return _session(response.session)

    async def refresh(self, refresh_token: str) -> Session:
        async with self._client() as client:
            response = await client.refresh_session(refresh_token)
        return _session(response.session)

    async def sign_out(self, access_token: str) -> None:
        """Revoke this session's refresh token at Supabase."""
        async with self._client() as client:
            await client.admin.sign_out(access_token, "local")


def _session(session: Session | None) -> Session:
    if session is None:
        raise AuthServiceError("Supabase Auth returned no session")
    return session
