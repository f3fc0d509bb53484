"""The safety policy fires on emergencies and crises, and not on routine messages."""

from __future__ import annotations

import pytest

from policies.safety import IntentSignal, SafetyPolicy, without_denials

policy = SafetyPolicy()


@pytest.mark.parametrize(
    "text",
    [
        "my husband has crushing chest pain and is sweating buckets",
        "dads face has dropped on one side and his speech is slurred",
        "my son cant breathe his lips are going blue",
        "she's collapsed and isn't responding",
        "throat is swelling up after eating peanuts",
        "the bleeding won't stop, it's soaked through the towel",
        "toddler swallowed a whole bottle of calpol",
        "baby is floppy and won't wake up",
        # bleeding that goes on despite pressure, comes back, or comes from inside
        "blood keeps pumping out of the cut on my arm even though I am pressing on it",
        "blood everywhere, it stopped for a minute but started again and won't stop",
        "nosebleed, blood everywhere, it stopped but now he looks pale and dizzy",
        "he was vomiting blood earlier, it has stopped now",
        "my grandad is not breathing properly and his lips look grey",
        "the wound looks septic and he is shivering",
    ],
)
def test_emergencies_fire(text: str) -> None:
    verdict = policy.evaluate(text)
    assert verdict is not None and verdict.kind == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "i want to kill myself",
        "everyone would be better off without me",
        "ive written goodbye letters to my family",
        "my daughter says she wants to end her life",
        "i keep cutting myself",
        "cant do this anymore want it all to end",
        # a denial earlier in the sentence does not hide a later statement
        "I've had no thoughts of suicide until today, now I want to end it all",
    ],
)
def test_crises_fire(text: str) -> None:
    verdict = policy.evaluate(text)
    assert verdict is not None and verdict.kind == "mental_health_crisis"


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "thanks so much",
        "what are the warning signs of a stroke?",
        "what's the keystroke for copy and paste",
        "heartburn after pizza",
        "this traffic is killing me",
        "I'm dying to see the new film",
        "I had a heart attack 5 years ago, can I take aspirin?",
        "my phone died",
        "how do I do CPR on an adult",
        # a bleed that has been dealt with
        "blood everywhere! sliced my finger chopping onions, it stopped after i held a tissue on it",
        "massive nosebleed blood everywhere after picking his nose, pinched it 10 mins and its stopped",
        "been feeling flat for weeks, not thinking about hurting myself",
        # a denied list: every item is denied, not only the first
        "8 weeks of indigestion after meals, no weight loss, dysphagia, vomiting or melaena",
        # a face droop from Bell's palsy a clinician has already diagnosed
        "my bells palsy was diagnosed last week by the gp, face still droopy, any tips?",
        # breathing described as not fast is reassurance, not a child who has stopped breathing
        "2 year old with a cough and runny nose, he is not breathing fast and has no fever",
        "I haven't had any thoughts of harming myself or ending my life, just low for 5 weeks",
        "red patch round a scratch, can I just put antiseptic cream on it?",
        # one short denied item carried over "or"; a rash, not a pain, spreading on the chest
        "28F, 6 months of worry and poor sleep. No self-harm or suicidal ideation.",
        "5F, fever, rough sandpaper rash on chest and neck spreading to her arms",
        "my chest infection isn't responding to the antibiotics",
    ],
)
def test_routine_messages_do_not_fire(text: str) -> None:
    assert policy.evaluate(text) is None


def test_a_diagnosed_bells_palsy_still_fires_with_a_sign_it_does_not_cause() -> None:
    assert policy.evaluate("diagnosed with bells palsy last week, face droopy and now my arm is weak") is not None
    assert policy.evaluate("my face has dropped on one side, is it bells palsy?") is not None


def test_a_denied_list_ends_at_a_turn_or_a_course() -> None:
    assert policy.evaluate("no fever, but vomiting blood since this morning") is not None
    assert without_denials("no fever, sore throat since monday, worse at night or lying down").count("sore throat") == 1


def test_overdose_with_suicidal_intent_is_a_crisis_that_also_needs_emergency_help() -> None:
    verdict = policy.evaluate("I took all my pills because I want to die")
    assert verdict is not None and verdict.kind == "mental_health_crisis" and "emergency" in verdict.also


def test_intent_model_can_add_but_not_remove_a_detection() -> None:
    assert policy.evaluate("help him please", IntentSignal("emergency", 0.95)).kind == "emergency"
    assert policy.evaluate("i want to kill myself", IntentSignal("greet", 0.99)).kind == "mental_health_crisis"
    assert policy.evaluate("help him please", IntentSignal("emergency", 0.3)) is None


def test_a_failing_extra_detector_never_blocks_safety() -> None:
    def broken(_text: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    guarded = SafetyPolicy(extra_detectors=(broken,))
    assert guarded.evaluate("i cant breathe").kind == "emergency"




def test_shipped_evaluation_set_recall_and_specificity() -> None:
    from pathlib import Path

    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "benchmarks/data/safety_messages.yml").read_text())
    missed = [
        t for kind in ("emergency", "mental_health_crisis") for t in data[kind]
        if (v := policy.evaluate(t)) is None or v.kind != kind
    ]
    false_alarms = [t for t in data["not_safety"] if policy.evaluate(t) is not None]
    assert not missed, missed
    assert not false_alarms, false_alarms


def test_a_relative_reporting_someone_about_to_end_their_life_is_a_crisis() -> None:
    policy = SafetyPolicy()
    for text in [
        "my sister just messaged me goodbye and says she is on the bridge",
        "he is threatening to jump off the multi storey car park",
    ]:
        verdict = policy.evaluate(text)
        assert verdict is not None and verdict.kind == "mental_health_crisis", text
    for text in ["we are going to jump in the pool later", "I said goodbye to my friends at the airport"]:
        assert policy.evaluate(text) is None, text


def test_having_self_harm_thoughts_is_a_crisis() -> None:
    assert policy.evaluate("i keep thinking about hurting myself") is not None


def test_a_farewell_with_arrangements_made_is_a_crisis() -> None:
    verdict = policy.evaluate("thanks for listening. i've left notes for mum and my sister. i won't be messaging again after tonight")
    assert verdict is not None and verdict.kind == "mental_health_crisis"


def test_denied_thoughts_joined_by_a_slash_are_denied() -> None:
    assert policy.evaluate("Denies thoughts of self-harm/suicide, no plans.") is None
    assert policy.evaluate("no self-harm/suicidal thoughts") is None
    assert policy.evaluate("I keep having thoughts of suicide") is not None


def test_a_symptom_not_waking_her_is_not_unconsciousness() -> None:
    assert policy.evaluate("headache not waking her at night") is None
    assert policy.evaluate("my dad is not waking up") is not None
    assert policy.evaluate("shaking him but it's not waking him up") is not None


def test_thinking_about_not_waking_up_is_a_crisis_not_unconsciousness() -> None:
    verdict = policy.evaluate("for weeks I keep thinking about not waking up")
    assert verdict is not None and verdict.kind == "mental_health_crisis" and "unconscious" not in verdict.rules
    assert policy.evaluate("Denies SI/thoughts of self-harm, no plans.") is None
