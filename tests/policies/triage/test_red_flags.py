"""Each red flag fires on its positive phrasings and not on near misses."""

from __future__ import annotations

import pytest

from assistant.core.triage_service import TriageService
from policies.triage.models import Facts, FindingFact, Level
from policies.triage.protocols import load_protocols
from policies.triage.red_flags import RULES, evaluate_red_flags

service = TriageService()


def flags(text: str, **kw) -> set[str]:  # type: ignore[no-untyped-def]
    result, _ = service.assess(text, **kw)
    return {f.id for f in result.red_flags}


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("central chest pain going down my left arm", "cardiac_chest_pain"),
        ("chest pain and sweating", "cardiac_chest_pain"),
        ("her face is drooping and her speech is slurred", "stroke_fast"),
        ("temperature 38.4 in my 6 week old", "infant_fever"),
        ("fever and a stiff neck", "meningitis_sepsis"),
        ("sudden severe headache, worst ever", "thunderclap_headache"),
        ("hit my head and have been vomiting since", "head_injury_red_flags"),
        ("sats 89% and a cough", "low_oxygen"),
        ("pregnant and bleeding with tummy pain", "pregnancy_warning"),
        ("bp 190/125 with a headache", "very_high_blood_pressure"),
        ("i've been having suicidal thoughts", "suicidal_thoughts"),
    ],
)
def test_red_flags_fire(text: str, flag: str) -> None:
    assert flag in flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "heartburn after pizza",
        "what's the keystroke to undo",
        "mild headache since this morning",
        "sore throat and a runny nose",
        "my knee aches after football",
        "temperature of 38 in my 4 year old, drinking well",
    ],
)
def test_near_misses_do_not_fire_emergency_flags(text: str) -> None:
    result, _ = service.assess(text)
    assert all(f.level.urgency < Level.EMERGENCY.urgency for f in result.red_flags)
    assert result.level.urgency < Level.EMERGENCY.urgency


def test_the_most_urgent_red_flag_is_the_first_reason() -> None:
    result, _ = TriageService().assess("7 weeks pregnant, sharp pain low on the left and brown spotting", sex="female")
    assert result.level == Level.EMERGENCY
    assert result.rationale[0].level == Level.EMERGENCY
    assert "pregnancy_light_bleeding" not in {f.id for f in result.red_flags}


def test_level_is_never_below_the_strongest_red_flag() -> None:
    facts = Facts(text="", findings=[FindingFact("cough"), FindingFact("shortness_of_breath", severity="severe")])
    from policies.triage import triage

    result = triage(facts)
    assert result.level == Level.EMERGENCY_AMBULANCE
    assert max(f.level.urgency for f in result.red_flags) <= result.level.urgency


def test_every_rule_cites_a_public_source() -> None:
    assert all(rule.source.startswith("https://") for rule in RULES)
    for protocol in load_protocols():
        assert protocol.source.startswith("https://")
        assert all(rule.source.startswith("https://") for rule in protocol.rules)


def test_low_spo2_from_a_wearable_escalates_and_more_so_with_breathing_symptoms() -> None:
    from policies.triage import triage

    with_cough = triage(Facts(text="", findings=[FindingFact("cough")], wearable_deviations=["spo2_below_92"]))
    assert with_cough.level == Level.EMERGENCY
    assert any(r.rule == "wearable:spo2_below_92" for r in with_cough.rationale)
    rash_only = triage(Facts(text="", findings=[FindingFact("skin_issue")], wearable_deviations=["spo2_below_92"]))
    assert rash_only.level == Level.CONSULTATION_24
    # A device's trend is not a reading taken now: it is not the acute low-oxygen red flag.
    assert "low_oxygen" not in {f.id for f in evaluate_red_flags(Facts(text="", wearable_deviations=["spo2_below_92"]))}


def test_only_clinically_relevant_record_conditions_raise_self_care() -> None:
    from policies.triage import triage

    social = Facts(text="", findings=[FindingFact("runny_nose")], conditions=["Full-time employment (finding)", "Medication review due (situation)"])
    diabetic = Facts(text="", findings=[FindingFact("runny_nose")], conditions=["Diabetes mellitus type 2 (disorder)"])
    assert triage(social).level == Level.SELF_CARE
    assert triage(diabetic).level == Level.CONSULTATION


def test_news2_from_stated_vitals_in_adults_only() -> None:
    from policies.triage import triage

    shocked = Facts(text="", systolic=80, heart_rate=125, respiratory_rate=26)  # 3 + 2 + 3
    assert triage(shocked).level == Level.EMERGENCY_AMBULANCE
    one_far_off = Facts(text="", systolic=88, heart_rate=80)  # a single parameter scoring 3
    assert triage(one_far_off).level == Level.EMERGENCY
    normal = Facts(text="", findings=[FindingFact("cough")], systolic=124, heart_rate=78, temperature_c=37.2)
    assert triage(normal).level not in (Level.EMERGENCY, Level.EMERGENCY_AMBULANCE)
    toddler = Facts(text="", age_years=2, heart_rate=135, respiratory_rate=30, findings=[FindingFact("cough")])
    assert all(f.id not in ("news2_high", "news2_medium") for f in triage(toddler).red_flags)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("came off my bike and my wrist is bent at a weird angle", "suspected_fracture"),
        ("heard a crack when I landed and now I can't put any weight on my ankle", "suspected_fracture"),
        ("my 2 year old swallowed some of her grandad's heart tablets", "poisoning"),
        ("scalded my arm with boiling water and it's come up in big blisters", "serious_burn"),
    ],
)
def test_injury_and_poisoning_red_flags_fire(text: str, flag: str) -> None:
    result, _ = TriageService().assess(text)
    assert flag in {f.id for f in result.red_flags}
    assert result.level.urgency >= Level.EMERGENCY.urgency


@pytest.mark.parametrize(
    "text",
    [
        "I take my tablets every morning and still get headaches",  # not an overdose
        "twisted my ankle yesterday, I can still walk on it, a bit swollen",  # not a fracture
        "burnt my finger on the kettle, small red mark, no blister",  # not a serious burn
    ],
)
def test_injury_and_poisoning_near_misses_do_not_fire_their_rules(text: str) -> None:
    result, _ = TriageService().assess(text)
    assert not {"suspected_fracture", "poisoning", "serious_burn"} & {f.id for f in result.red_flags}


