"""Red flags for injuries, wounds, limbs and swallowed objects, each from NHS or NICE guidance.

Each test reads the patient's words (denials removed) for the signs the guidance names; the level
is the one the guidance asks for."""

from __future__ import annotations

import re

from policies.triage.flag_rule import RedFlagRule, plain
from policies.triage.models import Facts, Level
from policies.triage.sources import NICE_HEAD

NHS_PAD = "https://www.nhs.uk/conditions/peripheral-arterial-disease-pad/"
NHS_COMPARTMENT = "https://www.nhs.uk/conditions/compartment-syndrome/"
NHS_NOSEBLEED = "https://www.nhs.uk/conditions/nosebleed/"
NHS_TESTICLE = "https://www.nhs.uk/conditions/testicle-pain/"
NHS_TETANUS = "https://www.nhs.uk/conditions/tetanus/"
NHS_RABIES = "https://www.nhs.uk/conditions/rabies/"
NHS_BITES = "https://www.nhs.uk/conditions/animal-and-human-bites/"
NHS_CUTS = "https://www.nhs.uk/conditions/cuts-and-grazes/"
NHS_ACHILLES = "https://www.nhs.uk/conditions/achilles-tendinopathy/"
NHS_SWALLOWED = "https://www.nhs.uk/conditions/swallowed-objects/"
NICE_MAJOR_TRAUMA = "https://www.nice.org.uk/guidance/ng39"
NHS_PREGNANCY_TRAUMA = "https://www.nhs.uk/pregnancy/keeping-well/"
NHS_FROSTBITE = "https://www.nhs.uk/conditions/frostbite/"
NHS_TONSILLECTOMY = "https://www.nhs.uk/conditions/tonsillitis/"

# A limb that has suddenly gone cold and white (or blue) and hurts, or is numb: a blocked artery,
# a 999 call (NHS peripheral arterial disease: "a sudden, painful, cold, pale leg").
_COLD_PALE_LIMB = re.compile(
    r"\b(?:foot|feet|leg|toes?|hand|fingers?|arm)\b[^.]{0,40}?\b(?:gone|went|turned|is|are|looks?|feels?|has gone|suddenly)\b[^.]{0,15}?\b(?:cold|white|pale|blue|grey|gray|mottled)\b[^.]{0,60}?\b(?:and|,)\b[^.]{0,30}?\b(?:cold|white|pale|blue|numb|pain\w*|hurts?|agony|tingl\w*|can'?t (?:feel|move))"
    r"|\b(?:cold|white|pale),? (?:and )?(?:cold|white|pale|blue),? (?:and )?(?:painful|numb|tingly)\b[^.]{0,20}?\b(?:foot|leg|hand|arm|toes|fingers)\b"
    r"|\bcan'?t (?:feel|find) (?:a |the |any )?pulse (?:in|on) (?:her|his|my|the) (?:foot|feet|leg|wrist|arm|hand)"
)


def _cold_pale_limb(f: Facts) -> bool:
    return bool(_COLD_PALE_LIMB.search(plain(f)))


# Pain that keeps getting worse under a cast or after a crush, beyond what painkillers reach, with
# tight swelling or numb, pale fingers or toes (NHS compartment syndrome: go to A&E).
_CAST_OR_CRUSH = re.compile(r"\b(?:plaster|cast|splint|backslab|crush\w*|trapped under|run over)\b")
_COMPARTMENT_SIGN = re.compile(
    r"\b(?:pain|hurts?|agony|screaming)\b[^.]{0,40}?\b(?:getting worse|worse and worse|worse by the (?:hour|minute)|escalating|not touching|isn'?t touching|haven'?t touched|hasn'?t touched|not helping|despite)"
    r"|\b(?:painkillers|calpol|paracetamol|ibuprofen|analgesia)\b[^.]{0,30}?\b(?:not touching|isn'?t touching|haven'?t touched|hasn'?t touched|not helping|aren'?t helping|isn'?t helping|doing nothing|useless)"
    r"|\b(?:fingers|toes)\b[^.]{0,30}?\b(?:swollen|pale|white|blue|numb|tingl\w*|cold|can'?t move)|\btense\b|\btight (?:and|as) (?:a drum|hard)|\bpain on (?:passive )?(?:stretch|moving (?:the|his|her|my) (?:fingers|toes))"
)


