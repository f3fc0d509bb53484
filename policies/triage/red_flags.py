"""Deterministic red-flag rules. They run before any protocol, and the final disposition is never
below the strongest red flag that fired."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from policies.safety import SafetyPolicy
from policies.triage.flag_rule import RedFlagRule
from policies.triage.flag_rule import plain as _plain
from policies.triage.infection_flags import INFECTION_RULES
from policies.triage.injury_flags import INJURY_RULES
from policies.triage.medicine_flags import MEDICINE_RULES
from policies.triage.models import Facts, Level, RedFlag
from policies.triage.sources import NHS_CELLULITIS, NHS_MENINGITIS, NICE_HEAD, NICE_SEPSIS

NHS_999 = "https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-call-999/"
AHA_HEART_ATTACK = "https://www.heart.org/en/health-topics/heart-attack/warning-signs-of-a-heart-attack"
CDC_STROKE = "https://www.cdc.gov/stroke/signs-symptoms/"
NICE_FEVER_U5 = "https://www.nice.org.uk/guidance/ng143"
NHS_SOB = "https://www.nhs.uk/conditions/shortness-of-breath/"
NHS_HEADACHE = "https://www.nhs.uk/conditions/headaches/"
NHS_PREGNANCY = "https://www.nhs.uk/pregnancy/related-conditions/complications/pre-eclampsia/"
NHS_ABDO = "https://www.nhs.uk/conditions/stomach-ache/"
NICE_SELF_HARM = "https://www.nice.org.uk/guidance/ng225"
NHS_BP = "https://www.nhs.uk/conditions/high-blood-pressure-hypertension/"
NHS_VISION = "https://www.nhs.uk/conditions/vision-loss/"




def _age(f: Facts) -> float | None:
    return f.age_years


# Fever in the 48 hours after a baby's jabs (MenB especially) is expected and treated with
# paracetamol at home; it needs a call if it lasts beyond 48 hours or the baby seems unwell
# (NHS MenB vaccine; NICE NG143 treats any other fever under 3 months as high risk).
_JABS_IN_LAST_DAY = re.compile(
    r"\b(?:jabs?|vaccin\w*|immuni[sz]\w*|injections?|menb)\b[^.?!]{0,40}?\b(?:this (?:morning|afternoon)|today|yesterday|last night|earlier|"
    r"(?:a few|few|a couple of|\d{1,2}) hours? ago)\b|\b(?:this morning|today|yesterday)\b[^.?!]{0,30}?\b(?:jabs?|vaccin\w*|immuni[sz]\w*)\b"
)
_UNWELL_BABY_WORDS = re.compile(
    r"\b(?:not feeding|won'?t feed|refus\w* (?:feeds?|the bottle|to feed)|off (?:her|his) feeds?|floppy|drowsy|letharg\w*|hard to wake|"
    r"won'?t wake|high[- ]pitched|mottled|blue|grunting|rash|vomit\w*|breathing (?:fast|quick|hard)|pale|cold hands)\b"
)


def _after_jabs(f: Facts) -> bool:
    text = _plain(f)
    return bool(_JABS_IN_LAST_DAY.search(text)) and not _UNWELL_BABY_WORDS.search(text)


def _infant_fever(f: Facts) -> bool:
    return f.age_years is not None and f.age_years < 0.25 and f.febrile and not _after_jabs(f)


# Shingles: a band or strip of blisters on one side of the chest, where the pain is (NHS shingles).
# The pain comes before and with the rash; without heart or breathing signs it is not cardiac.
_SHINGLES = re.compile(
    r"\bshingles\b|\b(?:blisters?|blistery|blistering|rash|spots)\b[^.]{0,60}\b(?:strip|band|belt|stripe)\b|"
    r"\b(?:strip|band|belt|stripe)\b[^.]{0,40}\b(?:blisters?|blistery|rash|spots)\b"
)
_CARDIAC_WORDS = re.compile(r"\b(?:sweat\w*|clammy|breathless\w*|short of breath|crushing|tight\w*|pressure|heavy|squeez\w*|arm|jaw|faint\w*|collaps\w*)\b")


def _shingles_not_heart(f: Facts) -> bool:
    text = _plain(f)
    return bool(_SHINGLES.search(text)) and not _CARDIAC_WORDS.search(text) and not f.has("sweating", "shortness_of_breath", "unconscious")


def _chest_cardiac(f: Facts) -> bool:
    pain = f.get("chest_pain")
    if pain is None or _shingles_not_heart(f):
        return False
    return pain.radiation or f.has("sweating", "shortness_of_breath", "nausea", "vomiting", "unconscious") or (
        pain.severity == "severe" or f.severity == "severe"
    )


def _chest_other(f: Facts) -> bool:
    pain = f.get("chest_pain")
    if pain is None or _shingles_not_heart(f):
        return False
    older = f.age_years is None or f.age_years >= 40
    return older or pain.onset == "sudden" or f.onset == "sudden" or bool(f.conditions)


def _stroke(f: Facts) -> bool:
    return f.has("facial_droop", "slurred_speech") or (f.has("limb_weakness") and f.onset == "sudden")


def vital_limits(age_years: float | None) -> tuple[int, int, int, int, int]:
    """(fast breathing, very fast breathing, fast pulse, very fast pulse, very slow pulse) for the
    patient's age: children breathe and beat faster (NICE NG143 traffic-light table; APLS normal
    ranges). An unknown age gets the adult limits, the lower and so the more cautious ones."""
    if age_years is None or age_years >= 12:
        return 25, 30, 130, 150, 40
    if age_years < 1:
        return 50, 60, 160, 180, 80
    if age_years < 5:
        return 40, 60, 150, 170, 60
    return 30, 40, 140, 160, 50


def _breathing_severe(f: Facts) -> bool:
    sob = f.get("shortness_of_breath")
    return (sob is not None and (sob.severity == "severe" or f.severity == "severe")) or (
        f.respiratory_rate is not None and f.respiratory_rate >= vital_limits(f.age_years)[1]
    )


# Oximeter readings (NHS pulse oximetry guidance): 92% or lower, A&E or 999; 93-94%, an urgent GP
# appointment or NHS 111. A measurement stated now; a wearable's recent low reading is weighed in
# the engine instead.
NHS_PULSE_OXIMETRY = "https://www.nhs.uk/conditions/coronavirus-covid-19/self-care-and-treatments-for-coronavirus/coronavirus-covid-19-symptoms-and-pulse-oximetry/"


# People with COPD usually live with lower oxygen: BTS and NICE NG115 set their target at 88-92%,
# and NEWS2 scores them on its second SpO2 scale. For them 88% or lower is the emergency and
# 89-92% a same-day review.
_COPD = re.compile(r"\b(?:copd|emphysema|chronic bronchitis|chronic obstructive)\b")


def _copd(f: Facts) -> bool:
    return bool(_COPD.search(f.text.lower())) or any(_COPD.search(c.lower()) for c in f.conditions)


def _low_spo2(f: Facts) -> bool:
    return f.spo2 is not None and f.spo2 <= (88 if _copd(f) else 92)


def _borderline_spo2(f: Facts) -> bool:
    if f.spo2 is None:
        return False
    return 88 < f.spo2 <= 92 if _copd(f) else 92 < f.spo2 < 95


def _meningitis_sepsis(f: Facts) -> bool:
    return f.has("rash_nonblanching") or (f.febrile and (f.has("neck_stiffness") or f.has("confusion")))


def _sepsis_vitals(f: Facts) -> bool:
    hot_or_cold = (f.temperature_c or 37) >= 38 or (f.temperature_c or 37) <= 36 or f.has("fever")
    rr_fast, _, hr_fast, _, _ = vital_limits(f.age_years)
    fast = (f.heart_rate or 0) >= hr_fast or (f.respiratory_rate or 0) >= rr_fast
    return hot_or_cold and fast


def _head_injury(f: Facts) -> bool:
    return f.has("head_injury") and (
        f.has("vomiting", "unconscious", "confusion", "seizure", "bleeding")
        or "anticoagulant" in f.medications  # a class, from the patient's words or the record
    )


_THUNDERCLAP = re.compile(
    r"\bpeak\w* (?:with)?in (?:a |1 |one |60 |a few )?(?:min\w*|seconds?)|\bworst (?:headache )?(?:ever|of my life)|"
    r"\blike (?:an explosion|a bomb|being (?:hit|struck|kicked))\b|\bthunderclap\b"
)


def _thunderclap(f: Facts) -> bool:
    headache = f.get("headache")
    if headache is None:
        return False
    sudden = headache.onset == "sudden" or f.onset == "sudden"
    severe = headache.severity == "severe" or f.severity == "severe"
    # NHS / NICE: a headache that peaks within a minute or is the worst ever needs 999, even when
    # it is easing or was days ago (a warning bleed).
    return (sudden and severe) or bool(_THUNDERCLAP.search(f.text.lower()))


# Examination signs of an inflamed peritoneum (appendicitis, perforation): surgical review today.
# Pain jolted by every bump in the road is a lay sign of an inflamed abdominal lining.
_PERITONISM = re.compile(r"\b(?:guarding|rebound|peritonism|peritonitic|rigid abdomen|board-?like|rigidity)\b|\b(?:hurts|pain\w*|agony|kills)\b[^.]{0,50}\b(?:over (?:the )?(?:speed )?bumps|goes over (?:a |the )?bumps?|every bump|jolt\w*)"
    r"|\bbumps?\b[^.]{0,40}\b(?:agony|hurt\w*|pain\w*|killing)\b"
    r"|\b(?:tummy|belly|stomach|abdomen)\b[^.]{0,25}\b(?:feels |is |gone |went |has gone )(?:really |very |so |rock |all )?(?:hard|rigid|solid)\b(?! to)", re.IGNORECASE)


def _abdominal_severe(f: Facts) -> bool:
    pain = f.get("abdominal_pain")
    if pain is None:
        return False
    if _PERITONISM.search(f.text):
        return True
    if pain.radiation:  # e.g. to the back: aneurysm, pancreatitis, or a heart attack felt lower down
        return True
    return (pain.severity == "severe" or f.severity == "severe") and (pain.onset == "sudden" or f.onset == "sudden" or f.has("vomiting"))


NHS_PREGNANCY_BLEEDING = "https://www.nhs.uk/pregnancy/related-conditions/common-symptoms/vaginal-bleeding/"
# NHS: light bleeding or spotting with mild cramps in pregnancy needs a call to the GP, midwife or
# 111 the same day; heavy bleeding, severe or one-sided pain, shoulder-tip pain, dizziness or
# fainting need 999 / A&E (https://www.nhs.uk/conditions/ectopic-pregnancy/).
_LIGHT = re.compile(r"\b(?:light|lightly|spotting|spots of blood|a little|a bit of|slight|small amount|tiny bit|brown\w*|pinkish|mild|minimal)\b")
_PREGNANCY_DANGER = re.compile(
    r"\b(?:heavy|heavily|soaking|pouring|clots?|severe|agony|agonising|excruciating|worst|one side|one-sided|"
    r"left side|right side|on the (?:left|right)|(?:left|right)[- ]sided|shoulder|faint\w*|dizzy|light-?headed|passed out|collapsed?|pale|clammy)\b"
)


_GESTATION = re.compile(r"\b(\d{1,2})\s*(?:weeks?|wks?|/40)\b(?!\s*(?:old|ago))")


def _pregnancy_light_bleeding(f: Facts) -> bool:
    text = _plain(f)  # "no shoulder-tip pain" is not a danger sign
    # NHS: any bleeding from 24 weeks needs the maternity unit now, however light.
    later = any(int(m.group(1)) >= 24 for m in _GESTATION.finditer(text))
    return bool(f.pregnant) and not later and f.has("bleeding", "abdominal_pain") and bool(_LIGHT.search(text)) and not _PREGNANCY_DANGER.search(text)


def _pregnancy(f: Facts) -> bool:
    if not f.pregnant:
        return False
    if f.has("headache") and f.has("blurred_vision", "swelling"):
        return True
    if _SCRATCHED_TO_BLEEDING.search(_plain(f)) and not f.has("abdominal_pain"):
        return False  # "scratching till it bleeds" (itching in pregnancy) is not a bleed from the womb
    return f.has("bleeding", "abdominal_pain") and not _pregnancy_light_bleeding(f)


_SCRATCHED_TO_BLEEDING = re.compile(r"\bscratch\w* (?:\w+ ){0,3}?(?:bleed\w*|blood\w*|raw)\b")


# NHS ectopic pregnancy: call 999 for sudden, intense tummy pain with feeling very dizzy or faint,
# or looking very pale: bleeding inside. The same holds for bleeding in pregnancy with collapse
# or the vital signs of shock.
_COLLAPSED = re.compile(r"\b(?:fainted|fainting|passed out|blacked out|collapsed?|syncop\w*|very (?:dizzy|faint|pale)|grey and clammy|pale and clammy)\b")


def _pregnancy_with_collapse(f: Facts) -> bool:
    if not f.pregnant or not f.has("bleeding", "abdominal_pain", "shoulder_pain"):
        return False
    shocked = (f.systolic is not None and f.systolic < 90) or _pulse_above_pressure(f)
    return shocked or bool(_COLLAPSED.search(_plain(f)))


def _vision_loss(f: Facts) -> bool:
    return f.has("blurred_vision") and (f.onset == "sudden") and (f.has("headache", "limb_weakness", "numbness") or f.severity == "severe")


NHS_ASTHMA_ATTACK = "https://www.nhs.uk/conditions/asthma/asthma-attack/"
_ASTHMA = re.compile(r"\b(?:asthma\w*|wheez\w*)\b")
_RELIEVER = r"(?:salbutamol|ventolin|reliever|blue inhaler|inhaler|pump|puffer)"
_TIMES_A_DAY = re.compile(r"\b(\d{1,2})(?:\s*(?:-|to|or)\s*(\d{1,2}))?\s*(?:x|times)\s*(?:a|per|/|each)?\s*day\b")
_EVERY_FEW_HOURS = re.compile(r"\bevery\s+(?:(\d)(?:\s*(?:-|to|or)\s*\d)?|(few|couple of|two|three|four))\s*(?:h|hrs?|hours?)\b|\b(\d)(?:-\d)?\s*(?:hrly|hourly)\b")
_PEAK_FLOW = re.compile(r"\b(?:pef|pefr|peak flow)\b\D{0,12}?(\d{2,3})\s*(%|\(?\s*(?:best|pb|predicted)\s*(?:is\s*|of\s*)?(\d{2,3}))?")
_WORDS_AS_HOURS = {"few": 3, "couple of": 2, "two": 2, "three": 3, "four": 4}


def _peak_flow_fraction(text: str) -> float | None:
    """A peak flow as a fraction of the person's best: "PEF 330 (best 470)", "PEF 60%"."""
    match = _PEAK_FLOW.search(text)
    if not match or not match.group(2):
        return None
    if match.group(2) == "%":
        return int(match.group(1)) / 100
    return int(match.group(1)) / int(match.group(3)) if match.group(3) else None


