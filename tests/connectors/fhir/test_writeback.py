"""Triage outcomes written back to the record: what a clinician opening the chart will find."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.fhir import FHIRClient, TriageWriteBack
from connectors.fhir.writeback import LEVEL_SYSTEM, WRITEBACK_ID_SYSTEM
from tests.fhir_server.fixtures import LoadedServer

OUTCOME = {
    "level": "consultation_24",
    "findings": [
        {
            "code": "386661006",
            "system": "http://snomed.info/sct",
            "display": "Fever",
            "negated": False,
        },
        {
            "code": "49727002",
            "system": "http://snomed.info/sct",
            "display": "Cough",
            "negated": False,
        },
        {
            "code": "267036007",
            "system": "http://snomed.info/sct",
            "display": "Shortness of breath",
            "negated": True,
        },
    ],
    "red_flags": [
        {
            "id": "fever_over_5_days",
            "description": "Fever for more than five days",
            "level": "consultation_24",
        }
    ],
    "rationale": [
        {
            "rule": "resp.fever_cough",
            "level": "consultation_24",
            "explanation": "Fever with cough",
            "source": "NHS 111",
        }
    ],
    "advice": "Please see a GP within 24 hours. Call 999 if you become short of breath.",
    "follow_up_questions": [],
}


def patient_id(server: LoadedServer) -> str:
    return next(iter(server.patients.values())).server_id


def test_outcome_becomes_a_risk_assessment_and_a_communication(fhir_server: LoadedServer) -> None:
    pid = patient_id(fhir_server)
    with FHIRClient(fhir_server.config()) as client:
        written = TriageWriteBack(client).write(pid, OUTCOME, conversation_id="conv-42")
        assert written.ids == [
            f"RiskAssessment/{written.risk_assessment_id}",
            f"Communication/{written.communication_id}",
        ]
        risk = client.read("RiskAssessment", written.risk_assessment_id).as_json()
        comm = client.read("Communication", written.communication_id).as_json()
        found = client.search("RiskAssessment", {"patient": f"Patient/{pid}"}).resources

    assert written.risk_assessment_id in {r.id for r in found}  # findable from the patient
    assert risk["subject"]["reference"] == f"Patient/{pid}"
    assert risk["status"] == "final"
    prediction = risk["prediction"][0]["qualitativeRisk"]
    assert prediction["text"] == "consultation_24"
    assert {
        "system": LEVEL_SYSTEM,
        "code": "consultation_24",
        "display": "consultation 24",
    } in prediction["coding"]
    # Present findings are coded reasons; the negated one is only in the notes, marked "no".
    assert [r["coding"][0]["code"] for r in risk["reasonCode"]] == ["386661006", "49727002"]
    notes = " | ".join(n["text"] for n in risk["note"])
    assert "no Shortness of breath" in notes
    assert "fever_over_5_days" in notes and "resp.fever_cough" in notes and "NHS 111" in notes
    assert {"system": "urn:vha:conversation", "value": "conv-42"} in risk["identifier"]

    assert comm["payload"][0]["contentString"] == OUTCOME["advice"]
    assert comm["subject"]["reference"] == f"Patient/{pid}"
    assert comm["about"][0]["reference"] == f"RiskAssessment/{written.risk_assessment_id}"
    assert comm["status"] == "completed"


def test_each_resource_can_be_switched_off(fhir_server: LoadedServer) -> None:
    pid = patient_id(fhir_server)
    with FHIRClient(fhir_server.config()) as client:
        only_risk = TriageWriteBack(client, communication=False).write(pid, OUTCOME)
        only_advice = TriageWriteBack(client, risk_assessment=False).write(pid, OUTCOME)
        comm = client.read("Communication", only_advice.communication_id).as_json()
    assert only_risk.communication_id is None and only_risk.risk_assessment_id
    assert only_advice.risk_assessment_id is None and only_advice.communication_id
    assert "about" not in comm


def test_a_retried_create_does_not_duplicate(fhir_server: LoadedServer) -> None:
    pid = patient_id(fhir_server)
    body = {
        "resourceType": "Communication",
        "status": "completed",
        "subject": {"reference": f"Patient/{pid}"},
        "identifier": [{"system": WRITEBACK_ID_SYSTEM, "value": "retry-test-1"}],
    }
    condition = f"identifier={WRITEBACK_ID_SYSTEM}|retry-test-1"
    with FHIRClient(fhir_server.config()) as client:
        first = client.create(body, if_none_exist=condition)
        second = client.create(body, if_none_exist=condition)
        copies = client.search(
            "Communication", {"identifier": f"{WRITEBACK_ID_SYSTEM}|retry-test-1"}
        )
    assert first == second
    assert len(copies.resources) == 1


def test_a_malformed_outcome_writes_nothing(controlled_server: LoadedServer) -> None:
    with FHIRClient(controlled_server.config()) as client, pytest.raises(ValidationError):
        TriageWriteBack(client).write(patient_id(controlled_server), {**OUTCOME, "level": "fine"})
    assert controlled_server.server.stats()["requests"] == 0
