"""What one turn works with: the inbound message, and the context actions write their results to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assistant.core.events import BotMessage, Event, SlotSet
from assistant.core.responses import ResponseTemplates
from assistant.core.tracker import Tracker
from policies.safety import SafetyVerdict


@dataclass(frozen=True)
class InboundMessage:
    conversation_id: str
    text: str
    sender: str = ""
    channel: str = "api"
    message_id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BotReply:
    text: str
    template: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.template:
            out["template"] = self.template
        out.update(self.data)
        return out


@dataclass
class TurnResult:
    conversation_id: str
    replies: list[BotReply]
    parse: dict[str, Any]
    safety: SafetyVerdict | None
    events: list[Event]


@dataclass
class TurnContext:
    """Actions read the conversation from here and append their events and replies to it."""

    tracker: Tracker
    message: InboundMessage
    parse: dict[str, Any]
    safety: SafetyVerdict | None
    responses: ResponseTemplates
    template_values: dict[str, Any]
    language: str = "en"
    events: list[Event] = field(default_factory=list)
    replies: list[BotReply] = field(default_factory=list)
    in_transaction: list[Callable[[Session | None], None]] = field(default_factory=list)
    _slot_updates: dict[str, Any] = field(default_factory=dict)

    @property
    def intent(self) -> str:
        return str(self.parse.get("intent", {}).get("name", "nlu_fallback"))

    def slot(self, name: str, default: Any = None) -> Any:
        if name in self._slot_updates:
            return self._slot_updates[name]
        return self.tracker.slot(name, default)

    def set_slot(self, name: str, value: Any) -> None:
        if self.slot(name) == value and name in self._slot_updates | self.tracker.slots:
            return
        self._slot_updates[name] = value
        self.events.append(SlotSet(name=name, value=value))

    def say(self, text: str, template: str = "", **data: Any) -> None:
        if not text:
            return
        self.events.append(BotMessage(text=text, template=template, data=data))
        self.replies.append(BotReply(text=text, template=template, data=data))

    def utter(self, template: str, **values: Any) -> None:
        seed = f"{self.tracker.conversation_id}:{len(self.tracker.events)}:{template}"
        text = self.responses.render(
            template, self.language, seed=seed, **(self.template_values | values)
        )
        self.say(text, template=template)
