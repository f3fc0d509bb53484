"""The actions a turn can run. Each reads the turn context and appends events and replies to it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from assistant.core.capabilities import (
    EscalationDraft,
    Escalations,
    GuidelineAnswers,
    PatientData,
    SymptomTriage,
)
from assistant.core.events import (
    ActionExecuted,
    AgentMessage,
    BotMessage,
    EscalationRaised,
    Handoff,
    UserMessage,
)
from assistant.core.turn import TurnContext

log = logging.getLogger(__name__)

# Dispositions at or above this level offer a clinician; emergencies start an escalation.
OFFER_LEVELS = {"consultation_24"}
ESCALATE_LEVELS = {"emergency_ambulance", "emergency"}


@dataclass
class ActionRunner:
    triage: SymptomTriage | None = None
    answers: GuidelineAnswers | None = None
    patient_data: PatientData | None = None
    escalations: Escalations | None = None

    def run(self, name: str, ctx: TurnContext) -> None:
        handler: Callable[[TurnContext], None] | None = getattr(self, name, None)
        ctx.events.append(ActionExecuted(name=name))
        if handler is not None and name.startswith("action_"):
            handler(ctx)
        elif ctx.responses.has(name):
            ctx.utter(name)
        else:
            log.error("no action or template named %s", name)
            ctx.utter("utter_fallback")

    # -- safety ---------------------------------------------------------------------------------
    def action_safety_emergency(self, ctx: TurnContext) -> None:
        ctx.utter("utter_safety_emergency")
        ctx.set_slot("active_flow", None)
        self._escalate(ctx, reason="emergency", level="emergency_ambulance", announce=False)

    def action_safety_crisis(self, ctx: TurnContext) -> None:
        if ctx.safety is not None and "emergency" in ctx.safety.also:
            ctx.utter("utter_safety_crisis_physical")
        ctx.utter("utter_safety_crisis")
        ctx.set_slot("active_flow", None)
        ctx.set_slot("pending_offer", {"kind": "escalation", "reason": "crisis", "level": "emergency"})

    def action_crisis_check(self, ctx: TurnContext) -> None:
        ctx.utter("utter_crisis_check")
        ctx.set_slot("pending_offer", {"kind": "escalation", "reason": "crisis", "level": "emergency"})

    # -- offers ---------------------------------------------------------------------------------
    def action_offer_affirm(self, ctx: TurnContext) -> None:
        offer = ctx.slot("pending_offer") or {}
        ctx.set_slot("pending_offer", None)
        if offer.get("kind") == "escalation":
            self._escalate(ctx, reason=offer.get("reason", "patient_request"), level=offer.get("level", ""))
        elif offer.get("kind") == "record_consent":
            ctx.set_slot("record_consent", True)
            self.action_show_my_data(ctx)
        else:
            ctx.utter("utter_acknowledge")

    def action_offer_deny(self, ctx: TurnContext) -> None:
        offer = ctx.slot("pending_offer") or {}
        ctx.set_slot("pending_offer", None)
        if offer.get("kind") == "record_consent":
            ctx.set_slot("record_consent", False)
            ctx.utter("utter_consent_declined")
        else:
            ctx.utter("utter_offer_declined")

    def action_cancel_flow(self, ctx: TurnContext) -> None:
        ctx.set_slot("active_flow", None)
        ctx.set_slot("triage_state", None)

    # -- triage ---------------------------------------------------------------------------------
    def action_triage(self, ctx: TurnContext) -> None:
        if self.triage is None:
            ctx.utter("utter_triage_placeholder")
            return
        state = ctx.slot("triage_state") if ctx.slot("active_flow") == "triage" else None
        try:
            step = self.triage.step(ctx.message.text, state, self._triage_context(ctx))
        except Exception:
            log.exception("triage failed")
            ctx.utter("utter_triage_placeholder")
            ctx.set_slot("active_flow", None)
            return
        if not step.done:
            ctx.set_slot("active_flow", "triage")
            ctx.set_slot("triage_state", step.state)
            ctx.say(step.question or "", template="triage_question")
            return
        ctx.set_slot("active_flow", None)
        ctx.set_slot("triage_state", None)
        ctx.set_slot("last_disposition", step.level)
        ctx.say(
            step.advice,
            template="triage_disposition",
            level=step.level,
            red_flags=step.red_flags,
            findings=step.findings,
            rationale=step.rationale,
        )
        draft_extra = {"findings": step.findings, "red_flags": step.red_flags}
        self._write_back(ctx, step)
        if step.level in ESCALATE_LEVELS:
            self._escalate(ctx, reason="triage", level=step.level or "", **draft_extra)
        elif step.level in OFFER_LEVELS:
            ctx.say(
                "Would you like me to pass this to a clinician from our care team now? (yes / no)",
                template="offer_escalation",
            )
            ctx.set_slot(
                "pending_offer", {"kind": "escalation", "reason": "triage", "level": step.level}
            )
            ctx.set_slot("pending_triage", draft_extra)

    def _consented_patient(self, ctx: TurnContext) -> str | None:
        """The patient whose record may be read in this turn: known, connected and consented."""
        patient_id = ctx.slot("patient_id")
        if self.patient_data is None or not patient_id or not ctx.slot("record_consent"):
            return None
        return str(patient_id)

    def _write_back(self, ctx: TurnContext, step) -> None:  # type: ignore[no-untyped-def]
        patient_id = self._consented_patient(ctx)
        if patient_id is None or self.patient_data is None:
            return
        outcome = {
            "level": step.level,
            "findings": step.findings,
            "red_flags": step.red_flags,
            "rationale": step.rationale,
            "advice": step.advice,
        }
        self.patient_data.write_triage_outcome(patient_id, outcome, conversation_id=ctx.tracker.conversation_id)

    def _triage_context(self, ctx: TurnContext) -> dict | None:
        patient_id = self._consented_patient(ctx)
        if patient_id is None or self.patient_data is None:
            return None
        try:
            return self.patient_data.triage_context(
                patient_id, conversation_id=ctx.tracker.conversation_id, consent_given=True
            )
        except Exception:  # noqa: BLE001 - triage goes on without the record
            log.warning("patient context unavailable for triage")
            return None

    # -- guidelines -----------------------------------------------------------------------------
    def action_answer_guideline(self, ctx: TurnContext) -> None:
        if self.answers is None:
            ctx.utter("utter_guideline_unavailable")
            return
        try:
            reply = self.answers.answer(ctx.message.text, language=ctx.language)
        except Exception:
            log.exception("guideline answering failed")
            ctx.utter("utter_guideline_unavailable")
            return
        if not reply.confident:
            ctx.utter("utter_no_reliable_info")
            ctx.set_slot("pending_offer", {"kind": "escalation", "reason": "patient_request", "level": ""})
            return
        ctx.say(reply.text, template="guideline_answer", citations=reply.citations)

    def action_fallback(self, ctx: TurnContext) -> None:
        """Unsure what was meant: answer from the guidelines only if a passage clearly fits."""
        text = ctx.message.text
        if self.answers is not None and ("?" in text or len(text.split()) >= 4):
            try:
                reply = self.answers.answer(text, language=ctx.language)
            except Exception:  # noqa: BLE001
                reply = None
            if reply is not None and reply.confident:
                ctx.say(reply.text, template="guideline_answer", citations=reply.citations)
                return
        ctx.utter("utter_fallback")

    # -- the patient's own data -------------------------------------------------------------------
    def action_show_my_data(self, ctx: TurnContext) -> None:
        patient_id = ctx.slot("patient_id")
        if self.patient_data is None or not patient_id:
            ctx.utter("utter_my_data_unavailable")
            return
        if not ctx.slot("record_consent"):
            ctx.utter("utter_ask_record_consent")
            ctx.set_slot("pending_offer", {"kind": "record_consent"})
            return
        try:
            reply = self.patient_data.patient_summary(
                patient_id, conversation_id=ctx.tracker.conversation_id, consent_given=True
            )
        except Exception:
            log.exception("patient data unavailable")
            ctx.utter("utter_my_data_unavailable")
            return
        if reply.text:
            ctx.say(reply.text, template="my_data", degraded=reply.degraded)
        else:
            ctx.utter("utter_my_data_unavailable")

    # -- people ---------------------------------------------------------------------------------
    def action_request_human(self, ctx: TurnContext) -> None:
        self._escalate(ctx, reason="patient_request", level="")

    def action_request_appointment(self, ctx: TurnContext) -> None:
        ctx.utter("utter_request_appointment")

    def action_privacy(self, ctx: TurnContext) -> None:
        ctx.utter("utter_privacy")

    def action_relay_to_human(self, ctx: TurnContext) -> None:
        # The clinician sees the message in the conversation; nothing to say on the bot's behalf.
        return

    def _escalate(
        self, ctx: TurnContext, *, reason: str, level: str, announce: bool = True, **extra: list
    ) -> None:
        """Raise an escalation; a person asked for (or a crisis) also hands the chat to a human."""
        if self.escalations is None:
            if announce:
                ctx.utter("utter_handoff_unavailable")
            return
        pending = ctx.slot("pending_triage") or {}
        draft = EscalationDraft(
            conversation_id=ctx.tracker.conversation_id,
            reason=reason,
            level=level,
            patient_ref=ctx.slot("patient_id"),
            findings=extra.get("findings") or pending.get("findings") or [],
            red_flags=extra.get("red_flags")
            or pending.get("red_flags")
            or (
                [{"id": r, "label": why} for r, why in zip(ctx.safety.rules, ctx.safety.reasons)]
                if ctx.safety
                else []
            ),
            transcript_excerpt=_transcript(ctx),
        )
        self._attach_record(ctx, draft, urgent=reason in ("emergency", "crisis"))
        escalation_id = self.escalations.new_id()
        service = self.escalations
        ctx.in_transaction.append(lambda session: service.write(session, escalation_id, draft))
        ctx.events.append(
            EscalationRaised(escalation_id=escalation_id, reason=reason, level=level)
        )
        if reason in ("patient_request", "crisis"):
            ctx.events.append(Handoff(to="human", by="assistant", reason=reason))
        ctx.set_slot("pending_triage", None)
        ctx.set_slot("active_flow", None)
        message = service.patient_message(draft)
        if message:
            ctx.say(message, template="utter_handoff_started", escalation_id=escalation_id)


    def _attach_record(self, ctx: TurnContext, draft: EscalationDraft, *, urgent: bool) -> None:
        """The record and wearable summaries for the clinician, when the patient consented.
        Emergencies and crises never wait on the record server: they get what is already cached."""
        patient_id = self._consented_patient(ctx)
        if patient_id is None or self.patient_data is None:
            return
        try:
            packet = self.patient_data.clinician_packet(
                patient_id, conversation_id=ctx.tracker.conversation_id, consent_given=True, cached_only=urgent
            )
        except Exception:  # noqa: BLE001 - the escalation goes out without the record
            log.warning("record summary unavailable for the escalation")
            return
        if packet:
            if packet.get("patient_context"):
                draft.patient_context = {"summary": packet["patient_context"]}
            if packet.get("wearables"):
                draft.wearable_summary = {"summary": packet["wearables"]}


def _transcript(ctx: TurnContext, limit: int = 12) -> list[dict]:
    lines = []
    for event in [*ctx.tracker.events, *ctx.events]:
        if isinstance(event, UserMessage):
            lines.append({"role": "patient", "text": event.text, "at": event.timestamp})
        elif isinstance(event, BotMessage):
            lines.append({"role": "assistant", "text": event.text, "at": event.timestamp})
        elif isinstance(event, AgentMessage):
            lines.append({"role": "clinician", "text": event.text, "at": event.timestamp})
    return lines[-limit:]
