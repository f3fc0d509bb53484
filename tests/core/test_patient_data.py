"""The patient's record and wearables in the conversation, against the real FHIR test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from tests.conftest import make_settings
from tests.fhir_server.fixtures import LoadedServer


@pytest.fixture
def record_settings(tmp_path: Path, fhir_server: LoadedServer) -> Settings:
    return make_settings(tmp_path, fhir_base_url=fhir_server.base_url, fhir_time_box_s=5.0)


@pytest.fixture
def record_services(record_settings: Settings, nlu_parser):  # type: ignore[no-untyped-def]
    from assistant.core.services import build_services

    built = build_services(record_settings, nlu=nlu_parser)
    yield built
    built.close()


def _audit(services) -> list[dict]:  # type: ignore[no-untyped-def]
    from assistant.stores.audit_store import SQLAuditSink

    return SQLAuditSink(services.tracker_store.sessions).events()


def test_triage_context_joins_the_record_and_the_wearable_deviations(record_services, fhir_server) -> None:  # type: ignore[no-untyped-def]
    patient = fhir_server.wearable_patients["anomalous"]
    context = record_services.patient_data.triage_context(patient, conversation_id="c-1", consent_given=True)
    assert context is not None
    assert context["sex"] in ("female", "male") and context["age"] > 0
    assert "spo2_below_92" in context["wearable_deviations"]
    assert "spo2" not in context or context["spo2"] >= 92  # a device trend is not an acute reading
    steady = record_services.patient_data.triage_context(
        fhir_server.wearable_patients["steady"], conversation_id="c-2", consent_given=True
    )
    assert steady is not None and "spo2_below_92" not in steady.get("wearable_deviations", [])


def test_every_record_read_is_audited_in_the_database(record_services, fhir_server) -> None:  # type: ignore[no-untyped-def]
    patient = fhir_server.wearable_patients["steady"]
    record_services.patient_data.patient_summary(patient, conversation_id="c-audit", consent_given=True)
    rows = [r for r in _audit(record_services) if r["conversation_id"] == "c-audit"]
    purposes = {r["purpose"] for r in rows}
    assert {"ask_my_data", "ask_my_data:wearables"} <= purposes
    assert all(r["patient_id"] == patient and r["actor"] == "assistant" for r in rows)
    assert any("Condition" in r["resource_types"] for r in rows)


def test_asking_about_my_data_asks_consent_then_shows_the_watch_summary(record_services, fhir_server) -> None:  # type: ignore[no-untyped-def]
    from assistant.core.turn import InboundMessage

    patient = fhir_server.wearable_patients["anomalous"]
    engine = record_services.engine
    first = engine.handle(
        InboundMessage("conv-data", "what does my watch say about my oxygen and sleep?", metadata={"patient_id": patient})
    )
    assert "May I access" in " ".join(r.text for r in first.replies)
    assert not [r for r in _audit(record_services) if r["conversation_id"] == "conv-data"]  # nothing read yet
    second = engine.handle(InboundMessage("conv-data", "yes", metadata={"patient_id": patient}))
    text = " ".join(r.text for r in second.replies).lower()
    assert "oxygen" in text and "sleep" in text
    assert "diagnos" not in text or "can't diagnose" in text or "cannot diagnose" in text


def test_emergency_escalation_never_waits_for_the_record(record_services, fhir_server) -> None:  # type: ignore[no-untyped-def]
    from assistant.core.turn import InboundMessage

    patient = fhir_server.wearable_patients["steady"]
    fhir_server.server.control(delay_ms=4000)
    try:
        result = record_services.engine.handle(
            InboundMessage(
                "conv-emergency", "crushing chest pain going down my left arm and I'm sweating",
                metadata={"patient_id": patient, "record_consent": True},
            )
        )
    finally:
        fhir_server.server.control(reset=True)
    assert result.safety is not None and result.safety.kind == "emergency"
    assert not [r for r in _audit(record_services) if r["conversation_id"] == "conv-emergency"]


def test_a_slow_record_server_degrades_the_reply_within_the_time_box(tmp_path, fhir_server, nlu_parser) -> None:  # type: ignore[no-untyped-def]
    import time

    from assistant.core.services import build_services

    services = build_services(
        make_settings(tmp_path, fhir_base_url=fhir_server.base_url, fhir_time_box_s=0.5, fhir_cache_ttl_s=0),
        nlu=nlu_parser,
    )
    fhir_server.server.control(delay_ms=3000)
    try:
        started = time.monotonic()
        reply = services.patient_data.patient_summary(
            fhir_server.wearable_patients["steady"], conversation_id="c-slow", consent_given=True
        )
        elapsed = time.monotonic() - started
    finally:
        fhir_server.server.control(reset=True)
        services.close()
    assert reply.degraded and "couldn't reach your health record" in (reply.text or "")
    assert elapsed < 2.5


def test_v1_triage_uses_the_record_when_given_a_patient_id(tmp_path, fhir_server, nlu_parser) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app
    from assistant.core.services import build_services

    settings = make_settings(tmp_path, fhir_base_url=fhir_server.base_url, fhir_time_box_s=5.0)
    services = build_services(settings, nlu=nlu_parser)
    with TestClient(create_app(settings, services)) as client:
        headers = {"X-API-Key": "vha-local-dev-key"}
        body = {"text": "I've had a cough for two days", "patient_id": fhir_server.wearable_patients["anomalous"]}
        with_record = client.post("/v1/triage", json=body, headers=headers).json()
        without = client.post("/v1/triage", json={"text": body["text"]}, headers=headers).json()
        bad = client.post("/v1/triage", json={"text": "cough", "patient_id": "not a/valid id"}, headers=headers)
    assert with_record["record"]["used"] is True
    assert any(r["rule"] == "wearable:spo2_below_92" for r in with_record["rationale"])
    levels = ["self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"]
    assert levels.index(with_record["level"]) > levels.index(without["level"])
    assert bad.status_code == 422
    with TestClient(create_app(settings, services)) as client:
        audit = client.get("/v1/admin/record-access", params={"patient_id": body["patient_id"]}, headers=headers).json()
    assert audit["events"] and all(e["actor"] == "api:v1/triage" for e in audit["events"])