def _asthma_getting_worse(f: Facts) -> bool:
    # An asthma flare needing the reliever four or more times a day (every four hours or less),
    # or a peak flow at 75% of best or below, is a moderate attack: seen the same day (NHS asthma
    # attack; BTS/SIGN 158). The severe and life-threatening signs have rules of their own.
    text = _plain(f)
    if not _ASTHMA.search(text):
        return False
    fraction = _peak_flow_fraction(text)
    if fraction is not None and fraction <= 0.75:
        return True
    if not re.search(rf"\b{_RELIEVER}", text):
        return False
    daily = _TIMES_A_DAY.search(text)
    if daily and int(daily.group(2) or daily.group(1)) >= 4:
        return True
    every = _EVERY_FEW_HOURS.search(text)
    if every is None:
        return False
    digits = every.group(1) or every.group(3)
    return (int(digits) if digits else _WORDS_AS_HOURS[every.group(2)]) <= 4


def _asthma_severe_peak_flow(f: Facts) -> bool:
    # BTS/SIGN 158: a peak flow below half of best is acute severe asthma.
    text = _plain(f)
    fraction = _peak_flow_fraction(text)
    return fraction is not None and fraction < 0.5 and bool(_ASTHMA.search(text))


NHS_CONJUNCTIVITIS = "https://www.nhs.uk/conditions/conjunctivitis/"
_LIGHT_HURTS = re.compile(r"\b(?:photophob\w*|(?:sensitive|sensitivity) to (?:the )?light|light (?:hurts|is painful|sensitiv\w*)|can'?t (?:stand|bear|look at) (?:the )?light)\b")
_DENIED_LIGHT = re.compile(r"\b(?:no|not|nil|denies)\s+(?:\w+\s+){0,2}?(?:photophob\w*|sensitiv\w* to (?:the )?light|light sensitiv\w*)")
_CONTACT_LENSES = re.compile(r"\b(?:wears?|wearing|wearer|use|uses|using|in) (?:\w+ )?(?:contacts|contact lenses|lenses)\b|\bcontact lens wearer\b|\bcl wearer\b")
_NO_LENSES = re.compile(r"\b(?:no|not|doesn'?t|don'?t|never)\s+(?:\w+\s+){0,2}?(?:contacts|contact lenses|lenses)\b")


def _red_eye_needs_same_day(f: Facts) -> bool:
    # NHS conjunctivitis: an urgent appointment when the eye is sensitive to light, or the person
    # wears contact lenses (a corneal infection can look like conjunctivitis at first).
    if not f.has("eye_problem"):
        return False
    text = _plain(f)
    light = bool(_LIGHT_HURTS.search(text)) and not _DENIED_LIGHT.search(text)
    lenses = bool(_CONTACT_LENSES.search(text)) and not _NO_LENSES.search(text)
    return light or lenses


def _very_high_bp(f: Facts) -> bool:
    return (f.systolic or 0) >= 180 or (f.diastolic or 0) >= 120


def _severe_bp_in_pregnancy(f: Facts) -> bool:
    # NICE NG133: 160/110 or more in pregnancy is severe hypertension, admitted the same day even
    # without symptoms.
    return bool(f.pregnant) and ((f.systolic or 0) >= 160 or (f.diastolic or 0) >= 110)


# Two or more shocks from an implanted defibrillator in a day, or one with chest pain, fainting or
# breathlessness (British Heart Foundation ICD guidance: call 999).
_ICD = re.compile(r"\b(?:icd|defib\w*|implanted (?:defibrillator|device))\b")


def _repeated_icd_shocks(f: Facts) -> bool:
    text = _plain(f)
    if not _ICD.search(text):
        return False
    shocked = re.search(r"\b(?:gone off|went off|fired|shocked|zapped|kicked in|shocks?)\b", text)
    many = re.search(r"\b(?:twice|two|three|several|again|\d) (?:times|shocks)?|\bagain\b|\bmore than once\b", text)
    unwell = re.search(r"\bchest pain|\bfaint\w*|\bpass(?:ed)? out|\bbreathless|\bshort of breath|\bdizz\w*", text)
    return bool(shocked and (many or unwell))


# A hip replacement that suddenly hurts, with the leg looking shorter or turned, or unable to walk:
# a dislocation (NHS hip replacement recovery: go to A&E).
def _dislocated_hip_replacement(f: Facts) -> bool:
    text = _plain(f)
    replaced = re.search(r"\b(?:hip replacement|new hip|hip (?:op|operation|done|replaced))\b", text)
    sign = re.search(r"\b(?:shorter|turned (?:in|out)|rotated|pointing (?:in|out)|can'?t (?:walk|stand|put weight|bear weight)|popped|clunk)\b", text)
    return bool(replaced and sign)


# After a blow to the nose, a blocked side with a soft purple or red swelling inside: a septal
# haematoma, drained the same day to save the cartilage (NHS broken nose: go to A&E).
def _septal_haematoma(f: Facts) -> bool:
    text = _plain(f)
    blow = re.search(r"\b(?:broke|broken|hit|punched|whacked|banged|elbowed|knocked|injur\w*|smacked)\b[^.]{0,40}\bnose\b|\bnose\b[^.]{0,30}\b(?:broke|broken|hit|injur\w*)", text)
    inside = re.search(r"\b(?:swelling|lump|bulge|balloon)\b[^.]{0,30}\b(?:inside|in) (?:the |his |her |my )?(?:nose|nostril)|\b(?:inside|in) (?:the |his |her |my )?(?:nose|nostril)\b[^.]{0,30}\b(?:swelling|lump|bulge|swollen|purple)", text)
    return bool(blow and inside)


def _extreme_heart_rate(f: Facts) -> bool:
    _, _, _, very_fast, very_slow = vital_limits(f.age_years)
    return f.heart_rate is not None and (f.heart_rate >= very_fast or f.heart_rate <= very_slow)


def _hypothermia(f: Facts) -> bool:
    return f.temperature_c is not None and f.temperature_c < 35


def _spreading_infection(f: Facts) -> bool:
    return f.has("infected_wound") and (f.febrile or f.progression == "worsening")


RCP_NEWS2 = "https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/"


def news2(f: Facts) -> tuple[int, int, int]:
    """(aggregate, highest single-parameter score, parameters scored) of the Royal College of
    Physicians' NEWS2 over the vitals the text states; new confusion scores as consciousness.
    Adults only: the bands do not apply to children or in pregnancy."""
    parts: list[int] = []
    if f.respiratory_rate is not None:
        r = f.respiratory_rate
        parts.append(3 if r <= 8 else 1 if r <= 11 else 0 if r <= 20 else 2 if r <= 24 else 3)
    if f.spo2 is not None:
        s = f.spo2
        if _copd(f):  # NEWS2 SpO2 scale 2 (target 88-92%), on air
            parts.append(3 if s <= 83 else 2 if s <= 85 else 1 if s <= 87 else 0)
        else:
            parts.append(3 if s <= 91 else 2 if s <= 93 else 1 if s <= 95 else 0)
    if f.systolic is not None:
        b = f.systolic
        parts.append(3 if b <= 90 else 2 if b <= 100 else 1 if b <= 110 else 0 if b <= 219 else 3)
    if f.heart_rate is not None:
        h = f.heart_rate
        parts.append(3 if h <= 40 else 1 if h <= 50 else 0 if h <= 90 else 1 if h <= 110 else 2 if h <= 130 else 3)
    if f.temperature_c is not None:
        t = f.temperature_c
        parts.append(3 if t <= 35.0 else 1 if t <= 36.0 else 0 if t <= 38.0 else 1 if t <= 39.0 else 2)
    if f.has("confusion", "unconscious"):
        parts.append(3)
    return sum(parts), max(parts, default=0), len(parts)


def news2_applies(f: Facts) -> bool:
    return (f.age_years is None or f.age_years >= 16) and not f.pregnant


def _news2_high(f: Facts) -> bool:
    total, _, n = news2(f)
    return news2_applies(f) and n >= 2 and total >= 7


def _news2_medium(f: Facts) -> bool:
    total, single, n = news2(f)
    # A single 3 must come from a measured sign: confusion alone has rules of its own.
    measured_three = single == 3 and (n >= 2 or not f.has("confusion", "unconscious"))
    return news2_applies(f) and ((n >= 2 and total >= 5) or measured_three)


def _shock_index(f: Facts) -> bool:
    # A pulse faster than the systolic pressure (shock index >= 1) marks an adult as unstable even
    # when each number alone scores only moderately on NEWS2 (e.g. HR 124 with BP 92/58).
    return news2_applies(f) and _pulse_above_pressure(f)


def _pulse_above_pressure(f: Facts) -> bool:
    """A fast pulse at or above the systolic pressure (shock index 1 or more)."""
    return f.heart_rate is not None and f.systolic is not None and f.heart_rate >= 100 and f.heart_rate >= f.systolic


NHS_BROKEN = "https://www.nhs.uk/conditions/broken-arm-or-wrist/"
NHS_BURNS = "https://www.nhs.uk/conditions/burns-and-scalds/"
NHS_POISONING = "https://www.nhs.uk/conditions/poisoning/"
_BIG_BURN = re.compile(
    r"(?:bigger|larger) than (?:the size of )?(?:a |an |the |his |her |my |their |your )?(?:\w+ )?(?:hand|palm)|"
    r"blister\w*|charred|white (?:skin|patch)|peel\w*|chemical|acid|electric\w*|"
    r"(?:on|to) (?:the |his |her |my |their )?(?:face|eyes?|genitals|groin|neck|chest)"
)


def _burn_needs_ae(f: Facts) -> bool:
    # NHS: A&E for burns larger than the person's hand, deep, blistered on the face, hands, arms,
    # feet, legs or genitals, and for chemical or electrical burns; any burn in a baby or child
    # under five should be seen.
    text = f.text.lower()
    serious = any(
        not re.search(r"\b(?:no|not|without|isn'?t|aren'?t|wasn'?t)\s+(?:\w+\s+)?$", text[max(0, m.start() - 20) : m.start()])
        for m in _BIG_BURN.finditer(text)
    )
    return f.has("burn") and (serious or (f.age_years is not None and f.age_years < 5))


NHS_JAUNDICE = "https://www.nhs.uk/conditions/jaundice/"
NHS_HYPO = "https://www.nhs.uk/conditions/low-blood-sugar-hypoglycaemia/"
NHS_POSTPARTUM_PSYCHOSIS = "https://www.nhs.uk/mental-health/conditions/post-partum-psychosis/"
_RECENT_BIRTH = re.compile(
    r"\b(?:had (?:a|our|my|her|the) baby|gave birth|given birth|postpartum|post-partum|postnatal|post-natal|baby is \d{1,2} (?:days?|weeks?) old|newborn|"
    r"since (?:she|he|they|the baby) (?:came|was born|were born)|\d{1,2} (?:days?|weeks?) (?:after|since) (?:the |her |my )?(?:birth|delivery)|"
    r"since (?:the|her|my) (?:birth|delivery|c-?section))\b"
)


def _postpartum_psychosis(f: Facts) -> bool:
    # NHS: postpartum psychosis is a medical emergency.
    return f.has("psychosis") and bool(_RECENT_BIRTH.search(f.text.lower()))


NHS_FETAL_MOVEMENTS = "https://www.nhs.uk/pregnancy/keeping-well/your-babys-movements/"

# A heart attack without chest pain: pain in the jaw, neck, arm or upper back with a cold sweat
# (AHA warning signs); common in older adults, women and people with diabetes.
_CARDIAC_SITES = re.compile(r"\b(?:jaw|teeth|neck|arms?|shoulder ?blades?|upper back|between (?:my|his|her) shoulders)\b")
_CLAMMY = re.compile(r"\b(?:clammy|cold sweat|sweaty|sweating|sweats|grey and sweaty|drenched)\b")


# "Indigestion" that antacids do not touch, with a cold sweat and breathlessness or in someone with
# diabetes: a heart attack felt in the upper stomach (AHA: women, older people and people with
# diabetes often describe it this way).
_INDIGESTION = re.compile(r"\bindigestion\b|\bheartburn\b|\b(?:top|upper) (?:of )?(?:my |the )?(?:stomach|tummy|belly)\b|\bepigastr\w*")
_ANTACID_FAILED = re.compile(r"\b(?:gaviscon|rennie\w*|antacids?|tums|omeprazole)\b[^.]{0,30}\b(?:hasn'?t|haven'?t|didn'?t|not|isn'?t|won'?t|done nothing|no (?:help|difference))")


def _cardiac_indigestion(f: Facts) -> bool:
    text = _plain(f)
    if not (_INDIGESTION.search(text) and _CLAMMY.search(text)):
        return False
    return bool(f.has("shortness_of_breath") or _ANTACID_FAILED.search(text) or re.search(r"\bdiabet\w*|\bgr[ae]y\b", text))


def _cardiac_without_chest_pain(f: Facts) -> bool:
    text = _plain(f)  # "no night sweats" is not a cold sweat
    adult = f.age_years is None or f.age_years >= 30
    return adult and bool(_CARDIAC_SITES.search(text)) and bool(_CLAMMY.search(text)) and (
        f.has("nausea", "vomiting", "shortness_of_breath", "dizziness")
        or re.search(r"\bsick|ache|pain|\bindigestion\b|\bheartburn\b|\bdiscomfort\b|\bpressure\b|\btight\w*|\bheav\w*", text) is not None
    )


