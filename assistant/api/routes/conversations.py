"""Conversations: send a patient's message, read a conversation's events."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from assistant.api.auth import require_scope
from assistant.api.schemas import CONVERSATION_ID_PATTERN, ConversationOut, MessageIn, TurnOut
from assistant.core.turn import InboundMessage, TurnResult
from assistant.stores.lock_store import LockTimeout

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])

ConversationId = Path(..., pattern=CONVERSATION_ID_PATTERN, description="Your id for the conversation.")


def turn_to_json(result: TurnResult) -> dict:
    return {
        "conversation_id": result.conversation_id,
        "replies": [reply.to_dict() for reply in result.replies],
        "parse": result.parse,
        "safety": result.safety.to_dict() if result.safety else None,
    }


def run_turn(request: Request, message: InboundMessage) -> TurnResult:
    try:
        return request.app.state.services.engine.handle(message)
    except LockTimeout:
        raise HTTPException(423, "this conversation is busy with another message; retry shortly")


@router.post(
    "/{conversation_id}/messages",
    response_model=TurnOut,
    dependencies=[Depends(require_scope("integrator"))],
    summary="Send a patient's message and get the assistant's replies",
)
def post_message(request: Request, body: MessageIn, conversation_id: str = ConversationId) -> dict:
    message = InboundMessage(
        conversation_id=conversation_id,
        text=body.text,
        sender=body.sender,
        message_id=body.message_id,
        metadata=body.metadata,
    )
    return turn_to_json(run_turn(request, message))


@router.get(
    "/{conversation_id}",
    response_model=ConversationOut,
    dependencies=[Depends(require_scope("integrator", "clinician"))],
    summary="A conversation's events, oldest first",
)
def get_conversation(request: Request, conversation_id: str = ConversationId) -> dict:
    tracker = request.app.state.services.tracker_store.retrieve(conversation_id)
    if tracker is None:
        raise HTTPException(404, f"no conversation with id {conversation_id!r}")
    return {
        "conversation_id": conversation_id,
        "events": [event.to_dict() for event in tracker.events],
        "human_in_charge": tracker.human_in_charge,
        "active_flow": tracker.active_flow,
    }
