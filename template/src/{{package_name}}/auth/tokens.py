"""Local verification of Supabase access tokens (and minting them in development).

Supabase signs access tokens with the project's asymmetric key (ES256 or RS256,
public keys published as JWKS) or, on legacy projects, with the shared JWT
secret (HS256). Tokens are verified here, without a round trip to Supabase:
signature, `exp`, `aud`, and a `sub` that is a user id.
"""

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from ..settings import Settings

ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "RS256"})
JWKS_TTL_SECONDS = 600.0
# An unknown key id triggers a refetch (the project rotated its keys), at most this often.
JWKS_MIN_REFETCH_SECONDS = 30.0
CLOCK_LEEWAY_SECONDS = 30


class InvalidTokenError(Exception):
    """The token is not a valid access token for this project."""


class ExpiredTokenError(InvalidTokenError):
    """The token was valid but has expired; a refresh may renew the session."""


class AuthUnavailableError(Exception):
    """Supabase Auth could not be reached, so the session could not be checked."""


HttpClientFactory = Callable[[], httpx.AsyncClient]


class TokenVerifier:
    def __init__(
        self,
        settings: Settings,
        http_client: HttpClientFactory,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._audience = settings.supabase_jwt_audience
        self._secret = (
            settings.supabase_jwt_secret.get_secret_value()
            if settings.supabase_jwt_secret
            else None
        )
        self._jwks_url = f"{settings.supabase_url.rstrip('/')}/auth/v1/.well-known/jwks.json"
        self._http_client = http_client
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> dict[str, Any]:
        """Return the token's claims, or raise `InvalidTokenError`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        algorithm = header.get("alg")
        key: jwt.PyJWK | str
        if algorithm == "HS256" and self._secret:
            key = self._secret
        elif algorithm in ASYMMETRIC_ALGORITHMS:
            key = await self._public_key(header.get("kid"), algorithm)
        else:
            raise InvalidTokenError(f"unexpected signing algorithm {algorithm!r}")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audience,
                options={"require": ["exp", "sub", "aud"]},
                leeway=CLOCK_LEEWAY_SECONDS,
            )
        except jwt.ExpiredSignatureError as error:
            raise ExpiredTokenError(str(error)) from error
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        if claims.get("role") != "authenticated":
            raise InvalidTokenError("the token is not a signed-in user's token")
        try:
            uuid.UUID(str(claims["sub"]))
        except ValueError as error:
            raise InvalidTokenError("the token's subject is not a user id") from error
        return claims

    async def _public_key(self, kid: object, algorithm: str) -> jwt.PyJWK:
        if not isinstance(kid, str):
            raise InvalidTokenError("the token names no signing key")
        async with self._lock:
            if self._should_fetch(kid):
                await self._fetch_keys()
            key = self._keys.get(kid)
        if key is None or key.algorithm_name != algorithm:
            raise InvalidTokenError(f"unknown signing key {kid!r}")
        return key

    def _should_fetch(self, kid: str) -> bool:
        if self._fetched_at is None:
            return True
        age = self._clock() - self._fetched_at
        return age > JWKS_TTL_SECONDS or (kid not in self._keys and age > JWKS_MIN_REFETCH_SECONDS)

    async def _fetch_keys(self) -> None:
        try:
            async with self._http_client() as http:
                response = await http.get(self._jwks_url)
                response.raise_for_status()
                key_set = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
            if self._fetched_at is None:
                raise AuthUnavailableError(f"could not fetch {self._jwks_url}: {error}") from error
            # Keep the keys fetched earlier, and try again after the refetch interval.
            self._fetched_at = self._clock() - JWKS_TTL_SECONDS + JWKS_MIN_REFETCH_SECONDS
            return
        self._keys = {key.key_id: key for key in key_set.keys if key.key_id}
        self._fetched_at = self._clock()


def mint_access_token(
    settings: Settings, user_id: uuid.UUID, email: str, *, lifetime_seconds: int
) -> str:
    """An HS256 access token shaped like Supabase's, signed with SUPABASE_JWT_SECRET.

    Only for development sign-in and tests: production tokens come from Supabase.
    """
    if settings.supabase_jwt_secret is None:
        raise RuntimeError("SUPABASE_JWT_SECRET is required to mint access tokens")
    now = int(time.time())
    claims = {
        "iss": f"{settings.supabase_url.rstrip('/')}/auth/v1",
        "sub": str(user_id),
        "aud": settings.supabase_jwt_audience,
        "exp": now + lifetime_seconds,
        "iat": now,
        "email": email,
        "role": "authenticated",
        "aal": "aal1",
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
    }
    return jwt.encode(claims, settings.supabase_jwt_secret.get_secret_value(), algorithm="HS256")
