"""Next-action selection: which actions a turn runs, from safety, intent, slots and the active flow.

Pure decision code over plain data; the engine executes the actions it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Intent -> the action that answers it when no flow or offer is pending.
INTENT_ACTIONS: dict[str, str] = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "affirm": "utter_acknowledge",
    "deny": "utter_acknowledge",
    "bot_challenge": "utter_bot_challenge",
    "report_symptom": "action_triage",
    "ask_health_info": "action_answer_guideline",
    "ask_medication": "action_answer_guideline",
    "request_appointment": "action_request_appointment",
    "request_human": "action_request_human",
    "emergency": "action_triage",  # the safety policy did not fire: assess the words carefully
    "mental_health_crisis": "action_crisis_check",
    "ask_my_data": "action_show_my_data",
    "privacy_request": "action_privacy",
    "out_of_scope": "utter_out_of_scope",
    "nlu_fallback": "action_fallback",
}

#: Intents that leave an active flow (anything else is taken as an answer to the flow's question).
FLOW_EXITS = {"request_human", "goodbye", "privacy_request", "bot_challenge", "thank", "greet"}


@dataclass(frozen=True)
class DialogueState:
    intent: str
    confidence: float
    safety_kind: str | None = None
    safety_also: tuple[str, ...] = ()
    first_turn: bool = False
    human_in_charge: bool = False
    active_flow: str | None = None
    pending_offer: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)


def next_actions(state: DialogueState) -> list[str]:
    actions: list[str] = []
    # Safety first, on every message, whoever is in charge.
    if state.safety_kind == "emergency":
        actions.append("action_safety_emergency")
    elif state.safety_kind == "mental_health_crisis":
        actions.append("action_safety_crisis")
    if state.first_turn:
        actions.append("utter_disclaimer")
    if state.human_in_charge:
        # A clinician is in charge: the bot stays quiet apart from safety messages.
        return actions + ["action_relay_to_human"]
    if state.safety_kind is not None:
        return actions

    if state.pending_offer and state.intent in ("affirm", "deny"):
        return actions + [f"action_offer_{state.intent}"]
    if state.active_flow == "triage" and state.intent not in FLOW_EXITS:
        return actions + ["action_triage"]
    if state.active_flow and state.intent in FLOW_EXITS:
        actions.append("action_cancel_flow")
    actions.append(INTENT_ACTIONS.get(state.intent, "action_fallback"))
    return actions
