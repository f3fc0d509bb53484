"""Request authorisation: none, a static bearer token, or SMART on FHIR backend services.

SMART backend services (client-confidential-asymmetric): the client proves who it is with a short
JWT signed by its private key (RS384 or ES384), the token endpoint answers with an access token,
and that token is sent as `Authorization: Bearer …` until shortly before it expires.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from connectors.fhir.config import AuthMode, FHIRConnectorConfig
from connectors.fhir.errors import FHIRAuthError
from connectors.fhir.retry import RetryPolicy, send_with_retries

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Used when a token response omits `expires_in` (SMART requires it; be conservative if absent).
DEFAULT_TOKEN_LIFETIME_S = 300.0


class Authenticator:
    """How requests are authorised. The base class adds nothing (a server without auth)."""

    #: True when a fresh credential can be obtained after the server refuses one (401).
    can_refresh = False

    def headers(self, *, deadline: float | None = None) -> dict[str, str]:
        return {}

    def invalidate(self, headers_used: dict[str, str]) -> None:
        """The server refused these credentials; drop them if they are still the current ones."""


class NoAuth(Authenticator):
    pass


class StaticBearer(Authenticator):
    """A token issued out of band; nothing can renew it, so a 401 is final."""

    def __init__(self, token: str) -> None:
        self._headers = {"Authorization": f"Bearer {token}"}

    def headers(self, *, deadline: float | None = None) -> dict[str, str]:
        return dict(self._headers)


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # time.time() seconds


class SmartBackendAuth(Authenticator):
    """Client-credentials grant with a signed JWT assertion; the token is cached and shared by all
    threads, fetched by one of them at a time (so a burst of parallel queries asks once)."""

    can_refresh = True

    def __init__(
        self,
        config: FHIRConnectorConfig,
        http: httpx.Client,
        policy: RetryPolicy,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        assert config.client_id is not None
        self._config = config
        self._http = http
        self._policy = policy
        self._clock = clock
        self._key = _load_key(config.private_key(), config.alg)
        self._token_url = config.token_url
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        #: How many tokens this client has obtained (observability and tests).
        self.tokens_fetched = 0

    # -- Authenticator ---------------------------------------------------------------------------

    def headers(self, *, deadline: float | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token(deadline=deadline)}"}

    def invalidate(self, headers_used: dict[str, str]) -> None:
        with self._lock:
            if self._token and headers_used.get("Authorization") == f"Bearer {self._token.value}":
                self._token = None

    # -- tokens ----------------------------------------------------------------------------------

    def access_token(self, *, deadline: float | None = None) -> str:
        with self._lock:
            token = self._token
            if (
                token is None
                or self._clock() >= token.expires_at - self._config.token_refresh_margin_s
            ):
                token = self._fetch_token(deadline)
                self._token = token
            return token.value

    def token_url(self, *, deadline: float | None = None) -> str:
        if self._token_url is None:
            self._token_url = self._discover_token_url(deadline)
        return self._token_url

    def client_assertion(self, audience: str) -> str:
        """The signed JWT that authenticates this client: iss = sub = client_id, aud = the token
        URL, a unique jti (servers reject replays) and exp at most five minutes away."""
        now = int(self._clock())
        claims = {
            "iss": self._config.client_id,
            "sub": self._config.client_id,
            "aud": audience,
            "iat": now,
            "exp": now + self._config.assertion_lifetime_s,
            "jti": uuid.uuid4().hex,
        }
        headers = {"typ": "JWT"}
        if self._config.kid:
            headers["kid"] = self._config.kid
        return jwt.encode(claims, self._key, algorithm=self._config.alg, headers=headers)

    def _fetch_token(self, deadline: float | None) -> AccessToken:
        url = self.token_url(deadline=deadline)
        form = {
            "grant_type": "client_credentials",
            "scope": self._config.scope,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(url),
        }

        def send(timeout: httpx.Timeout) -> httpx.Response:
            return self._http.post(
                url, data=form, headers={"Accept": "application/json"}, timeout=timeout
            )

        # A retried request reuses the same assertion; a token endpoint that already consumed its
        # jti only sees it again if the first answer was lost, which a fresh fetch then repairs.
        started = self._clock()
        response = send_with_retries(send, self._policy, deadline=deadline, what="SMART token")
        if response.status_code != 200:
            raise FHIRAuthError(
                f"SMART token endpoint refused the client (HTTP {response.status_code}"
                f"{_oauth_error(response)})"
            )
        try:
            body: dict[str, Any] = response.json()
            value = str(body["access_token"])
        except (ValueError, KeyError) as exc:
            raise FHIRAuthError("SMART token response has no access_token") from exc
        lifetime = float(body.get("expires_in") or DEFAULT_TOKEN_LIFETIME_S)
        self.tokens_fetched += 1
        return AccessToken(value=value, expires_at=started + lifetime)

    def _discover_token_url(self, deadline: float | None) -> str:
        url = f"{self._config.base_url}/.well-known/smart-configuration"

        def send(timeout: httpx.Timeout) -> httpx.Response:
            return self._http.get(url, headers={"Accept": "application/json"}, timeout=timeout)

        response = send_with_retries(send, self._policy, deadline=deadline, what="SMART discovery")
        if response.status_code != 200:
            raise FHIRAuthError(
                f"SMART discovery failed (HTTP {response.status_code}); set token_url"
            )
        try:
            return str(response.json()["token_endpoint"])
        except (ValueError, KeyError) as exc:
            raise FHIRAuthError("SMART configuration has no token_endpoint") from exc


def build_authenticator(
    config: FHIRConnectorConfig, http: httpx.Client, policy: RetryPolicy
) -> Authenticator:
    if config.auth_mode is AuthMode.BEARER:
        assert config.token is not None
        return StaticBearer(config.token.get_secret_value())
    if config.auth_mode is AuthMode.SMART_BACKEND:
        return SmartBackendAuth(config, http, policy)
    return NoAuth()


def _load_key(pem: str, alg: str) -> Any:
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise FHIRAuthError("the SMART private key could not be loaded (PEM, unencrypted)") from exc
    # Fail at start-up rather than at the first request when the key cannot sign with `alg`.
    if alg.startswith("RS") and not isinstance(key, rsa.RSAPrivateKey):
        raise FHIRAuthError(f"alg {alg} needs an RSA private key")
    if alg.startswith("ES") and not (
        isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp384r1"
    ):
        raise FHIRAuthError(f"alg {alg} needs a P-384 EC private key")
    return key


def _oauth_error(response: httpx.Response) -> str:
    # OAuth error codes ("invalid_client", …) carry no patient data and help whoever configures us.
    try:
        code = response.json().get("error")
    except ValueError:
        return ""
    return f", {code}" if isinstance(code, str) and code.isidentifier() else ""


__all__ = [
    "AccessToken",
    "Authenticator",
    "NoAuth",
    "SmartBackendAuth",
    "StaticBearer",
    "build_authenticator",
]
