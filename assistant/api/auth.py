"""API keys with scopes. Keys come from configuration (``VHA_API_KEYS``)."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import HTTPException, Request, status

from assistant.config import Scope


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("x-api-key")
    if header:
        return header
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    # Rasa's HTTP API takes its token as a query parameter; Rasa clients keep working unchanged.
    return request.query_params.get("token")


def scopes_for(request: Request, key: str | None) -> list[Scope]:
    if not key:
        return []
    for known, scopes in request.app.state.api_keys.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            return list(scopes)
    return []


def require_scope(*allowed: Scope) -> Callable[[Request], str]:
    """A dependency that admits a request whose key has any of ``allowed`` (admin has all)."""

    def dependency(request: Request) -> str:
        key = _presented_key(request)
        if not key:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing API key: send it as 'X-API-Key', 'Authorization: Bearer …' or '?token='",
                headers={"WWW-Authenticate": "Bearer"},
            )
        scopes = scopes_for(request, key)
        if not scopes:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown API key")
        if "admin" not in scopes and not set(scopes) & set(allowed):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this key lacks the scope: one of {', '.join(allowed)}"
            )
        request.state.scopes = scopes
        return key

    return dependency
