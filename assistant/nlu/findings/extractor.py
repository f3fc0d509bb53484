"""Free text -> coded clinical facts: SNOMED CT findings with negation and modifiers, vitals, age,
sex and pregnancy.

Lexicon first (``lexicon.yml``: lay and clinical phrasings per concept); when nothing in the lexicon
matches, the nearest concept by MiniLM sentence similarity to the concepts' plain descriptions,
above a threshold, so unseen wording ("everything looks like I'm in a smoky room") still codes.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

SNOMED = "http://snomed.info/sct"
LEXICON_FILE = Path(__file__).parent / "lexicon.yml"

_NEGATION = re.compile(
    r"\b(?:no|not|without|denies|denied|deny|never|none|nothing|negative for|free of|absence of|nor|"
    r"don'?t have|doesn'?t have|hasn'?t had|haven'?t had|didn'?t have|isn'?t|aren'?t|wasn'?t|"
    r"no sign of|no signs of|no history of)\b"
)
_TERMINATORS = re.compile(
    r"\b(?:but|however|although|though|except|apart from|yet|and now|now|reports?|complains? of|c/o|"
    r"has|have|had|with|presents? with)\b|[.;!?]|,\s*(?=(?:mild|moderate|severe|slight|bad|a |an |some |"
    r"sudden|constant|ongoing|new)\b)"
)
_WORD = re.compile(r"\w+")

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "couple of": 2, "few": 3, "several": 4,
}
_UNIT_HOURS = {"min": 1 / 60, "hour": 1, "hr": 1, "day": 24, "night": 24, "week": 168, "wk": 168,
               "month": 720, "mth": 720, "year": 8760, "yr": 8760}


@dataclass
class Finding:
    key: str
    code: str
    display: str
    group: str
    negated: bool = False
    system: str = SNOMED
    text: str = ""
    body_site: str | None = None
    onset: str | None = None  # "sudden" | "gradual"
    duration_hours: float | None = None
    severity: str | None = None  # "mild" | "moderate" | "severe"
    progression: str | None = None  # "worsening" | "improving" | "stable"
    radiation: bool = False
    matched_by: str = "lexicon"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False, "") or k == "negated"}


@dataclass
class Vitals:
    temperature_c: float | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    systolic: int | None = None
    diastolic: int | None = None
    respiratory_rate: int | None = None


@dataclass
class ClinicalFacts:
    text: str
    findings: list[Finding] = field(default_factory=list)
    vitals: Vitals = field(default_factory=Vitals)
    age_years: float | None = None
    sex: str | None = None
    pregnant: bool | None = None
    duration_hours: float | None = None
    onset: str | None = None
    severity: str | None = None
    progression: str | None = None
    presentations: list[Any] = field(default_factory=list)  # presentations.Presentation
    similar_cases: list[Any] = field(default_factory=list)  # policies.triage.models.SimilarCase
    medications: list[str] = field(default_factory=list)  # risk-relevant medicines named in the text

    def present(self, *keys: str) -> bool:
        return any(f.key in keys and not f.negated for f in self.findings)

    def finding(self, key: str) -> Finding | None:
        return next((f for f in self.findings if f.key == key and not f.negated), None)

    @property
    def positive(self) -> list[Finding]:
        return [f for f in self.findings if not f.negated]


@dataclass(frozen=True)
class Concept:
    key: str
    code: str
    display: str
    group: str
    pattern: re.Pattern[str]
    describe: tuple[str, ...]
    body_site: str | None


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_FILE) -> tuple[Concept, ...]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    concepts = []
    for key, item in document["concepts"].items():
        alternatives = "|".join(f"(?:{p})" for p in item["patterns"])
        concepts.append(
            Concept(
                key=key,
                code=str(item["code"]),
                display=item["display"],
                group=item["group"],
                pattern=re.compile(rf"\b(?:{alternatives})", re.IGNORECASE),
                describe=tuple(item.get("describe", [])),
                body_site=item.get("body_site"),
            )
        )
    return tuple(concepts)


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return re.sub(r"(\w)\1{2,}", r"\1\1", text)


def _is_negated(text: str, start: int) -> bool:
    """NegEx-style: a negation cue within five words before the finding, with no terminator between."""
    window = text[max(0, start - 60) : start]
    cut = list(_TERMINATORS.finditer(window))
    if cut:
        window = window[cut[-1].end() :]
    words = _WORD.findall(window)
    # The last item of a denied list reaches further back: "no visual disturbance, vomiting, neck
    # stiffness or fever".
    reach = 10 if words and words[-1] in ("or", "nor") else 5
    return bool(_NEGATION.search(" ".join(words[-reach:])))


# A finding reported as normal just after its name: "temperature is normal", "vision normal",
# "breathing fine". Clinical notes and parents alike write negation this way round.
_NORMAL_AFTER = re.compile(
    r"^\s*(?:is|was|are|were|'s|has been|have been|been|looks?|looked|seems?|seemed|feels?|felt)?\s*"
    r"(?:totally |completely |perfectly |still |all |back to )?(?:normal|fine|ok|okay|unaffected|unchanged|negative|clear)\b"
)


def _normal_after(text: str, end: int) -> bool:
    return bool(_NORMAL_AFTER.match(text[end : end + 40]))


def _clause(text: str, start: int, end: int) -> str:
    left = max(text.rfind(".", 0, start), text.rfind(";", 0, start), text.rfind("!", 0, start))
    right_candidates = [i for i in (text.find(".", end), text.find(";", end), text.find("!", end)) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left + 1 : right]


_DURATION = re.compile(
    r"\b(?:for|since|over|past|last|about|around|nearly|almost)?\s*(?:the\s+)?(?:past\s+|last\s+)?"
    r"(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|couple of|few|several)\s*"
    r"(min(?:ute)?s?|h(?:ou)?rs?|days?|nights?|weeks?|wks?|months?|mths?|years?|yrs?)\b(?!\s*old)"
)
# Numbers with a time unit that are not how long the complaint has lasted: a pregnancy's or a
# baby's age ("36 weeks pregnant", "her 8 week jabs", "he is 10 weeks"), or how often something
# happens ("a few times a year").
_NOT_A_DURATION_AFTER = re.compile(r"[- ]*(?:pregnant|gestation|jabs?|checks?|scans?|vaccin\w*|immuni[sz]\w*|injections?|of age|along)\b")
# ...nor how long morning stiffness lasts ("stiff <20 min on waking"), a clue to its kind.
_NOT_A_DURATION_BEFORE = re.compile(
    r"(?:\b(?:times?|once|twice|every|per|is|was|at|aged?|she'?s|he'?s|i'?m|baby(?:'?s)?|turned|temp\w*|t|hr|rr|pulse|sats|"
    r"stiff\w*(?:\s+(?:for|of|lasting|lasts))?)|[<>])\s*$"
)

# "...ago" after a past event dates the event, not the complaint ("a GP said it was harmless 3
# years ago", "the last one was a year ago", "had the implant put in 2 months ago").
_AGO = re.compile(r"\s+ago\b")
_PAST_EVENT = re.compile(r"\b(?:said|told|diagnos\w*|last (?:one|time|episode)|went through|put in|fitted|inserted|started on|had (?:it|one|them) (?:before|removed))\b")
# "for ages" and "for a long time" after an action ("ran it under the cold tap for ages", "standing
# for a long time") say how long the action went on.
_LONG_ACTION = re.compile(r"\b(?:tap|water|standing|sitting|waiting|walking|queu\w*|running|stood|sat|cooled?|rinsed?|held)\b[^.,]{0,25}$")


def _is_complaint_duration(text: str, match: re.Match[str]) -> bool:
    start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())  # past any leading space
    if _NOT_A_DURATION_AFTER.match(text, match.end()) or _NOT_A_DURATION_BEFORE.search(text[max(0, start - 12) : start]):
        return False
    return not (_AGO.match(text, match.end()) and _PAST_EVENT.search(text[max(0, match.start() - 50) : match.start()]))


def parse_duration_hours(text: str) -> float | None:
    gestation = _STATED_GESTATION.search(text)
    match = next((m for m in _DURATION.finditer(text) if _is_complaint_duration(text, m) and not (gestation and m.start() <= gestation.end() <= m.end() + 2)), None)
    if match:
        raw = match.group(1)
        number = float(raw) if raw[0].isdigit() else _NUMBER_WORDS.get(raw, 1)
        unit = re.sub(r"s$", "", match.group(2))
        unit = {"minute": "min", "mins": "min", "hours": "hour", "hrs": "hr", "h": "hour"}.get(unit, unit)
        for prefix, hours in _UNIT_HOURS.items():
            if unit.startswith(prefix):
                return number * hours
    shorthand = _shorthand_duration(text)
    if shorthand is not None:
        return shorthand
    # "most days for the last month or so": one unit, told without a number ("the last week"
    # is left out: it is as often "recently" as seven days)
    last = re.search(r"\b(?:for|over|in|during|since) (?:the |about the )?(?:last|past) (fortnight|month|year)\b", text)
    if last:
        return {"fortnight": 336, "month": 720, "year": 8760}[last.group(1)]
    if re.search(r"\b(?:since|from) (?:last night|this morning|today|earlier|an hour ago)\b|\bthis morning\b", text):
        return 12
    if re.search(r"\bsince yesterday\b|\byesterday\b", text):
        return 24
    if re.search(r"\bsince (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)\b", text):
        return 72
    long_time = re.search(r"\b(?:for ages|for a long time|(?:for|over) (?:many |several |a few )?months|months now|chronic|all my life|years now)\b", text)
    if long_time and not _LONG_ACTION.search(text[: long_time.start()]):
        return 2000
    return None


# Clinical shorthand for a duration: "3/7" days, "2/52" weeks, "8/12" months, "6/24" hours.
_SHORTHAND_DURATION = re.compile(r"(?<![/\d.])(\d{1,2})\s*/\s*(7|24|52|12)\b(?!\s*/)")
_SHORTHAND_HOURS = {"7": 24, "24": 1, "52": 168, "12": 720}


def _shorthand_duration(text: str) -> float | None:
    for match in _SHORTHAND_DURATION.finditer(text):
        before = text[max(0, match.start() - 16) : match.start()]
        if re.search(r"\b(?:bp|b/p|blood pressure|pressure|lmp|edd|dob)\W*$", before):
            continue  # a blood pressure (120/52 is not 120 weeks), or a date
        if match.group(2) in ("12", "52") and not text[: match.start()].strip() and parse_age(text) is not None:
            continue  # "18/12, fever" opens a note with the child's age
        return float(match.group(1)) * _SHORTHAND_HOURS[match.group(2)]
    return None


def _modifiers(clause: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if re.search(r"\b(?:sudden(?:ly)?|all of a sudden|out of (?:nowhere|the blue)|came on (?:fast|quickly)|abrupt\w*|thunderclap)\b", clause):
        out["onset"] = "sudden"
    elif re.search(r"\b(?:gradual(?:ly)?|slowly|over (?:weeks|months|time)|creeping)\b", clause):
        out["onset"] = "gradual"
    if re.search(r"\b(?:severe(?:ly)?|worst|excruciating|unbearable|agoni[sz]ing|killing|terrible|awful|"
                 r"extreme(?:ly)?|10/10|9/10|can'?t bear|so bad|really bad|very bad|intense|crushing|splitting|"
                 r"(?:really|very|extremely|so) painful|at rest|cyanos\w*|unable to (?:complete|finish) sentences?|gasping)\b", clause):
        out["severity"] = "severe"
    elif re.search(r"\b(?:mild(?:ly)?|slight(?:ly)?|a bit|a little|niggl\w*|minor|dull)\b", clause):
        out["severity"] = "mild"
    elif re.search(r"\bmoderate\b", clause):
        out["severity"] = "moderate"
    if re.search(r"\b(?:worse|worsening|getting worse|spreading|increasing|more and more|deteriorat\w*)\b", clause):
        out["progression"] = "worsening"
    elif re.search(r"\b(?:better|improving|easing|settling)\b", clause):
        out["progression"] = "improving"
    if re.search(r"\b(?:radiat\w*|(?:straight )?through to (?:my|his|her|the) back|spread\w* (?:to|into|down)|going (?:down|into|up) (?:my|his|her|the)|into (?:my|his|her|the) (?:jaw|arm|back|neck)|down (?:my|his|her|the) (?:left )?arm)\b", clause):
        out["radiation"] = True
    duration = parse_duration_hours(clause)
    if duration is not None:
        out["duration_hours"] = duration
    side = re.search(r"\b(left|right|both)\b", clause)
    if side:
        out["side"] = side.group(1)
    return out


def parse_vitals(text: str) -> Vitals:
    vitals = Vitals()
    temp = re.search(r"\b(\d{2,3}(?:\.\d+)?)\s*(?:°|degrees?|deg)?\s*(c|f|celsius|fahrenheit)?\b", text)
    for match in re.finditer(
        r"\b(?:temp(?:erature)?|fever|pyrexi\w*|t|thermometer)\s*"
        r"(?:(?:of|is|was|at|=|:|reading|reads?|says|said|shows?|showed|hit|went|up|to|around|about|over|nearly)\s*){0,3}"
        r"(\d{2,3}(?:\.\d+)?)\s*(?:°|degrees?)?\s*([cf])?\b",
        text,
    ):
        value = float(match.group(1))
        unit = match.group(2)
        if unit == "f" or value > 45:
            value = (value - 32) * 5 / 9
        if 30 <= value <= 45:
            vitals.temperature_c = round(value, 1)
            break
    if vitals.temperature_c is None and temp:
        for match in re.finditer(r"\b(3[5-9](?:\.\d)?|4[0-2](?:\.\d)?)\s*(?:°\s*c?|degrees?(?: c)?|c)\b", text):
            vitals.temperature_c = float(match.group(1))
            break
    # "felt hot, 38.4 under her arm": a bare reading with a decimal, in a message about heat.
    if vitals.temperature_c is None and re.search(r"\b(?:hot|warm|temp\w*|fever\w*|thermometer|burning up|feverish)\b", text):
        bare = re.search(r"(?<![\d.])(3[5-9]\.\d|4[0-2]\.\d)(?![\d.])(?!\s*(?:%|kg|kilo|lbs?|mmol|cm|mm|weeks?|wks?|years?|yrs?|months?|hours?|hrs?|/|\+))", text)
        if bare:
            vitals.temperature_c = float(bare.group(1))
    hr = re.search(r"\b(?:heart ?rate|pulse|hr|bpm|heart ?beat)\b\D{0,16}(\d{2,3})|\b(\d{2,3})\s*(?:bpm|beats (?:per|a|/) ?min\w*)\b", text)
    if hr:
        vitals.heart_rate = int(hr.group(1) or hr.group(2))
    spo2 = re.search(r"\b(?:spo2|sp02|sats?|saturation|oxygen(?: level)?s?|o2|oximet\w*|pulse ox)\b\D{0,15}(\d{2,3})\s*%?", text)
    if spo2 and 50 <= int(spo2.group(1)) <= 100:
        vitals.spo2 = int(spo2.group(1))
    bp = re.search(r"\b(\d{2,3})\s*/\s*(\d{2,3})\b", text)
    if bp and 60 <= int(bp.group(1)) <= 260 and 30 <= int(bp.group(2)) <= 160:
        vitals.systolic, vitals.diastolic = int(bp.group(1)), int(bp.group(2))
    rr = re.search(r"\b(?:resp(?:iratory)? ?rate|rr|breaths? (?:per|a) min\w*)\b\D{0,8}(\d{1,2})", text)
    if rr:
        vitals.respiratory_rate = int(rr.group(1))
    return vitals


# Words for a child a parent writes about, before an age given in brackets or commas.
_CHILD = "son|daughter|boy|girl|child|kid|grandson|granddaughter|nephew|niece"


def parse_age(text: str) -> float | None:
    match = re.search(r"\b(\d{1,3})\s*[- ]?(years?|yrs?|y/?o|months?|mos?|mths?|weeks?|wks?|days?)[- ]?(?:old|of age)?\b", text)
    if match and (re.search(r"old|y/?o|of age", match.group(0)) or re.search(rf"(?:\b(?:aged?|my|a|an|our|the|this|she'?s|he'?s|who'?s|is)|\b(?:baby|{_CHILD})\s*\()\s*$", text[: match.start()])):
        value = float(match.group(1))
        unit = match.group(2)
        if unit.startswith(("month", "mo", "mth")):
            return round(value / 12, 3)
        if unit.startswith(("week", "wk")):
            return round(value / 52, 3)
        if unit.startswith("day"):
            return round(value / 365, 3)
        return value
    # Clinical shorthand gives a child's age in twelfths or fifty-seconds of a year: "5/12 baby",
    # "18/12 M", "6/52 old". At the start of a note it is the age when a sex, a comma or "old"
    # follows; "2/52 hx of cough" is a duration.
    short = re.search(r"(?:^\s*|\baged?\s*)(\d{1,2})\s*/\s*(12|52)(?=\s*(?:old\b|baby\b|infant\b|boy\b|girl\b|m\b|f\b|male\b|female\b|,|$))", text) or re.search(
        r"\b(\d{1,2})\s*/\s*(12|52)\s*(?:old|baby|infant|boy|girl)\b", text
    )
    if short:
        return round(float(short.group(1)) / float(short.group(2)), 3)
    # Clinical notes open with age and sex: "6wk F", "3mo M", "10d M".
    note = re.match(r"\s*(\d{1,2})\s*(wks?|w|mos?|mths?|d)\s*(?:old\s*)?(?:m|f|male|female|boy|girl)\b", text)
    if note:
        value, unit = float(note.group(1)), note.group(2)
        return round(value / 52, 3) if unit.startswith("w") else round(value / 365, 3) if unit == "d" else round(value / 12, 3)
    match = re.search(r"\b(?:aged?|age)\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:yo|y\.o\.|m|f)\b(?=[\s,.;]|$)", text)
    if match:
        return float(match.group(1) or match.group(2))
    # A parent gives the age in brackets or commas after the child: "my daughter (4) has", "our son, 6, has".
    aside = re.search(rf"\b(?:{_CHILD})\s*(?:\(\s*|,\s*)(\d{{1,2}})\s*(?:\)|,)", text)
    if aside:
        return float(aside.group(1))
    if re.search(r"\b(?:newborn|new born|neonate)\b", text):
        return 0.05
    if re.search(r"\b(?:my|our|the) (?:baby|infant)\b", text):
        return 0.5
    if re.search(r"\btoddler\b", text):
        return 2.0
    return None


def parse_sex(text: str) -> str | None:
    female = len(re.findall(r"\b(?:woman|female|girl|she|her|mum|mom|mother|wife|daughter|sister|grandma|nan|lady|f)\b", text))
    male = len(re.findall(r"\b(?:man|male|boy|he|his|him|dad|father|husband|son|brother|grandad|grandpa|gentleman|m)\b", text))
    if female > male:
        return "female"
    if male > female:
        return "male"
    return None


# Medicines that change what an otherwise minor problem means (a knock to the head on a blood
# thinner needs a scan: NICE NG232), named by the patient; the record's list is merged in later.
_MEDICATION_CLASSES = {
    "anticoagulant": r"warfarin|coumadin|apixaban|eliquis|rivaroxaban|xarelto|edoxaban|lixiana|dabigatran|pradaxa|"
    r"heparin|enoxaparin|clexane|blood ?thinn\w*|anti-?coagula\w*",
    "antiplatelet": r"clopidogrel|plavix|ticagrelor|prasugrel",
    "insulin": r"insulin",
    "immunosuppressant": r"chemo(?:therapy)?|methotrexate|immunosuppress\w*|tacrolimus|azathioprine|prednisolone|steroid tablets",
}
_MEDICATION_PATTERNS = {name: re.compile(rf"\b(?:{pattern})\b") for name, pattern in _MEDICATION_CLASSES.items()}


def parse_medications(text: str) -> list[str]:
    """Risk-relevant medicine classes the text says the patient takes ("on warfarin", "blood thinners")."""
    found = []
    for name, pattern in _MEDICATION_PATTERNS.items():
        match = pattern.search(text)
        if match and not _is_negated(text, match.start()):
            found.append(name)
    return found


_STATED_GESTATION = re.compile(
    r"\b(?:i'?m|i am) (?:[4-9]|[1-3]\d|4[0-2]) ?(?:weeks?|wks?)\b(?!\s*(?:old|ago|post|after|since|into|out|off|of|on|late))|"
    r"^\s*(?:2\d|3\d|4[0-2]) ?(?:weeks?|wks?)\s*[,.;:]"
)


# A pregnancy test and its result, in lay words and clinical shorthand: "+ve UPT", "positive home
# preg test", "preg test came back positive", "hCG pos".
def _pregnancy_test_reading(result: str, before: str) -> re.Pattern[str]:
    """A pregnancy test with the given result, told before ("+ve UPT") or after ("test was positive")."""
    test = r"(?:upt|b-?hcg|hcg|preg\w*)"
    return re.compile(
        rf"(?:{before})\s+(?:home |urine |blood )?{test}\b|"
        rf"\b{test}(?: tests?)?\s+(?:(?:was|is|came back|came up|showed|shows|result)\s+){{0,2}}(?:{result})\b"
    )


_POSITIVE_TEST = _pregnancy_test_reading(r"\+ve|positive|pos", r"\+ve|\bpositive|\bpos")
_NEGATIVE_TEST = _pregnancy_test_reading(r"-ve|negative|neg", r"-ve|\bnegative|\bneg")


def parse_pregnancy(text: str) -> bool | None:
    if re.search(r"\b(?:not|isn'?t|am not|i'?m not) pregnant\b", text):
        return False
    # "I really don't want to get pregnant" and "we're trying to get pregnant" speak of a pregnancy
    # that does not exist yet ("could I be pregnant?" still counts: ectopic rules need it).
    text = re.sub(
        r"\b(?:want|wanting|trying|try|plan\w*|hop\w*)\b[^.?!,]{0,12}?\b(?:to )?(?:get|getting|be|being|become|becoming|falling|fall) pregnan\w*",
        " ",
        text,
    )
    # "No one pregnant at home", "is anyone pregnant?": someone else's pregnancy, asked about for
    # an infection's sake, not the patient's.
    text = re.sub(r"\b(?:no ?one|no-one|nobody|anyone|any one|someone|somebody|anybody)\b[^.?!,]{0,20}?\bpregnan\w*", " ", text)
    if _POSITIVE_TEST.search(text):
        return True
    if _NEGATIVE_TEST.search(text):
        return None  # "neg preg test": an early test can be wrong, so not "not pregnant" either
    if re.search(r"\bpregnan\w*|\b\d{1,2} weeks? (?:pregnant|gestation)|\bexpecting a baby\b|\b\d{1,2}\s*/\s*40\b|\b\d{1,2}\+\d weeks\b", text):
        return True
    # "period is 2 weeks late and the test was positive"
    if re.search(r"\b(?:period|af)\w* (?:is |was |are )?(?:\w+ ){0,3}?late\b|\bmissed (?:my |a |her )?period", text) and re.search(r"\bpositive\b|\btwo lines\b", text):
        return True
    # "I'm 30 weeks and ...", or a message that opens with "36 weeks," (a duration that long would
    # be told in months): a gestation. "She's 6 weeks" is usually a baby's age, so only "I'm".
    if _STATED_GESTATION.search(text):
        return True
    # "36 weeks and the baby has hardly moved", "39 weeks, my waters have gone": a gestation
    # stated at the start of a clause, with words only pregnancy uses.
    if re.search(r"(?:^|[,.;]\s*|\b(?:i'?m|i am|she'?s|she is|at|now)\s+)(?:\d{1,2}\s*(?:weeks?|wks?)\b(?!\s*(?:old|ago))|[1-4]\d\+[0-6]\b)", text) and re.search(
        r"\b(?:period[- ](?:type|like) (?:cramps?|pains?)|(?:cramps?|pains?) every \d{1,2} ?min\w*|waters|contractions?|tightenings?|braxton|twins|midwife|fetal|foetal|bump|labour|labor|kicks?|kicking|baby (?:is |has |hasn'?t |isn'?t )?(?:\w+ )?mov\w*)\b", text
    ):
        return True
    return None


# Findings that trigger red flags are never guessed from similarity: only explicit wording counts.
_NOT_INFERRED = {
    "rash_nonblanching", "neck_stiffness", "suicidal_ideation", "confusion", "seizure", "unconscious",
    "facial_droop", "slurred_speech", "limb_weakness", "bleeding", "head_injury", "sweating",
    "suspected_fracture", "burn", "poisoning",
}


EXAMPLES_FILE = Path(__file__).parent / "examples.yml"


@lru_cache(maxsize=1)
def load_examples(path: Path = EXAMPLES_FILE) -> dict[str, tuple[str, ...]]:
    """Our own example utterances per concept (``examples.yml``), for the nearest-neighbour matcher."""
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {key: tuple(str(x) for x in lines) for key, lines in (document.get("examples") or {}).items()}


class _SemanticFallback:
    """Nearest concepts by sentence similarity to example utterances, for wording no pattern covers.

    Each concept is scored by the mean similarity of its ``top_k`` closest examples (its plain
    descriptions and the utterances in ``examples.yml``): one lucky example is not enough, which
    keeps a concept with many varied examples from winning on a single coincidental phrase.
    """

    def __init__(self, threshold: float = 0.45, top_k: int = 3) -> None:
        self.threshold = threshold
        self.top_k = top_k
        self._lock = threading.Lock()
        self._encoder = None
        self._matrix = None
        self._owners: list[Concept] = []
        self._concepts: list[Concept] = []
        self._rows: list[np.ndarray] = []
        self._example_rows: np.ndarray = np.zeros(0, dtype=int)  # rows from examples.yml

    def _ready(self):  # type: ignore[no-untyped-def]
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    from retrieval.encoder import shared_encoder

                    encoder = shared_encoder()
                    examples = load_examples()
                    owners, texts, example_rows = [], [], []
                    for concept in load_lexicon():
                        if concept.key in _NOT_INFERRED:
                            continue
                        uttered = examples.get(concept.key, ())
                        lines = (*(concept.describe or (concept.display,)), *uttered)
                        for line in dict.fromkeys(lines):
                            if line in uttered:
                                example_rows.append(len(texts))
                            owners.append(concept)
                            texts.append(line)
                    self._matrix = encoder.encode_cached(texts, "findings-examples")
                    self._example_rows = np.array(example_rows, dtype=int)
                    self._owners = owners
                    self._concepts = list(dict.fromkeys(owners))
                    self._rows = [
                        np.array([i for i, o in enumerate(owners) if o is concept]) for concept in self._concepts
                    ]
                    self._encoder = encoder
        return self._encoder

    def example_vectors(self) -> np.ndarray:
        """The vectors of the everyday complaint utterances in ``examples.yml``."""
        self._ready()
        return self._matrix[self._example_rows]  # type: ignore[index]

    def ranked(self, text: str, vector: np.ndarray | None = None) -> list[tuple[Concept, float]]:
        """Concepts with their scores, best first (scores are cosine similarities, -1..1);
        ``vector`` is the text's embedding when the caller already has it."""
        encoder = self._ready()
        similarity = self._matrix @ (encoder.encode_query(text) if vector is None else vector)  # type: ignore[operator]
        scored = []
        for concept, rows in zip(self._concepts, self._rows):
            top = np.sort(similarity[rows])[-self.top_k :]
            scored.append((concept, float(top.mean())))
        return sorted(scored, key=lambda pair: pair[1], reverse=True)

    def nearest(self, text: str, vector: np.ndarray | None = None) -> tuple[Concept, float] | None:
        ranked = self.ranked(text, vector)
        if not ranked or ranked[0][1] < self.threshold:
            return None
        return ranked[0]


