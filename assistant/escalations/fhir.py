"""FHIR R4 ``Task`` (per escalation) and ``Communication`` (per clinician reply), optional.

Delivered through the outbox like webhooks (kind ``fhir``), by a ``FhirWriter`` that the FHIR
connector provides (it owns authentication); without a writer no FHIR jobs are created.
"""

from __future__ import annotations

from typing import Any, Protocol

from assistant.escalations.domain import Escalation
from assistant.escalations.summary import headline, iso

IDENTIFIER_SYSTEM = "urn:vha:escalation"

_TASK_PRIORITY = {"emergency_ambulance": "stat", "emergency": "stat", "consultation_24": "asap"}


class FhirWriter(Protocol):
    def create(self, resource: dict[str, Any]) -> str:
        """Create the resource on the EHR; return its id. Raise to have the outbox retry."""


def task_for(escalation: Escalation) -> dict[str, Any]:
    priority = _TASK_PRIORITY.get(escalation.level, "urgent" if escalation.reason == "crisis" else "routine")
    task: dict[str, Any] = {
        "resourceType": "Task",
        "identifier": [{"system": IDENTIFIER_SYSTEM, "value": escalation.id}],
        "status": "requested",
        "intent": "order",
        "priority": priority,
        "code": {"text": "Clinician review of a virtual assistant escalation"},
        "description": headline(escalation),
        "authoredOn": iso(escalation.created_at),
        "restriction": {"period": {"end": iso(escalation.due_at)}},
        "note": [{"text": f"Routed to {escalation.target} ({escalation.specialty})."}],
    }
    if escalation.patient_ref:
        task["for"] = {"reference": _patient_reference(escalation.patient_ref)}
    return task


def communication_for(escalation: Escalation, text: str, sent_at: float, agent: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "status": "completed",
        "about": [{"identifier": {"system": IDENTIFIER_SYSTEM, "value": escalation.id}}],
        "sent": iso(sent_at),
        "sender": {"display": agent},
        "payload": [{"contentString": text}],
    }
    if escalation.patient_ref:
        resource["subject"] = {"reference": _patient_reference(escalation.patient_ref)}
        resource["recipient"] = [{"reference": _patient_reference(escalation.patient_ref)}]
    return resource


def _patient_reference(patient_ref: str) -> str:
    return patient_ref if "/" in patient_ref else f"Patient/{patient_ref}"