def test_jaundice_with_fever_is_an_emergency_but_not_alone() -> None:
    hot, _ = TriageService().assess("my eyes have gone yellow and I have a fever of 38.9 and pain under my right ribs")
    assert "jaundice_with_fever" in {f.id for f in hot.red_flags}
    alone, _ = TriageService().assess("my skin looks a bit yellow this week")
    assert "jaundice_with_fever" not in {f.id for f in alone.red_flags}


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("my dad is 80 and on warfarin, he bumped his head on a cupboard door, only a small bump", "head_injury_red_flags"),
        ("knocked my head getting out of the car, I take apixaban for my heart", "head_injury_red_flags"),
        ("found my toddler with grandma's pills, the blister pack is open and two are missing", "poisoning"),
        ("55M vomiting blood twice today. HR 118, BP 96/60.", "shock_index"),
    ],
)
def test_context_in_the_words_raises_the_level(text: str, flag: str) -> None:
    result, _ = TriageService().assess(text)
    assert flag in {f.id for f in result.red_flags}
    assert result.level.urgency >= Level.EMERGENCY.urgency


def test_shock_index_needs_a_pulse_faster_than_the_systolic_pressure() -> None:
    assert "shock_index" not in {f.id for f in TriageService().assess("HR 104, BP 132/80, cough for a week")[0].red_flags}
    assert "shock_index" not in {f.id for f in TriageService().assess("not on blood thinners, bumped my head, fine")[0].red_flags}


def test_vomiting_blood_in_clinical_words_is_a_safety_emergency() -> None:
    result, _ = TriageService().assess("haematemesis this morning, feels faint")
    assert result.level.urgency >= Level.EMERGENCY.urgency


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("my shoulders are on fire after a day at the beach, red and sore, no blisters", Level.SELF_CARE),
        ("small cut on my finger from a knife, the bleeding has stopped", Level.SELF_CARE),
        ("found head lice in my son's hair", Level.SELF_CARE),
        ("a dog bit my hand and broke the skin", Level.CONSULTATION_24),
        ("I've found a lump in my breast", Level.CONSULTATION),
    ],
)
def test_everyday_problems_get_everyday_levels(text: str, level: Level) -> None:
    assert TriageService().assess(text)[0].level == level


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("I'm 66, an ache in my jaw and between my shoulder blades for an hour, feel sick and clammy", "cardiac_without_chest_pain"),
        ("my husband is type 1, he's gone dozy and isn't making sense, his meter says 2.1", "severe_hypoglycaemia"),
        ("I'm 34 weeks pregnant and I don't think the baby has moved at all today", "reduced_fetal_movements"),
        ("28 weeks pregnant, the baby is moving less than usual today", "reduced_fetal_movements"),
    ],
)
def test_emergencies_described_without_their_usual_words(text: str, flag: str) -> None:
    result, _ = TriageService().assess(text)
    assert flag in {f.id for f in result.red_flags}
    assert result.level.urgency >= Level.EMERGENCY.urgency


@pytest.mark.parametrize(
    "text",
    [
        "type 1 here, sugar was 3.4 before lunch, had glucose tablets and now it's 6.2 and I feel fine",
        "I'm 30 weeks pregnant and the baby is kicking loads, just heartburn at night",
        "my neck is stiff after the gym and I was sweating a lot during the workout",
    ],
)
def test_their_near_misses_stay_below_emergency(text: str) -> None:
    result, _ = TriageService().assess(text)
    assert not {"cardiac_without_chest_pain", "severe_hypoglycaemia", "reduced_fetal_movements"} & {f.id for f in result.red_flags}


def test_presentations_that_do_not_fit_the_stated_age_are_ignored() -> None:
    from policies.triage.models import Facts
    from policies.triage.red_flags import presentation_flags

    five_year_old = Facts(text="", age_years=5, presentations={"infant_fever": 0.7})
    assert presentation_flags(five_year_old.presentations, five_year_old) == []
    baby = Facts(text="", age_years=0.1, presentations={"infant_fever": 0.7})
    assert [f.id for f in presentation_flags(baby.presentations, baby)] == ["presentation:infant_fever"]


def test_psychosis_is_urgent_and_after_a_birth_an_emergency() -> None:
    after_birth, _ = TriageService().assess("my wife had our baby 10 days ago, she hasn't slept and is convinced people are sending her messages through the telly")
    assert "postpartum_psychosis" in {f.id for f in after_birth.red_flags}
    assert after_birth.level.urgency >= Level.EMERGENCY.urgency
    otherwise, _ = TriageService().assess("my brother has started hearing voices and thinks the neighbours are watching him")
    assert otherwise.level == Level.CONSULTATION_24


def test_a_blood_thinner_on_the_record_counts_like_one_named_in_the_words() -> None:
    result, _ = TriageService().assess("I bumped my head on a cupboard", context={"medications": ["Warfarin Sodium 5 MG Oral Tablet"]})
    assert "head_injury_red_flags" in {f.id for f in result.red_flags}


def test_light_bleeding_in_early_pregnancy_is_same_day_and_danger_signs_make_it_an_emergency() -> None:
    light, _ = service.assess("8 weeks pregnant, light spotting since this morning with mild cramps, no shoulder tip pain", sex="female")
    assert light.level.urgency >= Level.CONSULTATION_24.urgency
    assert {f.id for f in light.red_flags} >= {"pregnancy_light_bleeding"}
    assert "pregnancy_warning" not in {f.id for f in light.red_flags}
    later, _ = service.assess("34 weeks pregnant, a little light bleeding this evening", sex="female")
    assert "pregnancy_warning" in {f.id for f in later.red_flags}
    heavy, _ = service.assess("8 weeks pregnant, bleeding heavily with clots and feel faint", sex="female")
    assert heavy.level.urgency >= Level.EMERGENCY.urgency
    one_sided, _ = service.assess("7 weeks pregnant, light spotting and pain on one side", sex="female")
    assert one_sided.level.urgency >= Level.EMERGENCY.urgency


