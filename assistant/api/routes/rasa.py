"""Rasa-compatible endpoints: the REST channel webhook and /model/parse, with Rasa's payloads."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, field_validator

from assistant.api.auth import require_scope
from assistant.api.routes.conversations import run_turn
from assistant.api.routes.nlu import parse_text
from assistant.api.schemas import MAX_TEXT
from assistant.core.turn import InboundMessage

router = APIRouter(tags=["rasa-compatible"], dependencies=[Depends(require_scope("integrator"))])

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:@+\-]{1,128}$")


class RestWebhookIn(BaseModel):
    sender: str = Field(..., min_length=1, max_length=512)
    message: str
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("message must not be empty")
        if len(value) > MAX_TEXT:
            raise ValueError(f"message is too long (limit {MAX_TEXT} characters)")
        return value.strip()


class ModelParseIn(BaseModel):
    text: str
    message_id: str | None = None

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if len(value) > MAX_TEXT:
            raise ValueError(f"text is too long (limit {MAX_TEXT} characters)")
        return value


def conversation_id_for(sender: str) -> str:
    # Rasa uses the sender id as the conversation id; hash ids we cannot use verbatim.
    if _SAFE_ID.match(sender):
        return sender
    return "rasa-" + hashlib.sha256(sender.encode()).hexdigest()[:32]


@router.post("/webhooks/rest/webhook", summary="Rasa REST channel")
def rest_webhook(request: Request, body: RestWebhookIn) -> list[dict[str, Any]]:
    result = run_turn(
        request,
        InboundMessage(
            conversation_id=conversation_id_for(body.sender),
            text=body.message,
            sender=body.sender,
            channel="rest",
            metadata=body.metadata,
        ),
    )
    return [{"recipient_id": body.sender, "text": reply.text} for reply in result.replies]


def _text_tokens(text: str) -> list[list[int]]:
    return [[m.start(), m.end()] for m in re.finditer(r"\w+", text)]


@router.post("/model/parse", summary="Rasa /model/parse")
def model_parse(request: Request, body: ModelParseIn) -> dict[str, Any]:
    if not body.text.strip():
        # Rasa answers an empty text with an empty parse rather than an error.
        return {"text": body.text, "intent": {"name": None, "confidence": 0.0}, "entities": [],
                "intent_ranking": [], "text_tokens": []}
    parsed = parse_text(request, body.text)
    parsed["text"] = body.text
    parsed["text_tokens"] = _text_tokens(body.text)
    if body.message_id is not None:
        parsed["message_id"] = body.message_id
    return parsed