_fallback = _SemanticFallback()


def everyday_example_vectors() -> np.ndarray:
    """Sentence vectors of everyday complaints (``examples.yml``), shared with other matchers."""
    return _fallback.example_vectors()


def warm_up() -> None:
    """Load the matchers now (model + example vectors), so the first patient does not wait."""
    from assistant.nlu.findings import cases, presentations

    try:
        _fallback._ready()
    except Exception:
        logging.getLogger(__name__).warning("symptom matcher unavailable at start-up", exc_info=True)
    presentations.warm_up()
    cases.warm_up()


def extract_facts(
    text: str,
    *,
    age: float | None = None,
    sex: str | None = None,
    semantic_fallback: bool = True,
    presentations: bool = False,
) -> ClinicalFacts:
    clean = _normalise(text)
    facts = ClinicalFacts(text=text)
    found: dict[str, Finding] = {}
    for concept in load_lexicon():
        for match in concept.pattern.finditer(clean):
            clause = _clause(clean, match.start(), match.end())
            mods = _modifiers(clause)
            negated = _is_negated(clean, match.start()) or _normal_after(clean, match.end())
            finding = Finding(
                key=concept.key,
                code=concept.code,
                display=concept.display,
                group=concept.group,
                negated=negated,
                text=match.group(0),
                body_site=concept.body_site,
                onset=mods.get("onset"),
                duration_hours=mods.get("duration_hours"),
                severity=mods.get("severity"),
                progression=mods.get("progression"),
                radiation=bool(mods.get("radiation")),
            )
            previous = found.get(concept.key)
            # A positive mention outweighs a negated one ("no fever earlier, but now a fever").
            if previous is None or (previous.negated and not negated):
                found[concept.key] = finding
    facts.findings = list(found.values())
    text_vector = None
    if presentations:
        facts.presentations, facts.similar_cases, text_vector = _by_meaning(text)
    if semantic_fallback and not facts.positive and len(clean.split()) >= 2:
        try:
            nearest = _fallback.nearest(clean, text_vector)
        except Exception:  # noqa: BLE001 - the lexicon result stands without the model
            nearest = None
        # The meaning of "no temperature" is close to fever: never re-add what the text denies.
        if nearest is not None and nearest[0].key not in found:
            concept, _score = nearest
            mods = _modifiers(clean)
            facts.findings.append(
                Finding(
                    key=concept.key, code=concept.code, display=concept.display, group=concept.group,
                    text=text.strip()[:80], body_site=concept.body_site, onset=mods.get("onset"),
                    duration_hours=mods.get("duration_hours"), severity=mods.get("severity"),
                    progression=mods.get("progression"), matched_by="embedding",
                )
            )
    whole = _modifiers(clean)
    facts.onset = whole.get("onset")
    facts.severity = whole.get("severity")
    facts.progression = whole.get("progression")
    facts.duration_hours = whole.get("duration_hours")
    facts.vitals = parse_vitals(clean)
    stated = parse_age(clean)
    # A form's age is in whole years: 0 says "under one", the text may say "8 months".
    refines_form = age is not None and age < 1 and stated is not None and stated < 1
    facts.age_years = float(age) if age is not None and not refines_form else stated
    facts.sex = sex or parse_sex(clean)
    facts.pregnant = parse_pregnancy(clean)
    facts.medications = parse_medications(clean)
    return facts


