"""Patient context for the conversation: consent-gated, cached, time-boxed and audited.

The assistant must answer promptly whatever the record server is doing, so a read never raises
for server trouble: past the time box, or when the server is down or refuses us, the caller gets
a degraded result with whatever arrived and a reason it can show the patient.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from connectors.fhir import queries as q
from connectors.fhir.assemble import Fetched, build_context
from connectors.fhir.audit import AuditEvent, AuditSink, InMemoryAuditSink, Outcome, now_utc
from connectors.fhir.cache import TTLCache
from connectors.fhir.client import FHIRClient
from connectors.fhir.config import FHIRConnectorConfig
from connectors.fhir.errors import ConsentRequired, FHIRRequestError
from connectors.fhir.models import PatientContext

log = logging.getLogger(__name__)
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")

#: What the patient is told when the record could not be (fully) read. No technical detail: the
#: patient cannot act on "HTTP 503", and it should not sound like their record is at fault.
UNREACHABLE = (
    "I couldn't reach your health record just now, so I'll go on what you tell me. "
    "Nothing is lost; I'll try again next time."
)
PARTIAL = (
    "I could only read part of your health record just now, so some details may be missing. "
    "Please tell me about anything important I might not see."
)
NOT_FOUND = "I couldn't find a health record for you, so I'll go on what you tell me."


class ContextResult(BaseModel):
    """One context read, as the engine sees it."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    context: PatientContext | None
    degraded: bool = False
    reason: str | None = None  # for the patient, set whenever `degraded`
    from_cache: bool = False
    missing: list[str] = []
    elapsed_ms: float = 0.0
    recent_vitals_hours: float = 48.0  # from the config: how old a vital may be for triage

    def triage_context(self, *, now: datetime | None = None) -> dict[str, Any] | None:
        """The plain dict triage takes (see `PatientContext.triage_context`), or None."""
        if self.context is None:
            return None
        return self.context.triage_context(now=now, recent_hours=self.recent_vitals_hours)

    def clinician_summary(self) -> str | None:
        return self.context.clinician_summary() if self.context else None


