"""A stand-in for Supabase Auth's HTTP API, for `httpx.MockTransport`.

It answers the endpoints the app calls the way GoTrue does, and records every
request so tests can assert what the app sent.
"""

import json
import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx

API_VERSION_HEADERS = {"X-Supabase-Api-Version": "2024-01-01"}


def session_body(
    access_token: str, refresh_token: str, user_id: UUID, email: str
) -> dict[str, Any]:
    """The JSON Supabase returns for a new or refreshed session."""
    return {
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": 3600,
        "expires_at": int(time.time()) + 3600,
        "refresh_token": refresh_token,
        "user": {
            "id": str(user_id),
            "aud": "authenticated",
            "role": "authenticated",
            "email": email,
            "app_metadata": {"provider": "email", "providers": ["email"]},
            "user_metadata": {},
            "created_at": datetime.now(UTC).isoformat(),
        },
    }


def error_body(status: int, error_code: str, message: str) -> dict[str, Any]:
    return {"code": error_code, "error_code": error_code, "msg": message, "status": status}


class FakeSupabase:
    JWKS_PATH = "/auth/v1/.well-known/jwks.json"

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.jwks: dict[str, Any] = {"keys": []}
        self.offline = False
        self._replies: dict[tuple[str, str, str | None], tuple[int, Any]] = {}

    def reply(
        self, method: str, path: str, body: Any, *, status: int = 200, grant_type: str | None = None
    ) -> None:
        """Answer `method path` (and `?grant_type=` for /token) with `body`.

        A `str` body is sent as text, like a proxy's error page; anything else as JSON.
        """
        self._replies[(method, path, grant_type)] = (status, body)

    def sent(self, path: str) -> list[httpx.Request]:
        return [request for request in self.requests if request.url.path == path]

    def sent_json(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.sent(path)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.offline:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "GET" and request.url.path == self.JWKS_PATH:
            return httpx.Response(200, json=self.jwks)
        key = (request.method, request.url.path, request.url.params.get("grant_type"))
        if key not in self._replies:
            body = error_body(404, "not_found", f"{request.method} {request.url.path} is not faked")
            return httpx.Response(404, json=body, headers=API_VERSION_HEADERS)
        status, body = self._replies[key]
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body, headers=API_VERSION_HEADERS)
