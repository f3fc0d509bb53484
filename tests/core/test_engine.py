"""The turn loop: safety first and independent of the model; events persisted before replies."""

from __future__ import annotations

from assistant.core.actions import ActionRunner
from assistant.core.engine import Engine
from assistant.core.events import BotMessage, SessionStarted, UserMessage
from assistant.core.responses import ResponseTemplates
from assistant.core.turn import InboundMessage
from assistant.stores.lock_store import InMemoryLockStore
from assistant.stores.tracker_store import InMemoryTrackerStore
from policies.safety import SafetyPolicy


class BrokenModel:
    """An intent model whose every call fails (e.g. corrupted weights)."""

    def parse(self, text: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("model weights unreadable")


def make_engine(nlu=None) -> Engine:  # type: ignore[no-untyped-def]
    return Engine(
        tracker_store=InMemoryTrackerStore(),
        lock_store=InMemoryLockStore(),
        responses=ResponseTemplates.load(),
        safety=SafetyPolicy(),
        actions=ActionRunner(),
        nlu=nlu,
        template_values={"emergency_number": "999 or 911", "crisis_line": "988"},
    )


def test_safety_still_fires_when_the_intent_model_is_broken() -> None:
    engine = make_engine(BrokenModel())

    result = engine.handle(InboundMessage("c1", "he's not breathing and his lips are blue"))

    assert result.safety is not None and result.safety.kind == "emergency"
    assert "999" in result.replies[0].text
    assert result.parse["intent"]["name"] == "nlu_fallback"


def test_crisis_without_any_model() -> None:
    result = make_engine(None).handle(InboundMessage("c2", "i have pills saved up to end it tonight"))

    assert result.safety is not None and result.safety.kind == "mental_health_crisis"


def test_user_message_is_persisted_even_if_an_action_crashes() -> None:
    engine = make_engine(None)

    def explode(_ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("action bug")

    engine.actions.utter_fallback = explode  # type: ignore[attr-defined]
    engine.actions.run = lambda name, ctx: explode(ctx)  # type: ignore[method-assign]
    try:
        engine.handle(InboundMessage("c3", "blah"))
    except RuntimeError:
        pass

    stored = engine.tracker_store.retrieve("c3")
    assert stored is not None
    assert [type(e) for e in stored.events] == [SessionStarted, UserMessage]


def test_replies_are_stored_as_bot_events() -> None:
    engine = make_engine(None)
    result = engine.handle(InboundMessage("c4", "zzzz"))

    stored = engine.tracker_store.retrieve("c4")
    bot_texts = [e.text for e in stored.events if isinstance(e, BotMessage)]
    assert bot_texts == [r.text for r in result.replies]


def test_handoff_pauses_the_bot_and_clinician_messages_are_relayed() -> None:
    engine = make_engine(None)
    engine.handle(InboundMessage("c5", "hello"))
    engine.handoff("c5", to="human", by="dr-lee", reason="claimed")

    paused = engine.handle(InboundMessage("c5", "are you there?"))
    engine.relay_agent_message("c5", "Hi, I'm Dr Lee. How can I help?", agent="dr-lee", escalation_id="e1")

    assert paused.replies == []
    events = engine.tracker_store.retrieve("c5").events
    assert events[-1].type_name == "agent" and "Dr Lee" in events[-1].text


def test_language_from_metadata_picks_templates_and_falls_back_to_english() -> None:
    engine = make_engine(None)
    result = engine.handle(InboundMessage("c6", "he cant breathe", metadata={"language": "es"}))

    assert result.safety is not None
    assert "emergencia" in result.replies[0].text
    fallback = engine.handle(InboundMessage("c6", "zzzz"))
    assert fallback.replies[-1].text.startswith("Perdona")  # the conversation keeps its language
