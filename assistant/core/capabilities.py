"""The small interfaces through which the engine uses triage, guidelines, patient data and escalation.

Each capability is optional: when one is missing or failing, the engine still answers (and safety
handling never depends on any of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass
class TriageStep:
    """One step of the symptom interview: either the next question or the final disposition."""

    state: dict[str, Any]
    question: str | None = None
    level: str | None = None
    advice: str = ""
    red_flags: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    rationale: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.level is not None


class SymptomTriage(Protocol):
    def step(
        self, text: str, state: dict[str, Any] | None, patient: dict[str, Any] | None
    ) -> TriageStep: ...


@dataclass
class GuidelineReply:
    text: str
    citations: list[dict[str, Any]]
    confident: bool


class GuidelineAnswers(Protocol):
    def answer(self, question: str, *, language: str = "en") -> GuidelineReply: ...


@dataclass
class PatientDataReply:
    text: str | None
    degraded: bool = False
    message: str = ""
    context: dict[str, Any] | None = None


class PatientData(Protocol):
    def patient_summary(
        self, patient_id: str, *, conversation_id: str, consent_given: bool
    ) -> PatientDataReply: ...

    def triage_context(
        self, patient_id: str, *, conversation_id: str, consent_given: bool
    ) -> dict[str, Any] | None: ...

    def clinician_packet(
        self, patient_id: str, *, conversation_id: str, consent_given: bool, cached_only: bool = False
    ) -> dict[str, Any] | None:
        """Record and wearable summaries for an escalation; ``cached_only`` never reads the server."""

    def write_triage_outcome(self, patient_id: str, outcome: dict[str, Any], *, conversation_id: str) -> list[str]:
        """Write a disposition back to the record when configured; the ids written."""


@dataclass
class EscalationDraft:
    conversation_id: str
    reason: str  # "triage" | "crisis" | "emergency" | "patient_request" | "appointment"
    level: str
    patient_ref: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    red_flags: list[dict[str, Any]] = field(default_factory=list)
    patient_context: dict[str, Any] | None = None
    wearable_summary: Any = None
    transcript_excerpt: list[dict[str, Any]] = field(default_factory=list)


class Escalations(Protocol):
    def new_id(self) -> str: ...

    def write(self, session: Session | None, escalation_id: str, draft: EscalationDraft) -> None:
        """Record the escalation and its delivery jobs in the caller's transaction."""

    def patient_message(self, draft: EscalationDraft) -> str: ...
