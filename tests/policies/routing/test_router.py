"""Routing decisions over small hand-written rules: specialty, hours, load, fallback, SLA."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policies.routing import Case, classify_specialty, load_rules, parse_rules, route, sla_minutes
from policies.routing.router import priority_of, worsening_advice

RULES = {
    "timezone": "UTC",
    "sla_minutes": {"emergency": 5, "consultation_24": 30, "crisis": 3, "patient_request": 15, "default": 60},
    "priority": {"emergency": 0, "crisis": 1, "consultation_24": 2, "default": 3},
    "worsening_advice": {"emergency": "Call {emergency_number}.", "crisis": "Call {crisis_line}.", "default": "Tell us."},
    "specialties": [
        {"id": "mental_health", "reasons": ["crisis"], "red_flags": ["suicidal_ideation"]},
        {"id": "cardiology", "red_flags": ["chest_pain_cardiac"], "codes": ["29857009"], "keywords": ["palpitation"]},
        {"id": "general"},
    ],
    "targets": [
        {"id": "mh", "specialty": "mental_health", "patient_label": "the crisis team"},
        {"id": "cardio-a", "specialty": "cardiology", "capacity": 2,
         "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]},
        {"id": "cardio-b", "specialty": "cardiology", "capacity": 2,
         "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}]},
        {"id": "gp", "specialty": "general",
         "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "20:00"}]},
        {"id": "night-gp", "specialty": "general", "hours": [{"start": "20:00", "end": "08:00"}]},
        {"id": "duty", "specialty": "general", "patient_label": "the duty doctor",
         "rota": {"starts": "2025-06-02", "period_days": 1, "clinicians": ["dr-a", "dr-b"]}},
    ],
    "fallback_target": "duty",
}

WEDNESDAY_10AM = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)
WEDNESDAY_11PM = datetime(2025, 6, 4, 23, 0, tzinfo=UTC)
SUNDAY_NOON = datetime(2025, 6, 8, 12, 0, tzinfo=UTC)


@pytest.fixture
def rules():  # type: ignore[no-untyped-def]
    return parse_rules(RULES)


def chest_pain(level: str = "emergency") -> Case:
    return Case(reason="triage", level=level, red_flags=[{"id": "chest_pain_cardiac"}])


def test_red_flag_points_to_its_specialty_and_routes_there_in_hours(rules) -> None:  # type: ignore[no-untyped-def]
    decision = route(chest_pain(), rules, WEDNESDAY_10AM)
    assert (decision.specialty, decision.target, decision.fallback) == ("cardiology", "cardio-a", False)


def test_coded_finding_and_keyword_also_point_to_a_specialty(rules) -> None:  # type: ignore[no-untyped-def]
    by_code = Case(reason="triage", findings=[{"code": "29857009", "display": "Chest pain"}])
    by_word = Case(reason="triage", findings=[{"display": "Palpitations at night"}])
    assert classify_specialty(by_code, rules)[0] == "cardiology"
    assert classify_specialty(by_word, rules)[0] == "cardiology"


def test_negated_findings_do_not_pull_towards_a_specialty(rules) -> None:  # type: ignore[no-untyped-def]
    case = Case(reason="triage", findings=[{"code": "29857009", "present": False}])
    assert classify_specialty(case, rules)[0] == "general"


def test_crisis_reason_goes_to_the_crisis_team_at_any_hour(rules) -> None:  # type: ignore[no-untyped-def]
    decision = route(Case(reason="crisis", level="emergency"), rules, SUNDAY_NOON)
    assert decision.target == "mh"
    assert decision.patient_label == "the crisis team"


def test_out_of_hours_falls_to_the_general_tier_then_the_fallback(rules) -> None:  # type: ignore[no-untyped-def]
    night = route(chest_pain(), rules, WEDNESDAY_11PM)
    assert night.target == "night-gp"  # overnight window 20:00-08:00
    assert not night.fallback
    sunday = route(chest_pain(), rules, SUNDAY_NOON)
    assert (sunday.target, sunday.fallback) == ("duty", True)
    assert any("outside working hours" in why for why in sunday.why)


def test_least_loaded_target_wins_and_full_ones_are_skipped(rules) -> None:  # type: ignore[no-untyped-def]
    assert route(chest_pain(), rules, WEDNESDAY_10AM, load={"cardio-a": 1}).target == "cardio-b"
    full = route(chest_pain(), rules, WEDNESDAY_10AM, load={"cardio-a": 2, "cardio-b": 2})
    assert full.target == "gp"


def test_rerouting_excludes_targets_already_tried_and_ends_at_the_fallback(rules) -> None:  # type: ignore[no-untyped-def]
    tried: list[str] = []
    seen = []
    for _ in range(5):
        decision = route(chest_pain(), rules, WEDNESDAY_10AM, exclude=tried)
        seen.append(decision.target)
        tried.append(decision.target)
    assert seen[:4] == ["cardio-a", "cardio-b", "gp", "duty"]
    assert seen[4] == "duty"
    assert route(chest_pain(), rules, WEDNESDAY_10AM, exclude=tried).exhausted


def test_external_availability_can_veto_a_target(rules) -> None:  # type: ignore[no-untyped-def]
    decision = route(chest_pain(), rules, WEDNESDAY_10AM, availability=lambda target, _now: target.id != "cardio-a")
    assert decision.target == "cardio-b"


def test_rota_names_who_is_on_call(rules) -> None:  # type: ignore[no-untyped-def]
    monday = route(chest_pain(), rules, datetime(2025, 6, 2, 2, 0, tzinfo=UTC), load={"night-gp": 0},
                   exclude=["night-gp"])
    tuesday = route(chest_pain(), rules, datetime(2025, 6, 3, 2, 0, tzinfo=UTC), exclude=["night-gp"])
    assert (monday.on_call, tuesday.on_call) == ("dr-a", "dr-b")


def test_sla_is_the_tighter_of_level_and_reason_and_can_be_overridden(rules) -> None:  # type: ignore[no-untyped-def]
    assert sla_minutes(Case(reason="crisis", level="emergency"), rules) == 3
    assert sla_minutes(Case(reason="triage", level="consultation_24"), rules) == 30
    assert sla_minutes(Case(reason="triage", level=""), rules) == 60
    assert sla_minutes(Case(reason="triage", level="consultation_24"), rules, {"consultation_24": 10}) == 10


def test_priority_and_worsening_advice_follow_reason_and_level(rules) -> None:  # type: ignore[no-untyped-def]
    assert priority_of(chest_pain(), rules) == 0
    assert priority_of(Case(reason="patient_request"), rules) == 3
    assert worsening_advice(chest_pain(), rules) == "Call {emergency_number}."
    assert worsening_advice(Case(reason="patient_request"), rules) == "Tell us."
    assert worsening_advice(Case(reason="crisis", level="emergency"), rules) == "Call {crisis_line}."


def test_the_shipped_rules_route_every_red_flag_somewhere_at_every_hour() -> None:
    rules = load_rules()
    flags = ["chest_pain_cardiac", "stroke_signs", "severe_breathing", "suicidal_ideation", "baby_red_flags"]
    for hour in range(0, 24, 3):
        for day in range(2, 9):  # Monday 2 June 2025 .. Sunday
            moment = datetime(2025, 6, day, hour, tzinfo=UTC)
            for flag in flags:
                decision = route(Case(reason="triage", level="emergency", red_flags=[{"id": flag}]), rules, moment)
                assert decision.target in {t.id for t in rules.targets}
                assert decision.sla_minutes <= 5
    crisis = route(Case(reason="crisis", level="emergency"), rules, datetime(2025, 6, 8, 3, tzinfo=UTC))
    assert crisis.target == "mental-health-crisis-team"
