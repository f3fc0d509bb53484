"""Request and response models of the HTTP API (pydantic, documented in OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TEXT = 5000


def _clean_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("text must not be empty")
    if len(value) > MAX_TEXT:
        raise ValueError(f"text is too long ({len(value)} characters; the limit is {MAX_TEXT})")
    return value


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., description="What the patient wrote.", examples=["I've had a headache for 3 days"])
    sender: str = Field("", max_length=200, description="Who sent it (opaque id).")
    message_id: str = Field("", max_length=200, description="Client id, for your own deduplication.")
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="Optional: `patient_id` (FHIR id, enables record context with consent), `language`.",
    )

    _text = field_validator("text")(_clean_text)


class IntentOut(BaseModel):
    name: str
    confidence: float


class ParseOut(BaseModel):
    text: str
    intent: IntentOut
    intent_ranking: list[IntentOut]
    entities: list[dict[str, Any]]


class SafetyOut(BaseModel):
    kind: Literal["emergency", "mental_health_crisis"]
    rules: list[str]
    reasons: list[str]
    source: str
    also: list[str] = []


class ReplyOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str
    template: str = ""


class TurnOut(BaseModel):
    conversation_id: str
    replies: list[ReplyOut]
    parse: ParseOut
    safety: SafetyOut | None


class EventOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    timestamp: float


class ConversationOut(BaseModel):
    conversation_id: str
    events: list[EventOut]
    human_in_charge: bool
    active_flow: str | None


class ParseIn(BaseModel):
    text: str
    message_id: str | None = None

    _text = field_validator("text")(_clean_text)


CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9._:@+\-]{1,128}$"
