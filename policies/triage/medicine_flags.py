"""Red flags for medicines and treatments that have gone wrong, each from NHS or NICE guidance:
a drug building up to toxic levels, bleeding on an anticoagulant, a steroid-dependent body without
its steroid, chemotherapy side effects and missed dialysis."""

from __future__ import annotations

import re

from policies.triage.flag_rule import RedFlagRule, plain
from policies.triage.models import Facts, Level

NHS_LITHIUM = "https://www.nhs.uk/medicines/lithium/"
NHS_WARFARIN = "https://www.nhs.uk/medicines/warfarin/"
NHS_METHOTREXATE = "https://www.nhs.uk/medicines/methotrexate/"
NHS_ADRENAL = "https://www.nhs.uk/conditions/addisons-disease/"
NHS_CHEMO = "https://www.nhs.uk/conditions/chemotherapy/side-effects/"
NHS_DIALYSIS = "https://www.nhs.uk/conditions/dialysis/"
NICE_MSCC = "https://www.nice.org.uk/guidance/ng234"
NHS_SEROTONIN = "https://www.nhs.uk/medicines/sertraline/"
NHS_OPIOIDS = "https://www.nhs.uk/medicines/morphine/"

_UNSTEADY = r"walk\w* like (?:i'?m|im|he'?s|she'?s|i was|he was|she was)? ?drunk|stagger\w*|unsteady|wobbl\w*|can'?t walk straight|falling over"
_SHAKY = r"shak\w* (?:so bad|badly|all over|like a leaf)|(?:bad|coarse|severe|worse|violent) (?:tremor|shak)\w*|can'?t hold (?:a|my|his|her) (?:cup|mug|pen|phone)|jerk\w*|twitch\w*"
_MUDDLED = r"muddl\w*|confus\w*|slurr\w*|words (?:feel |are |sound )?(?:slow|slurred|muddled)|not making sense|drowsy|can'?t think"


# Lithium with shaking, unsteadiness, muddled thinking or slurred speech (NHS lithium: go to A&E
# for signs of too much lithium, often after sickness, dehydration or a new blood pressure tablet).
def _lithium_toxicity(f: Facts) -> bool:
    text = plain(f)
    return bool(re.search(r"\blithium|\bpriadel|\bcamcolit", text) and re.search(rf"\b(?:{_UNSTEADY}|{_SHAKY}|{_MUDDLED})", text))


# Bleeding in more than one place, or bleeding that will not stop, on an anticoagulant (NHS
# warfarin and DOAC pages: get help straight away).
_BLEEDS = {
    "urine": r"\b(?:pee|wee|urine|water)\b[^.]{0,20}\b(?:red|pink|brown|bloody|blood)|\bblood in (?:my|his|her) (?:pee|wee|urine)",
    "bruises": r"\bbruis\w*\b[^.]{0,40}\b(?:didn'?t bump|without|no reason|out of nowhere|everywhere|all over|big|huge|massive)|\b(?:big|huge|massive|unexplained) (?:dark )?bruises",
    "gums": r"\bgums? (?:\w+ ){0,3}bleed\w*|\bbleeding gums\b",
    "nose": r"\bnose ?bleed\w*|\bnose (?:\w+ ){0,3}bleed\w*",
    "bowel": r"\b(?:black|tarry|red|bloody) (?:poo|stool)|\bblood in (?:my|his|her) (?:poo|stool)",
    "vomit": r"\b(?:vomit\w*|cough\w*|sick) (?:\w+ ){0,2}blood",
}


def _bleeding_on_anticoagulant(f: Facts) -> bool:
    text = plain(f)
    if "anticoagulant" not in f.medications:  # named in the text or on the record
        return False
    places = sum(bool(re.search(pattern, text)) for pattern in _BLEEDS.values())
    return places >= 2 or bool(re.search(r"\b(?:won'?t|wont|will not|doesn'?t) stop bleeding|\bbleeding (?:won'?t|wont|will not) stop", text))


