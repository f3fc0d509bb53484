"""Write a triage outcome back to the patient's record.

A `RiskAssessment` records the disposition and why (the findings as coded reasons, the red flags
and rules as notes) so a clinician reading the chart sees what the assistant saw; a `Communication`
records the advice the patient was given. Both are built with fhirclient's models, which check
the structure before anything is sent. Off unless the caller turns it on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhirclient.models.annotation import Annotation
from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.coding import Coding
from fhirclient.models.communication import Communication, CommunicationPayload
from fhirclient.models.fhirdatetime import FHIRDateTime
from fhirclient.models.fhirreference import FHIRReference
from fhirclient.models.identifier import Identifier
from fhirclient.models.riskassessment import RiskAssessment, RiskAssessmentPrediction
from pydantic import BaseModel, ConfigDict, Field

from connectors.fhir.audit import now_utc
from connectors.fhir.client import FHIRClient
from connectors.fhir.codes import SNOMED

log = logging.getLogger(__name__)

#: Our own code system for the five dispositions, and the identifier system tying the written
#: resources to one write-back (used for conditional create, so retries never duplicate).
LEVEL_SYSTEM = "urn:vha:triage-disposition"
WRITEBACK_ID_SYSTEM = "urn:vha:triage-writeback"
CONVERSATION_ID_SYSTEM = "urn:vha:conversation"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
# The dispositions mapped onto HL7's coarse risk scale, for systems that only understand that.
LEVEL_TO_RISK = {
    "emergency_ambulance": "high",
    "emergency": "high",
    "consultation_24": "moderate",
    "consultation": "low",
    "self_care": "negligible",
}


class Finding(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str = ""
    system: str = SNOMED
    display: str = ""
    negated: bool = False


class RedFlag(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    description: str = ""
    level: str | None = None
    source: str | None = None


class TriageOutcome(BaseModel):
    """The triage result as the API returns it (extra keys are ignored)."""

    model_config = ConfigDict(extra="ignore")

    level: str = Field(
        pattern="^(emergency_ambulance|emergency|consultation_24|consultation|self_care)$"
    )
    findings: list[Finding] = Field(default_factory=list)
    red_flags: list[RedFlag] = Field(default_factory=list)
    rationale: list[dict[str, Any] | str] = Field(default_factory=list)
    advice: str = ""


@dataclass(frozen=True)
class WriteBackResult:
    risk_assessment_id: str | None = None
    communication_id: str | None = None

    @property
    def ids(self) -> list[str]:
        out = []
        if self.risk_assessment_id:
            out.append(f"RiskAssessment/{self.risk_assessment_id}")
        if self.communication_id:
            out.append(f"Communication/{self.communication_id}")
        return out


class TriageWriteBack:
    def __init__(
        self,
        client: FHIRClient,
        *,
        risk_assessment: bool = True,
        communication: bool = True,
        now: Callable[[], datetime] = now_utc,
    ) -> None:
        self.client = client
        self.risk_assessment = risk_assessment
        self.communication = communication
        self._now = now

    def write(
        self,
        patient_id: str,
        outcome: dict[str, Any] | TriageOutcome,
        *,
        conversation_id: str | None = None,
    ) -> WriteBackResult:
        """Create the resources; raises `FHIRError` subclasses if the server refuses or fails
        (a write that did not happen must not look as if it did)."""
        triage = (
            outcome if isinstance(outcome, TriageOutcome) else TriageOutcome.model_validate(outcome)
        )
        at = self._now()
        key = uuid.uuid4().hex
        risk_id = comm_id = None
        if self.risk_assessment:
            risk = risk_assessment_for(patient_id, triage, at, key, conversation_id)
            risk_id = self.client.create(
                risk, if_none_exist=f"identifier={WRITEBACK_ID_SYSTEM}|{key}"
            )
        if self.communication and triage.advice:
            comm = communication_for(patient_id, triage, at, key, conversation_id, risk_id)
            comm_id = self.client.create(
                comm, if_none_exist=f"identifier={WRITEBACK_ID_SYSTEM}|{key}"
            )
        log.info(
            "fhir write-back: risk_assessment=%s communication=%s",
            risk_id is not None,
            comm_id is not None,
        )
        return WriteBackResult(risk_assessment_id=risk_id, communication_id=comm_id)


def risk_assessment_for(
    patient_id: str,
    triage: TriageOutcome,
    at: datetime,
    key: str,
    conversation_id: str | None = None,
) -> RiskAssessment:
    risk = RiskAssessment()
    risk.status = "final"
    risk.subject = _patient(patient_id)
    risk.occurrenceDateTime = _datetime(at)
    risk.identifier = _identifiers(key, conversation_id)
    risk.code = _concept(text="Symptom triage by the virtual health assistant")
    prediction = RiskAssessmentPrediction()
    prediction.qualitativeRisk = _concept(
        text=triage.level,
        codings=[
            (LEVEL_SYSTEM, triage.level, triage.level.replace("_", " ")),
            (RISK_PROBABILITY, LEVEL_TO_RISK[triage.level], None),
        ],
    )
    if triage.advice:
        prediction.rationale = triage.advice
    risk.prediction = [prediction]
    # Present findings are the reasons for the assessment, as codes a chart can search on.
    present = [f for f in triage.findings if not f.negated and (f.code or f.display)]
    if present:
        risk.reasonCode = [
            _concept(
                text=f.display or f.code, codings=[(f.system, f.code, f.display)] if f.code else []
            )
            for f in present
        ]
    notes = _notes(triage)
    if notes:
        risk.note = [_annotation(text, at) for text in notes]
    return risk


def communication_for(
    patient_id: str,
    triage: TriageOutcome,
    at: datetime,
    key: str,
    conversation_id: str | None = None,
    risk_assessment_id: str | None = None,
) -> Communication:
    comm = Communication()
    comm.status = "completed"
    comm.subject = _patient(patient_id)
    comm.recipient = [_patient(patient_id)]
    comm.sent = _datetime(at)
    comm.identifier = _identifiers(key, conversation_id)
    comm.category = [_concept(text="triage advice")]
    payload = CommunicationPayload()
    payload.contentString = triage.advice
    comm.payload = [payload]
    if risk_assessment_id:
        about = FHIRReference()
        about.reference = f"RiskAssessment/{risk_assessment_id}"
        comm.about = [about]
    return comm


def _notes(triage: TriageOutcome) -> list[str]:
    notes = []
    if triage.findings:
        parts = []
        for f in triage.findings:
            code = f" ({f.code})" if f.code else ""
            parts.append(f"{'no ' if f.negated else ''}{f.display or f.code}{code}")
        notes.append("Findings: " + "; ".join(parts))
    if triage.red_flags:
        notes.append(
            "Red flags: "
            + "; ".join(f"{r.id}: {r.description}".rstrip(": ") for r in triage.red_flags)
        )
    for item in triage.rationale:
        if isinstance(item, str):
            notes.append(f"Rule: {item}")
        else:
            rule = item.get("rule") or item.get("id") or "rule"
            explanation = item.get("explanation") or item.get("description") or ""
            source = f" [{item['source']}]" if item.get("source") else ""
            notes.append(f"Rule {rule}: {explanation}{source}".rstrip())
    return notes


def _patient(patient_id: str) -> FHIRReference:
    reference = FHIRReference()
    reference.reference = f"Patient/{patient_id}"
    return reference


def _datetime(at: datetime) -> FHIRDateTime:
    return FHIRDateTime(at.isoformat())


def _identifiers(key: str, conversation_id: str | None) -> list[Identifier]:
    out = []
    for system, value in ((WRITEBACK_ID_SYSTEM, key), (CONVERSATION_ID_SYSTEM, conversation_id)):
        if value:
            identifier = Identifier()
            identifier.system = system
            identifier.value = value
            out.append(identifier)
    return out


def _concept(
    *, text: str, codings: list[tuple[str, str, str | None]] | None = None
) -> CodeableConcept:
    concept = CodeableConcept()
    concept.text = text
    built = []
    for system, code, display in codings or []:
        coding = Coding()
        coding.system, coding.code = system, code
        if display:
            coding.display = display
        built.append(coding)
    if built:
        concept.coding = built
    return concept


def _annotation(text: str, at: datetime) -> Annotation:
    note = Annotation()
    note.text = text
    note.time = _datetime(at)
    return note
