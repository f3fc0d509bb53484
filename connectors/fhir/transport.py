"""HTTP to one FHIR server: timeouts, bounded retries with backoff, auth headers, one retry on 401.

Why not fhirclient's `FHIRServer` for this: it sends requests with no timeout, never retries, is not
documented as safe to share between threads, and its auth only covers the SMART app-launch flows,
not backend services. fhirclient still parses every resource (see `parse.py`); this module only
moves bytes. httpx is used because its client is thread-safe and takes per-phase timeouts.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from connectors.fhir.auth import Authenticator
from connectors.fhir.errors import FHIRAuthError, FHIRRequestError, FHIRUnavailable
from connectors.fhir.retry import RetryPolicy, send_with_retries

FHIR_JSON = "application/fhir+json"


class FHIRTransport:
    """JSON in and out of one FHIR base URL."""

    def __init__(
        self,
        base_url: str,
        auth: Authenticator,
        policy: RetryPolicy,
        *,
        http: httpx.Client | None = None,
        pool_size: int = 10,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = _origin(self.base_url)
        self.auth = auth
        self.policy = policy
        self._owns_http = http is None
        self.http = http or httpx.Client(
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            headers={"Accept": FHIR_JSON},
        )

    def url(self, path_or_url: str) -> str:
        """An absolute URL under the base. Absolute URLs (paging links) must stay on the server's
        origin: our credentials are never sent to a host the server merely names in a link."""
        if path_or_url.startswith(("http://", "https://")):
            if _origin(path_or_url) != self._origin:
                raise FHIRRequestError("link points outside the FHIR server", 0)
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def request_json(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
        what: str = "FHIR request",
    ) -> tuple[dict[str, Any], httpx.Headers]:
        url = self.url(path_or_url)
        response = self._send_authorised(method, url, params, body, headers or {}, deadline, what)
        if response.status_code >= 400:
            raise FHIRRequestError(f"{what}: HTTP {response.status_code}", response.status_code)
        if not response.content:
            return {}, response.headers
        try:
            return response.json(), response.headers
        except ValueError as exc:
            raise FHIRUnavailable(f"{what}: response is not JSON") from exc

    def _send_authorised(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        body: dict[str, Any] | None,
        extra_headers: dict[str, str],
        deadline: float | None,
        what: str,
    ) -> httpx.Response:
        content = None if body is None else json.dumps(body, separators=(",", ":"))
        # One refresh on 401: an access token can expire (or be revoked) between our own expiry
        # check and the server's; a second 401 with a fresh token means we are not authorised.
        for attempt in (1, 2):
            auth_headers = self.auth.headers(deadline=deadline)
            headers = {**extra_headers, **auth_headers}
            if content is not None:
                headers["Content-Type"] = FHIR_JSON
            send = functools.partial(
                self.http.request, method, url, params=params, content=content, headers=headers
            )
            response = send_with_retries(send, self.policy, deadline=deadline, what=what)
            if response.status_code != 401:
                return response
            if attempt == 1 and self.auth.can_refresh:
                self.auth.invalidate(auth_headers)
                continue
            raise FHIRAuthError(f"{what}: the FHIR server refused our credentials (401)")
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()
