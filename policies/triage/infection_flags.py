"""Red flags for infections that are spreading or taking hold, each from NHS or NICE guidance."""

from __future__ import annotations

import re

from policies.triage.flag_rule import RedFlagRule, plain
from policies.triage.models import Facts, Level
from policies.triage.sources import NHS_CELLULITIS, NHS_MENINGITIS, NICE_SEPSIS

NHS_DENTAL_ABSCESS = "https://www.nhs.uk/conditions/dental-abscess/"
NHS_SJS = "https://www.nhs.uk/conditions/stevens-johnson-syndrome/"
NHS_PD = "https://www.nhs.uk/conditions/dialysis/"
NHS_QUINSY = "https://www.nhs.uk/conditions/quinsy/"
NHS_NECROTISING = "https://www.nhs.uk/conditions/necrotising-fasciitis/"

_HOT = re.compile(r"\b(?:boiling(?: hot)?|roasting|fever\w*|temp\w*|hot and (?:cold|shivery)|shiver\w*|shivery|rigou?rs|burning up|chills|feel\w* (?:rough|awful|terrible|really unwell))\b")


def _hot(f: Facts, text: str) -> bool:
    return f.febrile or bool(_HOT.search(text))


# A red line running up a limb from a wound or bite, with fever or feeling unwell (lymphangitis:
# NHS cellulitis, get help the same day; with fever, hospital treatment).
def _red_streak_with_fever(f: Facts) -> bool:
    text = plain(f)
    streak = re.search(r"\bred (?:line|streak|stripe|track)s?\b[^.]{0,40}\b(?:up|along|towards|to)\b|\b(?:line|streak)s? (?:of red )?(?:creeping|spreading|going|running|tracking|moving) up", text)
    return bool(streak and _hot(f, text))


# Skin that is red, hot or swollen and spreading ("drew round it and it's past the line"):
# cellulitis, which NHS guidance says needs a GP or 111 the same day.
_SKIN_INFLAMED = re.compile(r"\b(?:red|redness|reddened|hot|warm|swollen|swelling|inflamed)\b")
_SPREADING = re.compile(
    r"\bspread\w*|\b(?:past|beyond|outside|over) the (?:pen )?(?:line|mark|outline)|\b(?:getting|got|grown|growing) (?:a lot |much )?(?:bigger|larger|wider)|"
    r"\bbigger than (?:it was )?(?:yesterday|this morning|last night|earlier)|\bcreeping (?:up|out)|\bmoving up (?:my|his|her) (?:leg|arm)"
)
_SKIN_SITE = re.compile(r"\b(?:skin|leg|shin|calf|foot|ankle|thigh|arm|hand|finger|toe|face|cheek|wound|cut|scratch|graze|bite|sting|patch|area)\b")


# Spreading to other people, or denied: "how do I avoid spreading it", "it isn't spreading or hot".
_NOT_SPREADING = re.compile(
    r"\bspread\w* (?:it|this|them|that|to (?:others|other people|anyone|the (?:baby|kids|family)))\b|"
    r"\b(?:isn'?t|is not|not|no|never|hasn'?t|has not)\s+(?:\w+\s+)?(?:spread\w*|getting bigger|grown)"
)


def _spreading_skin_redness(f: Facts) -> bool:
    text = plain(f)
    spreading = _SPREADING.search(_NOT_SPREADING.sub(" ", f.text.lower()))
    return bool(_SKIN_INFLAMED.search(text) and spreading and _SPREADING.search(text) and _SKIN_SITE.search(text))


# Spreading redness with pain far worse than the skin looks, or skin turning purple, dusky or black,
# or blistering (necrotising fasciitis: NHS, go to A&E or call 999).
_OUT_OF_PROPORTION = re.compile(
    r"\b(?:much |far |way )?worse than (?:it|the skin|the wound) looks|\bpain (?:is |was )?(?:unreal|unbearable|excruciating|agonising|agonizing|out of (?:all )?proportion)|\bagony\b"
)
_DYING_SKIN = re.compile(r"\b(?:purpl\w*|dusky|black\w*|dark (?:purple|red|patch|area)|grey|gray|blister\w*|crackl\w*)\b")


def _necrotising_infection(f: Facts) -> bool:
    if not _spreading_skin_redness(f):
        return False
    text = plain(f)
    return bool(_OUT_OF_PROPORTION.search(text) or _DYING_SKIN.search(text))