@pytest.mark.parametrize(
    ("text", "age", "flag"),
    [
        ("on chemo for breast cancer, temp 38.1 and a sore throat, otherwise feel ok", None, "fever_when_immunosuppressed"),
        ("type 1 diabetic, blood ketones 2.4 and I've been sick twice", None, "ketones_unwell"),
        ("barking cough and a high pitched noise when he breathes in, even at rest", 3, "stridor_at_rest"),
        ("36M, sore throat 2 days, now stridor, drooling", None, "stridor"),
        ("the soft spot on top of her head is bulging and she won't feed", 0.3, "bulging_fontanelle"),
        ("she rolled off the bed and hit her head, there's a lump", 0.5, "infant_head_injury"),
        ("39 weeks, my waters have gone and they're greenish", None, "waters_broken"),
        ("38 weeks, contractions every 2 minutes and I need to push", None, "birth_imminent"),
        ("erection for 5 hours now and it's really painful", None, "priapism"),
        ("pulled my foreskin back and now it won't go back and the end is swelling", None, "paraphimosis"),
        ("36 weeks and the baby has hardly moved today", None, "reduced_fetal_movements"),
        ("I have sickle cell and I'm in a crisis, pain 9/10 in my legs", None, "sickle_cell_crisis"),
        ("sickle cell, temp 38.5 since this morning", None, "sickle_cell_crisis"),
        ("something bit my ankle on the heath and I saw a snake slither off", None, "snake_bite"),
        ("bad back for a week, now numb around my back passage and struggling to pee", None, "cauda_equina"),
        ("60M found in car in closed garage with engine running, GCS 8", None, "gcs_low"),
        ("my 3 month old is floppy and grunting and won't feed", 0.25, "child_red_features"),
        ("my 10 day old has been sick three times and its dark green", None, "bilious_vomiting"),
        ("my 4 year old won't put any weight on his leg since this morning, temp 39.1", 4, "septic_joint"),
        ("back from Nigeria 10 days ago, temp 39 and shivering", None, "fever_after_travel"),
        ("pricked my finger on a used needle at work an hour ago", None, "pep_exposure"),
        ("first spin class yesterday, thighs agony and swollen, urine like cola today", None, "dark_urine_muscle_pain"),
        ("known kidney stone, loin to groin pain, temp 38.6 and rigors", None, "infected_kidney_stone"),
        ("ear infection last week, now behind his ear is red and swollen and the ear is sticking out", 6, "mastoiditis"),
        ("my hernia won't go back in and I've been sick twice", None, "stuck_hernia"),
        ("period flooding through a pad every hour, clots bigger than a 50p, now dizzy", None, "heavy_bleeding_unwell"),
        ("spreading redness on my thigh with pain out of proportion to how it looks", None, "necrotising_infection"),
        ("the voices are telling my son to kill his sister and he has a knife", None, "psychosis_risk_to_others"),
        ("sugar reading 28 and she's drowsy and dehydrated", None, "very_high_sugar_unwell"),
        ("sudden headache during sex, peaked within a minute, easing now", None, "thunderclap_headache"),
        ("18-month-old, 2 days of vomiting and diarrhoea, no wet nappy for 14 hours", 1, "dehydrated_child"),
        ("my 2 year old has had diarrhoea all day and now she's really drowsy", 2, "dehydrated_child"),
        ("my eye is agony, red, and I see rainbow rings round lights", None, "acute_glaucoma"),
        ("first amoxicillin tablet an hour ago, now blotchy all over and wheezy", None, "allergic_reaction_breathing"),
        ("stung by a wasp, hives spreading up my arm and my throat feels tight", None, "allergic_reaction_breathing"),
        ("got out of a kitchen fire, soot round his nose and mouth and his voice is hoarse", None, "smoke_inhalation"),
        ("she's got sickle cell, her legs are killing her and the usual painkillers haven't touched it", None, "sickle_cell_crisis"),
        ("says the neighbours are putting thoughts in his head and he's got a kitchen knife", None, "psychosis_risk_to_others"),
        ("67M, acute R weakness, aphasia, 20 min", None, "phrase:stroke_signs"),
        ("GHB at a party, unrousable, RR 10", None, "phrase:unconscious"),
        ("found a stash of tablets and a letter addressed to me in my brother's drawer", None, "phrase:suicidal_ideation"),
        ("I've sorted out who gets the dog and said my goodbyes", None, "phrase:suicidal_ideation"),
        ("croupy cough, now a high pitched noise every breath in even when he's sat still", 2, "stridor_at_rest"),
        ("chesty cough and you can see the skin sucking in under her ribs", 1, "child_red_features"),
        ("fell on my hand, my wrist is bent in a weird shape like there's a step in it", None, "suspected_fracture"),
        ("period is 2 weeks late and the test was positive, now brown spotting, pain low down on the left and in my shoulder tip", None, "pregnancy_warning"),
        ("gran cant lie flat, sat up all night, coughing up pink frothy stuff", None, "pulmonary_oedema"),
        ("sharp pain in my chest and I'm out of breath just sitting on the sofa", None, "breathless_at_rest"),
        ("I can only take tiny breaths since lunch", None, "breathless_at_rest"),
        ("flew back from Bangkok 2 days ago, breathless on the stairs and it hurts when I take a deep breath", None, "possible_clot_on_lung"),
        ("2 weeks after giving birth, breathless and my left calf is swollen and sore", None, "possible_clot_on_lung"),
        ("on the pill, short of breath since yesterday, pulse 112 sitting down", None, "possible_clot_on_lung"),
        ("the toilet bowl was full of blood after I went for a poo", None, "rectal_bleeding_serious"),
        ("bleeding from my bum three times today and I feel woozy", None, "rectal_bleeding_serious"),
        ("on warfarin and there's blood when I wipe after a poo", None, "rectal_bleeding_serious"),
        ("cut on my hand went red and puffy, now shivering and my legs are all blotchy", None, "sepsis_signs"),
        ("water infection for 3 days, now she's confused and shaking", None, "sepsis_signs"),
        ("my 4 year old has a temp of 39.5 and is so lethargic, just lying there", 4, "sepsis_signs"),
        ("24 weeks pregnant with a temperature of 38.6 and shivering", None, "fever_in_pregnancy_unwell"),
        ("room spinning since I woke up and I keep veering to the left, can't walk straight", None, "central_vertigo"),
        ("dizzy and seeing double since this morning", None, "central_vertigo"),
        ("mum was fine yesterday, today she's confused and doesn't know where she is", None, "sudden_confusion"),
        ("33 weeks, period type cramps every 10 minutes for 2 hours", None, "preterm_labour"),
        ("30+4 and I've got regular tightenings and pressure down below", None, "preterm_labour"),
        ("36 weeks and I haven't felt any kicks since last night", None, "reduced_fetal_movements"),
        ("my son's been giving away his games and trainers this week", None, "phrase:suicidal_ideation"),
        ("she said you won't have to worry about me soon", None, "phrase:suicidal_ideation"),
        ("I don't think I can keep going. I've got a rope in my wardrobe", None, "phrase:suicidal_ideation"),
        ("woke up and my speech sounds a bit thick and my face feels odd", None, "phrase:stroke_signs"),
        ("a boil near my bum, pain has ramped up massively and there's a patch that looks almost black", None, "necrotising_infection"),
        ("my ear is closed since this morning and everything is turning around, I cannot walk straight", None, "central_vertigo"),
        ("tummy bug for 3 days, on furosemide, hardly peed at all today and I'm getting muddled", 74, "severe_dehydration"),
        ("bruises all over I don't remember getting, my gums bleed and tiny red dots on my shins", None, "bleeding_tendency"),
        ("checked after my novorapid and im 3.1, sweaty and muddled", None, "severe_hypoglycaemia"),
        ("making myself sick 5 times a day, legs cramping and my heart keeps doing a flutter thing", None, "eating_disorder_unstable"),
        ("eating 300 calories a day for months, fainted twice today", None, "eating_disorder_unstable"),
        ("indigestion since 7, gaviscon did nothing, now clammy with an ache up into my teeth", None, "cardiac_without_chest_pain"),
        ("my 6 week old is whimpering instead of crying and turned away from her last two feeds", 0.1, "child_red_features"),
        ("up on crystal for 3 days, people following me, got a bat by the door, getting them first", None, "psychosis_risk_to_others"),
        ("nobody would even notice if I drove into a bridge pillar, it'd look like an accident", None, "phrase:suicidal_ideation"),
        ("she sent a photo looking down from the top of a car park saying last sunset", None, "phrase:suicidal_ideation"),
        ("coughing up proper blood, a few spoonfuls each time", None, "phrase:internal_bleeding"),
        ("a man fell on the pavement, arms and legs jerking for 6 or 7 minutes now", None, "phrase:seizure"),
        ("miscarried 10 days ago, now the discharge smells horrible, fever and my lower tummy is more painful", None, "fever_in_pregnancy_unwell"),
        ("29 weeks, tightenings every 5-6 minutes and a heavy pressure feeling down below", None, "preterm_labour"),
        ("really bad pain low in my tummy, temp 38.9, it hurts when the car goes over bumps", None, "severe_abdominal_pain"),
        ("baby is 9 days old, barely slept, the numbers on the clock are messages meant for me", None, "postpartum_psychosis"),
        ("since yesterday afternoon he's not himself, talking to people who aren't there", 79, "sudden_confusion"),
        ("yesterday walking with her frame, today can't stand, sleepier and not really making sense", 91, "sudden_confusion"),
        ("bad indigestion at the top of my stomach, Gaviscon hasn't touched it, sweating buckets", 71, "cardiac_indigestion"),
        ("husband has COPD, can't get a full sentence out, lips and fingertips have gone blue", 76, "phrase:severe_breathing"),
        ("he told me he's been saving up his sleeping tablets and he's got enough now", 78, "phrase:suicidal_ideation"),
        ("sickness bug, can't keep even water down, no wee since yesterday morning, muddled", 88, "severe_dehydration"),
        ("severe pain at the top of my stomach going straight through to my back, puked loads", None, "severe_abdominal_pain"),
        ("pain low on the right, going over bumps in the car was agony, now my whole tummy feels really hard", 16, "severe_abdominal_pain"),
        ("he pulled a mug of tea off the side onto himself, big blisters coming up", 3, "serious_burn"),
        ("34 weeks pregnant, no symptoms, BP 162/112 twice", None, "severe_bp_in_pregnancy"),
        ("my ICD's gone off twice in the last hour, I feel ok in between", None, "repeated_icd_shocks"),
        ("hip replacement 5 weeks ago, bent down and felt a clunk, leg looks shorter and I can't walk", 71, "dislocated_hip_replacement"),
        ("broke his nose at rugby yesterday, now a purple swelling inside the nostril", 15, "septal_haematoma"),
    ],
)
def test_named_emergencies_from_guidance_fire(text: str, age: float | None, flag: str) -> None:
    assert flag in flags(text, age=age)