_GLUCOSE = re.compile(r"\b(?:sugars?|glucose|bm|cbg|bg|meter|reading|levels?)\b\D{0,25}?(\d{1,2}(?:\.\d)?)\b")
_HYPO_DANGER = re.compile(r"\b(?:drows\w*|dozy|confus\w*|muddl\w*|struggling to (?:read|see|think)|not making (?:any )?sense|isn'?t making (?:any )?sense|can'?t swallow|cannot swallow|(?:not able|unable) to swallow|won'?t wake|unresponsive|unrous\w*|slumped|respond\w* (?:only )?to pain|fitting|seizure)")


_ON_INSULIN = re.compile(r"\b(?:insulin|novorapid|humalog|lantus|levemir|tresiba|fiasp|gliclazide|hypo\w*|diabet\w*|type ?1|t1d?)\b")
_BARE_READING = re.compile(r"\b(?:i'?m|im|it'?s|its|was|only|down to|dropped to|at|reading)\s+(\d\.\d)\b")


def _severe_hypo(f: Facts) -> bool:
    # NHS: call 999 for low blood sugar with drowsiness, confusion, a fit, or when the person
    # cannot swallow; the lowest stated reading counts (a later normal one means it was treated).
    text = f.text.lower()
    readings = [float(m.group(1)) for m in _GLUCOSE.finditer(text)]
    if _ON_INSULIN.search(text):
        # "took my novorapid twice... checked and im 3.1": a reading told without the word "sugar"
        readings += [float(m.group(1)) for m in _BARE_READING.finditer(text)]
    treated = len(readings) > 1 and readings[-1] >= 4.0
    return bool(readings) and min(readings) < 4.0 and not treated and bool(_HYPO_DANGER.search(text))


_FEWER_MOVEMENTS = re.compile(
    r"\b(?:baby|bump|it)\b[^.]{0,30}?(?:\bnot\b|n't\b|\bhardly\b|\bstopped\b|\bless\b|\bfewer\b|\bbarely\b)[^.]{0,20}?\b(?:mov\w*|kick\w*)|"
    r"\b(?:baby|bump)\b[^.]{0,20}?\b(?:mov\w*|kick\w*) (?:a lot |much |far )?(?:less|fewer)\b|"
    r"\b(?:baby|bump)\b[^.]{0,25}?\b(?:much |a lot |far |really )?(?:quieter|less active|not as active|still)\b(?! moving)|"
    r"(?:\bnot\b|n't\b|\bno\b)[^.]{0,25}?\b(?:baby|bump)\b[^.]{0,15}?\b(?:mov\w*|kick\w*)|"
    r"\b(?:reduced|fewer|less|no|slower|decreased) (?:fetal |foetal |baby'?s? )?(?:movements?|kicks?|kicking)|"
    r"(?:\bnot\b|n'?t\b)\s+(?:felt|had|noticed|seen)\s+(?:any |many |much |proper |real |a |the )?(?:\w+ )?(?:kicks?|movements?|moving|kicking)\b"
)


_NORMAL_MOVEMENTS = re.compile(r"\b(?:mov|kick)\w* (?:normally|as normal|as usual|lots|loads|a lot|plenty|well|fine|like normal)\b")


def _reduced_fetal_movements(f: Facts) -> bool:
    # NHS: if the baby is moving less than usual, call the maternity unit straight away; do not
    # wait until the next day.
    text = f.text.lower()
    return bool(f.pregnant) and bool(_FEWER_MOVEMENTS.search(text)) and not _NORMAL_MOVEMENTS.search(text)


def _jaundice_first_day(f: Facts) -> bool:
    # NICE CG98: jaundice in the first 24 hours of life needs assessment within 2 hours.
    return f.has("jaundice") and bool(
        re.search(r"\bborn (?:yesterday|this morning|last night|today)|\b(?:first|1st) day\b|\bday (?:1|one)\b|\b(?:less than|under|within) (?:a day|24 ?h\w*)", _plain(f))
    )


def _jaundice_unwell(f: Facts) -> bool:
    return f.has("jaundice") and (f.febrile or f.has("confusion"))


NICE_NEUTROPENIC = "https://www.nice.org.uk/guidance/ng151"
NHS_DKA = "https://www.nhs.uk/conditions/diabetic-ketoacidosis/"
NHS_CROUP = "https://www.nhs.uk/conditions/croup/"
NHS_WATERS = "https://www.nhs.uk/pregnancy/labour-and-birth/signs-of-labour/signs-that-labour-has-begun/"
NHS_PRETERM = "https://www.nhs.uk/pregnancy/labour-and-birth/what-happens/premature-labour-and-birth/"
NHS_PRIAPISM = "https://www.nhs.uk/conditions/priapism/"
NHS_PARAPHIMOSIS = "https://www.nhs.uk/conditions/phimosis/"
_IMMUNOSUPPRESSED = re.compile(r"\b(?:chemo\w*|neutropen\w*|carbimazole|clozapine|immunosuppress\w*|transplant\w*|methotrexate)\b")


def _fever_when_immunosuppressed(f: Facts) -> bool:
    # NICE NG151: fever during chemotherapy (or on drugs that can stop the marrow making white
    # cells) is neutropenic sepsis until proven otherwise: hospital now.
    return f.febrile and ("immunosuppressant" in f.medications or bool(_IMMUNOSUPPRESSED.search(_plain(f))))


_KETONES = re.compile(r"\bketones?\b\D{0,20}?(\d+(?:\.\d+)?)\s*(\+)?|\b(?:high|raised|large|positive|moderate) (?:blood |urine )?ketones\b|\bketones? (?:are |is )?(?:high|raised|large)\b")


def _ketones_unwell(f: Facts) -> bool:
    # NHS: high ketones with vomiting, tummy pain or fast breathing can be diabetic ketoacidosis.
    text = _plain(f)
    high = False
    for m in _KETONES.finditer(text):
        if m.group(1) is None:
            high = True
        else:
            value = float(m.group(1))
            high = high or (value >= 2 if m.group(2) else value >= 1.5)
    # Ketones in someone without diabetes are starvation's (hyperemesis, a long bug), not DKA.
    diabetic = _DIABETES.search(text) or "insulin" in f.medications or any("diabet" in c.lower() for c in f.conditions)
    return high and bool(diabetic) and (f.has("vomiting", "abdominal_pain", "shortness_of_breath", "confusion", "nausea") or "sick" in text or "drows" in text)


_DIABETES = re.compile(r"\b(?:diabet\w*|type ?[12]|t[12]d\w*|insulin|metformin|\w+gliflozin|blood sugars?|sugars? (?:is|are|was|were|of|at)|glucose|bm|cbg|dka|pump)\b")


_STRIDOR = re.compile(
    r"\bstridor\b|\bhigh[- ]pitched (?:noise|sound|whistle|squeak|crow|wheeze)\w* (?:\w+ ){0,2}?(?:when|as|with|on|every) (?:\w+ ){0,2}?breath\w*(?: in\b)?|"
    r"\b(?:noise|sound|squeak|whistle|crowing)\w* (?:\w+ ){0,2}?(?:when|as|every time) (?:he |she |they |i )?breathes? in\b"
)
_AT_REST = re.compile(
    r"\bat rest\b|\bwhen (?:calm|settled|resting|asleep|sleeping)\b|\ball the time\b|"
    r"\beven (?:when|while|if) (?:he'?s |she'?s |they'?re |he is |she is |they are )?(?:sat |sitting |lying |calm|quiet|still|resting|asleep|settled)"
)


def _stridor(f: Facts) -> bool:
    # NHS croup: stridor only when a child cries or coughs is for the GP today; otherwise A&E.
    text = _plain(f)
    return bool(_STRIDOR.search(text)) and not re.search(r"\bonly (?:when|while) (?:\w+ )?(?:cr(?:y|ies|ying)|upset|cough\w*|distressed)", text)


def _stridor_at_rest(f: Facts) -> bool:
    text = _plain(f)
    return bool(_STRIDOR.search(text)) and bool(_AT_REST.search(text))


def _bulging_fontanelle(f: Facts) -> bool:
    return bool(re.search(r"\b(?:bulg\w*|swollen|raised|tense)\b[^.]{0,25}\b(?:fontanelle|soft spot)|\b(?:fontanelle|soft spot)\b[^.]{0,25}\b(?:bulg\w*|swollen|raised|tense)", _plain(f)))


def _infant_head_injury(f: Facts) -> bool:
    # NICE NG232: a baby under 1 with a head injury and a bruise, swelling or cut needs a scan.
    return f.has("head_injury") and f.age_years is not None and f.age_years < 1


_WATERS = re.compile(r"\bwaters? (?:have |has |had )?(?:broken|broke|gone|went|burst|leaking)|\bgush of (?:\w+ )?fluid|\bleaking (?:clear )?fluid\b|\bruptured membranes\b|\bSROM\b|\bPPROM\b", re.IGNORECASE)
_BIRTH_NOW = re.compile(r"\bneed(?:s)? to push\b|\burge to push\b|\bbaby(?:'s| is) coming\b|\bhead is (?:coming|out|showing)\b|\bcrowning\b|\bcan see the head\b")


def _waters_broken(f: Facts) -> bool:
    # NHS: call the maternity unit when the waters break; they will usually want to see you.
    return bool(f.pregnant) and bool(_WATERS.search(_plain(f)))


# Regular tightenings or period-like cramps before 37 weeks, or pressure low down: possible
# premature labour, and the maternity unit should see her now (NHS premature labour).
_LABOUR_SIGN = re.compile(
    r"\b(?:contractions?|tightenings?|cramps?|cramping|pains?)\b[^.]{0,40}\bevery \d{1,2}(?:\s*(?:-|to)\s*\d{1,2})? ?(?:min|mins|minutes)\b"
    r"|\b(?:regular|coming and going regularly) (?:contractions?|tightenings?|cramps?|pains?)\b|\bpressure (?:feeling )?(?:down below|in my (?:bottom|pelvis|vagina)|low down)\b"
    r"|\b(?:show|mucus plug)\b"
)


def _preterm_labour(f: Facts) -> bool:
    if not f.pregnant:
        return False
    text = _plain(f)
    weeks = [int(m.group(1)) for m in re.finditer(r"\b(\d{1,2})\s*(?:\+\d|weeks?|wks?|/40)\b(?!\s*(?:old|ago))", text)]
    return any(20 <= w < 37 for w in weeks) and bool(_LABOUR_SIGN.search(text))


def _birth_imminent(f: Facts) -> bool:
    return bool(f.pregnant) and bool(_BIRTH_NOW.search(_plain(f)))


def _priapism(f: Facts) -> bool:
    text = _plain(f)
    return bool(re.search(r"\bpriapism\b|\berection\b[^.]{0,40}\b(?:won'?t go|hasn'?t gone|for (?:over )?(?:[4-9]|\d\d|four|five|six) h)|\berection\b[^.]{0,15}\b(?:[4-9]|\d\d)\s*(?:h|hrs?|hours)\b|\b(?:rock )?hard\b[^.]{0,40}\b(?:[4-9]|four|five|six) hours\b", text))


def _paraphimosis(f: Facts) -> bool:
    return bool(re.search(r"\bparaphimosis\b|\bforeskin\b[^.]{0,40}\b(?:won'?t|will not|can'?t|cannot|doesn'?t) (?:go|come|pull|slide) (?:back|forward|down)", _plain(f)))


NICE_FEVER_CHILD_DV = "https://www.nice.org.uk/guidance/cg84"
NHS_GLAUCOMA = "https://www.nhs.uk/conditions/glaucoma/"
NHS_ANAPHYLAXIS = "https://www.nhs.uk/conditions/anaphylaxis/"
NHS_SMOKE = "https://www.nhs.uk/conditions/burns-and-scalds/"
NHS_SICKLE = "https://www.nhs.uk/conditions/sickle-cell-disease/"
NHS_SNAKE = "https://www.nhs.uk/conditions/snake-bites/"
NHS_CAUDA = "https://www.nhs.uk/conditions/cauda-equina-syndrome/"


def _sickle_cell_crisis(f: Facts) -> bool:
    # NHS: with sickle cell, a temperature of 38C or more, or a pain crisis that medicines at home
    # are not controlling, needs hospital now.
    text = _plain(f)
    return bool(re.search(r"\bsickle\b", text)) and (f.febrile or bool(re.search(r"\bcrisis\b|\b(?:[7-9]|10)/10\b|severe|not (?:helping|working|touching)|aren'?t (?:helping|working|doing anything)|(?:haven'?t|hasn'?t|didn'?t|don'?t|doesn'?t) (?:touched|touch|help\w*|work\w*|done anything)", text)))


def _snake_bite(f: Facts) -> bool:
    return bool(re.search(r"\b(?:snake|adder|viper|rattlesnake)\w*\b[^.]{0,60}\b(?:bit|bite|bitten)\b|\b(?:bit|bitten|bite)\b[^.]{0,60}\b(?:snake|adder|viper|rattlesnake)", _plain(f)))


_SADDLE = re.compile(
    r"\b(?:numb\w*|tingl\w*|no feeling|can'?t feel|pins and needles)\b[^.]{0,40}\b(?:back passage|bum|bottom|anus|saddle|genitals?|groin|between (?:my|his|her|the) legs|inner thighs?|private)|"
    r"\b(?:back passage|bum|bottom|anus|genitals|between (?:my|his|her|the) legs|privates)\b[^.]{0,30}\b(?:numb\w*|tingl\w*|no feeling|dead)|"
    r"\bsaddle (?:numbness|anaesthesia|anesthesia|area)|\b(?:reduced|altered|loss of|lost|decreased|no) (?:perianal|saddle|perineal) (?:sensation|feeling)"
)
_BLADDER = re.compile(
    r"\b(?:can'?t|cannot|unable to|struggl\w* to|hardly|barely|difficulty|trouble)\b[^.]{0,15}\b(?:pee|wee|urinat\w*|pass(?:ing)? urine)|"
    r"\b(?:haven'?t|hasn'?t|have not|not) been able to (?:pee|wee|urinat\w*|pass (?:water|urine))|"
    r"\b(?:wet (?:my|him|her)sel\w*|incontinen\w*|lost control of (?:my|his|her) (?:bladder|bowels?)|retention)\b"
)


def _cauda_equina(f: Facts) -> bool:
    # NHS: back pain with numbness around the bottom or genitals, or new problems peeing or
    # pooing, needs A&E now (cauda equina syndrome).
    text = _plain(f)
    back = f.has("back_pain") or bool(re.search(r"\bback\b|\bsciatica\b|\blumbar\b", text))
    return back and (bool(_SADDLE.search(text)) or (bool(_BLADDER.search(text)) and f.has("numbness", "weakness", "limb_weakness")))


