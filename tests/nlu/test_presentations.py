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


def test_a_short_denial_keeps_its_sentence_from_being_read_whole() -> None:
    # "no vomiting" is two words, but it still says the sentence is reassurance
    assert clauses("Tolerating fluids + oral meds, no vomiting.") == []
    assert clauses("38M back ache after lifting. Mobile, bladder + bowels normal, afebrile.") == ["38M back ache after lifting."]
    assert clauses("He is not breathing fast and has no fever.") == []
    # an absence that is itself a sign is kept
    assert clauses("She collapsed and is not breathing, no pulse.") == ["She collapsed and is not breathing, no pulse."]
    assert clauses("no wet nappies since this morning and very sleepy") != []


def test_a_nosebleed_that_stopped_is_not_major_bleeding() -> None:
    from assistant.core.triage_service import TriageService

    service = TriageService()
    stopped, _ = service.assess("my 8 year old had a nosebleed after picking his nose, loads of blood on his pillow but it stopped after we pinched it for 10 minutes. hes fine now")
    assert "presentation:major_bleeding" not in {f.id for f in stopped.red_flags}
    assert stopped.level.group != "emergency"
    again, _ = service.assess("nosebleed for ages, loads of blood, it stopped for a minute then started again and it is soaking a towel")
    assert again.level.group == "emergency"


def test_denials_with_a_subject_and_denied_lists() -> None:
    assert clauses("I don't have a temperature, back pain or tummy pains, and the baby is moving normally.") == ["and the baby is moving normally."]
    assert clauses("I'm not being sick, my tummy isn't swollen and I'm still passing wind.") == []
    assert clauses("My breathing is fine and I don't have asthma.") == []
    # a sign told in the negative stays
    assert "my arm isn't working properly" in clauses("my arm isn't working properly and my face has dropped")
    assert clauses("i havent had the urge to wee all day and my back is killing me") != []
    assert clauses("he doesn't have any feeling in his left leg") != []
