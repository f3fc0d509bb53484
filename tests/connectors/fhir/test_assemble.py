"""The record-reading rules, on hand-made resources: what must and must not reach a summary."""

from __future__ import annotations

from datetime import UTC, date, datetime

from connectors.fhir import queries as q
from connectors.fhir.assemble import Fetched, age_years, build_context
from connectors.fhir.client import SearchResult
from connectors.fhir.codes import LOINC, SNOMED
from connectors.fhir.parse import parse_resource

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def search(*resources: dict) -> SearchResult:
    return SearchResult(resources=[parse_resource(r) for r in resources], pages=1, truncated=False)


def condition(rid: str, code: str, clinical: str, verification: str = "confirmed") -> dict:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": clinical}]},
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": verification}]},
        "code": {"coding": [{"system": SNOMED, "code": code, "display": f"condition {code}"}]},
        "subject": {"reference": "Patient/p1"},
    }


def context(**results):
    patient = parse_resource(
        {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1980-06-02"}
    )
    return build_context(
        "p1", "http://fhir.test", Fetched(results={q.PATIENT: patient, **results}), now=NOW
    )


def test_only_active_confirmed_conditions_count() -> None:
    ctx = context(
        **{
            q.CONDITIONS: search(
                condition("c1", "1", "active"),
                condition("c2", "2", "resolved"),
                condition("c3", "3", "active", "refuted"),
                condition("c4", "4", "active", "entered-in-error"),
                condition("c5", "5", "recurrence"),
            )
        }
    )
    assert [c.source for c in ctx.conditions] == ["Condition/c1", "Condition/c5"]


def test_medicines_named_by_reference_and_statements_are_kept() -> None:
    ctx = context(
        **{
            q.MEDICATION_REQUESTS: search(
                {
                    "resourceType": "MedicationRequest",
                    "id": "m1",
                    "status": "active",
                    "intent": "order",
                    "medicationReference": {
                        "reference": "Medication/x",
                        "display": "Amoxicillin 500 mg",
                    },
                    "subject": {"reference": "Patient/p1"},
                    "dosageInstruction": [{"text": "three times a day"}],
                },
                {
                    "resourceType": "MedicationRequest",
                    "id": "m2",
                    "status": "stopped",
                    "intent": "order",
                    "medicationCodeableConcept": {"text": "old medicine"},
                    "subject": {"reference": "Patient/p1"},
                },
            ),
            q.MEDICATION_STATEMENTS: search(
                {
                    "resourceType": "MedicationStatement",
                    "id": "s1",
                    "status": "active",
                    "medicationCodeableConcept": {"text": "Ibuprofen"},
                    "subject": {"reference": "Patient/p1"},
                }
            ),
        }
    )
    assert [(m.display, m.kind, m.dosage) for m in ctx.medications] == [
        ("Amoxicillin 500 mg", "request", "three times a day"),
        ("Ibuprofen", "statement", None),
    ]
    assert ctx.triage_context()["medications"] == ["Amoxicillin 500 mg", "Ibuprofen"]


def test_a_blood_pressure_panel_gives_both_numbers_and_errors_are_dropped() -> None:
    panel = {
        "resourceType": "Observation",
        "id": "bp",
        "status": "final",
        "category": [{"coding": [{"code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": "85354-9", "display": "Blood pressure"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-05-30T09:00:00Z",
        "component": [
            {
                "code": {"coding": [{"system": LOINC, "code": "8480-6", "display": "Systolic"}]},
                "valueQuantity": {"value": 150, "unit": "mm[Hg]"},
            },
            {
                "code": {"coding": [{"system": LOINC, "code": "8462-4", "display": "Diastolic"}]},
                "valueQuantity": {"value": 95, "unit": "mm[Hg]"},
            },
        ],
    }
    wrong = {
        "resourceType": "Observation",
        "id": "hr-wrong",
        "status": "entered-in-error",
        "category": [{"coding": [{"code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-06-01T11:00:00Z",
        "valueQuantity": {"value": 190, "unit": "/min"},
    }
    ctx = context(**{q.OBSERVATIONS: search(panel, wrong)})
    assert {(v.codes[0].code, v.value, v.source) for v in ctx.vitals} == {
        ("8480-6", 150.0, "Observation/bp"),
        ("8462-4", 95.0, "Observation/bp"),
    }
    assert "heart_rate" not in ctx.triage_context(now=NOW)


def test_age_is_never_rounded_up_past_a_birthday() -> None:
    assert age_years(date(1980, 6, 2), NOW) == 45.9  # the 46th birthday is tomorrow
    assert age_years(date(1980, 6, 1), NOW) == 46.0
    assert age_years(date(2000, 2, 29), datetime(2025, 2, 28, tzinfo=UTC)) == 24.9
    assert age_years(None, NOW) is None
