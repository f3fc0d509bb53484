"""The safety policy: emergency and mental-health crisis detection on every message.

Pure, deterministic code over the message text. It runs before anything else in a turn and does not
depend on the intent model: the model's verdict can only *add* a detection (never remove one), and
if the model or any other dependency is failing the phrase rules still fire.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

SafetyKind = Literal["emergency", "mental_health_crisis"]

RULES_FILE = Path(__file__).parent / "safety_rules.yml"


@dataclass(frozen=True)
class SafetyRule:
    id: str
    kind: SafetyKind
    pattern: re.Pattern[str]
    description: str
    # Condition names ("a stroke", "a heart attack") also appear in history and questions.
    suppress_in_history: bool = False
    suppress_in_questions: bool = False
    suppress_in_message: re.Pattern[str] | None = None


@dataclass(frozen=True)
class SafetyVerdict:
    kind: SafetyKind
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    source: str  # "rules", "red_flags", "intent_model" or a combination
    also: tuple[SafetyKind, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "rules": list(self.rules),
            "reasons": list(self.reasons),
            "source": self.source,
            "also": list(self.also),
        }


@dataclass(frozen=True)
class IntentSignal:
    name: str
    confidence: float


#: An extra detector (e.g. the triage emergency red flags): text -> [(rule id, reason)].
ExtraDetector = Callable[[str], Sequence[tuple[str, str]]]


_HISTORY = re.compile(
    r"\b(?:(?:\d+|a|an|few|several|many|two|three|some) (?:years?|months?) ago|last (?:year|month|summer|winter)|years? back|history of|in (?:19|20)\d\d|used to|"
    r"when i was|previous(?:ly)?|had (?:a|my) (?:\w+ )?(?:stroke|heart attack|seizure)s? (?:in|back)|"
    r"after (?:my|his|her) (?:stroke|heart attack)|since (?:my|his|her) (?:stroke|heart attack)|"
    r"recover(?:ed|ing) from|survivor)\b",
    re.IGNORECASE,
)
_INFO_QUESTION = re.compile(
    r"^\s*(?:what|how|why|which|when|where|who|is it true|is it|are there|can you (?:tell|explain)|"
    r"could you (?:tell|explain)|tell me|explain|define|info(?:rmation)? (?:on|about)|should|"
    r"do (?:you|people|i need)|does|can (?:you|people|a|an)|are (?:the|there))\b",
    re.IGNORECASE,
)
# Signs that a question is about a real, current situation rather than a topic.
_PERSONAL_NOW = re.compile(
    r"\b(?:i'?m|i am|i'?ve|i have|i feel|i think i|i can'?t|i cant|im|ive|"
    r"my \w+(?: \w+)? (?:is|has|was|just|can'?t|cant|won'?t|keeps|isn'?t|seems|looks)|"
    r"(?:his|her|their) \w+ (?:is|are|has|keeps|won'?t|went)|he'?s|she'?s|they'?re|he is|she is|"
    r"they are|he has|she has|right now|now|currently|at the moment|happening|help me|help him|"
    r"help her|please help|someone is|someone'?s|somebody is|it won'?t|won'?t stop|urgent)\b",
    re.IGNORECASE,
)
# "what should I do if someone is choking" is a question about a hypothetical person.
_HYPOTHETICAL = re.compile(
    r"\b(?:if|when) (?:someone|somebody|a person|a child|a baby|a friend|you|people|one)\b.*$", re.IGNORECASE
)


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_FILE) -> tuple[SafetyRule, ...]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules: list[SafetyRule] = []
    for kind in ("emergency", "mental_health_crisis"):
        for item in document[kind]:
            rules.append(
                SafetyRule(
                    id=item["id"],
                    kind=kind,  # type: ignore[arg-type]
                    pattern=re.compile(item["pattern"], re.IGNORECASE),
                    description=item["description"],
                    suppress_in_history=bool(item.get("suppress_in_history", False)),
                    suppress_in_questions=bool(item.get("suppress_in_questions", True)),
                    suppress_in_message=re.compile(item["suppress_in_message"], re.IGNORECASE | re.DOTALL)
                    if item.get("suppress_in_message")
                    else None,
                )
            )
    return tuple(rules)


def normalise(text: str) -> str:
    """Lower-case, straighten quotes and squeeze repeated letters ("pleeease" -> "pleease")."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)
    return re.sub(r"\s+", " ", text).strip().lower()


