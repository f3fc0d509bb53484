"""The FHIR requests that together make one patient's context.

They are independent of each other, so they run in parallel; each asks the server to filter and
sort (standard R4 search parameters only) so that the first page already holds what matters, and
the assembly re-checks every filter itself because servers differ in what they honour.
"""

from __future__ import annotations

from connectors.fhir.client import Query
from connectors.fhir.codes import LOINC, PREGNANCY_STATUS_CODES
from connectors.fhir.config import FHIRConnectorConfig

PATIENT = "patient"
CONDITIONS = "conditions"
MEDICATION_REQUESTS = "medication_requests"
MEDICATION_STATEMENTS = "medication_statements"
ALLERGIES = "allergies"
OBSERVATIONS = "observations"
PREGNANCY = "pregnancy"
ENCOUNTERS = "encounters"

#: The resource type behind each query key (for audit events and "missing" lists).
RESOURCE_TYPES = {
    PATIENT: "Patient",
    CONDITIONS: "Condition",
    MEDICATION_REQUESTS: "MedicationRequest",
    MEDICATION_STATEMENTS: "MedicationStatement",
    ALLERGIES: "AllergyIntolerance",
    OBSERVATIONS: "Observation",
    PREGNANCY: "Observation",
    ENCOUNTERS: "Encounter",
}


def context_queries(patient_id: str, config: FHIRConnectorConfig) -> list[Query]:
    ref = f"Patient/{patient_id}"
    queries = [
        Query(PATIENT, "Patient", resource_id=patient_id),
        Query(
            CONDITIONS,
            "Condition",
            {"patient": ref, "clinical-status": "active,recurrence,relapse"},
        ),
        Query(MEDICATION_REQUESTS, "MedicationRequest", {"patient": ref, "status": "active"}),
        Query(MEDICATION_STATEMENTS, "MedicationStatement", {"patient": ref, "status": "active"}),
        Query(ALLERGIES, "AllergyIntolerance", {"patient": ref}),
        # Newest first, so that the pages we read hold the latest value of every code even when
        # the page bound leaves older history unread.
        Query(
            OBSERVATIONS,
            "Observation",
            {"patient": ref, "category": "vital-signs,laboratory", "_sort": "-date"},
        ),
        Query(
            PREGNANCY,
            "Observation",
            {
                "patient": ref,
                "code": ",".join(f"{LOINC}|{c}" for c in sorted(PREGNANCY_STATUS_CODES)),
                "_sort": "-date",
                "_count": "1",
            },
            max_pages=1,
        ),
    ]
    if config.max_encounters > 0:
        queries.append(
            Query(
                ENCOUNTERS,
                "Encounter",
                {"patient": ref, "_sort": "-date", "_count": str(config.max_encounters)},
                max_pages=1,
            )
        )
    return queries
