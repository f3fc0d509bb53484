"""Bounded retries with backoff, shared by FHIR requests and token requests.

Retryable: connection errors, timeouts, 429 and 5xx. Everything else is the caller's to judge.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from connectors.fhir.errors import FHIRUnavailable

#: Statuses worth another try: rate limiting and server-side trouble.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    backoff_base_s: float = 0.1
    backoff_max_s: float = 2.0
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 5.0

    def backoff(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry number `attempt` (1-based): the server's Retry-After when
        it gives one (capped), else exponential with full jitter so parallel callers spread out."""
        if retry_after is not None:
            try:
                return min(max(float(retry_after), 0.0), self.backoff_max_s)
            except ValueError:
                pass  # an HTTP date; fall back to our own schedule
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)


def remaining(deadline: float | None) -> float | None:
    """Seconds left before a `time.monotonic()` deadline (None: no deadline)."""
    return None if deadline is None else deadline - time.monotonic()


def send_with_retries(
    send: Callable[..., httpx.Response],
    policy: RetryPolicy,
    *,
    deadline: float | None = None,
    what: str = "request",
) -> httpx.Response:
    """Call `send(timeout=…)` until it returns a response that is not a retryable status, or the retries or
    the deadline run out. Connection errors and timeouts count as retryable. Never sleeps past the
    deadline: a time-boxed caller has stopped waiting by then, so more attempts would be wasted."""
    attempt = 0
    while True:
        left = remaining(deadline)
        if left is not None and left <= 0:
            raise FHIRUnavailable(f"{what}: time box exhausted")
        timeout = httpx.Timeout(
            connect=_cap(policy.connect_timeout_s, left),
            read=_cap(policy.read_timeout_s, left),
            write=_cap(policy.read_timeout_s, left),
            pool=_cap(policy.connect_timeout_s, left),
        )
        retry_after: str | None = None
        try:
            response = send(timeout=timeout)
        except httpx.TransportError as exc:
            failure = f"{what}: {type(exc).__name__}"
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            failure = f"{what}: HTTP {response.status_code}"
            retry_after = response.headers.get("Retry-After")
        attempt += 1
        if attempt > policy.max_retries:
            raise FHIRUnavailable(failure)
        pause = policy.backoff(attempt, retry_after)
        left = remaining(deadline)
        if left is not None and pause >= left:
            raise FHIRUnavailable(f"{failure} (no time left to retry)")
        time.sleep(pause)


def _cap(value: float, left: float | None) -> float:
    return value if left is None else max(0.001, min(value, left))
