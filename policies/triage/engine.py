"""Red flags first, then protocols, then context; the level never drops below a red flag."""

from __future__ import annotations

import re

from policies.triage.case_bank import (
    EMERGENCY_SHARE,
    LEAD_SHARE,
    RAISE_MIN_WORDS,
    SOFT_FLAG_SUPPORT,
    CaseVote,
    vote,
)
from policies.triage.interview import missing_questions
from policies.triage.models import Facts, Level, Rationale, TriageResult
from policies.triage.protocols import evaluate_protocols
from policies.triage.red_flags import THOUGHTS_ONLY, evaluate_red_flags, may_be_set_aside, news2, news2_applies

ADVICE = {
    Level.EMERGENCY_AMBULANCE: (
        "Call {emergency} now for an ambulance. Don't drive yourself. While you wait, stay with the "
        "person, don't give them anything to eat or drink, and follow the call handler's instructions."
    ),
    Level.EMERGENCY: (
        "Go to an emergency department (A&E / ER) now, or call {emergency} if you can't get there "
        "safely or things get worse on the way."
    ),
    Level.CONSULTATION_24: (
        "Speak to a doctor today (within 24 hours): contact your GP practice, an urgent care service, "
        "or NHS 111 in the UK. Call {emergency} if you get severe pain, trouble breathing, confusion, or "
        "you feel much worse."
    ),
    Level.CONSULTATION: (
        "Book an appointment with your GP or doctor in the next few days. If it gets worse or new "
        "symptoms appear, get help sooner; call {emergency} in an emergency."
    ),
    Level.SELF_CARE: (
        "This can usually be looked after at home: rest, drink fluids, and a pharmacist can advise on "
        "over-the-counter remedies. See a doctor if it isn't improving in a few days or gets worse, and "
        "call {emergency} if you develop severe symptoms such as trouble breathing or chest pain."
    ),
}


# Suicidal thoughts without a plan or intent are same-day care, and the person needs to know where
# to turn at any hour (NHS: https://www.nhs.uk/mental-health/feelings-symptoms-behaviours/behaviours/help-for-suicidal-thoughts/).
CRISIS_ADVICE = (
    "If you feel you might act on these thoughts, call {emergency} or go to A&E now. You can talk to "
    "someone at any hour: Samaritans on 116 123 (UK) or 988 (US), or NHS 111 option 2."
)


# Long-term conditions that make the same symptoms more worrying (NHS: people at higher risk of
# complications, https://www.nhs.uk/conditions/flu/ and https://www.nhs.uk/conditions/sepsis/).
# Records also list social and administrative "conditions" (employment, a medication review due),
# which must not change a disposition.
_RISK_CONDITIONS = re.compile(
    r"diabet|heart (?:failure|disease)|coronary|myocardial|atrial fibrillation|cardiomyopathy|"
    r"chronic obstructive|copd|emphysema|asthma|bronchiectasis|cystic fibrosis|chronic kidney|"
    r"renal failure|dialysis|cirrhosis|chronic liver|hepatitis|cancer|malignan|neoplasm|carcinoma|"
    r"leuk(?:a)?emia|lymphoma|chemotherapy|immunodeficien|hiv|transplant|sickle cell|"
    r"epilepsy|stroke|cerebrovascular|dementia|alzheimer|parkinson|multiple sclerosis|"
    r"anticoagula|hypertension",
    re.IGNORECASE,
)
_BREATHING = ("shortness_of_breath", "wheeze", "cough", "chest_pain")
# A cough alone is a cold; a stated temperature under 38C is not a fever (NICE NG143).
_UNWELL_BABY = ("vomiting", "diarrhoea", "shortness_of_breath", "wheeze", "rash_nonblanching", "weakness", "confusion")
NHS_OXIMETRY = "https://www.nhs.uk/conditions/coronavirus-covid-19/self-care-and-treatments-for-coronavirus/coronavirus-covid-19-symptoms-and-pulse-oximetry/"
NHS_BP = "https://www.nhs.uk/conditions/high-blood-pressure-hypertension/"
NHS_GP = "https://www.nhs.uk/nhs-services/gps/"
PERSISTENT_HOURS = 21 * 24


