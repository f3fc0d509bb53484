"""What people read: the clinician's summary (webhook body and console) and the patient's message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from assistant.escalations.domain import Escalation

LEVEL_WORDS = {
    "emergency_ambulance": "EMERGENCY (ambulance)",
    "emergency": "EMERGENCY",
    "consultation_24": "see a clinician within 24 h",
    "consultation": "routine consultation",
    "self_care": "self-care",
}
REASON_WORDS = {
    "triage": "triage outcome",
    "crisis": "mental health crisis",
    "emergency": "emergency detected",
    "patient_request": "patient asked for a person",
    "appointment": "appointment request",
}


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, tz=UTC).isoformat().replace("+00:00", "Z")


def _label(item: dict[str, Any]) -> str:
    for key in ("display", "label", "name", "text", "reason", "id", "code"):
        if item.get(key):
            return str(item[key])
    return "?"


def present_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f.get("present", True) is not False and not f.get("negated")]


def headline(escalation: Escalation) -> str:
    """One line a clinician can act on: urgency, why, red flags, main findings."""
    parts = [
        LEVEL_WORDS.get(escalation.level, escalation.level or "unrated"),
        REASON_WORDS.get(escalation.reason, escalation.reason),
    ]
    if escalation.red_flags:
        parts.append("red flags: " + ", ".join(_label(flag) for flag in escalation.red_flags[:5]))
    findings = present_findings(escalation.findings)
    if findings:
        parts.append("findings: " + ", ".join(_label(f) for f in findings[:6]))
    return " — ".join(parts)


def clinician_summary(escalation: Escalation, *, public_url: str = "") -> dict[str, Any]:
    """Everything a clinician needs to act, in one JSON object (the webhook's ``data``)."""
    base = public_url.rstrip("/")
    return {
        "id": escalation.id,
        "headline": headline(escalation),
        "conversation_id": escalation.conversation_id,
        "patient_ref": escalation.patient_ref,
        "reason": escalation.reason,
        "level": escalation.level,
        "priority": escalation.priority,
        "specialty": escalation.specialty,
        "target": escalation.target,
        "on_call": escalation.on_call,
        "status": escalation.status,
        "flagged": escalation.flagged,
        "flag_reason": escalation.flag_reason,
        "reroutes": escalation.reroutes,
        "created_at": iso(escalation.created_at),
        "due_at": iso(escalation.due_at),
        "sla_minutes": escalation.sla_minutes,
        "red_flags": escalation.red_flags,
        "findings": escalation.findings,
        "patient_context": escalation.patient_context,
        "wearable_summary": escalation.wearable_summary,
        "transcript_excerpt": escalation.transcript,
        "links": {
            "console": f"{base}/console#{escalation.id}",
            "api": f"{base}/v1/escalations/{escalation.id}",
            "claim": f"{base}/v1/escalations/{escalation.id}/claim",
        },
    }


def webhook_body(escalation: Escalation, event_type: str, at: float, *, public_url: str = "") -> str:
    """The Standard Webhooks payload shape: ``{type, timestamp, data}``, as compact JSON."""
    payload = {
        "type": event_type,
        "timestamp": iso(at),
        "data": clinician_summary(escalation, public_url=public_url),
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)


def how_soon(minutes: float) -> str:
    if minutes < 60:
        whole = max(1, round(minutes))
        return f"{whole} minute" + ("s" if whole != 1 else "")
    hours = minutes / 60
    if hours < 24:
        whole = round(hours)
        return f"{whole} hour" + ("s" if whole != 1 else "")
    return "a day"


def patient_message(
    *, patient_label: str, sla_minutes: float, advice_template: str, values: dict[str, Any]
) -> str:
    """Who will contact the patient, how soon, and what to do if it gets worse."""
    first = (
        f"I've passed your conversation to {patient_label}. "
        f"They aim to pick it up within {how_soon(sla_minutes)} and will reply to you here in this chat."
    )
    try:
        advice = advice_template.format(**values) if advice_template else ""
    except (KeyError, IndexError, ValueError):
        advice = advice_template
    return f"{first} {advice}".strip()
