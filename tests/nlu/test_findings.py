"""Free text -> coded findings with negation, modifiers, vitals, age, sex and pregnancy."""

from __future__ import annotations

import csv

from assistant.nlu.findings import extract_facts, primary_finding
from assistant.nlu.findings.extractor import load_lexicon
from tests.shared_data import SHARED_DIR

DEV = SHARED_DIR / "data/symptom_utterances/dev.csv"

# The 25 lay categories of the symptom-utterance set -> our concept and its SNOMED CT code.
CATEGORY_SNOMED = {
    "Infected wound": ("infected_wound", "76844004"), "Muscle pain": ("muscle_pain", "68962001"),
    "Joint pain": ("joint_pain", "57676002"), "Knee pain": ("knee_pain", "30989003"),
    "Stomach ache": ("abdominal_pain", "21522001"), "Shoulder pain": ("shoulder_pain", "45326000"),
    "Heart hurts": ("chest_pain", "29857009"), "Hard to breath": ("shortness_of_breath", "267036007"),
    "Hair falling out": ("hair_loss", "278040002"), "Neck pain": ("neck_pain", "81680005"),
    "Internal pain": ("abdominal_pain", "21522001"), "Injury from sports": ("sports_injury", "417163006"),
    "Acne": ("acne", "11381005"), "Skin issue": ("skin_issue", "95320005"), "Foot ache": ("foot_pain", "47933007"),
    "Blurry vision": ("blurred_vision", "111516008"), "Back pain": ("back_pain", "161891005"),
    "Emotional pain": ("low_mood", "366979004"), "Head ache": ("headache", "25064002"),
    "Ear ache": ("ear_pain", "16001004"), "Cough": ("cough", "49727002"), "Open wound": ("open_wound", "125643001"),
    "Feeling dizzy": ("dizziness", "404640003"), "Feeling cold": ("feeling_cold", "43724002"),
    "Body feels weak": ("weakness", "13791008"),
}


def test_every_category_maps_to_a_lexicon_concept_with_that_code() -> None:
    concepts = {c.key: c for c in load_lexicon()}
    labels = {row["label"] for row in csv.DictReader(DEV.open(encoding="utf-8"))}
    assert labels == set(CATEGORY_SNOMED)
    for key, code in CATEGORY_SNOMED.values():
        assert concepts[key].code == code


def test_most_dev_utterances_code_to_their_category() -> None:
    rows = list(csv.DictReader(DEV.open(encoding="utf-8")))
    right = sum(
        (p := primary_finding(extract_facts(r["text"]))) is not None and p.key == CATEGORY_SNOMED[r["label"]][0]
        for r in rows
    )
    assert right / len(rows) >= 0.75  # regression floor; benchmarks/findings.py reports the figure


def test_negation_and_modifiers() -> None:
    facts = extract_facts("No fever, denies chest pain. Sudden severe headache for 2 days, getting worse")
    by_key = {f.key: f for f in facts.findings}
    assert by_key["fever"].negated and by_key["chest_pain"].negated
    headache = by_key["headache"]
    assert not headache.negated and headache.onset == "sudden" and headache.severity == "severe"
    assert headache.duration_hours == 48 and headache.progression == "worsening"


def test_lay_and_clinical_wording() -> None:
    assert extract_facts("my tummy's been killing me since last night").finding("abdominal_pain").severity == "severe"
    epigastric = extract_facts("patient reports epigastric pain radiating to the back").finding("abdominal_pain")
    assert epigastric is not None and epigastric.radiation


def test_vitals_age_sex_and_pregnancy_from_text() -> None:
    facts = extract_facts("a 48-year-old woman, 20 weeks pregnant, temp 38.6C, pulse 112, sats 94%, BP 150/95")
    assert facts.age_years == 48 and facts.sex == "female" and facts.pregnant
    v = facts.vitals
    assert (v.temperature_c, v.heart_rate, v.spo2, v.systolic, v.diastolic) == (38.6, 112, 94, 150, 95)
    assert round(extract_facts("my 3 month old has a cough").age_years, 2) == 0.25
    assert extract_facts("temperature of 101.3F").vitals.temperature_c == 38.5