NICE_FEVER_CHILD = "https://www.nice.org.uk/guidance/ng143"
NHS_SEPTIC_ARTHRITIS = "https://www.nhs.uk/conditions/septic-arthritis/"
NHS_MALARIA = "https://www.nhs.uk/conditions/malaria/"
NHS_PEP = "https://www.nhs.uk/conditions/hiv-and-aids/prevention/"
NHS_RHABDO = "https://medlineplus.gov/ency/article/000473.htm"
NHS_KIDNEY_STONES = "https://www.nhs.uk/conditions/kidney-stones/"
NHS_MASTOIDITIS = "https://www.nhs.uk/conditions/mastoiditis/"
NHS_HEARING_LOSS = "https://www.nhs.uk/conditions/hearing-loss/"
NHS_DVT = "https://www.nhs.uk/conditions/deep-vein-thrombosis-dvt/"
NHS_SEXUAL_ASSAULT = "https://www.nhs.uk/live-well/sexual-health/help-after-rape-and-sexual-assault/"
NHS_HERNIA = "https://www.nhs.uk/conditions/inguinal-hernia-repair/"
NHS_HEAVY_PERIODS = "https://www.nhs.uk/conditions/heavy-periods/"
NHS_NEC_FASC = "https://www.nhs.uk/conditions/necrotising-fasciitis/"
NHS_PSYCHOSIS = "https://www.nhs.uk/mental-health/conditions/psychosis/"
NHS_HIGH_SUGAR = "https://www.nhs.uk/conditions/high-blood-sugar-hyperglycaemia/"
NHS_GCS = "https://www.nice.org.uk/guidance/ng232"

# NICE NG143 "red" features in a child under 5 (high risk of serious illness).
_CHILD_RED = re.compile(
    r"\b(?:mottled|ashen|grey|gray|blue (?:lips|tinge)|lips (?:are |have gone |gone |look )?blue|grunt\w*|floppy|"
    r"(?:weak|high[- ]pitched|strange|weird|unusual) (?:\w+ )?cr(?:y|ying)|whimper\w*|moaning|turn\w* away from (?:\w+ ){0,3}feeds?|won'?t wake|does(?:n'?t| not) wake|not waking|hard to wake|"
    r"unresponsive|not responding|no response|(?:not|won'?t|isn'?t|refus\w*) (?:\w+ )?(?:feed\w*|taking (?:any )?milk)|not fed|"
    # chest indrawing (recession): "the skin is sucking in under his ribs"
    r"recession|indrawing|(?:skin|chest|ribs?|tummy|neck)\W+(?:\w+\W+){0,4}?(?:sucking|sucked|sucks|pulling|pulls|caving|drawing) in)\b"
)


def _child_red_features(f: Facts) -> bool:
    return f.age_years is not None and f.age_years < 5 and bool(_CHILD_RED.search(_plain(f)))


def _bilious_vomiting(f: Facts) -> bool:
    # NICE NG143 / NHS: green (bile) vomit in a baby or child can mean a blocked bowel.
    text = _plain(f)
    child = (f.age_years is not None and f.age_years < 16) or bool(re.search(r"\b(?:baby|newborn|infant|toddler|(?:day|week|month)s? old)\b", text))
    return child and bool(re.search(r"\b(?:vomit\w*|sick|throw\w* up|bring\w* up)\b[^.]{0,60}\b(?:green|bile|bilious)\b|\b(?:green|bilious)\b[^.]{0,20}\b(?:vomit\w*|sick)\b", text))


def _hot_joint_with_fever(f: Facts) -> bool:
    # NHS: a hot swollen joint, or a child who will not bear weight, with a fever: septic arthritis.
    text = _plain(f)
    limp = re.search(r"\b(?:won'?t|will not|refus\w* to|can'?t|cannot|unable to|not) (?:\w+ )?(?:weight[- ]bear\w*|put (?:any )?weight|bear (?:any )?weight|walk)\b|\bhot,? swollen (?:\w+ )?(?:joint|knee|hip|ankle|elbow)", text)
    return f.febrile and bool(limp)


_MALARIA_AREAS = re.compile(
    r"\b(?:africa\w*|nigeria|ghana|kenya|uganda|tanzania|malawi|zambia|zimbabwe|mozambique|sierra leone|cameroon|congo|"
    r"sudan|ethiopia|senegal|gambia|mali|india|pakistan|bangladesh|papua|solomon islands|amazon|malaria)\b"
)


def _fever_after_malaria_travel(f: Facts) -> bool:
    text = _plain(f)
    # Past travel only: "planning a trip to Kenya in 8 weeks" is a travel-clinic question.
    travelled = re.search(r"\b(?:back from|returned|came back|come back|got back|travell?ed|visited|flew (?:back|home|in)|been (?:to|in)|was in|were in|(?:on|from) (?:a |my |our |the )?(?:holiday|trip) (?:in|to))\b", text)
    return f.febrile and bool(travelled) and bool(_MALARIA_AREAS.search(text))


def _exposure_needing_pep(f: Facts) -> bool:
    # NHS: post-exposure treatment for HIV works best started within hours (A&E or sexual health).
    text = _plain(f)
    return bool(re.search(r"\bneedle ?stick|\bsharps injury|\bpricked\b[^.]{0,40}\bneedle|\bneedle\b[^.]{0,30}\b(?:used|dirty|someone else'?s)|\bpep\b|\bhiv (?:positive|\+)\b[^.]{0,80}\b(?:condom|sex|split|broke)|\b(?:condom|sex)\b[^.]{0,80}\bhiv (?:positive|\+)", text))


# Rape or sexual assault in the last few days: emergency contraception and HIV prevention work best
# started within hours, and a sexual assault referral centre or A&E can see the person now (NHS).
# An assault long ago is a GP's or a support service's matter, not this rule's.
_ASSAULTED = re.compile(
    r"\b(?:raped|rape|sexually assaulted|sexual assault|sexually attacked|forced (?:me|her|him|them) (?:into|to have) sex|"
    r"had sex with (?:me|her|him) (?:while|when) (?:i|she|he) (?:was|were) (?:asleep|unconscious|passed out|drunk)|"
    r"(?:drink|drinks) (?:was |were )?spiked\b[^.]{0,80}\b(?:woke|sex|clothes|underwear))"
)
_RECENTLY = re.compile(
    r"\b(?:last night|tonight|today|this (?:morning|afternoon|evening)|yesterday|earlier|just now|an? hour|hours? ago|"
    r"(?:one|two|three|1|2|3|a couple of|few) (?:days?|nights?) ago|(?:on )?(?:friday|saturday|sunday) night|at the weekend|this weekend)\b"
)
_LONG_AGO = re.compile(r"\b(?:years?|months?|weeks?) ago|\bas a (?:child|kid|teenager)|\bwhen i was (?:a |little|young|\d)|\bin the past\b|\byears? back\b")


def _recent_sexual_assault(f: Facts) -> bool:
    text = _plain(f)
    return bool(_ASSAULTED.search(text)) and not _LONG_AGO.search(text) and (bool(_RECENTLY.search(text)) or f.duration_hours is None or f.duration_hours <= 72)


# Hearing lost suddenly in one or both ears: NHS, ask for an urgent GP appointment or call 111 (it
# may need treatment within days). An ear blocked by a cold, wax, water or a flight is not this;
# "like cotton wool" with no such cause still is.
_HEARING_GONE = re.compile(
    r"\b(?:can'?t|cannot|couldn'?t|unable to|can (?:barely|hardly)|could (?:barely|hardly)) hear (?:anything|a thing|properly|out of|from|with|in)\b|\b(?:lost|losing) (?:the |my |his |her |all )?hearing\b|"
    r"\b(?:gone|went|going) deaf\b|\bdeaf in (?:one|my|his|her|the|their) (?:\w+ )?ear\b|\bhearing (?:has |had )?(?:gone|went|disappeared|vanished|dropped)\b|"
    r"\bhearing loss\b|\bssnhl\b"
)
_SUDDENLY = re.compile(r"\b(?:sudden\w*|overnight|woke|waking|out of (?:nowhere|the blue)|all at once|within (?:an? |a few )?hours?|abrupt\w*)\b")
_BLOCKED_EAR = re.compile(r"\b(?:wax\w*|cold|flu|full of water|water in|swimming|flight|flying|plane|glue ear)\b")


def _sudden_hearing_loss(f: Facts) -> bool:
    text = _plain(f)
    return bool(_HEARING_GONE.search(text) and _SUDDENLY.search(text)) and not _BLOCKED_EAR.search(text)


def _dark_urine_with_muscle_pain(f: Facts) -> bool:
    text = _plain(f)
    dark = re.search(r"\b(?:cola|coca[- ]cola|tea|dark brown|brown)[- ]?(?:colou?red )?(?:urine|wee|pee)|\b(?:urine|wee|pee) (?:is |was |has gone |looks )?(?:like cola|dark brown|brown|cola)", text)
    muscles = re.search(r"\b(?:muscle|thigh|calf|legs?|arms?)\b[^.]{0,40}\b(?:pain|ache|sore|swell\w*|weak\w*)|\b(?:statin|spin class|marathon|crush\w*)\b", text)
    return bool(dark) and bool(muscles)


def _infected_kidney_stone(f: Facts) -> bool:
    text = _plain(f)
    febrile = f.febrile or "rigor" in text
    return febrile and bool(re.search(r"\b(?:kidney|renal|ureteric) (?:stones?|colic|calcul\w*)|\bcalculi\b|\bloin[- ]to[- ]groin\b", text))


def _mastoiditis(f: Facts) -> bool:
    return bool(re.search(r"\bbehind (?:his|her|my|the|their) ears?\b[^.]{0,40}\b(?:swell\w*|swollen|red|tender|sticking out|lump)|\b(?:ear|pinna)\b[^.]{0,20}\b(?:sticking out|pushed forward)|\bmastoiditis\b", _plain(f)))


def _stuck_hernia(f: Facts) -> bool:
    text = _plain(f)
    return bool(re.search(r"\bhernia|\bgroin lump|\blump in (?:my|his|her|the) groin", text)) and bool(
        re.search(r"\birreducible|won'?t go back|can'?t push (?:it )?back|doesn'?t go back|hard and (?:tender|painful)|\bvomit\w*|being sick", text)
    )


def _heavy_bleeding_unwell(f: Facts) -> bool:
    text = _plain(f)
    heavy = re.search(r"\b(?:flooding|soaking (?:through )?(?:a |the )?(?:pad|tampon)|pad (?:every|an) hour|clots? (?:bigger|larger) than|heavy (?:period|bleeding))\b", text)
    # Breathless only on exertion, or pale, after months of heavy periods is anaemia for a GP to
    # check (NHS heavy periods); with the bleeding of the last few days it may be blood loss now.
    exertion = r"(?!\s+(?:on|when|with|after|climbing|going up|walking|doing)\b)"
    unwell = rf"dizzy|faint\w*|light-?headed|passed out|clammy|(?:short of breath|breathless|sob){exertion}"
    if (f.duration_hours or 0) <= 7 * 24:
        unwell += "|pale"
    return bool(heavy) and bool(re.search(rf"\b(?:{unwell})\b", text))


_DARK_SKIN_PATCH = re.compile(r"\b(?:black|blackish|dusky|darkish|dark|purple|grey|gray)\b[^.]{0,20}\b(?:patch|skin|area|bit)\b|\b(?:skin|patch|area)\b[^.]{0,25}\b(?:black|blackish|dusky|darkish|purple)\b|\blooks? (?:\w+ )?(?:dark|black|dusky)\w*")
_PAIN_RUNAWAY = re.compile(r"\bpain\b[^.]{0,40}\b(?:ramped|worse than (?:\w+ ){0,3}looks|much worse|way worse|massively|spread\w*|out of proportion)|\b(?:worse|more painful) than (?:\w+ ){0,3}looks\b")


def _necrotising_infection(f: Facts) -> bool:
    # NHS necrotising fasciitis: pain far worse than the wound looks, then skin going dark or
    # blistering, with fever; crackling under the skin.
    text = _plain(f)
    # Crepitus of a joint (grating in an arthritic knee) is not gas under infected skin.
    if re.search(r"\bcrepitus\b", text) and not re.search(r"\b(?:knees?|joints?|hips?|shoulders?|stairs|arthritis|oa)\b", text):
        return True
    if re.search(r"\bpain (?:\w+ )?out of proportion\b|\bnecrotising\b|\bnecrotizing\b|\bcrackl\w* (?:under|when i press)", text):
        return True
    return bool(_PAIN_RUNAWAY.search(text) and _DARK_SKIN_PATCH.search(text))


def _psychosis_risk_to_others(f: Facts) -> bool:
    text = _plain(f)
    psychotic = f.has("psychosis") or re.search(
        r"\bvoices\b|\bhallucinat\w*|\bparanoi\w*|\bpsychos\w*|\bschizophren\w*|"
        r"\b(?:putting|put|inserting) thoughts\b|\bthoughts (?:in|into) (?:his|her|my|their) head|"
        r"\b(?:watching|spying on|poisoning|following|controlling|out to get|(?:is|are|they'?re|coming|people|someone) after) (?:him|her|me|them|us)\b|\bbarricad\w*",
        text,
    )
    threats = re.finditer(r"\b(?:knife|weapon|gun|axe|bat|machete|hammer)\b|\bget(?:ting)? them (?:first|before)|\b(?:kill|hurt|harm|attack|stab)\b[^.]{0,20}\b(?:his|her|their|my|the|a)?\s*(?:sister|brother|mum|mom|dad|wife|husband|neighbou?r|partner|child|baby|someone|somebody|people|them|him|her)\b", text)
    # "I'd never hurt him" is a reassurance, not a threat.
    danger = any(not re.search(r"\b(?:never|wouldn'?t|won'?t|not|no way)\s+(?:\w+\s+)?$", text[: m.start()]) for m in threats)
    return bool(psychotic) and danger