_NEGATION_CUE = re.compile(
    r"\b(?:no|denies|denied|denying|without|negative for|never had|no history of|nil|"
    # "not thinking about hurting myself", "not going to do anything to myself"
    r"not (?:thinking|thought|planning|going|intending|wanting)|never (?:thought|would))\b"
)


def _negated_before(sentence: str, start: int) -> bool:
    """Clinical negation just before a match: "no thoughts of self-harm", "denies chest pain"."""
    # Within the clause: "no fever, but vomiting blood" denies only the fever.
    clause = re.split(r"[,;:]|\bbut\b", sentence[max(0, start - 40) : start])[-1]
    if _DENIED_THOUGHTS.search(sentence[max(0, start - 80) : start]) or _DENIED_PAIR.search(clause):
        return True
    before = re.findall(r"[\w']+", clause)[-3:]
    # "she didn't hurt herself" (in a fall or a fit), "not struggling to breathe": only when the
    # word is the very one before, so "tried but didn't manage to kill myself" is still heard.
    return bool(_NEGATION_CUE.search(" ".join(before))) or (bool(before) and before[-1] in ("didn't", "didnt", "not"))


# "I haven't had any thoughts of harming myself or ending my life", "no plans to end it", "denies
# thoughts of self-harm/suicide": a denial a few words back, through an "or" (or a slash) that
# joins two denied thoughts.
_DENIED_THOUGHTS = re.compile(
    r"\b(?:no|not|never|haven'?t|havent|hasn'?t|hasnt|don'?t|dont|doesn'?t|doesnt|without|denies|denied|denying)\b(?:[\s/]+[\w']+){0,3}?[\s/]+"
    r"(?:thoughts?|urges?|plans?|intentions?|ideas?|intent|wish)\s+(?:of|about|to)\b(?:\s+[\w'-]+){0,4}?(?:\s+(?:or|nor)|\s*/)?\s*$"
)


# "No self-harm or suicidal ideation", "no self-harm/suicide", "denies fever or rigors": a denial of one short item
# carried over "or" to the next (two words at most, so "no idea what to do or ..." is not one).
_DENIED_PAIR = re.compile(r"\b(?:no|nil|denies|denied|without|negative for)\s+[\w'-]+(?:\s+[\w'-]+)?(?:\s+(?:or|nor)|\s*/)\s*$")


_DENIALS = re.compile(r"\b(?:no|not|nil|without|denies|denied)\b[^,.;]{0,30}")


# A denied list ends on "or": "no leg weakness, saddle numbness or bladder change".
_DENIED_LIST = re.compile(r"\b(?:no|nil|without|denies|denied|negative for)\b(?:[^,.;]{0,30},\s*){1,6}?[^,.;]{0,30}?\b(?:or|nor)\b[^,.;]{0,30}")
_LIST_BREAK = re.compile(
    r",\s*(?:but|and now|now|then|though|yet|however)\b|"
    # ...and a list of denials names signs, not a course ("no fever, cough since monday, worse at
    # night or lying down" denies only the fever).
    r"\b(?:since|for|worse|better|started|getting|today|yesterday|tonight|days?|weeks?|hours?)\b|\d"
)


def _denied_lists(text: str) -> list[tuple[int, int]]:
    """Spans of denied lists; a list stops at a turn ("no fever, but vomiting or diarrhoea"
    denies only the fever) or a course ("since monday, worse at night")."""
    return [m.span() for m in _DENIED_LIST.finditer(text) if not _LIST_BREAK.search(m.group(0))]


def without_denials(text: str) -> str:
    """``text`` with its denied phrases blanked out ("no shoulder tip pain", "denies vomiting",
    "no weight loss, dysphagia or melaena"), for rules that look for a sign anywhere in a message."""
    for start, end in reversed(_denied_lists(text)):
        text = text[:start] + " " + text[end:]
    return _DENIALS.sub(" ", text)