def test_a_childs_age_in_clinical_shorthand() -> None:
    # twelfths and fifty-seconds of a year, as in "5/12 baby" and "18/12, fever"
    assert round(extract_facts("5/12 baby, 3/7 coryza and cough").age_years, 2) == 0.42
    assert extract_facts("18/12, 1/7 fever 38.2, runny nose").age_years == 1.5
    assert round(extract_facts("a 6/52 old boy, not feeding").age_years, 3) == 0.115
    # a duration is not an age
    assert extract_facts("2/52 hx of cough, LMP 2/52").age_years is None


def test_unmatched_wording_falls_back_to_the_nearest_concept() -> None:
    facts = extract_facts("i feel like an icicle")
    assert primary_finding(facts).key == "feeling_cold" and primary_finding(facts).matched_by == "embedding"


def test_red_flag_findings_are_never_guessed_from_similarity() -> None:
    facts = extract_facts("everything I look at seems to be behind frosted glass")
    assert all(f.key != "rash_nonblanching" for f in facts.findings)


def test_unseen_wording_finds_its_concept_through_the_example_utterances() -> None:
    # No lexicon pattern covers these; the nearest-neighbour matcher over examples.yml does.
    for text, key in [
        ("there are strands of it on my pillow every single morning", "hair_loss"),
        ("everything on the page swims and I have to squint to make out letters", "blurred_vision"),
    ]:
        found = primary_finding(extract_facts(text))
        assert found is not None and found.key == key and found.matched_by == "embedding", text


def test_no_lexicon_pattern_needs_a_literal_backslash() -> None:
    # In a single-quoted YAML string "\\b" stays two characters, and the regex then wants a
    # backslash in the patient's text: "a stiff neck" or "gasping" would never match.
    for concept in load_lexicon():
        assert "\\\\" not in concept.pattern.pattern, concept.key
    assert extract_facts("my neck has been really sore since Monday").present("neck_pain")
    assert extract_facts("she is gasping").present("shortness_of_breath")


def test_every_example_utterance_names_a_known_concept() -> None:
    from assistant.nlu.findings.extractor import load_examples

    concepts = {c.key for c in load_lexicon()}
    examples = load_examples()
    assert len(examples) >= 25 and set(examples) <= concepts


def test_blood_pressure_and_blood_tests_are_not_bleeding() -> None:
    assert not extract_facts("I take tablets for my blood pressure").present("bleeding")
    assert not extract_facts("my GP wants a blood test").present("bleeding")
    assert extract_facts("there is blood in my pee").present("bleeding")


def test_clinical_site_words_code_abdominal_pain_and_number_is_not_numbness() -> None:
    facts = extract_facts("19M, periumbilical pain moving to the RIF, guarding")
    assert facts.present("abdominal_pain")
    assert not extract_facts("took an unknown number of tablets").present("numbness")


def test_named_blood_thinners_are_kept_unless_denied() -> None:
    from assistant.nlu.findings.extractor import parse_medications

    assert parse_medications("she is on warfarin") == ["anticoagulant"]
    assert parse_medications("i am not on blood thinners") == []


def test_vital_sign_labels_are_whole_words() -> None:
    # "thr" in "throat", "rr" in "sorry", "t" at the end of "about" are not vital-sign labels.
    vitals = extract_facts("sorry to bother you, sore throat. T 37.5, HR 78, RR 14, had it about 40 minutes").vitals
    assert (vitals.temperature_c, vitals.heart_rate, vitals.respiratory_rate) == (37.5, 78, 14)
    assert extract_facts("sat down for 45 minutes, sorry 2 questions").vitals.respiratory_rate is None


def test_fit_and_well_is_not_a_fit() -> None:
    assert not extract_facts("72F, fit and well, 4 days of dry cough").present("seizure")
    assert extract_facts("he had a fit this morning").present("seizure")


def test_a_finding_reported_as_normal_is_negated_and_never_guessed_back() -> None:
    for text in ("one cheek is red and he's grumpy. temperature is normal", "temp normal, feeding ok", "no temperature"):
        fever = [f for f in extract_facts(text).findings if f.key == "fever"]
        assert fever and all(f.negated for f in fever), text
    assert any(f.key == "fever" and not f.negated for f in extract_facts("my temperature is 39 and I ache").findings)