_ALLERGEN = re.compile(
    r"\b(?:after|since|from)\b[^.]{0,40}\b(?:eat\w*|ate|lunch|dinner|meal|food|nuts?|peanuts?|prawns?|shellfish|sesame|"
    r"stung|sting|bite|bitten|tablet|pill|dose|antibiotic|penicillin|amoxicillin|injection|jab|vaccine|medicine)|"
    r"\b(?:stung|sting|allerg\w*|ate (?:a |some )?(?:nuts?|peanuts?|prawns?|shellfish))\b|"
    r"\b(?:first|new) (?:dose|tablet|antibiotic|amoxicillin|penicillin)"
)
_HIVES = re.compile(r"\b(?:hives|welts|urticaria|blotchy|blotches|itchy (?:lumps|bumps|rash)|rash|swollen (?:eyes|lips|face)|(?:eyes|lips|face) (?:\w+ )?swell\w*)")
_BREATHING_OR_FAINT = re.compile(
    r"\bwheez\w*|short of breath|breathless|struggling to breathe|can'?t (?:breathe|catch (?:my|his|her) breath)|"
    r"\bhoarse\b|throat (?:\w+ )?(?:tight|closing)|\bfaint\w*|\bdizzy\b|light[- ]?headed|collaps\w*|pale and (?:sleepy|floppy|clammy)|"
    r"sense of (?:doom|something awful)|something (?:awful|terrible|bad) (?:is )?(?:about to|going to) happen"
)


def _allergic_reaction_with_airway_or_circulation(f: Facts) -> bool:
    # NHS: anaphylaxis is a reaction to a trigger (food, a sting, a medicine) with breathing
    # trouble (wheeze, a tight throat, a hoarse voice) or feeling faint, often with a rash or
    # swelling; call 999.
    text = _plain(f)
    return bool(_ALLERGEN.search(text) and _HIVES.search(text) and _BREATHING_OR_FAINT.search(text))


# "I smoke 15 a day" is not a fire: smoke counts as a noun someone breathed.
_FIRE = re.compile(r"\b(?:house |kitchen |building |car )?fire\b|\bsoot\b|\bblaze\b|\bsmoke[- ]filled\b|\b(?:breath\w*|inhal\w*|full of|thick|black|lots of|a lot of|so much|choking on|in the) (?:in )?(?:the )?smoke\b|\bsmoke (?:inhalation|alarm|everywhere|from)\b")
_INHALATION = re.compile(r"\bsoot\b[^.]{0,30}\b(?:mouth|nose|face|sputum|spit|phlegm|cough)|\bsinged\b|\bhoarse\w*|\bwheez\w*|short of breath|breathless|struggling to breathe|coughing (?:up )?(?:black|dark)")


def _smoke_inhalation(f: Facts) -> bool:
    # NHS: after breathing in smoke, a hoarse voice, soot around the mouth or nose, singed nasal
    # hair or breathing trouble can mean airway burns; call 999.
    text = _plain(f)
    return bool(_FIRE.search(text) and _INHALATION.search(text))


_NO_WEE_12H = re.compile(
    r"\b(?:no|not had a|hasn'?t had a|hasn'?t done a|not done a)\s+(?:wet\s+)?(?:nappy|nappies|diaper|wee|pee)\w*\b[^.]{0,25}\b(?:1[2-9]|[2-9]\d)\s*(?:h|hrs?|hours)\b|"
    r"\b(?:1[2-9]|[2-9]\d)\s*(?:h|hrs?|hours)\b[^.]{0,25}\b(?:without|no)\s+(?:a\s+)?(?:wet\s+)?(?:nappy|nappies|diaper|wee|pee)"
)


def _sick_under_five(f: Facts) -> bool:
    return f.age_years is not None and f.age_years < 5 and f.has("vomiting", "diarrhoea")


def _dehydrated_child(f: Facts) -> bool:
    # NICE CG84 / NHS: a young child with diarrhoea or vomiting who is drowsy, or has sunken eyes
    # or no wee for 12 hours or more, is seriously dehydrated and needs hospital now.
    if not _sick_under_five(f):
        return False
    text = _plain(f)
    drowsy = f.has("confusion") or bool(re.search(r"\b(?:drowsy|lethargic|listless|floppy|hard to wake|sleepy|just wants to (?:lie|sleep))\b", text))
    # "no wet nappy for 14 hours" is itself the sign, so it is read before denials are removed.
    return drowsy or bool(re.search(r"\bsunken\b|\bsunk in\b|\bno tears\b", text)) or bool(_NO_WEE_12H.search(f.text.lower()))


# NHS diarrhoea and vomiting: a child under 5 with signs of dehydration, such as fewer wet nappies,
# needs a GP or NHS 111 the same day (no wee for 12 hours or drowsiness is the emergency above).
_LESS_WEE = re.compile(
    r"\b(?:fewer|less|not as many|only (?:had )?(?:one|two|three|1|2|3)|(?:one|two|three|1|2|3)) (?:wet )?(?:nappies|nappy|diapers?|wees?)\b"
    r"|\b(?:weeing|peeing|wetting)\b[^.]{0,15}\b(?:less|much less|hardly)\b|\bdry(?:er)? nappies\b|\bnappies (?:are |have been )?(?:drier|lighter|dry)\b"
    r"|\b(?:dark|darker) (?:wee|pee|urine)\b"
)


def _child_dehydration_signs(f: Facts) -> bool:
    return _sick_under_five(f) and bool(_LESS_WEE.search(f.text.lower()))


_HALOS = re.compile(r"\b(?:halos?|rainbow\w*|rings?|circles?)\b[^.]{0,20}\b(?:round|around) (?:the )?lights?\b|\bhaloes\b")


# Breathlessness while sitting still is severe whatever caused it (NHS shortness of breath: get
# help at once for sudden breathlessness, or breathlessness that does not ease with rest).
_BREATHLESS_AT_REST = re.compile(
    r"\b(?:out of breath|breathless|short of breath|puffed(?: out)?|can'?t catch (?:my|his|her|their) breath|struggling (?:for|to) breath\w*)"
    r"\W+(?:\w+\W+){0,3}?(?:even )?(?:when |while |just )?(?:sitting|sat|lying|resting|at rest|doing nothing|not moving)\b"
    r"|\b(?:can )?only (?:take|manage|get) (?:tiny|small|short|shallow|little) breaths\b"
)


def _breathless_at_rest(f: Facts) -> bool:
    return bool(_BREATHLESS_AT_REST.search(_plain(f)))


# A clot on the lung (NHS pulmonary embolism; NICE NG158): breathlessness with pain on breathing
# in, a fast pulse, coughing blood or a swollen calf, in someone with a reason to clot.
_CLOT_RISK = re.compile(
    r"\blong[- ]?haul\b|\b(?:long|\d+ ?(?:h|hr|hrs|hours?)|overnight) (?:flight|drive|car journey|coach|bus|train)|\bflew\b|\bflight\b"
    r"|\b(?:operation|surgery|op|c-section|caesarean|hip replacement|knee replacement)\b|\bpost[- ]?op\b"
    r"|\b(?:contraceptive |combined |the |birth control )pill\b|\bhrt\b|\bplaster cast\b|\bin a cast\b|\bcast on\b"
    r"|\bpregnan\w*|\b(?:gave|giving|given) birth\b|\b(?:after|since) (?:the |my )?(?:birth|delivery)\b|\bhad (?:a |my |the )?baby\b|\bpostpartum\b|\bbed ?(?:bound|ridden)\b|\bimmobil\w*"
    r"|\bcancer\b|\bchemo\w*|\bdvt\b|\bclots?\b"
)
_CLOT_SIGN = re.compile(
    r"\b(?:when|if|as|every time) (?:i |he |she |they )?(?:take|took|breathe|breathing|try to breathe|inhale)\w* ?(?:a |in |deep|big|deeply)\w*"
    r"|\b(?:big|deep) breaths? (?:in )?(?:hurts|is painful|catches|stabs|makes)|\bhurts? to breathe\b"
    r"|\bcough\w* (?:up )?blood|\bblood (?:when|in) (?:i |my )?cough"
    r"|\bcalf (?:is |has )?(?:\w+ )?(?:swollen|swelling|tender|sore|painful|aching|hot|warm)|\bswollen (?:left |right )?calf"
    r"|\b(?:heart|pulse) (?:is |was |keeps )?(?:racing|pounding|going fast|really fast)"
)


def _possible_clot_on_lung(f: Facts) -> bool:
    if not f.has("shortness_of_breath"):
        return False
    text = _plain(f)
    fast = (f.heart_rate or 0) >= 100
    return bool(_CLOT_RISK.search(text)) and (fast or bool(_CLOT_SIGN.search(text)))


# A clot in a leg vein (NHS DVT): one calf or thigh swollen and painful, tender, warm or red. NHS:
# ask for an urgent GP appointment or call 111 (with breathlessness, the clot-on-lung rule above).
# Both legs swollen is another problem; a knock or a twist explains a swollen calf unless there is
# also a reason to clot.
_LEG = r"(?:calf|calves|thigh|(?:left|right|one) leg|back of (?:my|his|her|the) (?:knee|leg))"
_LEG_SWOLLEN = re.compile(
    rf"\b{_LEG}\b[^.]{{0,60}}\b(?:swollen|swelling|swelled|puffy|bigger than the other|fatter)\b|\b(?:swollen|swelling in (?:my|his|her|the)) (?:left |right )?{_LEG}"
)
_LEG_SORE = re.compile(r"\b(?:pain\w*|ach\w*|hurts?|tender\w*|sore|throbb\w*|cramp\w*|warm|hot|red|redness|darker)\b")
_LEG_KNOCK = re.compile(r"\b(?:twist\w*|sprain\w*|fell|fall|kicked|tackle\w*|bang\w*|knock\w*|hit|pulled a muscle|strain\w*|insect|bite|bitten|sting)\b")


def _leg_clot(f: Facts) -> bool:
    text = _plain(f)
    swollen = _LEG_SWOLLEN.search(text)
    if not swollen or re.search(r"\bboth (?:legs|calves|ankles)\b", text):
        return False
    return bool(_LEG_SORE.search(text)) and (not _LEG_KNOCK.search(text) or bool(_CLOT_RISK.search(text)))


# Bleeding from the bottom that needs A&E (NHS rectal bleeding): a lot of blood (toilet water turned
# red, large clots), dark red or maroon blood, or bleeding with dizziness or faintness, or on
# anticoagulants.
_FROM_BOTTOM = re.compile(
    r"\b(?:bum|bottom|back passage|rectum|rectal\w*|anus|poo\w*|stools?|toilet|loo|bowl|pan|wip\w*|bowel movement|pr)\b"
)
_BLOOD = re.compile(r"\b(?:blood\w*|bleed\w*|clots?)\b")
_RECTAL_HEAVY = re.compile(
    r"\b(?:toilet|bowl|loo|pan|water)\W+(?:\w+\W+){0,4}?(?:full of|filled with|turned|went|gone|was|is) (?:\w+ )?(?:red|blood)"
    r"|\b(?:dark red|maroon|plum|claret)\b|\b(?:large|big|massive|huge) (?:blood )?clots?\b|\bclots of blood\b"
    r"|\b(?:lots|loads|a lot|so much|cupful|cups?) of blood\b|\bpure blood\b|\bjust blood\b"
)
_FAINT = re.compile(r"\b(?:dizz\w*|faint\w*|woozy|light[- ]?headed|pass(?:ed|ing)? out|collaps\w*|clammy|pale and)\b")


def _rectal_bleeding_serious(f: Facts) -> bool:
    text = _plain(f)
    if not (_FROM_BOTTOM.search(text) and _BLOOD.search(text)):
        return False
    return bool(_RECTAL_HEAVY.search(text) or _FAINT.search(text)) or "anticoagulant" in f.medications


# Sepsis in an adult or older child (NHS sepsis): an infection, and a sign on NHS's call-999 list.
_INFECTION = re.compile(
    r"\binfect\w*|\b(?:uti|cellulitis|abscess|pneumonia|flu)\b|\bshiver\w*|\bshakes\b|\bshaking\b|\brigou?rs\b|\bchills\b"
    r"|\b(?:cut|wound|graze|bite|scratch|blister|stitches|incision|scar)\b[^.]{0,60}\b(?:red|puffy|swollen|hot|pus|oozing|angry|weeping|smell\w*)"
)
_SEPSIS_SIGN = re.compile(
    r"\bmottled\b|\bblotchy\b(?! (?:\w+ )?(?:rash|hives|spots|patches))(?<!itchy blotchy)|\bskin (?:\w+ ){0,3}(?:blotch\w*|grey|gray|blue)|\b(?:lips|tongue) (?:\w+ ){0,2}(?:blue|grey|gray)"
    r"|\bbreathing (?:really |very |so )?fast\b|\bfeel\w* like (?:i'?m|im|he'?s|she'?s) (?:going to |gonna )?(?:die|dying)\b"
    r"|\b(?:going to|gonna|about to) pass out\b|\bfaint\w* when (?:i |he |she )?(?:stand|get up)"
    r"|\b(?:not|haven'?t|hasn'?t|no) (?:had a |been for a |passed )?(?:pee|wee|urine)d?\b[^.]{0,20}\b(?:all day|since (?:yesterday|last night|this morning))"
)


# Confused, not drowsy: NHS lists acting confused or not making sense among sepsis's 999 signs;
# drowsiness alone in an adult with flu is not one.
_CONFUSED = re.compile(
    r"\bconfus\w*|\bmuddl\w*|\bdisorient\w*|\bnot (?:really |quite )?making (?:any |much )?sense\b|\bthinks (?:it'?s|it is) (?:19|20)\d\d\b|\bsaid the same thing (?:\w+ )?(?:times|again)|\btalking (?:nonsense|rubbish|gibberish)\b|\bslurr\w*"
    r"|\b(?:doesn'?t|does not|didn'?t|don'?t) know (?:where|what|who|which)\b|\btalking to (?:people|someone|things) (?:who|that)\b"
)
# Sudden confusion (delirium) is an emergency in its own right (NICE CG103): a change within hours
# or a day in someone who was clear before.
_SUDDEN_CHANGE = re.compile(
    r"\bsudden\w*|\ball of a sudden\b|\bout of nowhere\b|\bwas (?:fine|normal|ok|okay|himself|herself|perfectly \w+) (?:yesterday|this morning|last night|earlier|an hour ago|at lunch)"
    r"|\b(?:since|from) (?:this morning|last night|lunchtime|earlier today|yesterday(?: afternoon| evening| morning)?)\b|\byesterday\b[^.]{0,60}\btoday\b|\bnot (?:him|her)self\b|\btoday (?:he|she|they) (?:doesn'?t|don'?t|can'?t|is|are|keeps?)\b"
)


