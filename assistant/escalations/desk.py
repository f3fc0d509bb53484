"""The clinician's desk: claim, reply to the patient, hand back to the bot, resolve — all audited.

Replies and hand-overs go through the conversation engine (under the conversation's lock, out
through the patient's channel); this module decides *whether* a clinician may do them.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from assistant.escalations.domain import Escalation
from assistant.escalations.service import EscalationConflict, EscalationService
from assistant.escalations.summary import clinician_summary, iso

CONVERSATION_EVENT_TYPES = ("user", "bot", "agent", "handoff", "escalation")


class ConversationPort(Protocol):
    """What the engine offers the clinician side."""

    def relay_agent_message(self, conversation_id: str, text: str, agent: str, escalation_id: str) -> None: ...

    def handoff(self, conversation_id: str, to: Literal["human", "bot"], by: str, reason: str = "") -> None: ...


class ConversationUnavailable(RuntimeError):
    """No engine to relay through, or the conversation no longer exists."""


class ClinicianDesk:
    def __init__(self, service: EscalationService, conversations: ConversationPort | None, trackers: Any = None) -> None:
        self.service = service
        self.conversations = conversations
        self.trackers = trackers

    # -- reading ------------------------------------------------------------------------------------
    def detail(self, escalation_id: str, *, actor: str) -> dict[str, Any]:
        """The escalation with its clinician summary, the live conversation and the audit trail."""
        escalation = self.service.get(escalation_id)
        trail = self.service.audit_trail(escalation_id)
        # A console polls what it shows: one "viewed" per stretch of viewing, not one per poll.
        if not trail or (trail[-1]["action"], trail[-1]["actor"]) != ("viewed", actor):
            self.service.audit(escalation_id, actor, "viewed")
            trail = self.service.audit_trail(escalation_id)
        return {
            **clinician_summary(escalation, public_url=self.service.public_url),
            "claimed_at": iso(escalation.claimed_at),
            "resolved_at": iso(escalation.resolved_at),
            "assignee": escalation.assignee,
            "outcome": escalation.outcome,
            "outcome_note": escalation.outcome_note,
            "route_history": [step | {"at": iso(step.get("at"))} for step in escalation.route_history],
            "human_in_charge": self.human_in_charge(escalation.conversation_id),
            "conversation": self.conversation(escalation.conversation_id),
            "audit": [entry | {"at": iso(entry["at"])} for entry in trail],
            "deliveries": self.service.jobs_for(escalation_id),
        }

    def conversation(self, conversation_id: str, limit: int = 200) -> list[dict[str, Any]]:
        tracker = self.trackers.retrieve(conversation_id) if self.trackers is not None else None
        if tracker is None:
            return []
        lines = []
        for event in tracker.events:
            data = event.to_dict()
            kind = data.get("type")
            if kind not in CONVERSATION_EVENT_TYPES:
                continue
            line = {"type": kind, "at": iso(data.get("timestamp"))}
            if kind in ("user", "bot", "agent"):
                line["text"] = data.get("text", "")
            if kind == "agent":
                line["agent"] = data.get("agent", "")
            if kind == "handoff":
                line.update(to=data.get("to"), by=data.get("by"), reason=data.get("reason"))
            if kind == "escalation":
                line.update(escalation_id=data.get("escalation_id"), reason=data.get("reason"))
            lines.append(line)
        return lines[-limit:]

    def human_in_charge(self, conversation_id: str) -> bool:
        tracker = self.trackers.retrieve(conversation_id) if self.trackers is not None else None
        return bool(tracker is not None and tracker.human_in_charge)

    # -- acting -------------------------------------------------------------------------------------
    def claim(self, escalation_id: str, clinician: str, *, actor: str) -> Escalation:
        return self.service.claim(escalation_id, clinician, actor=actor)

    def reply(self, escalation_id: str, clinician: str, text: str, *, actor: str) -> Escalation:
        """Relay ``text`` to the patient; the first reply puts the human in charge (bot paused)."""
        escalation = self.service.held_by(escalation_id, clinician)
        port = self._port()
        try:
            if not self.human_in_charge(escalation.conversation_id):
                port.handoff(escalation.conversation_id, "human", by=clinician, reason="clinician_reply")
                self.service.audit(escalation_id, actor, "took_over", {"clinician": clinician})
            port.relay_agent_message(escalation.conversation_id, text, clinician, escalation_id)
        except LookupError as exc:  # the engine's UnknownConversation
            raise ConversationUnavailable("the conversation no longer exists") from exc
        self.service.record_reply(escalation, actor, clinician, text)
        return escalation

    def handback(self, escalation_id: str, clinician: str, reason: str = "", *, actor: str) -> Escalation:
        escalation = self.service.held_by(escalation_id, clinician)
        self._hand_back(escalation, clinician, reason or "clinician_handback")
        self.service.audit(escalation_id, actor, "handed_back", {"clinician": clinician})
        return escalation

    def resolve(self, escalation_id: str, clinician: str, outcome: str, note: str = "", *, actor: str) -> Escalation:
        escalation = self.service.resolve(escalation_id, clinician, outcome, note, actor=actor)
        if self.human_in_charge(escalation.conversation_id):
            try:
                self._hand_back(escalation, clinician, "escalation_resolved")
            except ConversationUnavailable:
                pass  # resolved either way; nothing to hand back
        return escalation

    def _hand_back(self, escalation: Escalation, clinician: str, reason: str) -> None:
        try:
            self._port().handoff(escalation.conversation_id, "bot", by=clinician, reason=reason)
        except LookupError as exc:
            raise ConversationUnavailable("the conversation no longer exists") from exc

    def _port(self) -> ConversationPort:
        if self.conversations is None:
            raise ConversationUnavailable("no conversation engine is running in this process")
        return self.conversations


__all__ = ["ClinicianDesk", "ConversationPort", "ConversationUnavailable", "EscalationConflict"]
