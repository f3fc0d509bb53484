"""The state of one conversation, derived from its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.core.events import Event, Handoff, SessionStarted, SlotSet, UserMessage


@dataclass
class Tracker:
    conversation_id: str
    events: list[Event] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return not any(isinstance(e, SessionStarted) for e in self.events)

    @property
    def slots(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for event in self.events:
            if isinstance(event, SlotSet):
                values[event.name] = event.value
        return values

    def slot(self, name: str, default: Any = None) -> Any:
        return self.slots.get(name, default)

    @property
    def active_flow(self) -> str | None:
        return self.slot("active_flow")

    @property
    def human_in_charge(self) -> bool:
        for event in reversed(self.events):
            if isinstance(event, Handoff):
                return event.to == "human"
        return False

    @property
    def language(self) -> str:
        for event in self.events:
            if isinstance(event, SessionStarted):
                return event.language
        return "en"

    @property
    def user_messages(self) -> list[UserMessage]:
        return [e for e in self.events if isinstance(e, UserMessage)]

    def latest_user_message(self) -> UserMessage | None:
        for event in reversed(self.events):
            if isinstance(event, UserMessage):
                return event
        return None