# Hardly passing urine, or dark urine, with muddled thinking or faintness during a sickness bug or
# on water tablets: severe dehydration or kidney injury (NHS dehydration: go to A&E).
_LITTLE_URINE = re.compile(r"\b(?:hardly|barely|not|haven'?t|hasn'?t|no)\b[^.]{0,15}\b(?:peed|pee|weed|wee|urinated|passed (?:water|urine))\b|\bno (?:wet )?nappies\b|\b(?:pee|wee|urine)\b[^.]{0,20}\bdark brown\b")


# NHS poisoning: call 999 when someone who has swallowed too much of something is drowsy, hard to
# wake or breathing oddly; they should not be driven in or left to get there alone.
_INGESTED = re.compile(r"\b(?:took|taken|taking|swallowed|downed|ate|eaten|drank|drunk|overdos\w*)\b")
_DROWSY_AFTER = re.compile(
    r"\b(?:sleepy|drows\w*|dozy|woozy|groggy|can'?t keep (?:my|his|her|their) eyes open|(?:keeps?|keep) (?:nodding|dropping) off|"
    r"breathing (?:is |has )?(?:very |really )?(?:slow|shallow)|slurr\w*)"
)


NHS_SUICIDAL_THOUGHTS = "https://www.nhs.uk/mental-health/feelings-symptoms-behaviours/behaviours/help-for-suicidal-thoughts/"
# Someone who has spoken of ending their life, or has gathered the means, and now cannot be
# reached: their life may be at risk now (NHS: call 999 if someone's life is at risk).
_RISK_TO_LIFE = re.compile(r"\bsuicid\w*|\bend(?:ing)? (?:it all|(?:his|her|their|my) life)\b|\bkill (?:himself|herself|themselves|myself)\b|\boverdos\w*|\b(?:saving|saved|stockpil\w*|hoard\w*) (?:up )?(?:\w+ ){0,2}?(?:pills|tablets)\b|\bgoodbye (?:message|note|letter|text)|\bsaying (?:sorry|goodbye)\b")
_UNREACHABLE = re.compile(r"\b(?:not|isn'?t|stopped|won'?t be|hasn'?t been) (?:answering|picking up|replying|responding to (?:texts|messages|calls))\b|\b(?:can'?t|cannot|couldn'?t) (?:get hold of|reach|contact|get through to) (?:him|her|them)\b|\bphone (?:is |goes )?(?:off|straight to voicemail)\b|\blocked (?:himself|herself|themselves) in\b")


def _unreachable_at_risk(f: Facts) -> bool:
    text = _plain(f)
    return bool(_RISK_TO_LIFE.search(text) and _UNREACHABLE.search(f.text.lower()))


def _overdose_drowsy(f: Facts) -> bool:
    swallowed = f.has("poisoning") or "poisoning_or_overdose" in f.presentations
    text = f.text.lower()
    return swallowed and bool(_INGESTED.search(text)) and (f.has("confusion", "unconscious") or bool(_DROWSY_AFTER.search(text)))


def _severe_dehydration(f: Facts) -> bool:
    text = _plain(f)
    losing = re.search(r"\b(?:diarrho?ea|vomit\w*|being sick|been sick|sickness|tummy bug|stomach bug|bug|norovirus|gastro\w*|the runs|can'?t keep (?:\w+ ){0,2}down|heat|water tablets?|furosemide|diuretic)\b", text)
    # "no wee since yesterday" is itself the sign, so it is read before denials are removed.
    return bool(losing and _LITTLE_URINE.search(f.text.lower()) and (_CONFUSED.search(text) or re.search(r"\b(?:faint\w*|pass(?:ed|ing)? out|collaps\w*)\b", text)))


# Bruises that came from nowhere with bleeding gums, nosebleeds or tiny red or purple dots: blood
# that is not clotting (NICE NG12: unexplained petechiae need immediate assessment).
_UNEXPLAINED_BRUISES = re.compile(r"\bbruis\w*\b[^.]{0,50}\b(?:don'?t remember|didn'?t bump|no reason|out of nowhere|from nowhere|without|all over|everywhere)|\b(?:unexplained|random|mystery) bruis\w*")
_BLEEDING_SIGN = re.compile(r"\bgums? (?:\w+ ){0,3}bleed\w*|\bbleeding gums\b|\bnose ?bleeds?\b|\btiny (?:red|purple|dark) (?:dots|spots|marks)\b|\bpin ?prick (?:spots|dots|rash)\b|\bpetechia\w*|\bblood blisters? in (?:my|his|her|the) mouth")


def _bleeding_tendency(f: Facts) -> bool:
    text = _plain(f)
    return bool(_UNEXPLAINED_BRUISES.search(text) and _BLEEDING_SIGN.search(text))


# Purging or starving with fainting, a fluttering, slow or skipping heart, chest pain or weak,
# cramping muscles: an eating disorder that has become a medical emergency (NICE NG69; MEED).
_PURGING_OR_STARVING = re.compile(
    r"\bmak\w* myself (?:be )?sick|\bthrow\w* up (?:on purpose|after (?:every|each|meals))|\blaxatives?\b|\bpurg\w*"
    r"|\b(?:[1-5]\d\d|few hundred) (?:calories|cals|kcal)\b|\bbarely eat\w*|\bnot eat(?:en|ing) (?:for|in) (?:days|a week|weeks)|\bstarv\w*|\banorexi\w*|\bbulimi\w*"
)
_BODY_FAILING = re.compile(
    r"\bfaint\w*|\bpass(?:ed|ing)? out|\bcollaps\w*|\bheart\b[^.]{0,30}\b(?:flutter\w*|skip\w*|slow|irregular|racing|pounding|missing beats|funny)|\bpalpitations\b"
    r"|\bchest pain|\bmuscles? (?:\w+ ){0,2}(?:weak|cramp\w*)|\bcramp\w*|\bcan'?t (?:stand|get up)"
)


def _eating_disorder_unstable(f: Facts) -> bool:
    text = _plain(f)
    return bool(_PURGING_OR_STARVING.search(text) and _BODY_FAILING.search(text))


def _sudden_confusion(f: Facts) -> bool:
    text = _plain(f)
    # "not really making sense" carries its own "not", which the denial stripping would remove.
    confused = _CONFUSED.search(text) or re.search(r"\bnot (?:really |quite )?making (?:any |much )?sense\b", f.text.lower())
    return bool(confused and _SUDDEN_CHANGE.search(text))


# In a child, NHS adds a very sleepy, floppy child who is not responding as they normally do.
_CHILD_SEPSIS_SIGN = re.compile(r"\b(?:very|so|really|extremely) (?:lethargic|listless|floppy|sleepy)\b|\bjust lying there\b|\bnot (?:responding|reacting) like\b")


def _sepsis_signs(f: Facts) -> bool:
    text = _plain(f)
    infected = f.febrile or bool(_INFECTION.search(text))
    child = f.age_years is not None and f.age_years < 16
    return infected and bool(_SEPSIS_SIGN.search(text) or _CONFUSED.search(text) or (child and _CHILD_SEPSIS_SIGN.search(text)))


# A fever in pregnancy with shivering, a racing heart, vomiting or a smelly discharge: the
# maternity unit should see her now (pregnancy raises the risk of sepsis, NHS sepsis; RCOG).
_PREGNANCY_INFECTION = re.compile(
    r"\bshiver\w*|\bshakes\b|\brigou?rs\b|\b(?:heart|pulse) (?:is |was |keeps )?(?:racing|pounding|going fast)"
    r"|\bcan'?t keep (?:any ?thing|water|fluids?|drinks?|food) down\b|\b(?:smelly|smelling|green|offensive) discharge\b|\bdischarge (?:\w+ )?smells?\b"
)


# A miscarriage, termination or birth in the last weeks counts too (an infection of what remains).
_RECENT_PREGNANCY_END = re.compile(r"\bmiscarr\w*|\btermination\b|\babortion\b|\bgave birth\b|\bhad (?:the|my|a) baby\b|\bc-?section\b|\bcaesarean\b|\bpostpartum\b|\bsince the birth\b")


_BREAST = re.compile(r"\b(?:breasts?|boobs?|nipples?|mastitis)\b")


def _fever_in_pregnancy_unwell(f: Facts) -> bool:
    hot = (f.temperature_c or 0) >= 38 or f.has("fever")
    text = _plain(f)
    if not f.pregnant and _BREAST.search(text):
        return False  # after the birth, a fever with a sore breast is mastitis (its own rule)
    return (bool(f.pregnant) or bool(_RECENT_PREGNANCY_END.search(text))) and hot and bool(_PREGNANCY_INFECTION.search(text) or re.search(r"\b(?:tummy|stomach|belly|pelvic|abdominal) (?:\w+ ){0,3}(?:pain\w*|sore|worse)|\bpain\w* (?:\w+ ){0,3}(?:tummy|stomach|belly|pelvis)", text))


# Vertigo with a sign from the brain rather than the ear (NICE CKS vertigo: central causes need
# emergency assessment): unable to walk straight or stand, double vision, slurred speech.
_CENTRAL_SIGN = re.compile(
    r"\b(?:can'?t|cannot|couldn'?t|unable to) (?:walk|stand|stay) (?:straight|up|upright|without)|\bveer\w*|\bkeep (?:falling|leaning|tipping) (?:over )?to"
    r"|\b(?:falling|leaning|pulling|tipping|drifting) (?:over )?to (?:one|the left|the right|the side|one side)"
    r"|\bdouble vision\b|\bseeing double\b|\bspeech (?:\w+ ){0,3}?(?:thick|slurr\w*)|\bface (?:is |feels |has gone )?numb"
)


def _central_vertigo(f: Facts) -> bool:
    text = _plain(f)
    spinning = re.search(r"\b(?:vertigo|spinning|spins|dizz\w*|off balance|unsteady|turning (?:a)?round|going (?:a)?round|room (?:is )?moving)\b", text)
    return bool(spinning and _CENTRAL_SIGN.search(text))


# Pink, frothy sputum is fluid on the lungs (acute heart failure), a 999 call in NHS and AHA
# guidance, however the breathlessness is described.
_PINK_FROTH = re.compile(r"\bpink\w*,? (?:and )?froth\w*|\bfroth\w*,? (?:and )?pink\w*|\bfrothy (?:blood|spit|sputum|phlegm)")
NHS_PE = "https://www.nhs.uk/conditions/pulmonary-embolism/"
NHS_RECTAL_BLEEDING = "https://www.nhs.uk/conditions/bleeding-from-the-bottom-rectal-bleeding/"
NHS_SEPSIS = "https://www.nhs.uk/conditions/sepsis/"
NHS_DEHYDRATION = "https://www.nhs.uk/conditions/dehydration/"
NHS_DV = "https://www.nhs.uk/conditions/diarrhoea-and-vomiting/"
NICE_NG12 = "https://www.nice.org.uk/guidance/ng12"
NICE_EATING_DISORDERS = "https://www.nice.org.uk/guidance/ng69"
NICE_NG133 = "https://www.nice.org.uk/guidance/ng133"
BHF_ICD = "https://www.bhf.org.uk/informationsupport/treatments/implantable-cardioverter-defibrillator"
NHS_HIP_REPLACEMENT = "https://www.nhs.uk/conditions/hip-replacement/recovery/"
NHS_BROKEN_NOSE = "https://www.nhs.uk/conditions/broken-nose/"
NICE_DELIRIUM = "https://www.nice.org.uk/guidance/cg103"
NICE_VERTIGO = "https://cks.nice.org.uk/topics/vertigo/"
AHA_HEART_FAILURE = "https://www.heart.org/en/health-topics/heart-failure/warning-signs-of-heart-failure"


def _pulmonary_oedema(f: Facts) -> bool:
    return bool(_PINK_FROTH.search(_plain(f)))


def _acute_glaucoma(f: Facts) -> bool:
    # NHS: a painful red eye with blurred vision, rings around lights, headache or vomiting can be
    # acute angle-closure glaucoma; go to A&E now.
    text = _plain(f)
    painful_eye = bool(re.search(r"\beye\w*\b[^.]{0,40}\b(?:pain\w*|hurts?|agony|ach\w*|throbb\w*)|\b(?:pain\w*|ach\w*)\b[^.]{0,20}\beye", text))
    return painful_eye and (bool(_HALOS.search(text)) or (f.has("blurred_vision") and f.has("vomiting", "nausea") and f.has("headache")))


def _very_high_sugar_unwell(f: Facts) -> bool:
    text = _plain(f)
    readings = [float(m.group(1)) for m in _GLUCOSE.finditer(text)]
    high = any(r >= 20 for r in readings if r < 60) or bool(re.search(r"\b(?:meter|reading|sugar|glucose)\b[^.]{0,10}\bsays? hi\b", text))
    unwell = re.search(r"\b(?:vomit\w*|being sick|drows\w*|confus\w*|dehydrat\w*|dry mouth|off (?:her|his|my) legs|letharg\w*|ketones?)\b", text)
    return high and bool(unwell)


_GCS = re.compile(r"\bgcs\s*(?:of|is|was|=|:)?\s*(\d{1,2})\b")


def _gcs(f: Facts, low: int, high: int) -> bool:
    scores = [int(m.group(1)) for m in _GCS.finditer(f.text.lower())]
    return any(low <= s <= high for s in scores if 3 <= s <= 15)


RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule("gcs_low", Level.EMERGENCY_AMBULANCE, "Glasgow Coma Scale of 12 or less", NHS_GCS, lambda f: _gcs(f, 3, 12)),
    RedFlagRule("gcs_reduced", Level.EMERGENCY, "Glasgow Coma Scale of 13-14 (not fully alert)", NHS_GCS, lambda f: _gcs(f, 13, 14)),
    RedFlagRule("child_red_features", Level.EMERGENCY, "A young child with a red warning sign (mottled or blue, floppy, grunting, weak or high-pitched cry, hard to wake, not feeding)", NICE_FEVER_CHILD, _child_red_features),
    RedFlagRule("bilious_vomiting", Level.EMERGENCY, "Green (bile) vomit in a baby or child", NICE_FEVER_CHILD, _bilious_vomiting),
    RedFlagRule("septic_joint", Level.EMERGENCY, "Fever with a hot swollen joint or a child who will not bear weight", NHS_SEPTIC_ARTHRITIS, _hot_joint_with_fever),
    RedFlagRule("fever_after_travel", Level.EMERGENCY, "Fever after travel to a malaria area", NHS_MALARIA, _fever_after_malaria_travel),
    RedFlagRule("pep_exposure", Level.EMERGENCY, "A needlestick or sexual exposure that may need HIV prevention treatment within hours", NHS_PEP, _exposure_needing_pep),
    RedFlagRule("recent_sexual_assault", Level.EMERGENCY, "Rape or sexual assault in the last few days: emergency contraception, HIV prevention and care work best started within hours", NHS_SEXUAL_ASSAULT, _recent_sexual_assault),
    RedFlagRule("possible_leg_clot", Level.CONSULTATION_24, "One calf or thigh swollen and painful, tender or warm (possible DVT)", NHS_DVT, _leg_clot),
    RedFlagRule("sudden_hearing_loss", Level.CONSULTATION_24, "Hearing lost suddenly in one or both ears", NHS_HEARING_LOSS, _sudden_hearing_loss),
    RedFlagRule("dark_urine_muscle_pain", Level.EMERGENCY, "Cola-coloured urine with muscle pain (muscle breakdown)", NHS_RHABDO, _dark_urine_with_muscle_pain),
    RedFlagRule("infected_kidney_stone", Level.EMERGENCY, "Kidney stone pain with a fever or shivering", NHS_KIDNEY_STONES, _infected_kidney_stone),
    RedFlagRule("mastoiditis", Level.EMERGENCY, "Red, swollen or tender area behind the ear, or the ear pushed forward", NHS_MASTOIDITIS, _mastoiditis),
    RedFlagRule("stuck_hernia", Level.EMERGENCY, "A hernia or groin lump that will not go back, is hard and tender, or comes with vomiting", NHS_HERNIA, _stuck_hernia),
    RedFlagRule("heavy_bleeding_unwell", Level.EMERGENCY, "Very heavy bleeding with dizziness, fainting or breathlessness", NHS_HEAVY_PERIODS, _heavy_bleeding_unwell),
    RedFlagRule("necrotising_infection", Level.EMERGENCY_AMBULANCE, "Pain out of proportion or crackling under the skin (possible necrotising infection)", NHS_NEC_FASC, _necrotising_infection),
    RedFlagRule("psychosis_risk_to_others", Level.EMERGENCY_AMBULANCE, "Psychosis with a threat or a weapon", NHS_PSYCHOSIS, _psychosis_risk_to_others),
    RedFlagRule("very_high_sugar_unwell", Level.EMERGENCY, "A blood sugar of 20 or more with vomiting, drowsiness or dehydration", NHS_HIGH_SUGAR, _very_high_sugar_unwell),
    RedFlagRule("dehydrated_child", Level.EMERGENCY, "A young child with diarrhoea or vomiting who is drowsy, has sunken eyes or no wee for 12 hours", NICE_FEVER_CHILD_DV, _dehydrated_child),
    RedFlagRule("acute_glaucoma", Level.EMERGENCY, "A painful eye with rings around lights, or with blurred vision, headache and vomiting (possible acute glaucoma)", NHS_GLAUCOMA, _acute_glaucoma),
    RedFlagRule("allergic_reaction_breathing", Level.EMERGENCY_AMBULANCE, "An allergic reaction with breathing trouble or feeling faint (possible anaphylaxis)", NHS_ANAPHYLAXIS, _allergic_reaction_with_airway_or_circulation),
    RedFlagRule("breathless_at_rest", Level.EMERGENCY, "Short of breath while sitting still or able to take only small breaths", NHS_SOB, _breathless_at_rest),
    RedFlagRule("possible_clot_on_lung", Level.EMERGENCY, "Breathlessness with pain on breathing in, a fast pulse, coughed blood or a swollen calf, after a flight, surgery, pregnancy or on the pill (possible clot on the lung)", NHS_PE, _possible_clot_on_lung),
    RedFlagRule("rectal_bleeding_serious", Level.EMERGENCY, "Bleeding from the bottom that is heavy or dark red, or with dizziness, or on blood thinners", NHS_RECTAL_BLEEDING, _rectal_bleeding_serious),
    RedFlagRule("sepsis_signs", Level.EMERGENCY_AMBULANCE, "An infection with blotchy or blue-grey skin, fast breathing, confusion, faintness or no urine all day (possible sepsis)", NHS_SEPSIS, _sepsis_signs),
    RedFlagRule("fever_in_pregnancy_unwell", Level.EMERGENCY, "A high temperature in pregnancy with shivering, a racing heart, vomiting or a smelly discharge (possible sepsis)", NHS_SEPSIS, _fever_in_pregnancy_unwell),
    RedFlagRule("sudden_confusion", Level.EMERGENCY, "Confusion that came on suddenly, over hours or a day (possible delirium)", NICE_DELIRIUM, _sudden_confusion),
    RedFlagRule("severe_dehydration", Level.EMERGENCY, "Hardly passing urine, or dark urine, with confusion or faintness during a sickness bug or on water tablets", NHS_DEHYDRATION, _severe_dehydration),
    RedFlagRule("bleeding_tendency", Level.EMERGENCY, "Bruises from nowhere with bleeding gums, nosebleeds or tiny red or purple spots", NICE_NG12, _bleeding_tendency),
    RedFlagRule("eating_disorder_unstable", Level.EMERGENCY, "Purging or starving with fainting, a fluttering or slow heart, chest pain or weak, cramping muscles", NICE_EATING_DISORDERS, _eating_disorder_unstable),
    RedFlagRule("central_vertigo", Level.EMERGENCY, "Dizziness with being unable to walk straight, double vision or thick speech (possible stroke)", NICE_VERTIGO, _central_vertigo),
    RedFlagRule("pulmonary_oedema", Level.EMERGENCY_AMBULANCE, "Coughing up pink, frothy phlegm (fluid on the lungs)", AHA_HEART_FAILURE, _pulmonary_oedema),
    RedFlagRule("smoke_inhalation", Level.EMERGENCY_AMBULANCE, "Signs of smoke inhalation (hoarse voice, soot around the mouth, breathing trouble)", NHS_SMOKE, _smoke_inhalation),
    RedFlagRule("sickle_cell_crisis", Level.EMERGENCY, "Sickle cell disease with a temperature or a pain crisis not controlled at home", NHS_SICKLE, _sickle_cell_crisis),
    RedFlagRule("snake_bite", Level.EMERGENCY, "A snake bite", NHS_SNAKE, _snake_bite),
    RedFlagRule("cauda_equina", Level.EMERGENCY, "Back pain with numbness around the bottom or genitals, or new bladder or bowel problems", NHS_CAUDA, _cauda_equina),
    RedFlagRule("fever_when_immunosuppressed", Level.EMERGENCY, "A high temperature during chemotherapy or on medicines that lower immunity (possible neutropenic sepsis)", NICE_NEUTROPENIC, _fever_when_immunosuppressed),
    RedFlagRule("ketones_unwell", Level.EMERGENCY, "High ketones with vomiting, tummy pain or breathing changes (possible diabetic ketoacidosis)", NHS_DKA, _ketones_unwell),
    RedFlagRule("stridor_at_rest", Level.EMERGENCY_AMBULANCE, "Noisy, high-pitched breathing in (stridor) at rest", NHS_CROUP, _stridor_at_rest),
    RedFlagRule("stridor", Level.EMERGENCY, "Noisy, high-pitched breathing in (stridor)", NHS_CROUP, _stridor),
    RedFlagRule("bulging_fontanelle", Level.EMERGENCY_AMBULANCE, "A bulging soft spot on a baby's head", NHS_MENINGITIS, _bulging_fontanelle),
    RedFlagRule("infant_head_injury", Level.EMERGENCY, "A head injury in a baby under 1", NICE_HEAD, _infant_head_injury),
    RedFlagRule("preterm_labour", Level.EMERGENCY, "Before 37 weeks: regular tightenings or cramps, or pressure low down (possible premature labour)", NHS_PRETERM, _preterm_labour),
    RedFlagRule("birth_imminent", Level.EMERGENCY_AMBULANCE, "Birth about to happen (urge to push, head showing)", NHS_WATERS, _birth_imminent),
    RedFlagRule("waters_broken", Level.EMERGENCY, "Waters broken in pregnancy: the maternity unit should see you now", NHS_WATERS, _waters_broken),
    RedFlagRule("priapism", Level.EMERGENCY, "An erection lasting more than 4 hours or that will not go down", NHS_PRIAPISM, _priapism),
    RedFlagRule("paraphimosis", Level.EMERGENCY, "A foreskin stuck pulled back with swelling", NHS_PARAPHIMOSIS, _paraphimosis),
    RedFlagRule("jaundice_first_day", Level.EMERGENCY, "Yellow skin in a baby's first day of life", "https://www.nice.org.uk/guidance/cg98", _jaundice_first_day),
    RedFlagRule("jaundice_with_fever", Level.EMERGENCY, "Yellow skin or eyes with a high temperature or confusion", NHS_JAUNDICE, _jaundice_unwell),
    RedFlagRule("suspected_fracture", Level.EMERGENCY, "Signs of a broken bone or dislocation (deformity, a crack heard, unable to bear weight)", NHS_BROKEN, lambda f: f.has("suspected_fracture")),
    RedFlagRule("serious_burn", Level.EMERGENCY, "A burn that needs A&E: large, deep, blistered, on the face, hands or genitals, chemical or electrical, or in a young child", NHS_BURNS, _burn_needs_ae),
    RedFlagRule("at_risk_and_unreachable", Level.EMERGENCY_AMBULANCE, "Someone at risk of ending their life who cannot now be reached: call 999", NHS_SUICIDAL_THOUGHTS, _unreachable_at_risk),
    RedFlagRule("overdose_drowsy", Level.EMERGENCY_AMBULANCE, "Poisoning or an overdose with drowsiness, confusion or slow breathing", NHS_POISONING, _overdose_drowsy),
    RedFlagRule("poisoning", Level.EMERGENCY, "Possible poisoning or overdose: get help now even if there are no symptoms yet", NHS_POISONING, lambda f: f.has("poisoning")),
    RedFlagRule("news2_high", Level.EMERGENCY_AMBULANCE, "Vital signs with a NEWS2 score of 7 or more", RCP_NEWS2, _news2_high),
    RedFlagRule("news2_medium", Level.EMERGENCY, "Vital signs with a NEWS2 score of 5-6, or one sign far from normal", RCP_NEWS2, _news2_medium),
    RedFlagRule("shock_index", Level.EMERGENCY, "Pulse faster than the systolic blood pressure (signs of shock)", RCP_NEWS2, _shock_index),
    RedFlagRule("cardiac_indigestion", Level.EMERGENCY_AMBULANCE, "'Indigestion' with a cold sweat and breathlessness, or that antacids do not touch (a heart attack can feel like this)", AHA_HEART_ATTACK, _cardiac_indigestion),
    RedFlagRule("cardiac_without_chest_pain", Level.EMERGENCY, "Pain in the jaw, neck, arm or upper back with a cold sweat (a heart attack can happen without chest pain)", AHA_HEART_ATTACK, _cardiac_without_chest_pain),
    RedFlagRule("severe_hypoglycaemia", Level.EMERGENCY_AMBULANCE, "Low blood sugar with drowsiness, confusion or unable to swallow", NHS_HYPO, _severe_hypo),
    RedFlagRule("postpartum_psychosis", Level.EMERGENCY, "Signs of psychosis after giving birth", NHS_POSTPARTUM_PSYCHOSIS, _postpartum_psychosis),
    RedFlagRule("reduced_fetal_movements", Level.EMERGENCY, "In pregnancy: the baby moving less than usual or not at all", NHS_FETAL_MOVEMENTS, _reduced_fetal_movements),
    RedFlagRule("cardiac_chest_pain", Level.EMERGENCY_AMBULANCE, "Chest pain that spreads, is severe, or comes with sweating, breathlessness or sickness", AHA_HEART_ATTACK, _chest_cardiac),
    RedFlagRule("stroke_fast", Level.EMERGENCY_AMBULANCE, "Stroke signs (FAST / BE-FAST): face droop, arm or leg weakness, speech problems", CDC_STROKE, _stroke),
    RedFlagRule("severe_breathlessness", Level.EMERGENCY_AMBULANCE, "Severe difficulty breathing", NHS_SOB, _breathing_severe),
    RedFlagRule("meningitis_sepsis", Level.EMERGENCY_AMBULANCE, "Fever with a non-fading rash, stiff neck or confusion (meningitis / sepsis signs)", NHS_MENINGITIS, _meningitis_sepsis),
    RedFlagRule("thunderclap_headache", Level.EMERGENCY_AMBULANCE, "Sudden, severe ('thunderclap') headache", NHS_HEADACHE, _thunderclap),
    RedFlagRule("unconscious_or_seizure", Level.EMERGENCY_AMBULANCE, "Loss of consciousness or a seizure", NHS_999, lambda f: f.has("unconscious", "seizure") and not f.has("head_injury")),
    RedFlagRule("low_oxygen", Level.EMERGENCY, "Oxygen saturation of 92% or lower (88% or lower with COPD)", NHS_PULSE_OXIMETRY, _low_spo2),
    RedFlagRule("borderline_oxygen", Level.CONSULTATION_24, "Oxygen saturation of 93-94% (89-92% with COPD)", NHS_PULSE_OXIMETRY, _borderline_spo2),
    RedFlagRule("infant_fever", Level.EMERGENCY, "Fever of 38°C or more in a baby under 3 months", NICE_FEVER_U5, _infant_fever),
    RedFlagRule("sepsis_vitals", Level.EMERGENCY, "Fever or low temperature with a very fast pulse or breathing (possible sepsis)", NICE_SEPSIS, _sepsis_vitals),
    RedFlagRule("head_injury_red_flags", Level.EMERGENCY, "Head injury with vomiting, loss of consciousness, confusion, fits, bleeding or on blood thinners", NICE_HEAD, _head_injury),
    RedFlagRule("chest_pain", Level.EMERGENCY, "Chest pain in an adult over 40, of sudden onset, or with heart or other long-term conditions", AHA_HEART_ATTACK, _chest_other),
    RedFlagRule("severe_abdominal_pain", Level.EMERGENCY, "Abdominal pain that is sudden and severe, spreads to the back, comes with vomiting, or with guarding or rebound tenderness", NHS_ABDO, _abdominal_severe),
    RedFlagRule("pregnancy_collapse", Level.EMERGENCY_AMBULANCE, "In pregnancy: tummy pain or bleeding with fainting, collapse or signs of shock (possible internal bleeding)", "https://www.nhs.uk/conditions/ectopic-pregnancy/", _pregnancy_with_collapse),
    RedFlagRule("pregnancy_warning", Level.EMERGENCY, "In pregnancy: bleeding, abdominal pain, or headache with vision changes or swelling", NHS_PREGNANCY, _pregnancy),
    RedFlagRule("pregnancy_light_bleeding", Level.CONSULTATION_24, "In pregnancy: light bleeding or spotting, or mild cramps, without danger signs", NHS_PREGNANCY_BLEEDING, _pregnancy_light_bleeding),
    RedFlagRule("suicidal_thoughts", Level.EMERGENCY, "Suicidal thoughts or self-harm", NICE_SELF_HARM, lambda f: f.has("suicidal_ideation")),
    RedFlagRule("asthma_severe_peak_flow", Level.EMERGENCY, "Asthma with a peak flow below half of the person's best", NHS_ASTHMA_ATTACK, _asthma_severe_peak_flow),
    RedFlagRule("asthma_getting_worse", Level.CONSULTATION_24, "Asthma needing the reliever every 4 hours or more often, or a peak flow at 75% of best or below", NHS_ASTHMA_ATTACK, _asthma_getting_worse),
    RedFlagRule("red_eye_light_or_lenses", Level.CONSULTATION_24, "A red or painful eye that is sensitive to light, or in someone who wears contact lenses", NHS_CONJUNCTIVITIS, _red_eye_needs_same_day),
    RedFlagRule("sudden_vision_loss", Level.EMERGENCY, "Sudden loss or change of vision with other neurological symptoms", NHS_VISION, _vision_loss),
    RedFlagRule("severe_bp_in_pregnancy", Level.EMERGENCY, "In pregnancy: blood pressure of 160/110 or higher", NICE_NG133, _severe_bp_in_pregnancy),
    RedFlagRule("repeated_icd_shocks", Level.EMERGENCY_AMBULANCE, "Two or more shocks from an implanted defibrillator, or one with chest pain, fainting or breathlessness", BHF_ICD, _repeated_icd_shocks),
    RedFlagRule("dislocated_hip_replacement", Level.EMERGENCY, "Sudden pain in a replaced hip with the leg shorter or turned, or unable to walk", NHS_HIP_REPLACEMENT, _dislocated_hip_replacement),
    RedFlagRule("septal_haematoma", Level.EMERGENCY, "After a blow to the nose, a swelling inside the nostril (possible septal haematoma)", NHS_BROKEN_NOSE, _septal_haematoma),
    RedFlagRule("very_high_blood_pressure", Level.EMERGENCY, "Blood pressure of 180/120 or higher", NHS_BP, _very_high_bp),
    RedFlagRule("extreme_heart_rate", Level.EMERGENCY, "Heart rate of 150 or more, or 40 or less, in an adult (limits for the age in a child)", NHS_999, _extreme_heart_rate),
    RedFlagRule("hypothermia", Level.EMERGENCY, "Body temperature below 35°C", NHS_999, _hypothermia),
    RedFlagRule("child_dehydration_signs", Level.CONSULTATION_24, "A child under 5 with diarrhoea or vomiting and fewer wet nappies or darker wee (signs of dehydration)", NHS_DV, _child_dehydration_signs),
    RedFlagRule("breathlessness", Level.CONSULTATION_24, "New shortness of breath", NHS_SOB, lambda f: f.has("shortness_of_breath")),
    RedFlagRule("spreading_infection", Level.CONSULTATION_24, "Infected wound with fever or spreading redness", NHS_CELLULITIS, _spreading_infection),
    *INJURY_RULES,
    *INFECTION_RULES,
    *MEDICINE_RULES,
)