class PatientContextService:
    """Reads a patient's context from one FHIR server. Thread-safe; one per server per process."""

    def __init__(
        self,
        config: FHIRConnectorConfig,
        *,
        client: FHIRClient | None = None,
        audit: AuditSink | None = None,
        cache: TTLCache[PatientContext] | None = None,
        now: Callable[[], datetime] = now_utc,
    ) -> None:
        self.config = config
        # `is None` rather than `or`: an empty cache is falsy (it has a length).
        self.client = client if client is not None else FHIRClient(config)
        self._owns_client = client is None
        self.audit = audit if audit is not None else InMemoryAuditSink()
        self.cache = (
            cache if cache is not None else TTLCache(config.cache_ttl_s, config.cache_max_entries)
        )
        self._now = now

    def get(
        self,
        patient_id: str,
        *,
        purpose: str,
        actor: str,
        consent_given: bool,
        conversation_id: str | None = None,
    ) -> ContextResult:
        """The patient's context. Raises `ConsentRequired` (after auditing the refusal) without
        consent and `ValueError` for a malformed id; never raises for server trouble."""
        if not _FHIR_ID.fullmatch(patient_id or ""):
            raise ValueError("patient_id is not a FHIR id")

        def audit(outcome: Outcome, types: list[str], detail: str = "") -> bool:
            return self._record(
                AuditEvent(
                    when=self._now(),
                    actor=actor,
                    patient_id=patient_id,
                    resource_types=tuple(types),
                    purpose=purpose,
                    outcome=outcome,
                    server=self.config.base_url,
                    conversation_id=conversation_id,
                    detail=detail,
                )
            )

        if not consent_given:
            audit("refused_no_consent", [])
            raise ConsentRequired("the patient has not consented to their record being read")

        started = time.monotonic()
        key = self._key(patient_id)
        cached = self.cache.get(key)
        if cached is not None:
            if not audit("success_cached", cached.resource_types):
                return _unaudited(patient_id, started)
            return ContextResult(
                patient_id=patient_id,
                context=cached,
                from_cache=True,
                elapsed_ms=_ms_since(started),
                recent_vitals_hours=self.config.recent_vitals_hours,
            )

        fetched, errors = self._fetch(patient_id, deadline=started + self.config.time_box_s)
        elapsed = _ms_since(started)
        result, outcome, detail = self._result(patient_id, fetched, errors, elapsed)
        if not audit(outcome, result.context.resource_types if result.context else [], detail):
            return _unaudited(patient_id, started)
        log.info(
            "fhir context read: outcome=%s types=%s missing=%s elapsed_ms=%.0f",
            outcome,
            ",".join(result.context.resource_types) if result.context else "",
            ",".join(result.missing),
            elapsed,
        )
        if outcome == "success" and result.context is not None:
            self.cache.put(key, result.context)
        return result

    def invalidate(self, patient_id: str) -> None:
        """Forget the cached context (e.g. after writing to the patient's record)."""
        self.cache.pop(self._key(patient_id))

    def cached(self, patient_id: str) -> PatientContext | None:
        """The context already read for this patient, if still fresh; never reads the server
        (for emergencies, which must not wait). Not audited: the read it came from was."""
        return self.cache.get(self._key(patient_id))

    def _key(self, patient_id: str) -> tuple[str, str]:
        return (self.config.base_url, patient_id)

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    # -- internals -------------------------------------------------------------------------------

    def _fetch(
        self, patient_id: str, *, deadline: float
    ) -> tuple[Fetched, dict[str, BaseException]]:
        """Run the context queries in parallel and wait until they finish or the deadline passes.
        Queries still running then are abandoned (they stop at the same deadline by themselves)."""
        futures: dict[str, Future[Any]] = self.client.start(
            q.context_queries(patient_id, self.config), deadline=deadline
        )
        wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()))
        results: dict[str, Any] = {}
        errors: dict[str, BaseException] = {}
        for key, future in futures.items():
            if not future.done():
                future.cancel()
                errors[key] = TimeoutError("time box")
            elif future.cancelled():
                errors[key] = TimeoutError("cancelled")
            elif (exc := future.exception()) is not None:
                errors[key] = exc
            else:
                results[key] = future.result()
        return Fetched(results=results, failed=frozenset(errors)), errors

    def _result(
        self,
        patient_id: str,
        fetched: Fetched,
        errors: dict[str, BaseException],
        elapsed_ms: float,
    ) -> tuple[ContextResult, Outcome, str]:
        patient_error = errors.get(q.PATIENT)
        if isinstance(patient_error, FHIRRequestError) and patient_error.status_code in (404, 410):
            return _without_context(patient_id, NOT_FOUND, elapsed_ms), "not_found", ""
        # Failure kinds only (exception class names), never messages from the server.
        detail = ",".join(f"{k}:{type(e).__name__}" for k, e in sorted(errors.items()))
        if not fetched.results:
            missing = sorted({q.RESOURCE_TYPES[k] for k in errors})
            return _without_context(patient_id, UNREACHABLE, elapsed_ms, missing), "failed", detail
        try:
            context = build_context(patient_id, self.config.base_url, fetched, now=self._now())
        except Exception as exc:  # noqa: BLE001 - odd data must not break the conversation
            log.warning("fhir context assembly failed: %s", type(exc).__name__)
            return _without_context(patient_id, UNREACHABLE, elapsed_ms), "failed", f"assembly:{type(exc).__name__}"
        if errors:
            return (
                ContextResult(
                    patient_id=patient_id,
                    context=context,
                    degraded=True,
                    reason=PARTIAL,
                    missing=context.missing,
                    elapsed_ms=elapsed_ms,
                    recent_vitals_hours=self.config.recent_vitals_hours,
                ),
                "partial",
                detail,
            )
        return (
            ContextResult(
                patient_id=patient_id,
                context=context,
                elapsed_ms=elapsed_ms,
                recent_vitals_hours=self.config.recent_vitals_hours,
            ),
            "success",
            "",
        )

    def _record(self, event: AuditEvent) -> bool:
        # Fail closed: a read that cannot be audited is not disclosed (the caller gets a degraded
        # result), but the conversation itself carries on.
        try:
            self.audit.record(event)
        except Exception as exc:  # noqa: BLE001
            log.error("fhir audit sink failed: %s", type(exc).__name__)
            return False
        return True


def _without_context(patient_id: str, reason: str, elapsed_ms: float, missing: list[str] | None = None) -> ContextResult:
    """A degraded result that discloses nothing from the record."""
    return ContextResult(
        patient_id=patient_id, context=None, degraded=True, reason=reason, missing=missing or [], elapsed_ms=elapsed_ms
    )


def _unaudited(patient_id: str, started: float) -> ContextResult:
    return _without_context(patient_id, UNREACHABLE, _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000.0
