"""Stateless symptom triage: text (plus optional age, sex, answers) -> an explained disposition."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.api.auth import require_scope
from assistant.api.schemas import MAX_TEXT
from assistant.core.triage_service import TriageService, result_to_dict

router = APIRouter(prefix="/v1", tags=["triage"])


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., description="The symptoms in the patient's or a clinician's words.")
    age: float | None = Field(None, ge=0, le=130, description="Age in years (fractions for babies).")
    sex: Literal["female", "male"] | None = None
    answers: dict[str, Any] = Field(default_factory=dict, description="Answers to follow_up_questions by id.")
    patient_id: str | None = Field(None, max_length=128)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("text must not be empty")
        if len(value) > MAX_TEXT:
            raise ValueError(f"text is too long (limit {MAX_TEXT} characters)")
        return value


def triage_service(request: Request) -> TriageService:
    service = getattr(request.app.state, "triage_service", None)
    if service is None:
        service = TriageService(request.app.state.settings.emergency_number)
        request.app.state.triage_service = service
    return service


def record_context(request: Request, patient_id: str | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The patient's record facts for triage, when a FHIR server is configured and an id is given.

    An integrator that sends ``patient_id`` is the patient's care provider acting with their
    authority; the read is audited under the API's name. Never fails the request: without the
    record, triage goes on from the text (and says so)."""
    services = getattr(request.app.state, "services", None)
    patient_data = getattr(services, "patient_data", None)
    if not patient_id:
        return None, None
    if patient_data is None:
        return None, {"used": False, "reason": "no patient record server is configured"}
    try:
        context = patient_data.triage_context(
            patient_id, conversation_id="", consent_given=True, actor="api:v1/triage"
        )
    except ValueError:
        raise HTTPException(422, "patient_id is not a valid FHIR id") from None
    except Exception:  # noqa: BLE001
        context = None
    if not context:
        return None, {"used": False, "reason": "the patient's record could not be read just now"}
    return context, {"used": True, "facts": sorted(context)}


@router.post("/triage", dependencies=[Depends(require_scope("integrator", "clinician"))])
def post_triage(request: Request, body: TriageIn) -> dict[str, Any]:
    context, record = record_context(request, body.patient_id)
    result, clinical = triage_service(request).assess(
        body.text, age=body.age, sex=body.sex, answers=body.answers, context=context
    )
    payload = result_to_dict(result, clinical)
    if record is not None:
        payload["record"] = record
    return payload
