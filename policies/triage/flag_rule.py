"""One deterministic red-flag rule: an id, the level it sets, why, the guidance it follows, and a
test over the facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policies.safety import without_denials
from policies.triage.models import Facts, Level, RedFlag


@dataclass(frozen=True)
class RedFlagRule:
    id: str
    level: Level
    description: str
    source: str
    test: Callable[[Facts], bool]

    def flag(self) -> RedFlag:
        return RedFlag(self.id, self.level, self.description, self.source)


def plain(f: Facts) -> str:
    """The text in lower case with denied phrases removed ("no stridor at rest", "no ketones")."""
    return without_denials(f.text.lower())