@pytest.mark.parametrize(
    ("text", "age", "flag"),
    [
        ("2M barking cough, no stridor at rest, alert and playing", 2, "stridor_at_rest"),
        ("croup, stridor only when he cries, settles quickly", 2, "stridor"),
        ("on chemo, feeling tired, no temperature", None, "fever_when_immunosuppressed"),
        ("type 1 diabetic, ketones 0.3, sugar a bit high, feel fine", None, "ketones_unwell"),
        ("my baby is 6 weeks old and the midwife says she's feeding well", 0.1, "waters_broken"),
        ("sciatica down my left leg for a week, no numbness around my bottom, peeing normally", None, "cauda_equina"),
        ("GCS 15, alert and talking", None, "gcs_low"),
        ("my 3 year old is feeding well and laughing, just a runny nose", 3, "child_red_features"),
        ("my toddler was sick twice, milky, no green", 2, "bilious_vomiting"),
        ("sprained my ankle, can't put weight on it much, no fever", None, "septic_joint"),
        ("back from Spain with a temperature and sore throat", None, "fever_after_travel"),
        ("kidney stone pain again, no fever", None, "infected_kidney_stone"),
        ("I have a small hernia that goes back in when I lie down", None, "stuck_hernia"),
        ("eyes itchy and streaming every time i go outside, sneezing fits, only ever happens in june", None, "unconscious_or_seizure"),
        ("throat is agony, like swallowing razor blades since yesterday, can still eat and drink", None, "phrase:self_harm"),
        ("27 weeks pregnant with awful heartburn every evening, no pain anywhere else, baby moving normally", None, "reduced_fetal_movements"),
        ("wife says I snore like a train and sometimes stop breathing for a few seconds in the night", None, "phrase:severe_breathing"),
        ("painless lump in the side of my neck for 4 weeks after a cold, no fever, no night sweats", None, "cardiac_without_chest_pain"),
        ("painful rash with little blisters on one side of her forehead, she says it burns", None, "serious_burn"),
        ("my 2 year old was sick twice but she's drinking, weeing and playing", 2, "dehydrated_child"),
        ("my 9 year old has had diarrhoea since yesterday and is a bit tired", 9, "dehydrated_child"),
        ("sticky red eye, gritty, vision fine, no pain", None, "acute_glaucoma"),
        ("wasp sting on my hand, red and swollen round it, breathing fine", None, "allergic_reaction_breathing"),
        ("hives after eating strawberries, itchy, no swelling of lips or tongue, breathing normally", None, "allergic_reaction_breathing"),
        ("burnt my hand on the oven, no smoke, it's red and sore", None, "smoke_inhalation"),
        ("my keyboard shortcuts feel weak and slow", None, "phrase:stroke_signs"),
        ("looking up how to get rid of a cold", None, "phrase:suicidal_ideation"),
        ("going on holiday, sorted out who looks after the cat", None, "phrase:suicidal_ideation"),
        ("made a pink milkshake and it's all frothy on top", None, "pulmonary_oedema"),
        ("I get out of breath running for the bus but fine sitting down", None, "breathless_at_rest"),
        ("flew back from Spain, bit of a cold and a runny nose", None, "possible_clot_on_lung"),
        ("on the pill, a bit breathless with my asthma this week, inhaler helps", None, "possible_clot_on_lung"),
        ("bit of bright red blood on the paper when I wipe, piles I think", None, "rectal_bleeding_serious"),
        ("cut my finger yesterday, it's a bit red round the edge, feel fine", None, "sepsis_signs"),
        ("flu for 2 days, temp 38.5, achy and a bit drowsy but drinking", 30, "sepsis_signs"),
        ("hives all over, blotchy and itchy after strawberries", None, "sepsis_signs"),
        ("20 weeks pregnant with a cold, temp 37.6, bit of a sore throat", None, "fever_in_pregnancy_unwell"),
        ("dizzy when I stand up quickly, goes after a few seconds", None, "central_vertigo"),
        ("my dad has had dementia for years and gets confused in the evenings as usual", None, "sudden_confusion"),
        ("39 weeks, tightenings every 10 minutes", None, "preterm_labour"),
        ("28 weeks, occasional painless tightenings, no pattern", None, "preterm_labour"),
        ("34 weeks, baby kicking loads as normal", None, "reduced_fetal_movements"),
        ("clearing out the loft, giving away my old baby clothes", None, "phrase:suicidal_ideation"),
        ("had my usual 2 paracetamol at 8 and again at 12", None, "phrase:overdose_poisoning"),
        ("food poisoning from a kebab, sick twice", None, "poisoning"),
        ("hurts when I cough, no breathing problems", None, "phrase:severe_breathing"),
        ("a boil on my leg, a bit sore, red round the edge", None, "necrotising_infection"),
        ("tummy bug, peeing less than usual but drinking and feel ok", None, "severe_dehydration"),
        ("bruised my shin on the coffee table, gums bleed a bit when I floss", None, "bleeding_tendency"),
        ("type 1, was 3.5 after PE, had jelly babies, now 6.2 and fine", None, "severe_hypoglycaemia"),
        ("trying to lose weight, eating 1500 calories, feel fine", None, "eating_disorder_unstable"),
        ("heartburn after a curry, gaviscon sorted it", None, "cardiac_without_chest_pain"),
        ("watched a sunset from the top of the hill on holiday", None, "phrase:suicidal_ideation"),
        ("coughing up green phlegm with a cold", None, "phrase:internal_bleeding"),
        ("I drink a bottle of vodka a day and get the shakes in the morning", None, "phrase:dka_hypo"),
        ("my baby's 6 weeks and I cry most days, is this the baby blues?", 0.1, "phrase:baby_red_flags"),
        ("asthma worse in the cold, not struggling to breathe right now", None, "phrase:severe_breathing"),
        ("my legs keep jerking when I'm falling asleep", None, "phrase:seizure"),
        ("had a miscarriage last year, period came back normally, bit crampy", None, "fever_in_pregnancy_unwell"),
        ("heartburn after a curry, a bit sweaty in this heat, fine otherwise", None, "cardiac_indigestion"),
        ("28 weeks pregnant, BP 128/80 at the midwife, all fine", None, "severe_bp_in_pregnancy"),
        ("had my ICD fitted last month, wound healing, no shocks", None, "repeated_icd_shocks"),
        ("hip replacement 6 weeks ago, walking with one stick, a bit stiff", None, "dislocated_hip_replacement"),
        ("nosebleed after I blew my nose hard, stopped in 5 minutes", None, "septal_haematoma"),
        ("saving up for a holiday, stocked up on my usual tablets", None, "phrase:suicidal_ideation"),
        ("it's hard to breathe through my nose with this cold", None, "severe_abdominal_pain"),
        ("coughing up yellow phlegm with a cold for 4 days", None, "pulmonary_oedema"),
    ],
)
def test_named_emergencies_do_not_fire_on_near_misses(text: str, age: float | None, flag: str) -> None:
    assert flag not in flags(text, age=age)


