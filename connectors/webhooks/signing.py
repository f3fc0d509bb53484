"""Standard Webhooks signatures (https://www.standardwebhooks.com/): sign outbound, verify inbound.

Signing delegates the HMAC to the ``standardwebhooks`` library so receivers using it verify us by
construction. Rotation: every configured secret signs (space-separated ``v1,`` signatures), so a
receiver holding either the old or the new secret accepts the message during the overlap.

Inbound verification is our own (the library's tolerance is fixed at 5 minutes and it has no replay
protection): a configurable timestamp tolerance plus a guard that admits each ``webhook-id`` once.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets as _secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


class WebhookSecretError(ValueError):
    """A configured secret is not a usable Standard Webhooks secret."""


class InvalidWebhook(ValueError):
    """Missing headers, a bad or stale timestamp, or no matching signature."""


class ReplayedWebhook(InvalidWebhook):
    """A ``webhook-id`` that was already accepted (a replay or a duplicate)."""


def new_secret() -> str:
    """A fresh random secret in the ``whsec_<base64>`` form (24 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(24)).decode()


def _webhook(secret: str) -> Webhook:
    try:
        return Webhook(secret)
    except Exception as exc:
        raise WebhookSecretError(
            "webhook secrets are 'whsec_' followed by base64 bytes (see new_secret())"
        ) from exc


class WebhookSigner:
    """Signs payloads with every secret it holds (the first is the current one)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise WebhookSecretError("at least one signing secret is needed")
        self._hooks = [_webhook(secret) for secret in secrets]

    def signature(self, msg_id: str, timestamp: int, body: str) -> str:
        moment = datetime.fromtimestamp(timestamp, tz=UTC)
        return " ".join(hook.sign(msg_id, moment, body) for hook in self._hooks)

    def headers(self, msg_id: str, body: str, timestamp: int | None = None) -> dict[str, str]:
        stamp = int(timestamp if timestamp is not None else time.time())
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": self.signature(msg_id, stamp, body),
            "content-type": "application/json",
        }


class ReplayGuard(Protocol):
    def first_seen(self, msg_id: str, now: float, keep_until: float) -> bool:
        """Record ``msg_id``; True the first time it is seen, False for every later time."""


class MemoryReplayGuard:
    """In-process replay guard (one process only; the escalation service has a database-backed one)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_seen(self, msg_id: str, now: float, keep_until: float) -> bool:
        with self._lock:
            for key in [k for k, until in self._seen.items() if until < now]:
                del self._seen[key]
            if msg_id in self._seen:
                return False
            self._seen[msg_id] = keep_until
            return True


@dataclass(frozen=True)
class VerifiedWebhook:
    id: str
    timestamp: int
    payload: Any


class WebhookVerifier:
    """Checks inbound Standard Webhooks: headers, timestamp within tolerance, signature, replay."""

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        tolerance_s: float = 300.0,
        replay_guard: ReplayGuard | None = None,
        replay_window_s: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secrets:
            raise WebhookSecretError("at least one verification secret is needed")
        self._hooks = [_webhook(secret) for secret in secrets]
        self.tolerance_s = tolerance_s
        self.replay_guard = replay_guard if replay_guard is not None else MemoryReplayGuard()
        # An id must be remembered at least as long as its timestamp would still be accepted.
        self.replay_window_s = max(replay_window_s or 0.0, 2 * tolerance_s)
        self.clock = clock

    def verify(self, body: bytes | str, headers: Mapping[str, str]) -> VerifiedWebhook:
        text = body.decode("utf-8", errors="strict") if isinstance(body, bytes) else body
        lowered = {k.lower(): v for k, v in headers.items()}
        msg_id = lowered.get("webhook-id", "")
        stamp_text = lowered.get("webhook-timestamp", "")
        signatures = lowered.get("webhook-signature", "")
        if not (msg_id and stamp_text and signatures):
            raise InvalidWebhook("missing webhook-id, webhook-timestamp or webhook-signature")
        try:
            stamp = int(stamp_text)
        except ValueError:
            raise InvalidWebhook("webhook-timestamp is not an integer") from None
        now = self.clock()
        if abs(now - stamp) > self.tolerance_s:
            raise InvalidWebhook("webhook-timestamp is outside the accepted window")
        if not self._signature_matches(msg_id, stamp, text, signatures):
            raise InvalidWebhook("no matching signature")
        # Only a correctly signed message may consume its id (else anyone could block real ones).
        if not self.replay_guard.first_seen(msg_id, now, now + self.replay_window_s):
            raise ReplayedWebhook("this webhook-id was already received")
        try:
            payload = json.loads(text) if text else None
        except json.JSONDecodeError:
            raise InvalidWebhook("the body is not JSON") from None
        return VerifiedWebhook(id=msg_id, timestamp=stamp, payload=payload)

    def _signature_matches(self, msg_id: str, stamp: int, text: str, header: str) -> bool:
        moment = datetime.fromtimestamp(stamp, tz=UTC)
        expected = [
            base64.b64decode(hook.sign(msg_id, moment, text).split(",", 1)[1]) for hook in self._hooks
        ]
        for versioned in header.split():
            version, _, encoded = versioned.partition(",")
            if version != "v1" or not encoded:
                continue
            try:
                presented = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                continue
            if any(hmac.compare_digest(presented, candidate) for candidate in expected):
                return True
        return False