def risk_conditions(conditions: list[str]) -> list[str]:
    return [c for c in conditions if _RISK_CONDITIONS.search(c)]


def _context_adjustments(facts: Facts, level: Level) -> tuple[Level, list[Rationale]]:
    notes: list[Rationale] = []

    def raise_to(target: Level, rule: str, why: str, source: str) -> None:
        nonlocal level
        if target.urgency > level.urgency:
            notes.append(Rationale(rule, target, why, source))
            level = target

    # Babies are seen sooner when they are unwell (fever, vomiting or diarrhoea, breathing), not
    # for teething, possetting or a nappy rash (fever under 3 months is a red flag of its own).
    age = facts.age_years
    measured_normal = facts.temperature_c is not None and facts.temperature_c < 38
    fever = (facts.has("fever") and not measured_normal) or (facts.temperature_c or 0) >= 38
    unwell_baby = age is not None and age < 1 and (fever or facts.has(*_UNWELL_BABY))
    vulnerable = unwell_baby or (age is not None and age >= 80) or bool(facts.pregnant)
    if vulnerable and level in (Level.SELF_CARE, Level.CONSULTATION):
        raise_to(level.one_up(), "context:vulnerable", "Very young, older or pregnant patients are seen sooner", "https://www.nhs.uk/conditions/fever-in-children/")
    # A problem that has gone on for more than three weeks without clearing deserves a GP's look,
    # whatever it is (NHS: see a GP for heartburn, a cough, a mouth ulcer or a rash that has not
    # gone after 3 weeks of self-care).
    if level == Level.SELF_CARE and (facts.duration_hours or 0) > PERSISTENT_HOURS:
        raise_to(Level.CONSULTATION, "context:persistent", "Symptoms for more than three weeks: a GP should look at them", NHS_GP)
    risky = risk_conditions(facts.conditions)
    if risky and level == Level.SELF_CARE:
        raise_to(Level.CONSULTATION, "context:long_term_condition", f"A long-term condition on record ({risky[0]}): a clinician should review", NHS_GP)
    # Wearable deviations are recent trends, not a measurement taken now: they move the level up
    # to a clinician, and to emergency care only when the complaint itself points the same way.
    deviations = set(facts.wearable_deviations)
    if "spo2_below_92" in deviations or "spo2_low" in deviations:
        if facts.has(*_BREATHING):
            raise_to(Level.EMERGENCY, "wearable:spo2_below_92", "Breathing symptoms and a recent blood oxygen below 92% on the patient's device", NHS_OXIMETRY)
        else:
            raise_to(Level.CONSULTATION_24, "wearable:spo2_below_92", "The patient's device recorded blood oxygen below 92% recently", NHS_OXIMETRY)
    if "bp_very_high" in deviations:
        raise_to(Level.CONSULTATION_24, "wearable:bp_very_high", "A very high blood pressure reading on the patient's device recently", NHS_BP)
    if deviations & {"resting_hr_elevated", "respiratory_rate_high", "temperature_fever_range"} and level == Level.SELF_CARE:
        raise_to(Level.CONSULTATION, "wearable:sustained_change", "The patient's device shows a sustained rise in resting heart rate, breathing rate or temperature", NHS_GP)
    return level, notes


def _observations_reassure(facts: Facts) -> bool:
    """Four or more observations stated, with a low NEWS2 (aggregate 0-4, no single 3): the RCP's
    low-risk band. Measured observations outweigh a resemblance to emergency cases."""
    total, single, scored = news2(facts)
    return news2_applies(facts) and scored >= 4 and total <= 4 and single < 3


