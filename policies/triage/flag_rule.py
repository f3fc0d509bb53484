"""One deterministic red-flag rule: an id, the level it sets, why, the guidance it follows, and a
test over the facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

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
    return _plain_text(f.text)


@lru_cache(maxsize=256)
def _plain_text(text: str) -> str:
    # Some hundred rules read the same message; finding its denials once keeps triage fast.
    return without_denials(text.lower())