def _compartment_syndrome(f: Facts) -> bool:
    text = plain(f)
    return bool(_CAST_OR_CRUSH.search(text)) and len(_COMPARTMENT_SIGN.findall(text)) >= 1 and bool(
        re.search(r"\b(?:pain|hurts?|agony|screaming|sore)\b", text)
    ) and bool(re.search(r"\b(?:worse|escalating|not touching|haven'?t touched|hasn'?t touched|despite|not helping|screaming|tense|agony)\b", text))


# A nosebleed that has not stopped after 10 to 15 minutes of pinching, or is heavy (NHS nosebleed:
# go to A&E).
_NOSEBLEED = re.compile(r"\bnose ?bleed\w*|\bnose (?:is |has been |keeps |won'?t stop )?(?:bleed\w*|pouring)|\bbleed\w* from (?:my|his|her|the) nose")
_NOT_STOPPING = re.compile(
    r"\b(?:over|more than|for|nearly|almost|about|past)\s+(?:(?:1[5-9]|[2-9]\d)|half an?|an?|fifteen|twenty|thirty|forty)\s*(?:min\w*|hours?|hrs?)\b"
    r"|\b(?:won'?t|wont|will not|doesn'?t|isn'?t|not) (?:stop\w*|slow\w*)|\bstill (?:pouring|bleeding|going)|\bpouring\b|\bgushing\b|\bswallowing (?:\w+ )?blood"
)


def _nosebleed_not_stopping(f: Facts) -> bool:
    text = plain(f)
    return bool(_NOSEBLEED.search(text) and _NOT_STOPPING.search(text))


# Pain and swelling in a testicle after a blow (NHS testicle pain: go to A&E after an injury that
# still hurts, or when the pain is sudden and severe).
def _testicle_injury(f: Facts) -> bool:
    text = plain(f)
    hurt = re.search(r"\b(?:kicked|hit|struck|whacked|kneed|ball|cricket ball|football|fell)\b[^.]{0,60}\b(?:balls?|testicles?|testes|nuts|scrotum|groin|privates)\b|\b(?:balls?|testicles?|scrotum)\b[^.]{0,40}\b(?:kicked|hit|whacked|injur\w*)", text)
    return bool(hurt and re.search(r"\b(?:swell\w*|swollen|still (?:really )?(?:painful|hurts|sore)|bruis\w*|purple|getting bigger|agony|sick)\b", text))


# A hair or thread wound tight round a toe, finger or penis, with swelling or colour change (a
# hair tourniquet: remove it urgently, A&E if it will not come off).
def _hair_tourniquet(f: Facts) -> bool:
    return bool(re.search(
        r"\b(?:hair|thread|string|fibre|fiber)\b[^.]{0,30}\b(?:wrapped|wound|tied|tight|caught)\b[^.]{0,30}\b(?:toe|finger|penis|willy)"
        r"|\b(?:toe|finger|penis|willy)\b[^.]{0,40}\b(?:hair|thread|string|fibre|fiber)\b[^.]{0,20}\b(?:wrapped|wound|tied|tight)",
        plain(f),
    ))


# Jaw stiffness or muscle spasms after a wound (NHS tetanus: call 999 or go to A&E).
def _tetanus(f: Facts) -> bool:
    text = plain(f)
    wound = re.search(r"\b(?:cut|wound|stood on|nail|fork|rusty|splinter|puncture|bite|bitten|graze|stab\w*|scratch)\b", text)
    spasm = re.search(r"\b(?:jaw (?:is |has gone |feels )?(?:stiff|tight|locked|clenched)|stiff jaw|lock ?jaw|can'?t open (?:my|his|her) mouth|(?:muscle )?spasms?)\b", text)
    return bool(wound and spasm)