# A swollen eyelid with pain on moving the eye, a bulging eye or changed vision (orbital cellulitis:
# NHS, go to A&E).
def _orbital_cellulitis(f: Facts) -> bool:
    text = plain(f)
    lid = re.search(r"\b(?:eye ?lids?|eye|around (?:his|her|my) eye)\b[^.]{0,30}\b(?:swollen|puffy|red|swelling|closed)\b|\bswollen (?:eye|eyelid)", text)
    deep = re.search(
        r"\b(?:hurts?|pain\w*|sore)\b[^.]{0,20}\b(?:to (?:move|look)|moving (?:it|his eye|her eye|my eye)|look(?:ing)? (?:to the side|sideways|up|around))"
        r"|\b(?:eye|eyeball)\b[^.]{0,20}\b(?:pushing|bulging|sticking|poking) (?:out|forward)|\b(?:double vision|seeing double|vision (?:is )?(?:blurr\w*|worse|going))",
        text,
    )
    return bool(lid and deep)


# A tooth or jaw infection with swelling spreading into the neck, under the jaw or up to the eye, or
# with trouble opening the mouth, swallowing or breathing (NHS dental abscess: go to A&E).
def _spreading_dental_infection(f: Facts) -> bool:
    text = plain(f)
    dental = re.search(r"\b(?:tooth|teeth|toothache|molar|wisdom|abscess|gum|jaw|dentist)\b", text)
    spread = re.search(
        r"\bswell\w*\b[^.]{0,40}\b(?:neck|under (?:my|his|her|the) (?:jaw|chin|tongue)|(?:up )?to (?:my|his|her|the) eye|eye (?:is )?(?:closing|shut))"
        r"|\b(?:can'?t|cannot|struggl\w* to|hard to|unable to) (?:open (?:my|his|her) mouth|swallow|breathe)|\bswallow(?:ing)? (?:my|his|her) (?:own )?(?:spit|saliva)",
        text,
    )
    return bool(dental and spread)


# A severe sore throat with a muffled voice, drooling, trouble opening the mouth or swallowing
# saliva (quinsy or epiglottitis: NHS, go to A&E).
def _throat_abscess(f: Facts) -> bool:
    text = plain(f)
    throat = re.search(r"\b(?:throat|tonsils?)\b", text)
    sign = re.search(r"\bdrool\w*|\b(?:can'?t|cannot|unable to|struggl\w* to) (?:swallow (?:my |his |her )?(?:own )?(?:spit|saliva)|open (?:my|his|her) mouth)|\bmuffled\b|\bhot potato\b|\bspitting (?:out )?(?:my|his|her)? ?(?:spit|saliva)", text)
    return bool(throat and sign)


# After an operation in the last six weeks: a temperature with a red, oozing wound, a racing heart,
# worsening pain or vomiting (NICE NG51: recent surgery raises the risk of sepsis).
_AFTER_SURGERY = re.compile(
    r"\b(?:\d+|a|two|three|four|five|six|ten) (?:days?|weeks?) (?:after|since|post) (?:my |his |her |the |an? )?(?:op|operation|surgery|section|c-section|caesarean|procedure|keyhole|lap\w*|hip|knee|appendix|gallbladder)"
    r"|\b(?:had|got) (?:my |his |her |an? )?(?:op|operation|surgery|hip|knee|appendix|gallbladder|c-section|caesarean) (?:done |out |removed |replaced )?(?:\d+|a|two|three|four|five|six|ten) (?:days?|weeks?) ago"
    r"|\bpost[- ]?op\b|\bday \d+ (?:after|post)\b"
)
_AFTER_SURGERY_SIGN = re.compile(
    r"\b(?:wound|scar|incision|stitches|cut)\b[^.]{0,50}\b(?:red|hot|pus|oozing|leaking|yellow\w*|smell\w*|weeping|angry)"
    r"|\b(?:heart|pulse) (?:rate )?(?:is |was |feels )?(?:racing|pounding|fast|going|1[0-9]\d)|\bworse and worse\b|\bgetting (?:much )?worse\b|\bvomit\w*|\bbeing sick\b|\bswollen (?:tummy|belly)\b"
)


def _infection_after_surgery(f: Facts) -> bool:
    text = plain(f)
    return bool(_AFTER_SURGERY.search(text) and _hot(f, text) and _AFTER_SURGERY_SIGN.search(text))


