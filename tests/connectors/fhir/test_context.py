"""Patient context assembled from a real FHIR server holding the Synthea patients: what a
clinician or the triage policy would read must match the record."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from connectors.fhir import FHIRClient, PatientContextService
from connectors.fhir.codes import LOINC, RXNORM, SNOMED
from tests.fhir_server.fixtures import LoadedServer, SyntheaPatient
from tests.fhir_server.harness import synthea_files
from tests.shared_data import SHARED_DIR

PATIENT_FILES = [f.stem for f in synthea_files(SHARED_DIR)]
TRIAGE_KEYS = {
    "age",
    "sex",
    "pregnant",
    "conditions",
    "medications",
    "temperature_c",
    "heart_rate",
    "spo2",
}


def read(server: LoadedServer, patient_id: str, **config: object):
    service = PatientContextService(server.config(cache_ttl_s=0, time_box_s=10, **config))
    try:
        result = service.get(patient_id, purpose="test", actor="pytest", consent_given=True)
    finally:
        service.close()
    assert not result.degraded, result.reason
    assert result.context is not None
    return result.context


def whole_years(birth, end) -> int:
    return end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))


@pytest.mark.parametrize("stem", PATIENT_FILES)
def test_context_matches_the_record(fhir_server: LoadedServer, stem: str) -> None:
    patient: SyntheaPatient = fhir_server.patients[stem]
    context = read(fhir_server, patient.server_id)

    # Demographics: age from birthDate (at death for the deceased), administrative sex.
    end = (
        datetime.fromisoformat(patient.deceased).date()
        if patient.deceased
        else datetime.now(UTC).date()
    )
    assert context.age_years is not None
    assert math.floor(context.age_years) == whole_years(patient.birth_date, end)
    assert context.sex == patient.gender
    assert context.deceased == bool(patient.deceased)

    # Active problems, medicines and allergies: exactly those the record marks active, coded.
    assert {c.codes[0].code for c in context.conditions} == patient.active_condition_codes
    assert all(c.codes[0].system == SNOMED for c in context.conditions)
    assert {m.codes[0].code for m in context.medications} == patient.active_medication_codes
    assert all(m.codes[0].system == RXNORM for m in context.medications)
    assert {a.codes[0].code for a in context.allergies} == patient.allergy_codes

    # Latest vital sign per LOINC code, with its date.
    vitals = {v.codes[0].code: v for v in context.vitals if v.codes}
    for code, (when, values) in latest_vitals(patient).items():
        assert code in vitals, code
        assert vitals[code].effective == when
        assert vitals[code].value in values
        assert vitals[code].codes[0].system == LOINC

    # The most recent encounters, newest first.
    starts = sorted(
        (datetime.fromisoformat(e["period"]["start"]) for e in patient.of_type("Encounter")),
        reverse=True,
    )
    assert [e.start for e in context.encounters] == starts[: len(context.encounters)]
    assert len(context.encounters) == min(5, len(starts))

    # Every item points at a resource of its own type on this server.
    for item in [
        *context.conditions,
        *context.medications,
        *context.allergies,
        *context.encounters,
    ]:
        resource_type, _, resource_id = item.source.partition("/")
        assert resource_type in {
            "Condition",
            "MedicationRequest",
            "AllergyIntolerance",
            "Encounter",
        }
        assert resource_id


def latest_vitals(patient: SyntheaPatient) -> dict[str, tuple[datetime, set[float]]]:
    """{LOINC code: (latest date, the values recorded then)} for vital signs, components included."""
    out: dict[str, tuple[datetime, set[float]]] = {}
    for o in patient.of_type("Observation"):
        if o["category"][0]["coding"][0]["code"] != "vital-signs":
            continue
        when = datetime.fromisoformat(o["effectiveDateTime"])
        parts = [o] + o.get("component", [])
        for part in parts:
            if "valueQuantity" not in part:
                continue
            code = part["code"]["coding"][0]["code"]
            value = float(part["valueQuantity"]["value"])
            current = out.get(code)
            if current is None or when > current[0]:
                out[code] = (when, {value})
            elif when == current[0]:
                current[1].add(value)
    return out


def test_source_references_resolve_to_the_same_codes(fhir_server: LoadedServer) -> None:
    patient = max(fhir_server.patients.values(), key=lambda p: len(p.active_condition_codes))
    context = read(fhir_server, patient.server_id)
    with FHIRClient(fhir_server.config()) as client:
        for item in [*context.conditions, *context.medications]:
            resource_type, _, resource_id = item.source.partition("/")
            resource = client.read(resource_type, resource_id).as_json()
            concept = resource.get("code") or resource.get("medicationCodeableConcept")
            assert concept["coding"][0]["code"] == item.codes[0].code
            assert resource["subject"]["reference"] == f"Patient/{patient.server_id}"


def test_triage_dict_has_only_the_agreed_keys(fhir_server: LoadedServer) -> None:
    patient = next(
        p for p in fhir_server.patients.values() if p.active_medication_codes and not p.deceased
    )
    context = read(fhir_server, patient.server_id)
    facts = context.triage_context()
    assert set(facts) <= TRIAGE_KEYS
    assert isinstance(facts["age"], float)
    assert facts["sex"] in ("female", "male")
    assert facts["conditions"] == [c.display for c in context.conditions]
    assert facts["medications"] == [m.display for m in context.medications]
    # Synthea's vitals are years old: nothing from them may reach triage as if it were today's.
    assert not {"temperature_c", "heart_rate", "spo2"} & set(facts)


def test_recent_vitals_reach_triage_and_old_ones_do_not(controlled_server: LoadedServer) -> None:
    now = datetime.now(UTC)
    with FHIRClient(controlled_server.config()) as client:
        pid = client.create(
            {"resourceType": "Patient", "gender": "female", "birthDate": "1990-05-01"}
        )

        def vital(code: str, value: float, unit: str, hours_ago: float) -> None:
            client.create(
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                    "code": "vital-signs",
                                }
                            ]
                        }
                    ],
                    "code": {"coding": [{"system": LOINC, "code": code, "display": code}]},
                    "subject": {"reference": f"Patient/{pid}"},
                    "effectiveDateTime": (now - timedelta(hours=hours_ago)).isoformat(),
                    "valueQuantity": {
                        "value": value,
                        "unit": unit,
                        "system": "http://unitsofmeasure.org",
                        "code": unit,
                    },
                }
            )

        vital("8310-5", 101.3, "[degF]", 2)  # Fahrenheit, converted
        vital("8310-5", 36.6, "Cel", 30)  # older than the 101.3 reading: not the latest
        vital("8867-4", 112.4, "/min", 5)
        vital("59408-5", 91, "%", 72)  # three days old: too old for triage

    context = read(controlled_server, pid)
    facts = context.triage_context()
    assert facts["temperature_c"] == 38.5
    assert facts["heart_rate"] == 112
    assert "spo2" not in facts
    assert facts["sex"] == "female"
    assert "pregnant" not in facts  # unknown: never guessed
    # The old reading is still shown to a clinician, with its date.
    assert "91 %" in context.clinician_summary()


def test_pregnancy_from_a_recent_status_answer_and_from_an_active_condition(
    controlled_server: LoadedServer,
) -> None:
    now = datetime.now(UTC)
    with FHIRClient(controlled_server.config()) as client:
        answered = client.create(
            {"resourceType": "Patient", "gender": "female", "birthDate": "1994-02-10"}
        )
        client.create(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {
                    "coding": [{"system": LOINC, "code": "82810-3", "display": "Pregnancy status"}]
                },
                "subject": {"reference": f"Patient/{answered}"},
                "effectiveDateTime": (now - timedelta(days=20)).isoformat(),
                "valueCodeableConcept": {
                    "coding": [{"system": SNOMED, "code": "77386006", "display": "Pregnant"}]
                },
            }
        )
        with_condition = client.create(
            {"resourceType": "Patient", "gender": "female", "birthDate": "1996-07-01"}
        )
        client.create(
            {
                "resourceType": "Condition",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "code": {
                    "coding": [
                        {"system": SNOMED, "code": "72892002", "display": "Normal pregnancy"}
                    ]
                },
                "subject": {"reference": f"Patient/{with_condition}"},
                "onsetDateTime": (now - timedelta(days=60)).isoformat(),
            }
        )

    first = read(controlled_server, answered)
    assert first.pregnancy == "pregnant"
    assert first.pregnancy_source and first.pregnancy_source.startswith("Observation/")
    assert first.triage_context()["pregnant"] is True

    second = read(controlled_server, with_condition)
    assert second.pregnant is True
    assert second.pregnancy_source == second.conditions[0].source
    assert "pregnant" in second.clinician_summary().splitlines()[0]


def test_clinician_summary_names_codes_and_dates(fhir_server: LoadedServer) -> None:
    patient = next(p for p in fhir_server.patients.values() if p.allergy_codes)
    context = read(fhir_server, patient.server_id)
    summary = context.clinician_summary()
    lines = summary.splitlines()
    assert lines[0].startswith(f"Patient {patient.server_id}: ")
    assert patient.gender in lines[0]
    assert any(line.startswith("Allergies: ") and "SNOMED CT" in line for line in lines)
    for condition in context.conditions:
        assert f"SNOMED CT {condition.codes[0].code}" in summary
    for medication in context.medications:
        assert f"RxNorm {medication.codes[0].code}" in summary
    assert len(summary) < 4000  # compact enough for an escalation card