# A bite or scratch from a mammal abroad, or from a bat anywhere (NHS rabies: get medical help
# straight away, even if the wound looks minor).
_ANIMAL = r"(?:dog|monkey|bat|cat|fox|puppy|stray|macaque|raccoon|jackal|animal)"
_ABROAD = re.compile(
    r"\b(?:abroad|holiday|travel\w*|trip|temple|india|thailand|bali|indonesia|vietnam|cambodia|philippines|africa|morocco|turkey|egypt|nepal|sri lanka|mexico|peru|brazil|china|pakistan|bangladesh|kenya)\b"
)


def _rabies_risk(f: Facts) -> bool:
    text = plain(f)
    bitten = re.search(rf"\b{_ANIMAL}\w*\b[^.]{{0,40}}\b(?:bit|bite|bitten|scratch\w*|nipped|licked (?:a|my|an open))|\b(?:bit|bitten|scratched|nipped) by (?:a |an |the )?(?:\w+ )?{_ANIMAL}", text)
    bat = re.search(r"\bbat\b[^.]{0,40}\b(?:bit|bite|bitten|scratch|touched|in (?:the|my) (?:room|bedroom))", text)
    return bool(bat or (bitten and _ABROAD.search(text)))


# A bite that has left two puncture marks with fast swelling: possible adder bite (NHS snake bites).
def _fang_marks(f: Facts) -> bool:
    text = plain(f)
    other = r"(?:cat|kitten|dog|puppy|hamster|rabbit|guinea pig|rat|mouse|horse|ferret|child|toddler|spider|mosquito|tick|insect)"
    if re.search(rf"\b{other}s?\b (?:\w+ )?(?:bit|bites|bitten|nipped)|\bbitten by (?:a |the |my |our |his |her )?(?:\w+ )?{other}\b", text):
        return False  # another animal did the biting: the bite rules and the nearest cases judge it
    return bool(re.search(r"\b(?:two|2) (?:little |small |tiny )?(?:marks|holes|punctures?|puncture marks|dots)\b", text) and re.search(r"\b(?:bit|bite|bitten)\b", text) and re.search(r"\b(?:swell\w*|swollen|sick|dizzy|faint)\b", text))


# A cut that gapes, shows fat or deeper layers, or a surgical wound that has come open (NHS cuts:
# go to A&E for a deep cut or one whose edges will not stay together).
def _gaping_wound(f: Facts) -> bool:
    text = plain(f)
    return bool(
        re.search(r"\bgap(?:ing|es)\b|\bsplit (?:wide )?open\b|\b(?:edges|sides) (?:won'?t|don'?t|do not) (?:stay |come )?(?:together|close)\b", text)
        and re.search(r"\b(?:see|seeing|showing|can see)\b[^.]{0,30}\b(?:white|yellow\w*|fat|bone|layers?|inside|tendon)|\bdeep\b|\bwon'?t stop|\boozing through|\bthrough the plasters?\b|\bwon'?t close\b", text)
    ) or bool(re.search(r"\b(?:wound|scar|incision|stitches)\b[^.]{0,30}\b(?:split|opened up|come apart|came apart|burst open|has opened|gaping)", text))


