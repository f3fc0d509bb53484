from __future__ import annotations

from assistant.core.triage_service import TriageService


def test_interview_asks_few_questions_and_ends_with_an_explained_disposition() -> None:
    service = TriageService()
    step = service.step("i've got a headache", None, None)
    asked = 0
    while not step.done:
        asked += 1
        answer = {"severity": "about a 3", "duration": "2 days", "fever": "no"}.get(step.state["pending"], "no")
        step = service.step(answer, step.state, None)
    assert 1 <= asked <= 5
    assert step.level == "self_care"
    assert "999" in step.advice and step.findings[0]["code"] == "25064002"


def test_answers_change_the_disposition() -> None:
    service = TriageService()
    mild, _ = service.assess("headache", answers={"severity": "3", "fever": "no", "duration": "1 day"})
    severe, _ = service.assess("headache", answers={"severity": "9", "fever": "yes", "duration": "1 day"})
    assert mild.level.value == "self_care" and severe.level.value == "consultation_24"


def test_stateless_text_only_still_returns_a_level_and_the_questions() -> None:
    result, _ = TriageService().assess("sore throat")
    assert result.level.value == "self_care"
    assert {q.id for q in result.follow_up_questions} <= {"duration", "severity", "fever"}
