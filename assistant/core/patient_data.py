"""The engine's ``PatientData`` capability: the patient's record (FHIR) and their wearable summary.

Reads happen only with the patient's consent (the caller passes what the conversation recorded),
every read is audited by the FHIR connector, and the conversation never waits longer than the
connector's time box. Nothing here raises for record-server trouble: the patient is told the data
is unavailable and the conversation goes on.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.core.capabilities import PatientDataReply

log = logging.getLogger(__name__)

ACTOR = "assistant"


class FHIRPatientData:
    """Record context and wearable summaries from one FHIR server (``connectors.fhir``)."""

    def __init__(
        self,
        context_service: Any,  # connectors.fhir.PatientContextService
        *,
        wearables: Any | None = None,  # WearableReader (below), or None to skip wearables
        writeback: Any | None = None,  # connectors.fhir.TriageWriteBack, or None
    ) -> None:
        self.context = context_service
        self.wearables = wearables
        self.writeback = writeback
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="patient-data")

    # -- the PatientData protocol ---------------------------------------------------------------
    def patient_summary(
        self, patient_id: str, *, conversation_id: str, consent_given: bool
    ) -> PatientDataReply:
        """What the patient sees when they ask about their own data: their wearable summary in
        plain words, and what the record holds, briefly."""
        result, wearable = self._read_both(patient_id, conversation_id, consent_given, "ask_my_data")
        parts: list[str] = []
        if wearable is not None:
            parts.append(wearable.for_patient())
        if result is not None and result.context is not None:
            parts.append(_record_for_patient(result.context))
        degraded = result is None or result.degraded
        message = (result.reason if result is not None else "") or ""
        if degraded and message:
            parts.append(message)
        text = "\n\n".join(p for p in parts if p) or None
        return PatientDataReply(
            text=text,
            degraded=degraded,
            message=message,
            context=result.triage_context() if result is not None and result.context else None,
        )

    def triage_context(
        self, patient_id: str, *, conversation_id: str, consent_given: bool, actor: str = ACTOR
    ) -> dict[str, Any] | None:
        """Plain facts for the triage policy: record facts, plus wearable signals (e.g. a low
        SpO2 overnight) where the record has no recent reading of its own."""
        result, wearable = self._read_both(patient_id, conversation_id, consent_given, "triage", actor)
        context: dict[str, Any] = {}
        if result is not None and result.context is not None:
            context.update(result.triage_context())
        if wearable is not None:
            # Deviations only: a device's recent lowest SpO2 is not a reading taken now, so it
            # never stands in for the acute vitals the red-flag rules read (the policy weighs it).
            signals = wearable.triage_signals()
            context["wearable_deviations"] = list(signals.get("wearable_deviations", []))
        return context or None

    def clinician_packet(
        self, patient_id: str, *, conversation_id: str, consent_given: bool, cached_only: bool = False
    ) -> dict[str, Any] | None:
        """The record and wearable summaries for an escalation packet. ``cached_only`` is for
        emergencies: they are escalated at once, with whatever this conversation already read."""
        if cached_only:
            cached = self.context.cached(patient_id)
            wearable = self.wearables.cached(patient_id) if self.wearables is not None else None
            packet = {
                "patient_context": cached.clinician_summary() if cached is not None else None,
                "wearables": wearable.for_clinician() if wearable is not None else None,
            }
            return packet if any(packet.values()) else None
        result, wearable = self._read_both(
            patient_id, conversation_id, consent_given, "clinician_escalation"
        )
        packet = {
            "patient_context": result.clinician_summary() if result is not None else None,
            "wearables": wearable.for_clinician() if wearable is not None else None,
        }
        return packet if any(packet.values()) else None

    def write_triage_outcome(
        self, patient_id: str, outcome: dict[str, Any], *, conversation_id: str
    ) -> list[str]:
        """Write the disposition back to the record when configured; never fails the turn."""
        if self.writeback is None:
            return []
        try:
            written = self.writeback.write(patient_id, outcome, conversation_id=conversation_id)
            self.context.invalidate(patient_id)
            return list(written.ids)
        except Exception:  # noqa: BLE001 - the patient already has their advice
            log.warning("triage write-back failed")
            return []

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.context.close()

    # -- internals ------------------------------------------------------------------------------
    def _read_both(
        self, patient_id: str, conversation_id: str, consent_given: bool, purpose: str, actor: str = ACTOR
    ) -> tuple[Any, Any]:
        """The record context and the wearable summary, read in parallel within one time box."""
        wearable_job = None
        if self.wearables is not None and consent_given:
            wearable_job = self._pool.submit(
                self.wearables.summary,
                patient_id,
                conversation_id=conversation_id or None,
                purpose=purpose,
                actor=actor,
            )
        started = time.monotonic()
        result = self.context.get(
            patient_id,
            purpose=purpose,
            actor=actor,
            consent_given=consent_given,
            conversation_id=conversation_id or None,
        )
        wearable = None
        if wearable_job is not None:
            remaining = max(0.05, self.context.config.time_box_s - (time.monotonic() - started))
            try:
                wearable = wearable_job.result(timeout=remaining)
            except Exception:  # noqa: BLE001 - timeouts and server trouble: no wearable summary
                log.info("wearable summary unavailable for this turn")
        return result, wearable


class WearableReader:
    """Wearable Observations for one patient from the FHIR server, summarised.

    Reads the recent + baseline windows of the wearable LOINC codes, audited like any record read.
    """

    def __init__(
        self,
        client: Any,
        audit: Any,
        *,
        recent_days: int = 7,
        baseline_days: int = 28,
        cache_ttl_s: float = 300.0,
    ) -> None:
        from connectors.fhir.cache import TTLCache

        self.client = client  # connectors.fhir.FHIRClient
        self.audit = audit  # connectors.fhir.AuditSink
        self.recent_days = recent_days
        self.baseline_days = baseline_days
        # Each interview turn asks again; a summary of weeks of data does not change in minutes.
        self.cache: TTLCache[Any] = TTLCache(cache_ttl_s, 256)

    def cached(self, patient_id: str) -> Any:
        """The summary already made for this patient, if still fresh (never reads the server)."""
        return self.cache.get(patient_id)

    def summary(
        self, patient_id: str, *, conversation_id: str | None, purpose: str, actor: str = ACTOR
    ) -> Any:
        from connectors.fhir import AuditEvent
        from connectors.wearables import ParseReport, samples_from_resources, summarise

        now = datetime.now(UTC)

        def audit(outcome: str, detail: str) -> None:
            self.audit.record(
                AuditEvent(
                    when=now,
                    actor=actor,
                    patient_id=patient_id,
                    resource_types=("Observation",) if outcome != "failed" else (),
                    purpose=f"{purpose}:wearables",
                    outcome=outcome,  # type: ignore[arg-type]
                    server=self.client.base_url,
                    conversation_id=conversation_id,
                    detail=detail,
                )
            )

        cached = self.cache.get(patient_id)
        if cached is not None:
            audit("success_cached", "wearable summary")
            return cached
        since = now - timedelta(days=self.recent_days + self.baseline_days + 1)
        outcome, resources = "failed", []
        try:
            resources, truncated = self.client.search_raw(
                "Observation",
                # Subject and date only: servers index those, while a long code list can be slow
                # to evaluate (5x here); the readers keep only the wearable LOINC codes anyway.
                {"subject": f"Patient/{patient_id}", "date": f"ge{since.date().isoformat()}", "_count": "1000"},
                max_pages=50,
                deadline=time.monotonic() + self.client.config.time_box_s,
            )
            outcome = "partial" if truncated else "success"
        finally:
            audit(outcome, f"{len(resources)} wearable observations")
        if not resources:
            return None
        report = ParseReport()
        summary = summarise(
            samples_from_resources(resources, report=report),
            as_of=now,
            recent_days=self.recent_days,
            baseline_days=self.baseline_days,
            report=report,
        )
        if not summary.has_data:
            return None
        if outcome == "success":  # a truncated read is summarised again next time
            self.cache.put(patient_id, summary)
        return summary


def _record_for_patient(context: Any) -> str:
    """A short, friendly list of what the record holds (the clinician gets the coded version)."""
    lines = []
    if context.conditions:
        lines.append("Conditions on your record: " + ", ".join(c.display for c in context.conditions[:6]) + ".")
    if context.medications:
        lines.append("Medicines on your record: " + ", ".join(m.display for m in context.medications[:6]) + ".")
    if context.allergies:
        lines.append("Allergies on your record: " + ", ".join(a.display for a in context.allergies[:6]) + ".")
    if not lines:
        return "Your record doesn't list any current conditions, medicines or allergies."
    lines.append("If anything here looks wrong, please tell your care team.")
    return " ".join(lines)


def build_patient_data(settings: Any, audit: Any) -> FHIRPatientData | None:
    """From ``VHA_FHIR_*`` settings; None when no FHIR server is configured."""
    if not settings.fhir_base_url:
        return None
    from connectors.fhir import (
        FHIRClient,
        FHIRConnectorConfig,
        PatientContextService,
        TriageWriteBack,
    )

    values: dict[str, Any] = {
        "base_url": settings.fhir_base_url,
        "auth_mode": settings.fhir_auth,
        "alg": settings.fhir_jwt_alg,
        "time_box_s": settings.fhir_time_box_s,
        "read_timeout_s": settings.fhir_read_timeout_s,
        "max_retries": settings.fhir_max_retries,
        "cache_ttl_s": settings.fhir_cache_ttl_s,
    }
    # Optional settings left empty keep the connector's own defaults.
    optional = {
        "token": settings.fhir_token,
        "client_id": settings.fhir_client_id,
        "private_key_path": settings.fhir_private_key_path,
        "kid": settings.fhir_key_id,
        "token_url": settings.fhir_token_url,
        "scope": settings.fhir_scope,
    }
    values.update({key: value for key, value in optional.items() if value})
    config = FHIRConnectorConfig(**values)
    client = FHIRClient(config)
    service = PatientContextService(config, client=client, audit=audit)
    wearables = WearableReader(
        client,
        audit,
        recent_days=settings.wearable_recent_days,
        baseline_days=settings.wearable_baseline_days,
        cache_ttl_s=settings.fhir_cache_ttl_s,
    )
    writeback = TriageWriteBack(client) if settings.fhir_writeback else None
    return FHIRPatientData(service, wearables=wearables, writeback=writeback)