# Belly pain or swelling after a crash, fall or blow, with dizziness or fainting: possible bleeding
# inside (NICE NG39 major trauma).
def _abdominal_trauma(f: Facts) -> bool:
    text = plain(f)
    injury = re.search(r"\b(?:crash\w*|rolled|came off|fell off|fall from|hit by|kicked|handlebars?|accident|collision|knocked off|thrown)\b", text)
    belly = re.search(r"\b(?:belly|tummy|stomach|abdomen|abdominal|side|ribs?)\b[^.]{0,40}\b(?:sore|swell\w*|swollen|pain\w*|hurts?|tender|bigger|bruis\w*)|\b(?:pain|sore)\w* (?:in|round) (?:my|his|her) (?:belly|tummy|stomach|left side)", text)
    faint = re.search(r"\b(?:dizz\w*|faint\w*|light[- ]?headed|woozy|pale|clammy|pass(?:ed|ing)? out|going grey)\b", text)
    return bool(injury and belly and faint)


# A heel that gave way with a snap or a kick felt at the back of the ankle, and no push-off: a torn
# Achilles tendon (NHS: go to A&E if you think you've ruptured it).
def _achilles_rupture(f: Facts) -> bool:
    text = plain(f)
    snap = re.search(r"\b(?:snap|pop|thwack|whack|kick(?:ed)?|shot|hit)\w*\b[^.]{0,40}\b(?:back of (?:my|his|her|the) (?:leg|ankle|heel|calf)|achilles|heel)", text)
    weak = re.search(r"\b(?:can'?t|cannot|unable to) (?:go up on|stand on|push off|get up on|walk on) (?:my |his |her )?(?:tip ?toes?|toes|tiptoe)|\bflat[- ]footed\b|\bcan'?t push off\b", text)
    return bool(snap and weak)


# Something swallowed that is now stuck: drooling, unable to swallow drinks, or pain behind the
# breastbone on swallowing (NHS swallowed objects: go to A&E).
def _swallowed_object_stuck(f: Facts) -> bool:
    text = plain(f)
    swallowed = re.search(r"\bswallow\w*\b[^.]{0,40}\b(?:coin|\d+p|penny|denture|bone|toy|marble|bead|pin|magnet|button|ring|earring|lego|piece|chunk|object|something|meat|food)", text)
    stuck = re.search(r"\bdrool\w*|\bdribbl\w*|\bpointing at (?:his|her|my) (?:neck|throat|chest)|\brefus\w* (?:his|her|to eat|food|dinner|drinks)|\b(?:can'?t|won'?t|cannot|unable to|refus\w* to) swallow\b|\bspitting (?:out )?(?:everything|drinks|saliva)|\bstuck in (?:his|her|my) (?:throat|chest|food pipe|gullet)|\bpain (?:\w+ ){0,3}(?:breast ?bone|chest) (?:\w+ ){0,2}swallow", text)
    return bool(swallowed and stuck)


# Fresh bleeding from the throat after tonsils out (NHS: call 999 or go to A&E for any bleeding).
def _bleeding_after_tonsillectomy(f: Facts) -> bool:
    text = plain(f)
    return bool(re.search(r"\btonsil\w* (?:out|removed|taken out)|\btonsillectomy\b", text) and re.search(r"\b(?:blood|bleed\w*|clots?)\b", text))


# Any blow to a pregnant bump: a car crash, a seatbelt pulled tight, a fall or a kick (NHS: the
# maternity unit should check the baby now).
def _trauma_in_pregnancy(f: Facts) -> bool:
    text = plain(f)
    blow = re.search(r"\b(?:car (?:crash|accident|bump|collision)|crash\w*|seat ?belt|fell|fall(?:en)?|tripped|hit|punched|kicked|pushed|knocked|assault\w*)\b", text)
    return bool(f.pregnant and blow and re.search(r"\b(?:bump|tummy|belly|stomach|abdomen|front|baby|landed|seat ?belt|car)\b", text))


# Clear, watery fluid from the nose or an ear after a blow to the head (NICE NG232: a sign of a skull
# fracture, needs a scan).
def _fluid_after_head_injury(f: Facts) -> bool:
    text = plain(f)
    blow = re.search(r"\b(?:fell|fall|hit|banged|bumped|knocked|head|face|punched|crash\w*)\b", text)
    fluid = re.search(r"\bclear\b[^.]{0,20}\b(?:fluid|liquid|stuff|water|drip\w*|runn\w*)\b[^.]{0,40}\b(?:nose|ear|nostril)|\b(?:nose|ear|nostril)\b[^.]{0,30}\bclear (?:watery )?(?:fluid|liquid|stuff)", text)
    return bool(blow and fluid)


