"""A SMART on FHIR token endpoint for the tests, run in a thread.

It does what an EHR's authorisation server does for backend services: checks the client's JWT
assertion against the public key registered for that client (algorithm, signature, iss = sub =
client_id, aud = this endpoint, exp no more than five minutes ahead and not past, jti never seen
before), then issues an access token. Tokens are HS256 JWTs signed with a secret the test FHIR
server also has (FHIR_AUTH_JWT_SECRET), so the FHIR server itself rejects expired ones.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME_S = 300
CLOCK_LEEWAY_S = 5


@dataclass
class RegisteredClient:
    client_id: str
    public_key_pem: str
    alg: str
    kid: str


@dataclass
class TokenServerState:
    secret: str
    clients: dict[str, RegisteredClient] = field(default_factory=dict)
    token_lifetime_s: float = 300.0  # the `exp` in the tokens (what the FHIR server enforces)
    advertised_expires_in: float | None = None  # what we tell the client (None: the truth)
    issued: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    seen_jti: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.token_lifetime_s = 300.0
            self.advertised_expires_in = None
            self.issued.clear()
            self.refusals.clear()


class SmartTokenServer:
    def __init__(self, secret: str) -> None:
        self.state = TokenServerState(secret=secret)
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                # The canonical URL of this endpoint is /token; /token-alias routes here too but
                # is not an accepted audience, which lets a test send a wrong `aud`.
                if self.path not in ("/token", "/token-alias"):
                    self._reply(404, {"error": "not_found"})
                    return
                status, body = issue(state, form, audience=f"{server_url}/token")
                self._reply(status, body)

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass  # keep test output quiet

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.url = server_url
        self.token_url = f"{server_url}/token"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def register(self, client: RegisteredClient) -> None:
        self.state.clients[client.client_id] = client

    def start(self) -> SmartTokenServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def issue(
    state: TokenServerState, form: dict[str, str], *, audience: str
) -> tuple[int, dict[str, Any]]:
    def refuse(reason: str, error: str = "invalid_client") -> tuple[int, dict[str, Any]]:
        with state.lock:
            state.refusals.append(reason)
        return (400 if error != "invalid_client" else 401), {
            "error": error,
            "error_description": reason,
        }

    if form.get("grant_type") != "client_credentials":
        return refuse("grant_type must be client_credentials", "unsupported_grant_type")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        return refuse("client_assertion_type", "invalid_request")
    assertion = form.get("client_assertion", "")
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return refuse("malformed assertion")
    client = state.clients.get(str(unverified.get("iss")))
    if client is None:
        return refuse("unknown client")
    if header.get("alg") != client.alg:
        return refuse("algorithm")
    if header.get("kid") != client.kid:
        return refuse("kid")
    try:
        claims = jwt.decode(
            assertion,
            client.public_key_pem,
            algorithms=[client.alg],
            audience=audience,
            issuer=client.client_id,
            leeway=CLOCK_LEEWAY_S,
            options={"require": ["exp", "iss", "sub", "aud", "jti"]},
        )
    except jwt.InvalidSignatureError:
        return refuse("signature")
    except jwt.ExpiredSignatureError:
        return refuse("expired")
    except jwt.InvalidAudienceError:
        return refuse("audience")
    except jwt.PyJWTError as exc:
        return refuse(f"invalid assertion: {type(exc).__name__}")
    now = time.time()
    if claims["sub"] != client.client_id:
        return refuse("sub")
    if claims["exp"] > now + MAX_ASSERTION_LIFETIME_S + CLOCK_LEEWAY_S:
        return refuse("exp too far ahead")
    with state.lock:
        if claims["jti"] in state.seen_jti:
            state.refusals.append("jti replay")
            return 401, {"error": "invalid_client", "error_description": "jti replay"}
        state.seen_jti.add(claims["jti"])
        lifetime = state.token_lifetime_s
        advertised = state.advertised_expires_in
    token = jwt.encode(
        {
            "sub": client.client_id,
            "scope": form.get("scope", ""),
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        },
        state.secret,
        algorithm="HS256",
    )
    with state.lock:
        state.issued.append(
            {"client_id": client.client_id, "jti": claims["jti"], "scope": form.get("scope", "")}
        )
    return 200, {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": advertised if advertised is not None else lifetime,
        "scope": form.get("scope", ""),
    }