def test_a_child_who_got_into_the_medicine_is_a_poisoning_emergency() -> None:
    result, _ = service.assess("my 2yo got into the calpol and drank about half the bottle 20 mins ago, hes acting normal")
    assert result.level.urgency >= Level.EMERGENCY.urgency


def test_a_fast_heartbeat_stated_per_minute_is_read_as_a_heart_rate() -> None:
    result, clinical = service.assess("my heartbeat is about 190 per minute and pounding, a bit light-headed")
    assert clinical.vitals.heart_rate == 190
    assert "extreme_heart_rate" in {f.id for f in result.red_flags}


def test_recent_events_are_not_history_and_note_style_ages_are_read() -> None:
    result, _ = service.assess("my 2yo got into the calpol and drank about half the bottle, 100ml maybe, 20 mins ago, hes acting normal")
    assert result.level.urgency >= Level.EMERGENCY.urgency
    _, clinical = service.assess("6wk F, not fed for 8h, sleepy, afebrile")
    assert clinical.age_years is not None and clinical.age_years < 0.2
    _, clinical = service.assess("she fell off the sofa, she's 4 months, there's a lump on her head")
    assert clinical.age_years is not None and clinical.age_years < 0.5


def test_spotting_is_bleeding_and_from_24_weeks_an_emergency() -> None:
    result, _ = service.assess("28 weeks pregnant, fresh red spotting on my pad this morning, no pain, baby moving normally")
    assert "pregnancy_warning" in {f.id for f in result.red_flags}