# A fall from above about a metre or five stairs, or from a roof, ladder or horse, with any head,
# neck or back complaint (NICE NG232: a dangerous mechanism of injury).
def _fall_from_height(f: Facts) -> bool:
    text = plain(f)
    high = re.search(
        r"\bfell (?:off|from|down) (?:a |the |his |her |my )?(?:roof|shed roof|ladder|scaffold\w*|balcony|tree|wall|horse|loft|bunk bed|climbing frame|stairs|flight of stairs)"
        r"|\b(?:fell|fall|fallen|dropped)\b[^.]{0,40}\b(?:[1-9](?:\.\d)?|one|two|three|four|five) ?(?:m|metres?|meters?|feet|ft)\b"
        r"|\b(?:off|from) (?:the |a )?(?:roof|ladder|scaffold\w*|balcony)\b",
        text,
    )
    return bool(high and re.search(r"\b(?:head|neck|back|spine|landed on)\b", text))


# A limb or digit mangled, crushed or cut off, or a deep cut from a power tool (NICE NG39 major trauma).
def _major_limb_trauma(f: Facts) -> bool:
    text = plain(f)
    return bool(
        re.search(r"\bmangled\b|\bamputat\w*|\bsevered\b|\b(?:cut|chopped|sliced|ripped|torn) (?:\w+ ){0,2}off\b|\bdeglov\w*|\bhanging off\b", text)
        or (re.search(r"\b(?:chainsaw|angle grinder|circular saw|table saw|mower|strimmer|machinery|glass)\b", text) and re.search(r"\bdeep\b|\bbleed\w* (?:a lot|loads|heavily|badly|everywhere)|\b(?:lots|loads|a lot) of blood\b|\bspurt\w*", text))
    )


# Fingers, toes, nose or ears gone white, hard, numb, blue or blistered after the cold (NHS
# frostbite: go to A&E).
def _frostbite(f: Facts) -> bool:
    text = plain(f)
    cold = re.search(r"\b(?:frost\w*|freezing|snow|ice|icy|winter|climb\w*|mountain|ski\w*|hypotherm\w*|sleeping rough|below zero|minus)\b", text)
    part = re.search(r"\b(?:fingers?|toes?|fingertips?|nose|ears?)\b[^.]{0,40}\b(?:white and hard|hard and white|gone hard|waxy|numb|blue|black|blister\w*)", text)
    return bool(cold and part)


# A puncture through a shoe, or a dirty wound, when tetanus jabs are not up to date (NHS tetanus:
# go to A&E for a deep or dirty wound if you are not fully vaccinated).
def _tetanus_prone_wound(f: Facts) -> bool:
    text = plain(f)
    dirty = re.search(r"\b(?:nail|rusty|fork|spike|manure|soil|thorn)\b[^.]{0,50}\b(?:through|into|in)\b|\bthrough (?:my|his|her|the) (?:trainer|shoe|boot|sole)", text)
    unvaccinated = re.search(r"\b(?:tetanus|jabs?|vaccin\w*|booster)\b[^.]{0,30}\b(?:years ago|never|not sure|don'?t know|can'?t remember|ages ago|out of date|not up to date)|\b(?:never|not) (?:had|been) (?:\w+ )?(?:tetanus|jabs|vaccinated)", text)
    return bool(dirty and unvaccinated)


