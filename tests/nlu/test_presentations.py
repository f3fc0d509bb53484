"""Emergency presentations recognised by meaning, for wording the phrase rules do not anticipate."""

from __future__ import annotations

from assistant.nlu.findings.presentations import clauses, recognise


def test_unanticipated_emergency_wording_is_recognised() -> None:
    found = {p.category for p in recognise("blood keeps pumping out of the cut on my arm even though I am pressing on it")}
    assert "major_bleeding" in found


def test_denials_are_not_read_as_presentations() -> None:
    assert clauses("No chest pain, no trouble breathing. Sore throat for two days") == ["Sore throat for two days"]
    assert recognise("no chest pain and no trouble breathing, just a runny nose") == []
    # with a subject first, but a sign reported in the negative is still a sign
    assert clauses("She has no rash and no fever. He's not breathing properly.") == ["He's not breathing properly."]


def test_triage_shows_the_matched_clause_and_never_lowers_a_level() -> None:
    from assistant.core.triage_service import TriageService, result_to_dict

    result, clinical = TriageService().assess("blood keeps pumping out of the cut on my arm even though I am pressing on it")
    payload = result_to_dict(result, clinical)
    assert payload["level"] in ("emergency", "emergency_ambulance")
    assert any(p["category"] == "major_bleeding" and p["text"] for p in payload["presentations"])


def test_every_recognised_category_has_a_level_and_a_source() -> None:
    from assistant.nlu.findings.presentations import load_categories
    from policies.triage.red_flags import _presentations

    _, levels = _presentations()
    assert set(load_categories()) == set(levels)
    assert all(flag.source.startswith("https://") for flag in levels.values())


def test_a_settled_problem_is_not_a_presentation() -> None:
    assert clauses("cut my finger on a knife, the bleeding has stopped") == ["cut my finger on a knife"]


def test_a_measurement_reported_as_normal_is_not_a_presentation() -> None:
    from assistant.core.triage_service import TriageService

    result, clinical = TriageService().assess("my 8 month old is dribbling and chewing everything, one red cheek, temperature is normal", age=0)
    assert clinical.presentations == []
    assert result.level.urgency < 3  # below emergency