# A weekly medicine taken daily (methotrexate) is an overdose even without symptoms (NHS
# methotrexate: go to A&E if you take too much).
def _weekly_medicine_taken_daily(f: Facts) -> bool:
    text = plain(f)
    return bool(re.search(r"\b(?:every day|daily|each day)\b[^.]{0,20}\binstead of (?:once a |every |weekly|once weekly)|\bmethotrexate\b[^.]{0,60}\b(?:every day|daily|double|too much|too many|extra)", text))


# Long-term steroids stopped, missed or vomited back, with weakness, dizziness, sickness or tummy
# pain: an adrenal crisis (NHS: emergency steroid card, call 999 or go to A&E).
def _adrenal_crisis(f: Facts) -> bool:
    text = plain(f)
    steroid = re.search(r"\b(?:prednisolone|pred|hydrocortisone|dexamethasone|steroids?|fludrocortisone|addison\w*|adrenal insufficiency)\b", text)
    without = re.search(r"\b(?:ran out|run out|stopped|missed|forgot|haven'?t (?:had|taken)|couldn'?t (?:get|take)|can'?t keep (?:it|them|my tablets|tablets|anything) down|vomit\w*|being sick|been sick|sick (?:this|all|since))\b", text)
    unwell = re.search(r"\b(?:weak|so weak|barely stand|dizzy|faint\w*|collaps\w*|vomit\w*|sick|tummy pain|stomach pain|abdominal pain|confus\w*|drowsy)\b", text)
    return bool(steroid and without and unwell and re.search(r"\b(?:years?|months?|long[- ]term|for ages|addison\w*|adrenal|every day|daily)\b", text))


# On chemotherapy with diarrhoea or vomiting that fluids cannot keep up with, dizziness on standing
# or a racing heart (NHS chemotherapy: call the hospital's 24-hour line now).
def _chemotherapy_toxicity(f: Facts) -> bool:
    text = plain(f)
    chemo = re.search(r"\bchemo\w*|\bimmunotherapy\b|\bcapecitabine\b|\bcycle \d\b", text)
    loss = re.search(r"\b(?:diarrho?ea|the runs|runs|watery poo|vomit\w*|being sick|been sick)\b", text)
    severe = re.search(r"\b(?:[6-9]|1\d|six|seven|eight|nine|ten) times\b|\bcan'?t keep (?:up|anything|fluids|drinks|water)|\bdizz\w*|\bfaint\w*|\b(?:heart|pulse) (?:\w+ ){0,2}(?:fast|racing|pounding)", text)
    return bool(chemo and loss and severe)


# A missed dialysis session with breathlessness, swelling or weakness (NHS dialysis: fluid and
# potassium build up; go to hospital now).
def _missed_dialysis(f: Facts) -> bool:
    text = plain(f)
    missed = re.search(r"\b(?:missed|skipped|didn'?t (?:go|get|have)|couldn'?t (?:go|get)|no)\b[^.]{0,30}\bdialysis\b|\bdialysis\b[^.]{0,30}\b(?:missed|cancelled|didn'?t happen)", text)
    return bool(missed and re.search(r"\b(?:breath\w*|can'?t lie|swollen|swelling|balloons|heavy|weak\w*|palpitations|heart)\b", text))


# Cancer with back pain and new weakness, numbness or bladder trouble in the legs (metastatic spinal
# cord compression: NICE NG234, same-day emergency assessment).
def _spinal_cord_compression(f: Facts) -> bool:
    text = plain(f)
    cancer = re.search(r"\bcancer\b|\bmetasta\w*|\bspread to (?:the |my |his |her )?bones?\b|\bmyeloma\b|\btumou?r\b", text)
    back = re.search(r"\bback\b|\bspine\b|\bspinal\b|\bband (?:round|around) (?:my|his|her) (?:chest|body|middle)", text)
    legs = re.search(r"\blegs? (?:\w+ ){0,3}(?:weak|wobbly|numb|heavy|giving way|gave way)|\b(?:weak|numb|heavy|wobbly) legs?\b|\btripp\w*|\bcan'?t (?:pee|wee|pass (?:water|urine))", text)
    return bool(cancer and back and legs)


