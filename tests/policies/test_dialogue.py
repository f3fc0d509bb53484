from __future__ import annotations

from policies.dialogue import DialogueState, next_actions


def test_safety_runs_first_and_stops_routine_flow() -> None:
    actions = next_actions(DialogueState(intent="greet", confidence=0.9, safety_kind="emergency", first_turn=True))
    assert actions[0] == "action_safety_emergency"
    assert "utter_greet" not in actions


def test_first_turn_shows_disclaimer_then_answers() -> None:
    assert next_actions(DialogueState(intent="greet", confidence=0.9, first_turn=True)) == ["utter_disclaimer", "utter_greet"]


def test_human_in_charge_keeps_the_bot_quiet_except_for_safety() -> None:
    assert next_actions(DialogueState(intent="ask_health_info", confidence=0.9, human_in_charge=True)) == ["action_relay_to_human"]
    crisis = next_actions(DialogueState(intent="greet", confidence=0.9, human_in_charge=True, safety_kind="mental_health_crisis"))
    assert crisis[0] == "action_safety_crisis"


def test_active_triage_flow_takes_answers_but_lets_the_patient_leave() -> None:
    assert next_actions(DialogueState(intent="deny", confidence=0.9, active_flow="triage")) == ["action_triage"]
    assert next_actions(DialogueState(intent="request_human", confidence=0.9, active_flow="triage")) == [
        "action_cancel_flow",
        "action_request_human",
    ]


def test_pending_offer_consumes_yes_and_no() -> None:
    assert next_actions(DialogueState(intent="affirm", confidence=0.9, pending_offer="escalation")) == ["action_offer_affirm"]
    assert next_actions(DialogueState(intent="deny", confidence=0.9, pending_offer="record_consent")) == ["action_offer_deny"]


def test_every_intent_has_a_reply() -> None:
    for intent in ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "report_symptom", "ask_health_info",
                   "ask_medication", "request_appointment", "request_human", "emergency", "mental_health_crisis",
                   "ask_my_data", "privacy_request", "out_of_scope", "nlu_fallback"]:
        assert next_actions(DialogueState(intent=intent, confidence=0.9))