_safety = SafetyPolicy()


def text_red_flags(text: str) -> list[RedFlag]:
    """Emergency phrases from the safety policy's rules (same rules, so the two never disagree)."""
    verdict = _safety.evaluate(text)
    if verdict is None:
        return []
    flags = []
    for rule_id, reason in zip(verdict.rules, verdict.reasons):
        kind = next((r.kind for r in _safety.rules if r.id == rule_id), verdict.kind)
        level = Level.EMERGENCY_AMBULANCE if kind == "emergency" else Level.EMERGENCY
        description, _, source = reason.partition("(")
        url = next((part for part in source.replace(")", " ").split() if part.startswith("http")), NHS_999)
        flags.append(RedFlag(f"phrase:{rule_id}", level, description.strip(), url))
    return flags


PRESENTATIONS_FILE = Path(__file__).parent / "presentations.yml"


@lru_cache(maxsize=1)
def _presentations(path: Path = PRESENTATIONS_FILE) -> tuple[float, dict[str, RedFlag]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    flags = {
        key: RedFlag(f"presentation:{key}", Level(item["level"]), item["description"], item["source"])
        for key, item in document["presentations"].items()
    }
    return float(document["strong_similarity"]), flags


# A strawberry tongue with red eyes, cracked lips or peeling fingers, or a fever of 5 days or more,
# may be Kawasaki disease (NICE CKS): not set aside as scarlet fever.
_KAWASAKI_SIGN = re.compile(
    r"\bconjunctiv\w*|\bred eyes\b|\bbloodshot\b|\bcracked (?:red )?lips\b|\bpeeling\b|\bkawasaki\b"
    r"|\b(?:fever|temperature|temp)\w*\s+(?:for\s+|of\s+)?(?:[5-9]|1\d)\s*(?:days?|/7)|\b(?:[5-9]|1\d)\s*(?:days?|/7)\s+(?:of\s+)?(?:fever|temperature|temp)"
)
_SCARLET_FEVER = re.compile(r"\bsand ?paper\w*|\bstrawberry tongue\b|\bscarlet fever\b|\bscarlatina\b")
_BLANCHES = re.compile(
    r"\b(?:fades?|faded|fading|goes? white|went white|goes? away|went away|disappears?|disappeared|blanch\w*) (?:\w+ ){0,4}?(?:when|if|under|with) (?:i |you )?(?:press|push|a glass|the glass|glass)"
    r"|\bglass test (?:\w+ ){0,3}(?:fine|ok|okay|negative|normal|passed|fades?)"
)


def _fits_the_patient(key: str, f: Facts | None) -> bool:
    """Presentations that only exist for some patients, or that the message itself rules out:
    meaning alone cannot tell "my 5 year old has a temperature" from fever in a baby, but the stated
    age can."""
    if f is None:
        return True
    age, sex = f.age_years, f.sex
    if key == "infant_fever":
        # NICE NG143: any fever under 3 months; 39C or more at 3-6 months. Not when the message
        # denies a fever ("no fever") or states a temperature below 38C.
        if f.fever_ruled_out or _after_jabs(f):
            return False
        return age is None or age < 0.25 or (age < 0.5 and (f.temperature_c or 39) >= 39)
    if key == "meningitis" and _SCARLET_FEVER.search(f.text.lower()) and not f.has("rash_nonblanching") and not _KAWASAKI_SIGN.search(f.text.lower()):
        # A rough "sandpaper" rash or a strawberry tongue is scarlet fever's (NICE CKS): not the
        # meningitis rash unless the message gives a meningitis sign as well.
        return f.has("neck_stiffness", "confusion") or bool(re.search(r"\b(?:light hurts|dislikes? (?:the )?light|photophob\w*|stiff neck|floppy|drowsy)\b", f.text.lower()))
    if key == "meningitis" and _BLANCHES.search(f.text.lower()):
        # The rash fades under pressure, and nothing else points to meningitis: by meaning alone
        # "a red rash after a fever" reads like the rash that does not fade.
        return f.has("neck_stiffness", "confusion") or bool(re.search(r"\b(?:light hurts|dislikes? (?:the )?light|photophob\w*|stiff neck)\b", f.text.lower()))
    if key == "heavy_bleeding_in_pregnancy_or_ectopic" and not f.pregnant and re.search(r"\bperiods?\b", f.text.lower()) and not re.search(
        r"\blate\b|\bmissed\b|\bpositive\b|\bpregnan\w*|\bhaven'?t had (?:a|my) period|\bno period", f.text.lower()
    ):
        return False  # heavy periods, with nothing that suggests a pregnancy
    if key in ("pre_eclampsia", "heavy_bleeding_in_pregnancy_or_ectopic"):
        return sex != "male"  # not age: "had my baby 3 days ago" states the baby's
    if key == "testicular_torsion":
        # NHS: torsion is sudden, severe pain; an ache that built up over days is told as gradual.
        gradual = re.search(r"\bgradual\w*|\bnot (?:of )?sudden|\bslowly (?:got|getting|worse)|\bbuilt up\b|\bcrept up\b", f.text.lower())
        return sex != "female" and not (gradual and not re.search(r"(?<!not )\b(?:suddenly|sudden onset|came on sudden\w*|all of a sudden)\b", f.text.lower()))
    if key == "major_bleeding" and _BLEEDING_STOPPED.search(f.text.lower()):
        # "Loads of blood on his pillow, but it stopped after 10 minutes of pinching": the flag is
        # for bleeding that does not stop (NHS nosebleeds: A&E if over 10-15 minutes of pressure).
        return bool(_STILL_BLEEDING.search(f.text.lower()))
    return True


_BLEEDING_STOPPED = re.compile(
    r"\b(?:it|bleeding|the bleed(?:ing)?|the nosebleed|blood|nose)\s+(?:has\s+|had\s+|finally\s+|then\s+|eventually\s+)?(?:now\s+)?stopped\b|"
    r"\bstopped bleeding\b|\b(?:bleeding|it)\s+(?:has\s+|had\s+)?(?:now\s+)?(?:settled|eased off)\b"
)
_STILL_BLEEDING = re.compile(
    r"\b(?:started|starts|starting) (?:again|up again|bleeding again)|\bkeeps? (?:on )?(?:bleeding|coming back|starting)|"
    r"\bwon'?t stop\b|\bstill (?:bleeding|pouring|gushing|dripping)|\bnot stopp(?:ed|ing)\b|\bhasn'?t stopped\b|\bsoak\w*|\bpouring\b"
)


def presentation_flags(presentations: dict[str, float], facts: Facts | None = None) -> list[RedFlag]:
    strong, known = _presentations()
    out = []
    for key, similarity in presentations.items():
        flag = known.get(key)
        if flag is None or not _fits_the_patient(key, facts):
            continue
        if similarity < strong and flag.level.urgency > Level.EMERGENCY.urgency:
            flag = RedFlag(flag.id, Level.EMERGENCY, flag.description, flag.source)
        out.append(flag)
    return out


#: A presentation matched at least this closely stands whatever the nearest cases say: a close
#: reference case of a milder condition ("conjunctivitis with light sensitivity") must not outvote
#: a message that reads like its emergency ("painful red eye, rainbow rings round lights, vomiting").
KEEP_SIMILARITY = 0.75


def may_be_set_aside(flag: RedFlag, presentations: dict[str, float] | None = None) -> bool:
    """A presentation recognised by meaning alone, flagged at emergency-department level (its
    category asks for no more, or the match was not strong enough to ask for an ambulance) and not
    matched closely: other evidence by meaning (the nearest reference cases) may outweigh it."""
    if not flag.id.startswith("presentation:") or flag.level != Level.EMERGENCY:
        return False
    return (presentations or {}).get(flag.id.removeprefix("presentation:"), 0.0) < KEEP_SIMILARITY


# Suicidal thoughts the person says they have no plan for and no intent to act on, with nothing
# done or prepared: NHS guidance for someone not in immediate danger is urgent help the same day
# (GP, NHS 111, a crisis line), not A&E. The crisis reply of the dialogue still runs on them.
_NO_PLAN = re.compile(r"\b(?:no|not got an?y?|don'?t have (?:a|any)|haven'?t (?:made|got) (?:a|any)|without (?:a|any))\s+(?:\w+\s+)?plans?\b|\bnot planning\b")
_NO_INTENT = re.compile(
    r"\b(?:wouldn'?t|would never|won'?t|will never|not going to|don'?t (?:intend|want) to|no intention of|not intending to)\s+(?:\w+\s+){0,3}?"
    r"(?:do (?:anything|it)|act on|go through|hurt|harm|kill|end)"
)
_ACTED = re.compile(
    r"\b(?:took|taken|swallowed|overdos\w*|cut|cutting|rope|bridge|method|goodbye|letters?|note|tried|attempt\w*|stockpil\w*|saved up)\b"
    r"|\b(?:saving|saved|hoard\w*|collect\w*|gathered|all (?:of )?(?:my|his|her|the)|a bunch of|loads of) (?:up )?(?:\w+ ){0,2}?(?:pills|tablets)\b"
)
THOUGHTS_ONLY = {"phrase:suicidal_ideation", "suicidal_thoughts"}


def _thoughts_without_plan_or_intent(flags: list[RedFlag], text: str) -> bool:
    crisis = {f.id for f in flags if f.id in THOUGHTS_ONLY or (f.id.startswith("phrase:") and f.level == Level.EMERGENCY)}
    lowered = text.lower().replace("\u2019", "'")
    return bool(crisis) and crisis <= THOUGHTS_ONLY and bool(_NO_PLAN.search(lowered) and _NO_INTENT.search(lowered)) and not _ACTED.search(lowered)


def evaluate_red_flags(facts: Facts) -> list[RedFlag]:
    flags = text_red_flags(facts.text) if facts.text else []
    flags.extend(presentation_flags(facts.presentations, facts))
    seen = {f.id for f in flags}
    for rule in RULES:
        if rule.id not in seen and rule.test(facts):
            flags.append(rule.flag())
    if _thoughts_without_plan_or_intent(flags, facts.text):
        flags = [
            RedFlag(f.id, Level.CONSULTATION_24, "Suicidal thoughts with no plan or intent: get mental health help today (GP, NHS 111 option 2, or a crisis line such as Samaritans 116 123 or 988, any time)", NICE_SELF_HARM)
            if f.id in THOUGHTS_ONLY else f
            for f in flags
        ]
    return sorted(flags, key=lambda f: -f.level.urgency)
