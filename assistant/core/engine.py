"""The conversation engine: one turn at a time per conversation, every event persisted first."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.core.actions import ActionRunner
from assistant.core.events import AgentMessage, Event, Handoff, SessionStarted, SlotSet, UserMessage
from assistant.core.responses import ResponseTemplates
from assistant.core.tracker import Tracker
from assistant.core.turn import BotReply, InboundMessage, TurnContext, TurnResult
from assistant.nlu.parser import FALLBACK_INTENT, NLUParser
from assistant.stores.lock_store import LockStore
from assistant.stores.tracker_store import TrackerStore, UnknownConversation
from policies.dialogue import DialogueState, next_actions
from policies.safety import IntentSignal, SafetyPolicy

log = logging.getLogger(__name__)

#: Sends a message out through the patient's channel (REST clients poll the conversation instead).
OutboundSender = Callable[[str, str, dict[str, Any]], None]

#: Metadata keys a client may set on a message that become slots of the conversation.
# ``record_consent``: an app that collected the patient's consent to read their record (for example
# at sign-up) passes it here; otherwise the assistant asks the first time the record is needed.
METADATA_SLOTS = ("patient_id", "language", "record_consent")


@dataclass
class Engine:
    tracker_store: TrackerStore
    lock_store: LockStore
    responses: ResponseTemplates
    safety: SafetyPolicy
    actions: ActionRunner
    nlu: NLUParser | None = None
    template_values: dict[str, Any] = field(default_factory=dict)
    outbound: dict[str, OutboundSender] = field(default_factory=dict)

    def parse(self, text: str) -> dict[str, Any]:
        """The NLU parse, or a fallback parse when the model is missing or failing."""
        if self.nlu is not None:
            try:
                return self.nlu.parse(text).to_dict()
            except Exception:
                log.exception("intent model failed; continuing with the fallback intent")
        return {
            "text": text,
            "intent": {"name": FALLBACK_INTENT, "confidence": 0.0},
            "intent_ranking": [],
            "entities": [],
        }

    def handle(self, message: InboundMessage) -> TurnResult:
        with self.lock_store.lock(message.conversation_id):
            tracker = self.tracker_store.retrieve(message.conversation_id) or Tracker(
                message.conversation_id
            )
            first_turn = tracker.is_new
            language = str(message.metadata.get("language") or tracker.slot("language") or "")
            if language not in self.responses.languages:
                language = self.responses.default_language

            parse = self.parse(message.text)
            ranking = parse.get("intent_ranking") or []
            top = next((r for r in ranking if r["name"] != FALLBACK_INTENT), None)
            signal = IntentSignal(top["name"], float(top["confidence"])) if top else None
            verdict = self.safety.evaluate(message.text, signal)

            # Persist the user's message before acting on it.
            incoming: list[Event] = []
            if first_turn:
                incoming.append(SessionStarted(channel=message.channel, language=language))
            incoming.append(
                UserMessage(
                    text=message.text,
                    sender=message.sender,
                    channel=message.channel,
                    message_id=message.message_id,
                    parse=parse,
                    safety=verdict.to_dict() if verdict else None,
                    metadata=message.metadata,
                )
            )
            for key in METADATA_SLOTS:
                value = message.metadata.get(key)
                if value not in (None, "") and tracker.slot(key) != value:
                    incoming.append(SlotSet(name=key, value=value))
            self.tracker_store.append(tracker, incoming, channel=message.channel)

            ctx = TurnContext(
                tracker=tracker,
                message=message,
                parse=parse,
                safety=verdict,
                responses=self.responses,
                template_values=self.template_values,
                language=language,
            )
            pending = tracker.slot("pending_offer")
            state = DialogueState(
                intent=ctx.intent,
                confidence=float(parse.get("intent", {}).get("confidence", 0.0)),
                safety_kind=verdict.kind if verdict else None,
                safety_also=verdict.also if verdict else (),
                first_turn=first_turn,
                human_in_charge=tracker.human_in_charge,
                active_flow=tracker.active_flow,
                pending_offer=(pending or {}).get("kind") if isinstance(pending, dict) else None,
                slots=tracker.slots,
            )
            for action in next_actions(state):
                self.actions.run(action, ctx)

            def in_transaction(session: Any) -> None:
                for work in ctx.in_transaction:
                    work(session)

            self.tracker_store.append(
                tracker,
                ctx.events,
                channel=message.channel,
                same_transaction=in_transaction if ctx.in_transaction else None,
            )
            return TurnResult(
                conversation_id=message.conversation_id,
                replies=ctx.replies,
                parse=parse,
                safety=verdict,
                events=[*incoming, *ctx.events],
            )

    # -- the clinician side ---------------------------------------------------------------------
    def relay_agent_message(self, conversation_id: str, text: str, agent: str, escalation_id: str) -> None:
        with self.lock_store.lock(conversation_id):
            tracker = self._existing(conversation_id)
            event = AgentMessage(text=text, agent=agent, escalation_id=escalation_id)
            self.tracker_store.append(tracker, [event])
        channel = _channel_of(tracker)
        sender = self.outbound.get(channel)
        if sender is not None:
            try:
                sender(conversation_id, text, {"agent": agent, "escalation_id": escalation_id})
            except Exception:
                log.exception("could not deliver a clinician message on channel %s", channel)

    def handoff(
        self, conversation_id: str, to: Literal["human", "bot"], by: str, reason: str = ""
    ) -> None:
        with self.lock_store.lock(conversation_id):
            tracker = self._existing(conversation_id)
            self.tracker_store.append(tracker, [Handoff(to=to, by=by, reason=reason)])

    def _existing(self, conversation_id: str) -> Tracker:
        tracker = self.tracker_store.retrieve(conversation_id)
        if tracker is None:
            raise UnknownConversation(conversation_id)
        return tracker


def _channel_of(tracker: Tracker) -> str:
    for event in tracker.events:
        if isinstance(event, SessionStarted):
            return event.channel
    return "api"


__all__ = ["BotReply", "Engine", "InboundMessage", "TurnResult"]