def _by_similar_cases(level: Level, cases: CaseVote | None, rationale: list[Rationale], facts: Facts) -> Level:
    """The level the nearest reference cases agree on, when they clearly agree."""
    if cases is None:
        return level
    words = facts.text.split()
    if cases.emergency >= EMERGENCY_SHARE and len(words) >= RAISE_MIN_WORDS:
        best = cases.best_in(Level.EMERGENCY_AMBULANCE, Level.EMERGENCY)
        if best is None:
            return level
        # Like emergencies, but with low-risk observations: seen the same day, not in A&E.
        target = Level.CONSULTATION_24 if _observations_reassure(facts) else Level.EMERGENCY
        if level.urgency < target.urgency:
            why = "Observations low-risk (NEWS2 0-4), but close to reference emergencies" if target == Level.CONSULTATION_24 else "Closest to reference emergencies"
            rationale.insert(0, Rationale("similar_cases", target, f"{why}, e.g. {best.why}", best.source))
            return target
        return level
    lead = max(cases.emergency, cases.clinician, cases.self_care)
    case_level = cases.level()
    if lead >= LEAD_SHARE and case_level.urgency < Level.EMERGENCY.urgency:
        if case_level.group == level.group:
            # The cases agree on the group; a protocol rule's more urgent level within it stands
            # (new psychosis is same-day care even when the nearest cases are routine ones).
            case_level = case_level.at_least(level)
        best = cases.best_in(case_level) or cases.best_in(Level.CONSULTATION_24, Level.CONSULTATION)
        if best is not None:
            rationale.insert(0, Rationale("similar_cases", case_level, f"Closest reference cases: {best.why}", best.source))
            return case_level
    return level


def triage(facts: Facts, *, emergency_number: str = "999 or 911", answered: set[str] | None = None) -> TriageResult:
    cases = vote(facts.similar_cases)
    red_flags, set_aside = [], []
    for flag in evaluate_red_flags(facts):
        # A presentation is recognised by meaning alone; when the nearest reference cases are
        # clearly not emergencies ("toddler sick twice but drinking and playing"), it is set aside,
        # unless its category calls for an ambulance or the message matches it closely.
        soft = may_be_set_aside(flag, facts.presentations)
        (set_aside if soft and cases is not None and cases.emergency < SOFT_FLAG_SUPPORT else red_flags).append(flag)
    protocol_level, rationale, protocols = evaluate_protocols(facts)
    if protocol_level is None:
        # Nothing recognised: be conservative and let a clinician look.
        protocol_level = Level.CONSULTATION
        rationale.append(Rationale("no_protocol", Level.CONSULTATION, "Symptoms not matched to a protocol: a clinician should assess", "https://www.nhs.uk/nhs-services/gps/"))
    level = _by_similar_cases(protocol_level, cases, rationale, facts)
    for flag in reversed(red_flags):  # the most urgent ends up first
        level = level.at_least(flag.level)
        rationale.insert(0, Rationale(f"red_flag:{flag.id}", flag.level, flag.description, flag.source))
    for flag in set_aside:
        rationale.append(Rationale(f"set_aside:{flag.id}", level, f"Set aside: {flag.description.lower()} by meaning alone, but the closest reference cases are not emergencies", flag.source))
    level, notes = _context_adjustments(facts, level)
    rationale.extend(notes)
    wanted: list[str] = []
    for protocol in protocols:
        wanted.extend(protocol.ask)
    questions = [] if level.urgency >= Level.EMERGENCY.urgency else missing_questions(wanted, facts, answered or set())
    advice = ADVICE[level].format(emergency=emergency_number)
    if level.urgency < Level.EMERGENCY.urgency and any(f.id in THOUGHTS_ONLY for f in red_flags):
        advice += " " + CRISIS_ADVICE.format(emergency=emergency_number)
    return TriageResult(level, red_flags, rationale, questions, advice, protocols[0].id if protocols else None)