def test_a_stated_temperature_counts_as_a_fever_in_protocol_rules() -> None:
    from policies.triage.protocols import evaluate_protocols

    urine = FindingFact("urinary", code="", display="urinary symptoms")
    level, rationale, _ = evaluate_protocols(Facts(text="dysuria, T 38.2", findings=[urine], temperature_c=38.2))
    assert level == Level.CONSULTATION_24 and any(r.rule == "urinary:uti_fever" for r in rationale)
    level, _, _ = evaluate_protocols(Facts(text="dysuria, T 37.1", findings=[urine], temperature_c=37.1))
    assert level == Level.CONSULTATION


def test_breathing_and_pulse_limits_follow_the_childs_age() -> None:
    # RR 48 is fast for an adult but within the range of a 5-month-old (NICE NG143)
    baby = Facts(text="cough, RR 48", age_years=0.42, respiratory_rate=48, heart_rate=150)
    assert not {"severe_breathlessness", "extreme_heart_rate"} & {f.id for f in evaluate_red_flags(baby)}
    adult = Facts(text="cough, RR 48", age_years=40, respiratory_rate=48, heart_rate=150)
    assert {"severe_breathlessness", "extreme_heart_rate"} <= {f.id for f in evaluate_red_flags(adult)}
    assert "severe_breathlessness" in {f.id for f in evaluate_red_flags(Facts(text="RR 64", age_years=0.42, respiratory_rate=64))}


def test_infant_fever_by_meaning_needs_a_fever() -> None:
    from policies.triage.red_flags import presentation_flags

    fever = FindingFact("fever", negated=True)
    denied = Facts(text="6 week old crying for hours in the evening, no fever", age_years=0.12, findings=[fever])
    assert presentation_flags({"infant_fever": 0.7}, denied) == []
    assert presentation_flags({"infant_fever": 0.7}, Facts(text="6 week old, temp 37.6", age_years=0.12, temperature_c=37.6)) == []
    assert presentation_flags({"infant_fever": 0.7}, Facts(text="6 week old, temp 38.1", age_years=0.12, temperature_c=38.1)) != []


def test_symptoms_for_more_than_three_weeks_see_a_gp() -> None:
    service = TriageService()
    weeks, _ = service.assess("I've had heartburn most days for about 6 weeks. Gaviscon helps a bit but it keeps coming back.")
    assert weeks.level == Level.CONSULTATION and any(r.rule == "context:persistent" for r in weeks.rationale)
    days, _ = service.assess("heartburn after a curry last night, gaviscon sorted it")
    assert days.level == Level.SELF_CARE


def test_shingles_pain_on_the_chest_is_not_cardiac_pain() -> None:
    service = TriageService()
    shingles, _ = service.assess("Two days ago I got a burning tingling pain around the left side of my chest going round to my back, and yesterday a rash of small blisters came up in a strip over the same area.", age=67)
    assert shingles.level.group != "emergency"
    heart, _ = service.assess("crushing pain in my chest going into my arm, sweating, I had shingles last year", age=67)
    assert heart.level.group == "emergency"


def test_suicidal_thoughts_without_plan_or_intent_are_same_day_care_and_still_a_crisis() -> None:
    from policies.safety import SafetyPolicy

    text = "I've started thinking everyone would be better off without me. I don't have any plan and I wouldn't do anything because of my kids."
    result, _ = TriageService().assess(text)
    assert result.level == Level.CONSULTATION_24
    assert "crisis line" in result.red_flags[0].description
    assert "Samaritans" in result.advice and "act on these thoughts" in result.advice
    assert SafetyPolicy().evaluate(text).kind == "mental_health_crisis"  # the crisis reply still runs
    # a plan, something done, or no denial of intent: emergency as before
    for worse in (
        "everyone would be better off without me, I've been saving up my tablets",
        "I keep thinking everyone would be better off without me and I don't know what I'll do",
        "no plan yet but I want to end my life",
    ):
        assert TriageService().assess(worse)[0].level.group == "emergency", worse


def test_sudden_hearing_loss_is_same_day_care_but_a_blocked_ear_with_a_cold_is_not() -> None:
    for text in (
        "I woke up this morning and can't hear anything out of my right ear, no pain",
        "45M, sudden onset L sensorineural hearing loss 2/7, tinnitus, no otalgia",
        "my hearing went in my left ear all of a sudden while I was at work",
    ):
        result, _ = TriageService().assess(text)
        assert "sudden_hearing_loss" in {f.id for f in result.red_flags} and result.level == Level.CONSULTATION_24, text
    for text in (
        "my ear is blocked and my hearing is muffled since my cold last week",
        "my grandad is slowly losing his hearing, he has the TV up really loud",
        "suddenly remembered I can't hear the doorbell from the garden, do I need a louder one",
    ):
        assert "sudden_hearing_loss" not in flags(text), text


def test_a_recent_sexual_assault_is_seen_now_and_one_long_ago_is_not_an_emergency() -> None:
    for text in ("I was raped last night and I don't want to go to the police", "19F sexually assaulted at a party 2 days ago, no injuries"):
        result, _ = TriageService().assess(text)
        assert "recent_sexual_assault" in {f.id for f in result.red_flags} and result.level == Level.EMERGENCY, text
        assert "hours" in result.red_flags[0].description
    for text in (
        "I was sexually assaulted years ago and still have nightmares about it",
        "I was raped as a teenager and I've never told anyone, I feel low a lot",
    ):
        assert "recent_sexual_assault" not in flags(text), text


def test_oximeter_readings_follow_the_nhs_bands() -> None:
    at_92, _ = TriageService().assess("covid day 6, more breathless, my oximeter says 92%")
    assert "low_oxygen" in {f.id for f in at_92.red_flags} and at_92.level.group == "emergency"
    at_94, _ = TriageService().assess("covid day 6, a bit more breathless, my oximeter says 94%")
    assert at_94.level == Level.CONSULTATION_24 and "borderline_oxygen" in {f.id for f in at_94.red_flags}
    at_97, _ = TriageService().assess("covid day 6, cough, my oximeter says 97%")
    assert {"low_oxygen", "borderline_oxygen"}.isdisjoint({f.id for f in at_97.red_flags})


