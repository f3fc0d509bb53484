"""Send one signed webhook and classify the answer: delivered, retry (and when), or give up."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from connectors.webhooks.signing import WebhookSigner

#: Client errors that no retry can fix (the receiver's config must change); everything else retries.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413, 415, 422})


@dataclass(frozen=True)
class DeliveryOutcome:
    delivered: bool
    status_code: int | None = None
    retry_after_s: float | None = None  # the receiver's Retry-After, when it sent one
    permanent: bool = False  # retrying will not help
    error: str = ""  # short, PHI-free description
    duration_ms: float = 0.0


def send_webhook(
    client: httpx.Client,
    url: str,
    *,
    msg_id: str,
    body: str,
    signer: WebhookSigner,
    timestamp: int | None = None,
    extra_headers: dict[str, str] | None = None,
) -> DeliveryOutcome:
    """POST ``body`` to ``url`` with Standard Webhooks headers; never raises for network trouble."""
    headers = signer.headers(msg_id, body, timestamp) | (extra_headers or {})
    started = time.perf_counter()
    try:
        response = client.post(url, content=body.encode("utf-8"), headers=headers)
    except httpx.HTTPError as exc:
        return DeliveryOutcome(
            delivered=False,
            error=type(exc).__name__,
            duration_ms=(time.perf_counter() - started) * 1000,
        )
    elapsed = (time.perf_counter() - started) * 1000
    status = response.status_code
    if 200 <= status < 300:
        return DeliveryOutcome(delivered=True, status_code=status, duration_ms=elapsed)
    return DeliveryOutcome(
        delivered=False,
        status_code=status,
        retry_after_s=parse_retry_after(response.headers.get("retry-after")),
        permanent=status in PERMANENT_STATUSES,
        error=f"HTTP {status}",
        duration_ms=elapsed,
    )


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - (now if now is not None else time.time()))
