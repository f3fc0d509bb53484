"""Reference triage cases: short cases written by the project, each with the level a clinician
following NHS/NICE guidance would give it, a one-line reason and the public guidance it follows.

The NLU compares a new message with these cases by meaning (``assistant/nlu/findings/cases.py``);
this module only loads them and turns the nearest ones into a vote, so the decision stays plain
code over plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from policies.triage.models import Level, SimilarCase

CASES_DIR = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class ReferenceCase:
    id: str
    text: str
    level: Level
    why: str
    source: str


@lru_cache(maxsize=4)
def load_cases(directory: Path = CASES_DIR) -> tuple[ReferenceCase, ...]:
    cases: list[ReferenceCase] = []
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("cases") or []:
            cases.append(
                ReferenceCase(str(item["id"]), str(item["text"]), Level(item["level"]), str(item["why"]), str(item["source"]))
            )
    return tuple(cases)


@dataclass(frozen=True)
class CaseVote:
    """How the nearest reference cases split over the levels (weights sum to 1)."""

    weights: dict[Level, float]
    cases: tuple[SimilarCase, ...]

    def share(self, group: str) -> float:
        return sum(weight for level, weight in self.weights.items() if level.group == group)

    @property
    def emergency(self) -> float:
        return self.share("emergency")

    @property
    def clinician(self) -> float:
        return self.share("clinician")

    @property
    def self_care(self) -> float:
        return self.share("self_care")

    def best_in(self, *levels: Level) -> SimilarCase | None:
        return next((c for c in self.cases if c.level in levels), None)

    def level(self) -> Level:
        """The group with most weight, then its most weighted level (ties go to the more urgent)."""
        group = max(("emergency", "clinician", "self_care"), key=self.share)
        members = [level for level in Level if level.group == group]
        return max(members, key=lambda lvl: (self.weights.get(lvl, 0.0), lvl.urgency))


#: Similarities are sharpened before voting, so a much closer case outweighs several vague ones.
SHARPNESS = 15.0
#: How the policy uses the vote (benchmarks/triage.py; chosen on our earlier vignette sets, which
#: the case writers never saw):
#: - an emergency recognised only by meaning (a presentation) stands while at least this share of
#:   the vote is for emergencies; below it, the nearest cases say the message is something else;
SOFT_FLAG_SUPPORT = 0.15
#: - with no red flag, a level group holding at least this share of the vote sets the level;
LEAD_SHARE = 0.6
#: - and a vote this strongly for emergencies raises the level to emergency on its own.
EMERGENCY_SHARE = 0.5
#: The vote counts only when its closest case is at least this similar (a question about keyboard
#: shortcuts is near nothing in the bank), and it raises a level only for messages of at least
#: this many words: "my knee aches after football" is as close to a knee that cannot bear weight
#: after a tackle as to a sore knee, and a short message says too little to tell them apart.
MIN_SIMILARITY = 0.5
RAISE_MIN_WORDS = 8


def vote(cases: list[SimilarCase] | tuple[SimilarCase, ...]) -> CaseVote | None:
    """The vote of the nearest cases, or None when there are none or nothing in the bank is like
    the message (its closest case is below ``MIN_SIMILARITY``)."""
    ordered = tuple(sorted(cases, key=lambda c: -c.similarity))
    if not ordered or ordered[0].similarity < MIN_SIMILARITY:
        return None
    raw = np.exp(SHARPNESS * np.array([c.similarity for c in ordered]))
    weights: dict[Level, float] = {}
    for case, weight in zip(ordered, raw / raw.sum()):
        weights[case.level] = weights.get(case.level, 0.0) + float(weight)
    return CaseVote(weights, ordered)
