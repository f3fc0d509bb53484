"""The nearest reference cases are found by meaning with the real MiniLM model."""

from __future__ import annotations

from assistant.core.triage_service import TriageService, result_to_dict
from assistant.nlu.findings.cases import CaseMatcher, similar_cases
from policies.triage.case_bank import load_cases


def test_a_case_is_its_own_nearest_neighbour() -> None:
    case = load_cases()[17]
    nearest = CaseMatcher(top_k=3).nearest(case.text)
    assert nearest[0].id == case.id
    assert nearest[0].similarity > 0.99
    assert [n.similarity for n in nearest] == sorted((n.similarity for n in nearest), reverse=True)


def test_reworded_messages_find_cases_of_the_same_kind() -> None:
    nearest = similar_cases("my little boy has got nits again, the school sent a letter home")
    assert nearest and nearest[0].similarity > 0.5
    assert any("lice" in c.why.lower() or "nit" in c.why.lower() for c in nearest[:5])


def test_triage_explains_a_level_set_by_the_cases_with_their_source() -> None:
    result, clinical = TriageService().assess("got a cold sore coming on my lip again, the usual tingle")
    payload = result_to_dict(result, clinical)
    assert payload["level"] == "self_care"
    assert all(r["source"].startswith("http") for r in payload["rationale"])