def test_one_swollen_painful_calf_is_a_possible_clot_seen_today() -> None:
    for text in (
        "right calf aching and swollen for 2 days, warm and tender when I squeeze it, had a knee op 10 days ago",
        "my left calf has been swollen and painful since I got back from a long flight",
    ):
        result, _ = TriageService().assess(text)
        assert "possible_leg_clot" in {f.id for f in result.red_flags} and result.level == Level.CONSULTATION_24, text
    for text in ("both legs swollen at the ankles by the evening", "cramp in my calf at night, goes after a minute", "twisted my ankle at football, calf a bit swollen and sore"):
        assert "possible_leg_clot" not in flags(text), text


def test_a_red_sticky_eye_in_a_newborn_is_seen_today() -> None:
    result, _ = TriageService().assess("my baby is 12 days old and one of his eyes is red with yellow sticky gunk")
    assert result.level == Level.CONSULTATION_24
    older, _ = TriageService().assess("my 4 year old has a red sticky eye, otherwise well", age=4)
    assert older.level.urgency < Level.CONSULTATION_24.urgency


def test_a_knock_to_the_top_of_the_head_on_warfarin_is_an_emergency() -> None:
    result, _ = TriageService().assess("hit the top of my head on a cupboard door, mild headache and a lump, I'm on warfarin")
    assert result.level.group == "emergency"


def test_copd_oxygen_is_judged_against_its_own_target() -> None:
    usual = flags("69M COPD, 3 days more breathless with green sputum, SpO2 92% on air, speaking full sentences")
    assert "borderline_oxygen" in usual and "low_oxygen" not in usual
    low, _ = TriageService().assess("70F COPD, much more breathless today, sats 87% on air")
    assert low.level.group == "emergency" and "low_oxygen" in {f.id for f in low.red_flags}
    without_copd, _ = TriageService().assess("54M, 3 days more breathless with a cough, SpO2 92% on air")
    assert "low_oxygen" in {f.id for f in without_copd.red_flags}


def test_low_sugar_with_response_only_to_pain_calls_an_ambulance() -> None:
    result, _ = TriageService().assess("80M on insulin found slumped, responds only to pain, not able to swallow, CBG 1.8")
    assert result.level == Level.EMERGENCY_AMBULANCE and "severe_hypoglycaemia" in {f.id for f in result.red_flags}


def test_not_responding_to_a_treatment_is_not_unresponsive() -> None:
    for text in ("chest infection isn't responding to the antibiotics", "my eczema is not responding to the steroid cream"):
        result, _ = TriageService().assess(text)
        assert result.level.group != "emergency", text
    result, _ = TriageService().assess("my dad is on the floor and not responding to me")
    assert result.level == Level.EMERGENCY_AMBULANCE


def test_an_overdose_with_drowsiness_calls_an_ambulance() -> None:
    result, _ = TriageService().assess("i took all my sertraline and a packet of paracetamol an hour ago, now i feel sick and sleepy")
    assert result.level == Level.EMERGENCY_AMBULANCE and "overdose_drowsy" in {f.id for f in result.red_flags}
    assert "overdose_drowsy" not in flags("took 2 paracetamol for my headache and feel a bit sleepy")


def test_fewer_wet_nappies_in_a_sick_toddler_is_seen_today() -> None:
    result, _ = TriageService().assess("18 month old with diarrhoea and vomiting for 2 days, only 3 wet nappies in 24 hours, still playing")
    assert "child_dehydration_signs" in {f.id for f in result.red_flags} and result.level.urgency >= Level.CONSULTATION_24.urgency
    assert "child_dehydration_signs" not in flags("my 2 year old has diarrhoea but is drinking well with plenty of wet nappies")


def test_a_hot_painful_breast_with_a_temperature_is_seen_today() -> None:
    result, _ = TriageService().assess("breastfeeding, red hot painful wedge-shaped area on my right breast, temperature 38.4, feel fluey")
    assert result.level == Level.CONSULTATION_24


def test_a_fresh_sprain_with_mild_swelling_is_self_care() -> None:
    result, _ = TriageService().assess("went over on my ankle at 5-a-side last night, mild swelling, can walk on it, no bony tenderness")
    assert result.level == Level.SELF_CARE


def test_pain_in_early_pregnancy_with_fainting_calls_an_ambulance() -> None:
    result, _ = TriageService().assess("27F, LMP 7/52 ago, +ve UPT. Sudden severe L iliac fossa pain, shoulder tip pain, fainted. HR 122, BP 86/54")
    assert result.level == Level.EMERGENCY_AMBULANCE and "pregnancy_collapse" in {f.id for f in result.red_flags}
    assert "pregnancy_collapse" not in flags("I'm 8 weeks pregnant with mild period-like cramps, no bleeding, feel fine")


def test_reassurance_and_everyday_words_do_not_read_as_danger() -> None:
    # "looking after him" and "I'd never hurt him" are not persecution and a threat
    assert "psychosis_risk_to_others" not in flags("my baby is 9 weeks, I feel flat every day. I'm looking after him ok and I'd never hurt him or myself")
    # an itchy blotchy rash on antibiotics is a drug rash, not the mottled skin of sepsis
    assert "sepsis_signs" not in flags("day 3 of amoxicillin for a chest infection, itchy blotchy red rash on my tummy, breathing fine")
    # pregnancy itching scratched until it bleeds is not bleeding from the womb
    assert "pregnancy_warning" not in flags("33 weeks pregnant, itchy palms and soles, scratching till it bleeds, no rash")
    # ketones from vomiting in pregnancy, without diabetes, are not DKA
    assert "ketones_unwell" not in flags("9 weeks pregnant, vomiting all day for 3 days, urine ketones 2+")
    assert "ketones_unwell" in flags("type 1 diabetic, vomiting since this morning, blood ketones 3.2")


def test_fever_with_a_sore_breast_after_the_birth_is_mastitis_not_sepsis_in_pregnancy() -> None:
    result, _ = TriageService().assess("3 weeks since I had my baby, breastfeeding, hot red patch on my left boob, shivery, temp 38.2, no better after 24 hours")
    assert "fever_in_pregnancy_unwell" not in {f.id for f in result.red_flags} and result.level == Level.CONSULTATION_24


