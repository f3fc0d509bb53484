"""The outbox worker: delivers escalation jobs with retries, and re-routes escalations past their SLA.

Delivery is at-least-once and crash-safe:

1. *Claim* a batch in one statement: ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``
   sets ``status='delivering'``, a lease and the worker's token. Several workers (threads or
   processes) share the outbox without taking the same job; on SQLite the single statement is
   atomic too.
2. *Send* each job (signed, ``webhook-id`` = job id, identical body on every attempt), in parallel.
3. *Record* each result at once in its own transaction: delivered; or back to pending with
   exponential backoff + jitter (or the receiver's ``Retry-After``); or dead-lettered after the last
   attempt (or a permanent 4xx), which logs an error, counts a metric and flags the escalation.

A worker killed between 2 and 3 leaves its jobs ``delivering``; once the lease runs out any worker
claims them again, so nothing is lost and the duplicates are exactly what receivers dedupe by
``webhook-id``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from assistant.config import Settings
from assistant.escalations.endpoints import EndpointDirectory
from assistant.escalations.fhir import FhirWriter
from assistant.escalations.metrics import METRICS, Metrics
from assistant.escalations.models import (
    DEAD,
    DELIVERED,
    DELIVERING,
    PENDING,
    AuditRow,
    DeliveryLogRow,
    EscalationRow,
    OutboxJobRow,
)
from connectors.webhooks import DeliveryOutcome, send_webhook

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    poll_interval_s: float = 0.5
    batch_size: int = 50
    concurrency: int = 8
    max_attempts: int = 40
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 30.0
    retry_after_cap_s: float = 3600.0
    http_timeout_s: float = 10.0
    lease_s: float = 30.0
    reroute_every_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerConfig:
        return cls(
            poll_interval_s=settings.escalation_poll_interval_s,
            batch_size=settings.escalation_batch_size,
            concurrency=settings.escalation_delivery_concurrency,
            max_attempts=settings.escalation_max_attempts,
            backoff_base_s=settings.escalation_backoff_base_s,
            backoff_cap_s=settings.escalation_backoff_cap_s,
            retry_after_cap_s=settings.escalation_retry_after_cap_s,
            http_timeout_s=settings.escalation_http_timeout_s,
            lease_s=settings.escalation_lease_s,
            reroute_every_s=min(5.0, max(settings.escalation_poll_interval_s, 0.5)),
        )

    @property
    def effective_lease_s(self) -> float:
        # A lease shorter than a slow delivery would let a second worker send the job concurrently.
        return max(self.lease_s, self.http_timeout_s + 1.0)


def backoff_delay(attempts: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with 'equal jitter': half fixed, half random, capped."""
    ceiling = min(cap, base * (2 ** max(0, attempts - 1)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class ClaimedJob:
    id: str
    token: str
    kind: str
    escalation_id: str
    endpoint_url: str
    body: str
    attempts: int


class OutboxWorker:
    def __init__(
        self,
        sessions: sessionmaker,
        endpoints: EndpointDirectory,
        config: WorkerConfig = WorkerConfig(),
        *,
        rerouter: Callable[[], object] | None = None,
        fhir_writer: FhirWriter | None = None,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        metrics: Metrics = METRICS,
        worker_id: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.endpoints = endpoints
        self.config = config
        self.rerouter = rerouter
        self.fhir_writer = fhir_writer
        self.clock = clock
        self.rng = rng or random.Random()
        self.metrics = metrics
        self.worker_id = (worker_id or f"{socket.gethostname()}:{os.getpid()}")[:40]
        self._own_http = http is None
        self.http = http or httpx.Client(
            timeout=httpx.Timeout(config.http_timeout_s),
            limits=httpx.Limits(max_connections=config.concurrency * 2),
        )
        self._pool = ThreadPoolExecutor(max_workers=max(1, config.concurrency), thread_name_prefix="outbox")
        self._wake = threading.Event()
        self._last_reroute = 0.0

    # -- running ------------------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set: claim and deliver; sleep a poll interval (or until woken)."""
        log.info("escalation outbox worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                busy = self.run_once()
            except OperationalError:
                # SQLite 'database is locked' or a PostgreSQL restart: try again next round.
                log.warning("outbox worker: database unavailable, retrying")
                busy = 0
            except Exception:
                log.exception("outbox worker round failed")
                busy = 0
            if busy >= self.config.batch_size:
                continue  # more waiting: go straight on
            self._wake.wait(self.config.poll_interval_s)
            self._wake.clear()
        log.info("escalation outbox worker %s stopped", self.worker_id)

    def run_once(self) -> int:
        """One round: re-route overdue escalations (now and then), deliver one batch. Returns jobs done."""
        now = self.clock()
        if self.rerouter is not None and now - self._last_reroute >= self.config.reroute_every_s:
            self._last_reroute = now
            self.rerouter()
        jobs = self.claim()
        if not jobs:
            return 0
        list(self._pool.map(self.deliver, jobs))
        return len(jobs)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._own_http:
            self.http.close()

    # -- steps --------------------------------------------------------------------------------------
    def claim(self) -> list[ClaimedJob]:
        now = self.clock()
        token = f"{self.worker_id}:{secrets.token_hex(4)}"
        due = or_(
            and_(OutboxJobRow.status == PENDING, OutboxJobRow.next_attempt_at <= now),
            and_(OutboxJobRow.status == DELIVERING, OutboxJobRow.lease_until < now),
        )
        pick = (
            select(OutboxJobRow.id)
            .where(due)
            .order_by(OutboxJobRow.priority, OutboxJobRow.next_attempt_at)
            .limit(self.config.batch_size)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(OutboxJobRow)
            .where(OutboxJobRow.id.in_(pick), due)
            .values(
                status=DELIVERING,
                lease_until=now + self.config.effective_lease_s,
                locked_by=token,
                attempts=OutboxJobRow.attempts + 1,
            )
            .returning(
                OutboxJobRow.id,
                OutboxJobRow.kind,
                OutboxJobRow.escalation_id,
                OutboxJobRow.endpoint_url,
                OutboxJobRow.body,
                OutboxJobRow.attempts,
                OutboxJobRow.priority,
            )
            .execution_options(synchronize_session=False)
        )
        with self.sessions.begin() as session:
            rows = session.execute(statement).all()
        rows = sorted(rows, key=lambda r: (r.priority, r.id))
        return [
            ClaimedJob(r.id, token, r.kind, r.escalation_id, r.endpoint_url, r.body, r.attempts) for r in rows
        ]

    def deliver(self, job: ClaimedJob) -> DeliveryOutcome:
        outcome = self._send(job)
        try:
            self.record(job, outcome)
        except Exception:
            log.exception("could not record the outcome of outbox job %s", job.id)
        return outcome

    def _send(self, job: ClaimedJob) -> DeliveryOutcome:
        if job.kind == "fhir":
            return self._send_fhir(job)
        try:
            signer = self.endpoints.signer_for(job.endpoint_url)
        except ValueError as exc:
            return DeliveryOutcome(delivered=False, error=f"signing: {exc}"[:200])
        return send_webhook(self.http, job.endpoint_url, msg_id=job.id, body=job.body, signer=signer)

    def _send_fhir(self, job: ClaimedJob) -> DeliveryOutcome:
        if self.fhir_writer is None:
            return DeliveryOutcome(delivered=False, error="no FHIR writer configured")
        started = time.perf_counter()
        try:
            self.fhir_writer.create(json.loads(job.body))
        except Exception as exc:  # noqa: BLE001 - retried like any failed delivery
            return DeliveryOutcome(delivered=False, error=f"FHIR: {type(exc).__name__}")
        return DeliveryOutcome(delivered=True, duration_ms=(time.perf_counter() - started) * 1000)

    def record(self, job: ClaimedJob, outcome: DeliveryOutcome) -> str:
        """Write the attempt's result; returns ``delivered``, ``retry`` or ``dead``."""
        now = self.clock()
        if outcome.delivered:
            result = "delivered"
            values: dict[str, object] = {
                "status": DELIVERED, "delivered_at": now, "lease_until": None,
                "last_status": outcome.status_code, "last_error": None,
            }
        elif outcome.permanent or job.attempts >= self.config.max_attempts:
            result = "dead"
            values = {"status": DEAD, "lease_until": None, "last_status": outcome.status_code,
                      "last_error": outcome.error[:200]}
        else:
            result = "retry"
            if outcome.retry_after_s is not None:
                delay = min(max(outcome.retry_after_s, 0.0), self.config.retry_after_cap_s)
            else:
                delay = backoff_delay(job.attempts, self.config.backoff_base_s, self.config.backoff_cap_s, self.rng)
            values = {"status": PENDING, "next_attempt_at": now + delay, "lease_until": None,
                      "last_status": outcome.status_code, "last_error": outcome.error[:200]}

        with self.sessions.begin() as session:
            changed = session.execute(
                update(OutboxJobRow)
                .where(
                    OutboxJobRow.id == job.id,
                    OutboxJobRow.locked_by == job.token,
                    OutboxJobRow.status == DELIVERING,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            session.add(
                DeliveryLogRow(
                    job_id=job.id, attempt=job.attempts, at=now, worker=self.worker_id, outcome=result,
                    status_code=outcome.status_code, error=outcome.error[:200] or None,
                    duration_ms=outcome.duration_ms,
                )
            )
            if result == "dead" and changed:
                self._flag_dead_letter(session, job, outcome, now)
        self.metrics.inc("vha_escalation_deliveries_total", outcome=result)
        if outcome.duration_ms:
            self.metrics.inc("vha_escalation_delivery_seconds_sum", outcome.duration_ms / 1000)
            self.metrics.inc("vha_escalation_delivery_seconds_count")
        if result == "dead" and changed:
            self.metrics.inc("vha_escalation_dead_letters_total")
            log.error(
                "ALERT escalation delivery dead-lettered: job=%s escalation=%s attempts=%d last=%s",
                job.id, job.escalation_id, job.attempts, outcome.error or outcome.status_code,
            )
        if result == "delivered" and job.attempts > 1:
            self._endpoint_recovered(job.endpoint_url, now)
        return result

    def _flag_dead_letter(self, session, job: ClaimedJob, outcome: DeliveryOutcome, now: float) -> None:  # type: ignore[no-untyped-def]
        reason = f"webhook delivery failed after {job.attempts} attempt(s): {outcome.error or outcome.status_code}"
        session.execute(
            update(EscalationRow)
            .where(EscalationRow.id == job.escalation_id)
            .values(flagged=True, flag_reason=reason[:200])
            .execution_options(synchronize_session=False)
        )
        session.add(
            AuditRow(
                escalation_id=job.escalation_id, at=now, actor=f"worker:{self.worker_id}",
                action="delivery_dead_lettered", detail={"job": job.id, "attempts": job.attempts},
            )
        )

    def _endpoint_recovered(self, url: str, now: float) -> None:
        """A receiver answered again after failures: retry its backlog now instead of after backoff."""
        with self.sessions.begin() as session:
            pulled = session.execute(
                update(OutboxJobRow)
                .where(
                    OutboxJobRow.endpoint_url == url,
                    OutboxJobRow.status == PENDING,
                    OutboxJobRow.next_attempt_at > now,
                )
                .values(next_attempt_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
        if pulled:
            log.info("endpoint back: %d waiting job(s) brought forward", pulled)
            self.wake()


# -- running it --------------------------------------------------------------------------------------
class BackgroundWorker:
    """The worker on a daemon thread (the API process starts one when enabled)."""

    def __init__(self, worker: OutboxWorker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=worker.run, args=(self._stop,), name="escalation-outbox", daemon=True)

    def start(self) -> BackgroundWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.worker.wake()
        self._thread.join(timeout)
        self.worker.close()


def run_worker(settings: Settings, *, stop: threading.Event | None = None) -> None:
    """Run the outbox worker in the foreground until SIGINT/SIGTERM (``vha worker``)."""
    from assistant.escalations.runtime import build_escalation_service, build_worker

    service = build_escalation_service(settings)
    worker = build_worker(settings, service)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    try:
        worker.run(stop)
    finally:
        worker.close()


if __name__ == "__main__":  # pragma: no cover - `python -m assistant.escalations.worker`
    from assistant.config import get_settings

    logging.basicConfig(level=os.environ.get("VHA_LOG_LEVEL", "INFO"))
    run_worker(get_settings())