# Agitation, sweating, shaking or jerking muscles and a fever after starting or raising an
# antidepressant or adding another serotonergic drug (serotonin syndrome: NHS, go to A&E).
def _serotonin_syndrome(f: Facts) -> bool:
    text = plain(f)
    drug = re.search(r"\b(?:sertraline|citalopram|escitalopram|fluoxetine|paroxetine|venlafaxine|duloxetine|mirtazapine|tramadol|antidepressant\w*|ssri|triptan|sumatriptan|linezolid|st john'?s wort|mdma|ecstasy)\b", text)
    signs = [r"\bagitat\w*|\brestless\b|\bcan'?t sit still", r"\bsweat\w*", rf"\b(?:{_SHAKY})", r"\b(?:fever|temp\w*|hot)\b", r"\bconfus\w*|\bmuddl\w*", r"\bdiarrho?ea\b", r"\b(?:heart|pulse) (?:\w+ ){0,2}(?:fast|racing|pounding)"]
    return bool(drug and sum(bool(re.search(s, text)) for s in signs) >= 3)


# Pinpoint pupils with slow or shallow breathing or hard to wake, on an opioid (NHS morphine: too
# much can slow breathing; call 999).
def _opioid_toxicity(f: Facts) -> bool:
    text = plain(f)
    opioid = re.search(r"\b(?:morphine|oxycodone|oxycontin|fentanyl|patch\w*|codeine|tramadol|buprenorphine|methadone|heroin|opioid\w*|opiate\w*|oramorph)\b", text)
    sign = re.search(r"\bpinpoint\b|\bpupils (?:\w+ ){0,2}(?:tiny|small)|\b(?:tiny|small) pupils\b|\bbreath\w* (?:\w+ ){0,2}(?:slow|shallow)|\b(?:slow|shallow) breath\w*|\bhard to (?:wake|rouse)|\bwon'?t (?:wake|stay awake)|\bkeeps? nodding off\b", text)
    return bool(opioid and sign)


MEDICINE_RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule("lithium_toxicity", Level.EMERGENCY, "On lithium with shaking, unsteadiness, muddled thinking or slurred speech (possible lithium toxicity)", NHS_LITHIUM, _lithium_toxicity),
    RedFlagRule("bleeding_on_anticoagulant", Level.EMERGENCY, "Bleeding in more than one place, or bleeding that will not stop, on a blood thinner", NHS_WARFARIN, _bleeding_on_anticoagulant),
    RedFlagRule("weekly_medicine_taken_daily", Level.EMERGENCY, "A once-a-week medicine (methotrexate) taken daily or in extra doses", NHS_METHOTREXATE, _weekly_medicine_taken_daily),
    RedFlagRule("adrenal_crisis", Level.EMERGENCY, "Long-term steroids stopped, missed or vomited, with weakness, dizziness, sickness or tummy pain (possible adrenal crisis)", NHS_ADRENAL, _adrenal_crisis),
    RedFlagRule("chemotherapy_toxicity", Level.EMERGENCY, "On chemotherapy with diarrhoea or vomiting that fluids cannot keep up with, dizziness or a racing heart", NHS_CHEMO, _chemotherapy_toxicity),
    RedFlagRule("missed_dialysis", Level.EMERGENCY, "A missed dialysis session with breathlessness, swelling or weakness", NHS_DIALYSIS, _missed_dialysis),
    RedFlagRule("spinal_cord_compression", Level.EMERGENCY, "Cancer with back pain and new weakness, numbness or bladder trouble in the legs (possible spinal cord compression)", NICE_MSCC, _spinal_cord_compression),
    RedFlagRule("serotonin_syndrome", Level.EMERGENCY, "Agitation, sweating, shaking or a fever on an antidepressant or similar medicine (possible serotonin syndrome)", NHS_SEROTONIN, _serotonin_syndrome),
    RedFlagRule("opioid_toxicity", Level.EMERGENCY_AMBULANCE, "Pinpoint pupils, slow or shallow breathing, or hard to wake on an opioid painkiller", NHS_OPIOIDS, _opioid_toxicity),
)
