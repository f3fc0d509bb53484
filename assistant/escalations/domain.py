"""The escalation as the rest of the code sees it (plain dataclass), and what the engine sends in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.core.capabilities import EscalationDraft
from assistant.escalations.models import EscalationRow

#: What the engine asks for: conversation, patient, reason, level, findings, red flags, context,
#: wearable summary and a transcript excerpt. One type with the engine's ``EscalationDraft``.
EscalationRequest = EscalationDraft

REASONS = ("triage", "crisis", "emergency", "patient_request", "appointment")
OUTCOMES = (
    "advice_given",
    "appointment_booked",
    "referred_emergency",
    "referred_specialist",
    "no_contact",
    "duplicate",
    "other",
)


@dataclass(frozen=True)
class Escalation:
    id: str
    conversation_id: str
    patient_ref: str | None
    reason: str
    level: str
    priority: int
    specialty: str
    target: str
    on_call: str | None
    patient_label: str
    sla_minutes: float
    status: str
    flagged: bool
    flag_reason: str | None
    reroutes: int
    route_history: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    red_flags: list[dict[str, Any]]
    patient_context: dict[str, Any] | None
    wearable_summary: Any
    transcript: list[dict[str, Any]]
    created_at: float
    due_at: float
    claimed_at: float | None = None
    resolved_at: float | None = None
    assignee: str | None = None
    outcome: str | None = None
    outcome_note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: EscalationRow) -> Escalation:
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            patient_ref=row.patient_ref,
            reason=row.reason,
            level=row.level or "",
            priority=row.priority,
            specialty=row.specialty,
            target=row.target,
            on_call=row.on_call,
            patient_label=row.patient_label,
            sla_minutes=row.sla_minutes,
            status=row.status,
            flagged=bool(row.flagged),
            flag_reason=row.flag_reason,
            reroutes=row.reroutes or 0,
            route_history=list(row.route_history or []),
            findings=list(row.findings or []),
            red_flags=list(row.red_flags or []),
            patient_context=row.patient_context,
            wearable_summary=row.wearable_summary,
            transcript=list(row.transcript or []),
            created_at=row.created_at,
            due_at=row.due_at,
            claimed_at=row.claimed_at,
            resolved_at=row.resolved_at,
            assignee=row.assignee,
            outcome=row.outcome,
            outcome_note=row.outcome_note,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return data