def test_durations_in_shorthand_and_numbers_that_are_not_durations() -> None:
    from assistant.nlu.findings.extractor import parse_duration_hours

    assert parse_duration_hours("61m r knee pain 8/12, worse on stairs") == 8 * 720
    assert parse_duration_hours("34f 3/7 dysuria") == 72
    assert parse_duration_hours("bp 94/52, hr 120") is None  # a blood pressure
    # a baby's or a pregnancy's age, how often, how long an action went on, a past event
    assert parse_duration_hours("my baby is 10 weeks and brings up milk") is None
    assert parse_duration_hours("i get cold sores a few times a year") is None
    assert parse_duration_hours("ran it under the cold tap for ages") is None
    assert parse_duration_hours("a gp said it was a harmless fatty lump 3 years ago") is None
    assert parse_duration_hours("shivery, temp 38 day 2") is None
    assert parse_duration_hours("heartburn most days for the last 6 weeks") == 6 * 168


def test_a_pregnancy_wanted_or_feared_is_not_a_pregnancy() -> None:
    assert extract_facts("the condom split last night and I really don't want to get pregnant").pregnant is None
    assert extract_facts("we've been trying to get pregnant for a year").pregnant is None
    # a possible pregnancy still counts: the ectopic rules need it
    assert extract_facts("I might be pregnant, bleeding and pain on one side").pregnant


def test_a_gestation_told_without_the_word_pregnant_is_a_pregnancy_not_a_duration() -> None:
    from assistant.nlu.findings.extractor import parse_duration_hours

    for text in ("36 weeks, bit of heartburn at night, otherwise fine", "i'm 30 weeks and my back aches"):
        assert extract_facts(text).pregnant, text
        assert parse_duration_hours(text) is None, text
    # a duration, a baby's age, a time after an operation, a late period: not a gestation
    assert parse_duration_hours("3 weeks, cough not going away") == 3 * 168
    assert extract_facts("she's 6 weeks and feeding well").pregnant is None
    assert extract_facts("i'm 6 weeks post op and the wound is fine").pregnant is None
    assert extract_facts("i'm 2 weeks late, no symptoms").pregnant is None


def test_hot_and_shivery_is_a_fever_and_coffee_is_not_a_cough() -> None:
    assert any(f.key == "fever" and not f.negated for f in extract_facts("sore throat and I keep feeling hot and shivery").findings)
    assert not any(f.key == "cough" for f in extract_facts("heart skips a beat after my third coffee").findings)


def test_a_duration_told_as_the_last_month_or_fortnight() -> None:
    from assistant.nlu.findings.extractor import parse_duration_hours

    assert parse_duration_hours("heartburn most days for the last month or so") == 720
    assert parse_duration_hours("tired over the past fortnight") == 336
    assert parse_duration_hours("headaches for the last week at work") is None  # as often "recently"


def test_a_remedy_that_helps_is_not_read_as_an_overdose() -> None:
    from assistant.nlu.findings.presentations import clauses

    assert not any("edge off" in c for c in clauses("knees ache and go stiff, been like this 2-3 months, paracetamol takes the edge off"))
    facts = extract_facts("had a really bad day and took a few extra paracetamol, like 16 over the afternoon on top of my normal ones", presentations=True)
    assert any(p.category == "poisoning_or_overdose" for p in facts.presentations)


def test_a_childs_age_given_in_brackets_or_commas() -> None:
    from assistant.nlu.findings.extractor import parse_age

    assert parse_age("my daughter (4) has had earache") == 4
    assert parse_age("our son, 6, has a rash") == 6
    assert parse_age("my son (4 weeks) is feeding less") == round(4 / 52, 3)
    assert parse_age("had it (2 days) now") is None


def test_lay_urinary_wording_and_reduced_consciousness() -> None:
    assert any(f.key == "urinary" for f in extract_facts("I've been weeing constantly and it stings").findings)
    assert any(f.key == "unconscious" for f in extract_facts("found on the floor, responds only to pain").findings)
    assert not any(f.key == "unconscious" for f in extract_facts("my cough isn't responding to the antibiotics").findings)


def test_someone_elses_pregnancy_is_not_the_patients() -> None:
    assert not extract_facts("4yo with chickenpox, itchy, drinking well. No one pregnant at home.").pregnant
    assert extract_facts("I'm 30 weeks pregnant with a headache").pregnant


