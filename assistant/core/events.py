"""Typed, append-only conversation events and their JSON form.

Every event a conversation ever produced is kept, in order; the tracker's state (slots, the active
flow, whether a human is in charge) is always derived by replaying them.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar


def now() -> float:
    return time.time()


@dataclass(frozen=True, kw_only=True)
class Event:
    type_name: ClassVar[str] = "event"
    timestamp: float = field(default_factory=now)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["type"] = self.type_name
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Event:
        kind = data.get("type")
        cls = EVENT_TYPES.get(kind or "")
        if cls is None:
            raise ValueError(f"unknown event type: {kind!r}")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True, kw_only=True)
class SessionStarted(Event):
    type_name: ClassVar[str] = "session_started"
    channel: str = "api"
    language: str = "en"


@dataclass(frozen=True, kw_only=True)
class UserMessage(Event):
    type_name: ClassVar[str] = "user"
    text: str
    sender: str = ""
    channel: str = "api"
    message_id: str = ""
    parse: dict[str, Any] = field(default_factory=dict)
    safety: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class BotMessage(Event):
    type_name: ClassVar[str] = "bot"
    text: str
    template: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class SlotSet(Event):
    type_name: ClassVar[str] = "slot"
    name: str
    value: Any = None


@dataclass(frozen=True, kw_only=True)
class ActionExecuted(Event):
    type_name: ClassVar[str] = "action"
    name: str
    confidence: float | None = None


@dataclass(frozen=True, kw_only=True)
class EscalationRaised(Event):
    type_name: ClassVar[str] = "escalation"
    escalation_id: str
    reason: str
    level: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Handoff(Event):
    """Who is in charge of the conversation: ``human`` pauses the bot, ``bot`` resumes it."""

    type_name: ClassVar[str] = "handoff"
    to: str
    by: str = ""
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AgentMessage(Event):
    """A message from a clinician, relayed into the conversation."""

    type_name: ClassVar[str] = "agent"
    text: str
    agent: str = ""
    escalation_id: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type_name: cls
    for cls in (
        SessionStarted,
        UserMessage,
        BotMessage,
        SlotSet,
        ActionExecuted,
        EscalationRaised,
        Handoff,
        AgentMessage,
    )
}