INJURY_RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule("trauma_in_pregnancy", Level.EMERGENCY, "A crash, fall or blow in pregnancy: the maternity unit should check the baby now", NHS_PREGNANCY_TRAUMA, _trauma_in_pregnancy),
    RedFlagRule("fluid_after_head_injury", Level.EMERGENCY, "Clear fluid from the nose or an ear after a blow to the head", NICE_HEAD, _fluid_after_head_injury),
    RedFlagRule("fall_from_height", Level.EMERGENCY, "A fall from a height (a roof, ladder, a metre or more) with a head, neck or back complaint", NICE_HEAD, _fall_from_height),
    RedFlagRule("major_limb_trauma", Level.EMERGENCY_AMBULANCE, "A limb or finger mangled, crushed or cut off, or a deep cut from a power tool", NICE_MAJOR_TRAUMA, _major_limb_trauma),
    RedFlagRule("frostbite", Level.EMERGENCY, "Fingers, toes, nose or ears gone white, hard, numb, blue or blistered after the cold (possible frostbite)", NHS_FROSTBITE, _frostbite),
    RedFlagRule("tetanus_prone_wound", Level.EMERGENCY, "A puncture through a shoe or a dirty wound, with tetanus jabs not up to date", NHS_TETANUS, _tetanus_prone_wound),
    RedFlagRule("cold_pale_limb", Level.EMERGENCY_AMBULANCE, "A limb that has suddenly gone cold and pale or blue, and hurts or is numb (possible blocked artery)", NHS_PAD, _cold_pale_limb),
    RedFlagRule("compartment_syndrome", Level.EMERGENCY, "Pain that keeps getting worse under a cast or after a crush, with tight swelling or numb, pale fingers or toes", NHS_COMPARTMENT, _compartment_syndrome),
    RedFlagRule("nosebleed_not_stopping", Level.EMERGENCY, "A nosebleed that has not stopped after 10 to 15 minutes of pressure, or is heavy", NHS_NOSEBLEED, _nosebleed_not_stopping),
    RedFlagRule("testicle_injury", Level.EMERGENCY, "Pain and swelling in a testicle after a blow", NHS_TESTICLE, _testicle_injury),
    RedFlagRule("hair_tourniquet", Level.EMERGENCY, "A hair or thread wound tight round a toe, finger or penis", NHS_CUTS, _hair_tourniquet),
    RedFlagRule("tetanus_signs", Level.EMERGENCY_AMBULANCE, "Jaw stiffness or muscle spasms after a wound (possible tetanus)", NHS_TETANUS, _tetanus),
    RedFlagRule("rabies_risk", Level.EMERGENCY, "A bite or scratch from an animal abroad, or from a bat: treatment to prevent rabies is needed now", NHS_RABIES, _rabies_risk),
    RedFlagRule("fang_marks", Level.EMERGENCY, "A bite with two puncture marks and spreading swelling or sickness (possible snake bite)", NHS_BITES, _fang_marks),
    RedFlagRule("gaping_wound", Level.EMERGENCY, "A cut that gapes or shows deeper layers, or a surgical wound that has opened", NHS_CUTS, _gaping_wound),
    RedFlagRule("abdominal_trauma", Level.EMERGENCY_AMBULANCE, "Belly pain or swelling after a crash, fall or blow, with dizziness or fainting (possible internal bleeding)", NICE_MAJOR_TRAUMA, _abdominal_trauma),
    RedFlagRule("achilles_rupture", Level.EMERGENCY, "A snap or kick felt at the back of the ankle and unable to push off (possible torn Achilles tendon)", NHS_ACHILLES, _achilles_rupture),
    RedFlagRule("swallowed_object_stuck", Level.EMERGENCY, "A swallowed object that seems stuck: drooling, unable to swallow, or pain behind the breastbone", NHS_SWALLOWED, _swallowed_object_stuck),
    RedFlagRule("bleeding_after_tonsillectomy", Level.EMERGENCY_AMBULANCE, "Bleeding from the throat after having tonsils out", NHS_TONSILLECTOMY, _bleeding_after_tonsillectomy),
)