# Light hurting the eyes with a fever and vomiting or headache (meningitis: NHS, call 999).
def _meningitis_light(f: Facts) -> bool:
    text = plain(f)
    light = re.search(r"\b(?:light (?:hurts|is hurting|bothers|is killing)|can'?t (?:stand|bear|look at) (?:the )?light|photophob\w*|(?:curtains|blinds) (?:shut|closed|drawn)|(?:switch\w*|turn\w*|put) the lights? on)\b", text)
    return bool(light and _hot(f, text) and re.search(r"\b(?:vomit\w*|being sick|keeps? being sick|headache|neck|wince\w*)\b", text))


# Blistering or peeling skin with sore lips, mouth or eyes after a new medicine (Stevens-Johnson
# syndrome: NHS, go to A&E or call 999).
def _severe_drug_rash(f: Facts) -> bool:
    text = plain(f)
    skin = re.search(r"\bblister\w*|\bpeel\w*|\bskin (?:is )?(?:coming|falling) off\b", text)
    mucosa = re.search(r"\b(?:lips?|mouth|eyes?|genitals?)\b[^.]{0,30}\b(?:sore|peel\w*|blister\w*|burn\w*|ulcer\w*|crust\w*)|\b(?:sore|blistered|peeling) (?:lips|mouth|eyes)", text)
    medicine = re.search(r"\b(?:new|started|starting|began) (?:\w+ ){0,3}(?:tablets?|medicines?|meds|medication|antibiotics?|pills?)|\b(?:lamotrigine|carbamazepine|allopurinol|phenytoin|co-trimoxazole|septrin|nevirapine|sulfa\w*)\b", text)
    return bool(skin and mucosa and medicine)


# Cloudy fluid from peritoneal dialysis, or tummy pain with a fever on it (peritonitis: contact the
# dialysis unit now, NHS dialysis).
def _dialysis_peritonitis(f: Facts) -> bool:
    text = plain(f)
    pd = re.search(r"\bperitoneal dialysis\b|\bpd (?:bag|fluid|exchange)|\b(?:drain\w*|dialysis) (?:bag|fluid)|\bexchanges?\b", text)
    return bool(pd and re.search(r"\bcloudy\b|\bmilky\b|\bcan'?t (?:read|see) (?:the )?print|\btummy (?:is )?(?:sore|painful)|\babdominal pain\b", text))


INFECTION_RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule("necrotising_skin_infection", Level.EMERGENCY, "Spreading redness with pain far worse than the skin looks, or skin turning purple, dark or blistered", NHS_NECROTISING, _necrotising_infection),
    RedFlagRule("spreading_skin_redness", Level.CONSULTATION_24, "Red, hot or swollen skin that is spreading (possible cellulitis)", NHS_CELLULITIS, _spreading_skin_redness),
    RedFlagRule("red_streak_with_fever", Level.EMERGENCY, "A red line spreading up from a wound or bite, with a temperature or shivers", NHS_CELLULITIS, _red_streak_with_fever),
    RedFlagRule("orbital_cellulitis", Level.EMERGENCY, "A swollen eyelid with pain on moving the eye, a bulging eye or changed vision", NHS_CELLULITIS, _orbital_cellulitis),
    RedFlagRule("spreading_dental_infection", Level.EMERGENCY, "A tooth or jaw infection spreading to the neck or eye, or with trouble opening the mouth, swallowing or breathing", NHS_DENTAL_ABSCESS, _spreading_dental_infection),
    RedFlagRule("throat_abscess", Level.EMERGENCY, "A sore throat with drooling, a muffled voice, or unable to swallow saliva or open the mouth", NHS_QUINSY, _throat_abscess),
    RedFlagRule("infection_after_surgery", Level.EMERGENCY, "A temperature after a recent operation, with a red or oozing wound, a racing heart, worsening pain or vomiting", NICE_SEPSIS, _infection_after_surgery),
    RedFlagRule("meningitis_light", Level.EMERGENCY_AMBULANCE, "A temperature with light hurting the eyes and vomiting, headache or a sore neck (meningitis signs)", NHS_MENINGITIS, _meningitis_light),
    RedFlagRule("severe_drug_rash", Level.EMERGENCY, "Blistering or peeling skin with sore lips, mouth or eyes after a new medicine", NHS_SJS, _severe_drug_rash),
    RedFlagRule("dialysis_peritonitis", Level.EMERGENCY, "Cloudy fluid or tummy pain on peritoneal dialysis (possible peritonitis)", NHS_PD, _dialysis_peritonitis),
)