def test_a_question_about_antibiotics_is_not_an_allergic_reaction() -> None:
    facts = extract_facts("26F, 2 days blocked nose and sneezing, scratchy throat. Asking if she needs antibiotics.", presentations=True)
    assert not any(p.category == "anaphylaxis" for p in facts.presentations)


def test_a_chest_infection_is_not_an_infected_wound_and_a_pounding_heart_is_palpitations() -> None:
    assert not any(f.key == "infected_wound" for f in extract_facts("day 3 of antibiotics for a chest infection").findings)
    assert any(f.key == "infected_wound" for f in extract_facts("the cut on my hand looks infected").findings)
    assert any(f.key == "palpitations" for f in extract_facts("my heart started pounding last night after energy drinks").findings)


def test_scarlet_fever_features_are_not_read_as_meningitis() -> None:
    from policies.triage.models import Facts
    from policies.triage.red_flags import presentation_flags

    facts = Facts(text="5F, fever 38.6, rough sandpaper rash on chest, strawberry tongue, alert and drinking", age_years=5)
    assert not presentation_flags({"meningitis": 0.7}, facts)
    stiff = Facts(text="sandpaper rash, fever, and now a stiff neck and she hates the light", age_years=5)
    assert presentation_flags({"meningitis": 0.7}, stiff)


def test_everyday_fit_and_knee_crepitus_are_not_emergencies() -> None:
    assert not any(f.key == "seizure" for f in extract_facts("my dentist can't fit me in till next week").findings)
    assert any(f.key == "seizure" for f in extract_facts("he had a fit this morning").findings)


def test_a_complaint_gone_after_paracetamol_is_reassurance() -> None:
    from assistant.nlu.findings.presentations import clauses

    assert not any("paracetamol" in c for c in clauses("tight band headache after a day at the laptop, took paracetamol and it's gone now. is that ok"))


def test_kawasaki_features_keep_a_strawberry_tongue_serious() -> None:
    from policies.triage.models import Facts
    from policies.triage.red_flags import presentation_flags

    kawasaki = Facts(text="4yo, fever 6 days, red eyes, cracked red lips, strawberry tongue, swollen red hands", age_years=4)
    assert presentation_flags({"meningitis": 0.7}, kawasaki)


def test_a_pregnancy_test_result_in_lay_and_clinical_words() -> None:
    for text in ("LMP 7 wks ago, +ve home preg test last wk", "preg test came back positive on Sunday", "hCG pos"):
        assert extract_facts(text).pregnant, text
    # a negative test is not proof either way (an early test can be wrong), and not a pregnancy
    assert extract_facts("period late but the pregnancy test was negative").pregnant is None
    assert not extract_facts("covid test positive, sore throat").pregnant


def test_a_temperature_told_without_the_word_temperature() -> None:
    assert extract_facts("she felt warm and the thermometer says 38.4 under her arm").vitals.temperature_c == 38.4
    assert extract_facts("hot and flushed, 38.6 on the ear one").vitals.temperature_c == 38.6
    # a bare decimal that is a weight or a gestation is not a temperature
    assert extract_facts("felt warm, she weighs 38.5 kg").vitals.temperature_c is None
    assert extract_facts("feeling hot at 36.5 weeks pregnant").vitals.temperature_c is None


def test_abdo_is_the_abdomen_and_temp_work_is_a_job() -> None:
    assert any(f.key == "abdominal_pain" and not f.negated for f in extract_facts("sharp R lower abdo pain since this morning").findings)
    assert not any(f.key == "fever" for f in extract_facts("low mood since redundancy, doing temp work").findings)
    assert not any(f.key == "fever" for f in extract_facts("heartburn, burning up my chest after meals").findings)


def test_the_last_item_of_a_denied_list_is_denied() -> None:
    facts = extract_facts("band-like headache. No visual disturbance, vomiting, neck stiffness or fever.")
    assert all(f.negated for f in facts.findings if f.key in ("fever", "vomiting", "neck_stiffness"))


def test_months_of_pain_is_a_long_duration_and_morning_stiffness_is_not_the_complaints() -> None:
    assert extract_facts("knee pain for months, worse on stairs, stiff <20 min on waking").duration_hours == 2000
    assert extract_facts("hands swollen for 6 weeks, morning stiffness for 2 hours").duration_hours == 6 * 168