def test_a_gradual_scrotal_ache_is_not_read_as_torsion() -> None:
    gradual = flags("29M, 3 days gradually worsening right scrotal ache and swelling, mild dysuria, not sudden onset", sex="male")
    assert "presentation:testicular_torsion" not in gradual
    sudden = flags("14 year old boy, sudden severe pain in his left testicle an hour ago, being sick", sex="male")
    assert {"presentation:testicular_torsion", "testicular_torsion"} & sudden or any("torsion" in f for f in sudden)


def test_thoughts_without_plan_on_a_new_antidepressant_are_same_day_care() -> None:
    result, _ = TriageService().assess(
        "started sertraline 10 days ago, restless, the dark thoughts are a bit worse, like everyone would be better off without me. "
        "I don't have any plan and I'm not going to do anything. Should I stop the tablets?"
    )
    assert result.level == Level.CONSULTATION_24


def test_someone_at_risk_who_cannot_be_reached_calls_an_ambulance() -> None:
    result, _ = TriageService().assess("my mum texted sorry, said she has been saving up her sleeping tablets, and now she's not answering her phone")
    assert result.level == Level.EMERGENCY_AMBULANCE and "at_risk_and_unreachable" in {f.id for f in result.red_flags}
    assert "at_risk_and_unreachable" not in flags("my son isn't answering his phone, probably at football")


def test_grating_in_an_arthritic_knee_is_not_necrotising_infection() -> None:
    assert "necrotising_infection" not in flags("62F, a year of knee pain on stairs, crepitus, no swelling, paracetamol helps a bit")
    assert "necrotising_infection" in flags("cut on my leg, now red and swollen with crepitus under the skin and a high fever")



def test_heavy_periods_are_not_bleeding_in_pregnancy() -> None:
    from policies.triage.red_flags import presentation_flags

    periods = Facts(text="periods been really heavy for months, flooding through pads, tired all the time", sex="female")
    assert not presentation_flags({"heavy_bleeding_in_pregnancy_or_ectopic": 0.7}, periods)
    late = Facts(text="my period is 3 weeks late and now heavy bleeding with pain on one side", sex="female")
    assert presentation_flags({"heavy_bleeding_in_pregnancy_or_ectopic": 0.7}, late)


def test_early_pregnancy_pain_with_shoulder_tip_pain_goes_to_emergency_care() -> None:
    result, _ = service.assess(
        "Recep: 24F re 'bad period pain'. LMP ~7 wks ago, +ve home preg test. Sharp R lower abdo pain since "
        "this morning, brown spotting, pain in tip of R shoulder. Not fainted, not dizzy."
    )
    assert result.level.group == "emergency"


def test_fever_in_a_baby_under_3_months_unless_the_jabs_were_today_and_the_baby_is_well() -> None:
    assert "infant_fever" in flags("my 9 week old felt warm, the thermometer says 38.4 under her arm, jabs 4 days ago")
    after_jabs = flags("8 week old had her jabs this morning incl MenB, now 38.1 and grizzly but feeding ok")
    assert not any("infant_fever" in f for f in after_jabs)
    unwell, _ = service.assess("8 week old had her jabs this morning, now 38.3, floppy and not feeding")
    assert unwell.level.group == "emergency"


def test_months_of_heavy_periods_with_breathlessness_on_the_stairs_is_for_a_gp() -> None:
    assert "heavy_bleeding_unwell" not in flags("34F tired 2-3/12, SOB on stairs, heavy periods w/ flooding. Looks pale.", sex="female")
    assert "heavy_bleeding_unwell" in flags("my period is flooding through a pad every hour and I feel dizzy and faint", sex="female")


def test_low_risk_observations_hold_a_resemblance_to_emergencies_at_same_day_care() -> None:
    result, _ = service.assess(
        "Pharmacy consult: 49M productive cough 5d, fevers + sweats. T 38.4, HR 96, RR 20, SpO2 95% RA, BP 132/84, alert, walking fine."
    )
    assert result.level == Level.CONSULTATION_24


def test_everyday_remarks_are_not_emergencies() -> None:
    # a painkiller that does not help is not an overdose; pain that wakes her is not unconsciousness
    assert not flags("67F knee pain for months, worse on stairs. Paracetamol not touching it.")
    assert not flags("48F tingling and numbness in thumb and fingers, wakes her at night, shakes hand to relieve")
    # a headache "not waking her" is a denied red flag; a heavy gym session is not a heavy chest
    assert not flags("35F band-like headache for 3 days, paracetamol helps, not waking her, neuro NAD")
    assert not flags("24M sharp chest pain since a heavy bench press session, tender over the cartilage, no SOB")


def test_a_sticky_eye_is_self_care_unless_light_hurts_or_lenses_are_worn() -> None:
    result, _ = service.assess("5yo both eyes sticky, yellow crust on waking, red, no pain, no photophobia, vision fine, not wearing lenses")
    assert result.level == Level.SELF_CARE
    assert "red_eye_light_or_lenses" in flags("i wear contacts, left eye red and gritty since this morning, vision fine")
    assert "red_eye_light_or_lenses" in flags("my right eye is red and sore and light hurts it")
    assert "red_eye_light_or_lenses" not in flags("both eyes red and itchy with my hay fever, no sensitivity to light")


def test_an_asthma_flare_needing_the_reliever_every_few_hours_is_seen_today() -> None:
    note = "29F asthma on ICS. 1/52 using salbutamol 4-6x/day, cough waking her. PEF 330 (best 470). Full sentences, SpO2 97%."
    result, _ = service.assess(note)
    assert "asthma_getting_worse" in {f.id for f in result.red_flags} and result.level == Level.CONSULTATION_24
    assert "asthma_getting_worse" in flags("I've got asthma and need my blue inhaler every few hours since this cold")
    assert "asthma_severe_peak_flow" in flags("asthma, PEF 45% of best, talking in sentences")
    mild, _ = service.assess("asthma a bit worse, using blue inhaler 3-4 times a week")
    assert mild.level.group != "emergency" and "asthma_getting_worse" not in {f.id for f in mild.red_flags}


def test_a_scarlet_fever_rash_that_started_on_the_chest_is_not_chest_pain() -> None:
    scarlet, _ = service.assess("my son is 5, sore throat and temp since yesterday, now a rash like sandpaper that started on his chest and is spreading")
    assert scarlet.level.group != "emergency"


def test_tablets_that_make_you_drowsy_are_not_confusion() -> None:
    assert "news2_medium" not in flags("hay fever back this week, sneezing and itchy eyes, which antihistamine, the drowsy or non drowsy ones?")
