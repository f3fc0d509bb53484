"""The context service as the conversation uses it: consent, cache, audit, and what happens when
the record server is slow, failing, stopped or unreachable (always an answer, within the time box)."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest

from connectors.fhir import (
    ConsentRequired,
    FHIRConnectorConfig,
    InMemoryAuditSink,
    JsonlAuditSink,
    PatientContextService,
)
from connectors.fhir.cache import TTLCache
from connectors.fhir.context import NOT_FOUND, PARTIAL, UNREACHABLE
from tests.fhir_server.fixtures import LoadedServer
from tests.fhir_server.harness import load_bundles, start_fhir_server, synthea_files
from tests.shared_data import SHARED_DIR


def some_patient(server: LoadedServer):
    return next(p for p in server.patients.values() if p.active_condition_codes and not p.deceased)


def service_for(config: FHIRConnectorConfig, audit=None) -> PatientContextService:
    return PatientContextService(config, audit=audit or InMemoryAuditSink())


def get(service: PatientContextService, patient_id: str, **kwargs):
    return service.get(
        patient_id, purpose="triage", actor="assistant", consent_given=True, **kwargs
    )


# -- consent -------------------------------------------------------------------------------------


def test_no_consent_no_read(controlled_server: LoadedServer) -> None:
    patient = some_patient(controlled_server)
    audit = InMemoryAuditSink()
    service = service_for(controlled_server.config(), audit)
    with pytest.raises(ConsentRequired):
        service.get(patient.server_id, purpose="triage", actor="assistant", consent_given=False)
    service.close()
    assert controlled_server.server.stats()["requests"] == 0  # the server was never asked
    [event] = audit.events
    assert event.outcome == "refused_no_consent"
    assert event.resource_types == ()
    assert event.patient_id == patient.server_id


# -- audit and cache -----------------------------------------------------------------------------


def test_every_read_is_audited_and_cached_reads_say_so(
    controlled_server: LoadedServer, tmp_path: Path
) -> None:
    patient = some_patient(controlled_server)
    sink = JsonlAuditSink(tmp_path / "audit" / "fhir.jsonl")
    service = service_for(controlled_server.config(cache_ttl_s=60), sink)
    first = get(service, patient.server_id, conversation_id="conv-1")
    requests_after_first = controlled_server.server.stats()["requests"]
    second = service.get(
        patient.server_id, purpose="clinician_summary", actor="clinician-7", consent_given=True
    )
    service.close()

    assert not first.from_cache and second.from_cache
    assert second.context == first.context
    assert controlled_server.server.stats()["requests"] == requests_after_first  # no new HTTP
    events = sink.read()
    assert [e["outcome"] for e in events] == ["success", "success_cached"]
    assert events[0]["conversation_id"] == "conv-1"
    assert events[1]["actor"] == "clinician-7" and events[1]["purpose"] == "clinician_summary"
    assert set(events[0]["resource_types"]) >= {"Patient", "Condition", "Observation", "Encounter"}
    assert events[1]["resource_types"] == events[0]["resource_types"]
    assert events[0]["patient_id"] == patient.server_id
    assert events[0]["server"] == controlled_server.base_url


def test_cache_expires_and_is_bounded(controlled_server: LoadedServer) -> None:
    now = [0.0]
    cache = TTLCache(ttl_s=30, max_entries=2, clock=lambda: now[0])
    service = PatientContextService(
        controlled_server.config(), audit=InMemoryAuditSink(), cache=cache
    )
    a, b, c = [p.server_id for p in list(controlled_server.patients.values())[:3]]
    assert not get(service, a).from_cache
    assert get(service, a).from_cache
    now[0] = 31.0  # past the TTL
    assert not get(service, a).from_cache
    get(service, b)
    get(service, c)  # evicts a, the least recently used
    assert len(cache) == 2
    assert not get(service, a).from_cache
    service.invalidate(a)
    assert not get(service, a).from_cache
    service.close()


def test_a_failing_audit_sink_means_no_disclosure(fhir_server: LoadedServer) -> None:
    class BrokenSink:
        def record(self, event) -> None:
            raise OSError("disk full")

    service = PatientContextService(fhir_server.config(cache_ttl_s=0), audit=BrokenSink())
    result = get(service, some_patient(fhir_server).server_id)
    service.close()
    assert result.degraded and result.context is None


def test_logs_carry_no_patient_data(
    fhir_server: LoadedServer, caplog: pytest.LogCaptureFixture
) -> None:
    patient = some_patient(fhir_server)
    service = service_for(fhir_server.config(cache_ttl_s=0))
    with caplog.at_level(logging.DEBUG, logger="connectors.fhir"):
        result = get(service, patient.server_id)
    service.close()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "fhir context read" in text
    assert patient.server_id not in text
    for condition in result.context.conditions:
        assert condition.display not in text


# -- degradation ---------------------------------------------------------------------------------


def test_unreachable_server_gives_a_degraded_answer_in_time(unused_port_url: str) -> None:
    audit = InMemoryAuditSink()
    service = service_for(FHIRConnectorConfig(base_url=unused_port_url, time_box_s=1.5), audit)
    started = time.monotonic()
    result = get(service, "any-patient")
    elapsed = time.monotonic() - started
    service.close()
    assert elapsed < 1.6
    assert result.degraded and result.context is None
    assert result.reason == UNREACHABLE
    assert "couldn't reach your health record" in result.reason
    assert audit.events[-1].outcome == "failed"


def test_slow_server_the_time_box_holds(controlled_server: LoadedServer) -> None:
    patient = some_patient(controlled_server)
    controlled_server.server.control(delay_ms=3000)
    service = service_for(controlled_server.config(time_box_s=0.5, cache_ttl_s=0))
    started = time.monotonic()
    result = get(service, patient.server_id)
    elapsed = time.monotonic() - started
    service.close()
    assert elapsed < 0.85
    assert result.degraded and result.reason == UNREACHABLE and result.context is None


def test_one_slow_resource_type_leaves_the_rest(controlled_server: LoadedServer) -> None:
    patient = some_patient(controlled_server)
    controlled_server.server.control(delay_by_type={"Observation": 5000})
    audit = InMemoryAuditSink()
    # A time box wide enough for the other resource types on a busy 2-core machine, far short of
    # the slow one's delay.
    service = service_for(controlled_server.config(time_box_s=1.5, cache_ttl_s=60), audit)
    started = time.monotonic()
    result = get(service, patient.server_id)
    assert time.monotonic() - started < 2.0
    assert result.degraded and result.reason == PARTIAL
    assert result.missing == ["Observation"]
    context = result.context
    assert context is not None and context.age_years is not None  # what did arrive is used
    assert {c.codes[0].code for c in context.conditions} == patient.active_condition_codes
    assert context.vitals == []
    assert "Observation" in context.clinician_summary().splitlines()[-1]
    assert audit.events[-1].outcome == "partial"
    assert "Observation" not in audit.events[-1].resource_types
    # A partial context is not cached: the next read tries the server again.
    controlled_server.server.control(reset=True)
    again = get(service, patient.server_id)
    service.close()
    assert not again.from_cache and not again.degraded and again.context.vitals


def test_server_errors_on_one_type_degrade_only_that_type(controlled_server: LoadedServer) -> None:
    patient = some_patient(controlled_server)
    controlled_server.server.control(fail_by_type={"Encounter": 503})
    service = service_for(controlled_server.config(cache_ttl_s=0, backoff_base_s=0.01))
    result = get(service, patient.server_id)
    service.close()
    assert result.degraded and result.missing == ["Encounter"]
    assert result.context.vitals and result.context.encounters == []


def test_unknown_patient_is_not_found(fhir_server: LoadedServer) -> None:
    audit = InMemoryAuditSink()
    service = service_for(fhir_server.config(cache_ttl_s=0), audit)
    result = get(service, "no-such-patient")
    service.close()
    assert result.context is None and result.reason == NOT_FOUND
    assert audit.events[-1].outcome == "not_found"


def test_server_stopped_mid_read(tmp_path: Path) -> None:
    """A server that goes away while the queries are in flight: the answer still comes, within
    the time box, with what had arrived; the next read finds nothing and says so."""
    server = start_fhir_server()
    try:
        ids = load_bundles(server.base_url, synthea_files(SHARED_DIR)[:1])
        patient_id = next(iter(ids.values()))
        server.control(delay_by_type={"Observation": 5000})
        audit = JsonlAuditSink(tmp_path / "audit.jsonl")
        service = service_for(
            FHIRConnectorConfig(
                base_url=server.base_url, time_box_s=1.5, cache_ttl_s=0, backoff_base_s=0.01
            ),
            audit,
        )
        stopper = threading.Timer(0.4, server.stop)
        stopper.start()
        started = time.monotonic()
        result = get(service, patient_id)
        elapsed = time.monotonic() - started
        stopper.join()
        assert elapsed < 1.6
        assert result.degraded
        assert "Observation" in result.missing
        assert result.context is not None and result.context.sex is not None

        after = get(service, patient_id)
        service.close()
        assert after.degraded and after.context is None and after.reason == UNREACHABLE
        outcomes = [
            json.loads(line)["outcome"]
            for line in (tmp_path / "audit.jsonl").read_text().splitlines()
        ]
        assert outcomes == ["partial", "failed"]
    finally:
        server.stop()