def _by_meaning(text: str) -> tuple[list[Any], list[Any], np.ndarray | None]:
    """Emergency presentations, the nearest reference cases and the message's own vector, from one
    batched model call over the message and its clauses. Without the model, all are empty and
    triage goes on without them."""
    from assistant.nlu.findings import cases, presentations

    parts = presentations.clauses(text)
    try:
        from retrieval.blas import one_blas_thread
        from retrieval.encoder import shared_encoder

        # 128 tokens (what MiniLM was trained on) hold the complaint of even a rambling message.
        # A one-sentence message is its own only clause: embedded once. The encoder batches the
        # texts by length, so short clauses are not padded to the whole message's length.
        texts = list(dict.fromkeys([text, *parts]))
        vectors = shared_encoder().encode(texts, max_length=128)
    except Exception:
        logging.getLogger(__name__).warning("sentence model unavailable for triage", exc_info=True)
        return [], [], None
    clause_vectors = vectors[[texts.index(part) for part in parts]] if parts else vectors[:0]
    with one_blas_thread():
        found = presentations.recognise_vectors(parts, clause_vectors), cases.similar_cases_to(vectors[0])
    return *found, vectors[0]


def primary_finding(facts: ClinicalFacts) -> Finding | None:
    """The finding a lay complaint is mostly about: the most specific positive one."""
    order = [
        "chest_pain", "shortness_of_breath", "headache", "abdominal_pain", "infected_wound", "open_wound",
        "sports_injury", "ear_pain", "blurred_vision", "hair_loss", "acne", "muscle_pain", "knee_pain",
        "joint_pain", "foot_pain", "neck_pain", "shoulder_pain", "back_pain", "cough", "feeling_cold",
        "dizziness", "low_mood", "skin_issue", "weakness", "sore_throat", "nausea", "vomiting",
    ]
    positive = {f.key: f for f in facts.positive}
    for key in order:
        if key in positive:
            return positive[key]
    return facts.positive[0] if facts.positive else None