def _in_denied_list(sentence: str, start: int) -> bool:
    """A match inside a denied list: the melaena of "no weight loss, vomiting or melaena"."""
    return any(a <= start < b for a, b in _denied_lists(sentence))


def _negated_inside(sentence: str, match: re.Match[str]) -> bool:
    """The sign a pattern ends on, denied within the match: "pregnant with cramps, no shoulder tip
    pain", "chest sore after the gym, no sweating"."""
    if match.lastindex is None:
        return False
    start = match.start(match.lastindex)
    if start <= match.start():
        return False
    before = re.findall(r"[\w']+", sentence[match.start() : start])[-2:]
    return bool(_NEGATION_CUE.search(" ".join(before)))


def _first_standing(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """The first match that is not denied: "no thoughts of suicide until today, now I want to end
    it all" is heard on its second match."""
    for match in pattern.finditer(sentence):
        found: re.Match[str] | None = match
        if _negated_inside(sentence, match):
            # Look again without the denials: "on warfarin, hit his head, no vomiting" still
            # matches on the warfarin.
            found = pattern.search(without_denials(sentence))
        if found is not None and not _negated_before(sentence, found.start()) and not _in_denied_list(sentence, found.start()):
            return found
    return None


def _is_info_question(sentence: str) -> bool:
    if not _INFO_QUESTION.search(sentence):
        return False
    return not _PERSONAL_NOW.search(_HYPOTHETICAL.sub("", sentence))


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|\n+", text)
    return [p for p in parts if p.strip()] or [text]


@dataclass
class SafetyPolicy:
    """Detects emergencies and crises; the rules are data in ``safety_rules.yml``."""

    rules: tuple[SafetyRule, ...] = field(default_factory=load_rules)
    extra_detectors: tuple[ExtraDetector, ...] = ()
    intent_threshold: float = 0.75

    def evaluate(self, text: str, intent: IntentSignal | None = None) -> SafetyVerdict | None:
        clean = normalise(text)
        hits: dict[SafetyKind, list[tuple[str, str]]] = {"emergency": [], "mental_health_crisis": []}
        sources: set[str] = set()
        for sentence in _sentences(clean):
            question = _is_info_question(sentence)
            history = bool(_HISTORY.search(sentence))
            for rule in self.rules:
                match = _first_standing(rule.pattern, sentence)
                if match is None:
                    continue
                if rule.suppress_in_questions and question:
                    continue
                if rule.suppress_in_history and history:
                    continue
                if rule.suppress_in_message is not None and rule.suppress_in_message.search(clean):
                    continue
                hits[rule.kind].append((rule.id, rule.description))
                sources.add("rules")
        for detector in self.extra_detectors:
            try:
                found = detector(text)
            except Exception:  # noqa: BLE001 - a failing extra detector must never block safety
                found = ()
            if found:
                hits["emergency"].extend(found)
                sources.add("red_flags")
        if (
            intent is not None
            and intent.confidence >= self.intent_threshold
            and intent.name in hits
            and not _is_info_question(clean)
        ):
            hits[intent.name].append(  # type: ignore[index]
                (f"intent:{intent.name}", f"intent model: {intent.name} ({intent.confidence:.2f})")
            )
            sources.add("intent_model")
        # A crisis message keeps its kind even when it also carries physical danger (an overdose
        # taken to end one's life): the reply then gives emergency advice first (see ``also``).
        crisis = _dedupe(hits["mental_health_crisis"])
        emergency = _dedupe(hits["emergency"])
        source = "+".join(sorted(sources))
        if crisis:
            return SafetyVerdict(
                "mental_health_crisis",
                tuple(r for r, _ in crisis + emergency),
                tuple(d for _, d in crisis + emergency),
                source,
                also=("emergency",) if emergency else (),
            )
        if emergency:
            return SafetyVerdict(
                "emergency", tuple(r for r, _ in emergency), tuple(d for _, d in emergency), source
            )
        return None


def _dedupe(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for rule_id, reason in items:
        seen.setdefault(rule_id, reason)
    return list(seen.items())
