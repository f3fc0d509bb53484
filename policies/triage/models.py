"""Plain data in and out of triage: no HTTP, no storage, no models."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Level(str, Enum):
    """The 5-level disposition scale, most urgent first."""

    EMERGENCY_AMBULANCE = "emergency_ambulance"
    EMERGENCY = "emergency"
    CONSULTATION_24 = "consultation_24"
    CONSULTATION = "consultation"
    SELF_CARE = "self_care"

    @property
    def urgency(self) -> int:
        return {"emergency_ambulance": 4, "emergency": 3, "consultation_24": 2, "consultation": 1, "self_care": 0}[self.value]

    @property
    def group(self) -> str:
        """The three-level scale: emergency, see a clinician, or self care."""
        return "emergency" if self.urgency >= 3 else "clinician" if self.urgency >= 1 else "self_care"

    def at_least(self, other: Level) -> Level:
        return self if self.urgency >= other.urgency else other

    def one_up(self) -> Level:
        order = [Level.SELF_CARE, Level.CONSULTATION, Level.CONSULTATION_24, Level.EMERGENCY, Level.EMERGENCY_AMBULANCE]
        return order[min(order.index(self) + 1, len(order) - 1)]


@dataclass
class FindingFact:
    key: str
    code: str = ""
    display: str = ""
    negated: bool = False
    severity: str | None = None
    onset: str | None = None
    duration_hours: float | None = None
    progression: str | None = None
    radiation: bool = False


@dataclass(frozen=True)
class SimilarCase:
    """A reference case (policies/triage/cases/) close in meaning to the message."""

    id: str
    level: Level
    similarity: float
    why: str
    source: str


@dataclass
class Facts:
    """What triage knows: findings, vitals, who the patient is, and interview answers."""

    text: str = ""
    findings: list[FindingFact] = field(default_factory=list)
    age_years: float | None = None
    sex: str | None = None
    pregnant: bool | None = None
    temperature_c: float | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    systolic: int | None = None
    diastolic: int | None = None
    respiratory_rate: int | None = None
    duration_hours: float | None = None
    onset: str | None = None
    severity: str | None = None
    progression: str | None = None
    conditions: list[str] = field(default_factory=list)  # chronic conditions from the record
    # Medicine classes ("anticoagulant", "insulin", ...) and the record's medicine names, lower case.
    medications: list[str] = field(default_factory=list)
    wearable_deviations: list[str] = field(default_factory=list)
    # Emergency presentations recognised by meaning: category id (policies/triage/presentations.yml)
    # -> similarity of the best matching clause.
    presentations: dict[str, float] = field(default_factory=dict)
    # The reference cases nearest in meaning to the whole message, closest first.
    similar_cases: list[SimilarCase] = field(default_factory=list)

    def has(self, *keys: str) -> bool:
        return any(f.key in keys and not f.negated for f in self.findings)

    @property
    def febrile(self) -> bool:
        """A fever in the words, or a stated temperature of 38C or more."""
        return self.has("fever") or (self.temperature_c or 0) >= 38

    @property
    def fever_ruled_out(self) -> bool:
        """A stated temperature under 38C, or "no fever" with no temperature and no fever said
        elsewhere (NICE NG143 counts a fever from 38C)."""
        if self.temperature_c is not None:
            return self.temperature_c < 38
        return any(f.key == "fever" and f.negated for f in self.findings) and not self.has("fever")

    def get(self, key: str) -> FindingFact | None:
        return next((f for f in self.findings if f.key == key and not f.negated), None)

    def any_severe(self) -> bool:
        return self.severity == "severe" or any(f.severity == "severe" for f in self.findings if not f.negated)

    @property
    def groups(self) -> list[str]:
        return [f.key for f in self.findings if not f.negated]


@dataclass(frozen=True)
class RedFlag:
    id: str
    level: Level
    description: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level.value, "description": self.description, "source": self.source}


@dataclass
class Rationale:
    rule: str
    level: Level
    explanation: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "level": self.level.value, "explanation": self.explanation, "source": self.source}


@dataclass
class Question:
    id: str
    text: str
    kind: str  # "yes_no" | "duration" | "scale" | "number"


@dataclass
class TriageResult:
    level: Level
    red_flags: list[RedFlag]
    rationale: list[Rationale]
    follow_up_questions: list[Question]
    advice: str
    protocol: str | None = None
