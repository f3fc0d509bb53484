"""Rule-based entity extraction: durations, people spoken for, ages, temperatures, medicines.

Rules (not a learned tagger) because these entities have regular surface forms and must be
dependable; coded symptom findings come from ``assistant.nlu.findings``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

_NUM = r"(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|couple of|few)"
_UNIT = r"(?:min(?:ute)?s?|h(?:ou)?rs?|days?|nights?|weeks?|wks?|months?|mths?|years?|yrs?)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "duration",
        re.compile(
            rf"\b(?:for|since|over|past|last)\s+(?:the\s+)?(?:{_NUM}\s+)?{_UNIT}\b"
            rf"|\b{_NUM}\s+{_UNIT}\b(?=\s+(?:now|ago|already))"
            r"|\bsince\s+(?:yesterday|last\s+night|this\s+morning|monday|tuesday|wednesday|thursday"
            r"|friday|saturday|sunday|last\s+week)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "age",
        re.compile(
            r"\b\d{1,3}\s*[- ]?(?:years?|yrs?|yo|y/o|months?|mo|weeks?|wks?|days?)[- ]?(?:old)?\b"
            r"(?=\s*(?:old|boy|girl|man|woman|baby|son|daughter|child|kid|male|female|m\b|f\b|,|$))",
            re.IGNORECASE,
        ),
    ),
    (
        "temperature",
        re.compile(r"\b\d{2,3}(?:\.\d)?\s*(?:°\s*)?(?:c|f|celsius|fahrenheit|degrees)\b", re.IGNORECASE),
    ),
    (
        "person",
        re.compile(
            r"\bmy\s+(?:\d+\s*(?:yr|year|month|week)s?[- ]?old\s+)?"
            r"(?:son|daughter|baby|child|kid|kids|toddler|boy|girl|husband|wife|partner|mum|mom|mother|"
            r"dad|father|grandma|grandmother|grandpa|grandfather|nan|gran|friend|brother|sister)\b",
            re.IGNORECASE,
        ),
    ),
]


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int
    extractor: str = "RegexEntityExtractor"

    def to_rasa(self) -> dict[str, object]:
        return {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "confidence_entity": 1.0,
            "value": self.value,
            "extractor": self.extractor,
        }


@lru_cache(maxsize=1)
def _medication_pattern() -> re.Pattern[str]:
    names = yaml.safe_load((Path(__file__).parent.parent / "data" / "medications.yml").read_text())
    terms = sorted({n.lower() for n in names["medications"]}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)


def extract_entities(text: str) -> list[Entity]:
    found: list[Entity] = []
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found.append(Entity(name, match.group(0).strip(), match.start(), match.end()))
    for match in _medication_pattern().finditer(text):
        found.append(
            Entity("medication", match.group(0).lower(), match.start(), match.end(), "LookupEntityExtractor")
        )
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    # Drop spans nested in a longer span of the same entity type.
    kept: list[Entity] = []
    for entity in found:
        if any(k.entity == entity.entity and k.start <= entity.start and entity.end <= k.end for k in kept):
            continue
        kept.append(entity)
    return kept
