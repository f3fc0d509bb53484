"""The reference cases are sound data, and the policy uses their vote only where it is safe to."""

from __future__ import annotations

import re
from collections import Counter

from policies.triage import triage
from policies.triage.case_bank import LEAD_SHARE, load_cases, vote
from policies.triage.models import Facts, FindingFact, Level, SimilarCase


def test_every_case_has_a_level_a_short_reason_and_a_public_source() -> None:
    cases = load_cases()
    assert len(cases) >= 1000
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert case.text.strip(), case.id
        assert re.match(r"https?://\S+\.\S+", case.source), case.id
        assert 0 < len(case.why.split()) <= 25, case.id


def test_the_bank_is_balanced_over_the_three_groups() -> None:
    levels = Counter(c.level for c in load_cases())
    emergency = levels[Level.EMERGENCY_AMBULANCE] + levels[Level.EMERGENCY]
    clinician = levels[Level.CONSULTATION_24] + levels[Level.CONSULTATION]
    total = sum(levels.values())
    for share in (emergency / total, clinician / total, levels[Level.SELF_CARE] / total):
        assert 0.25 <= share <= 0.45


def _case(level: Level, similarity: float, n: int = 0) -> SimilarCase:
    return SimilarCase(f"t{level.value}{n}", level, similarity, f"reason for {level.value}", "https://www.nhs.uk/")


def test_a_much_closer_case_outweighs_several_vague_ones() -> None:
    result = vote([_case(Level.SELF_CARE, 0.85)] + [_case(Level.CONSULTATION, 0.55, i) for i in range(4)])
    assert result is not None
    assert result.level() == Level.SELF_CARE
    assert abs(sum(result.weights.values()) - 1) < 1e-9


def _agreeing(level: Level) -> list[SimilarCase]:
    return [_case(level, 0.8 - i * 0.01, i) for i in range(10)]


def test_cases_that_clearly_agree_set_the_level_and_say_why() -> None:
    facts = Facts(text="my ankle is a bit sore", findings=[FindingFact("foot_pain")], similar_cases=_agreeing(Level.SELF_CARE))
    result = triage(facts)
    assert result.level == Level.SELF_CARE
    assert result.rationale[0].rule == "similar_cases"
    assert result.rationale[0].source.startswith("https://")


def test_split_cases_leave_the_protocol_level() -> None:
    mixed = [_case(Level.SELF_CARE, 0.8, 1), _case(Level.CONSULTATION_24, 0.8, 2)]
    assert max(vote(mixed).self_care, vote(mixed).clinician) < LEAD_SHARE  # type: ignore[union-attr]
    without = triage(Facts(text="my knee hurts", findings=[FindingFact("knee_pain")]))
    with_split = triage(Facts(text="my knee hurts", findings=[FindingFact("knee_pain")], similar_cases=mixed))
    assert with_split.level == without.level


def test_cases_never_lower_a_red_flag() -> None:
    facts = Facts(
        text="crushing chest pain going down my arm",
        findings=[FindingFact("chest_pain", radiation=True)],
        similar_cases=_agreeing(Level.SELF_CARE),
    )
    assert triage(facts).level == Level.EMERGENCY_AMBULANCE


def test_an_emergency_department_presentation_is_set_aside_when_the_cases_are_not_emergencies() -> None:
    facts = Facts(
        text="my toddler was sick twice but is drinking, weeing and playing",
        findings=[FindingFact("vomiting")],
        presentations={"severe_dehydration": 0.64},
        similar_cases=_agreeing(Level.SELF_CARE),
    )
    result = triage(facts)
    assert result.level.urgency < Level.EMERGENCY.urgency
    assert any(r.rule == "set_aside:presentation:severe_dehydration" for r in result.rationale)


def test_a_strong_ambulance_presentation_is_never_set_aside() -> None:
    facts = Facts(
        text="his lips went blue and he can't get his words out between breaths",
        presentations={"severe_breathing_difficulty": 0.76},
        similar_cases=_agreeing(Level.SELF_CARE),
    )
    assert triage(facts).level.urgency >= Level.EMERGENCY.urgency


def test_a_vote_strongly_for_emergencies_raises_the_level() -> None:
    split = _agreeing(Level.EMERGENCY)[:5] + _agreeing(Level.CONSULTATION)[5:]
    facts = Facts(text="he has been acting strangely since this morning and looks unwell", similar_cases=split)
    result = triage(facts)
    assert result.level == Level.EMERGENCY
    assert result.rationale[0].rule == "similar_cases"


def test_a_short_message_is_not_raised_by_the_vote_alone() -> None:
    facts = Facts(text="my knee aches after football", findings=[FindingFact("knee_pain")], similar_cases=_agreeing(Level.EMERGENCY))
    assert triage(facts).level.urgency < Level.EMERGENCY.urgency


def test_a_message_unlike_every_case_ignores_the_vote() -> None:
    far = [_case(Level.EMERGENCY, 0.3, i) for i in range(10)]
    facts = Facts(text="what is the keyboard shortcut to undo a change in my document", similar_cases=far)
    assert triage(facts).level.urgency < Level.EMERGENCY.urgency


def test_without_cases_triage_decides_as_before() -> None:
    facts = Facts(text="my toddler was sick twice", findings=[FindingFact("vomiting")], presentations={"severe_dehydration": 0.64})
    assert triage(facts).level.urgency >= Level.EMERGENCY.urgency
