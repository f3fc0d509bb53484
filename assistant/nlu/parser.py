"""The NLU entry point: intent ranking with a low-confidence fallback, plus entities."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.nlu.classifier import IntentClassifier
from assistant.nlu.entities import extract_entities

FALLBACK_INTENT = "nlu_fallback"  # Rasa's name, so Rasa clients and stories understand it


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: IntentScore
    ranking: list[IntentScore]
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def top_model_intent(self) -> IntentScore:
        """The classifier's own best guess, even when the fallback replaced it."""
        return next((s for s in self.ranking if s.name != FALLBACK_INTENT), self.intent)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": {"name": self.intent.name, "confidence": round(self.intent.confidence, 4)},
            "intent_ranking": [
                {"name": s.name, "confidence": round(s.confidence, 4)} for s in self.ranking
            ],
            "entities": self.entities,
        }


class NLUParser:
    def __init__(self, classifier: IntentClassifier, fallback_threshold: float, ranking_size: int = 10):
        self.classifier = classifier
        self.fallback_threshold = fallback_threshold
        self.ranking_size = ranking_size
        # Torch inference is thread-safe, but serialising keeps latency predictable on 2 cores.
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, model_dir: Path, fallback_threshold: float, backend: str = "onnx", threads: int = 0
    ) -> NLUParser:
        return cls(IntentClassifier.load(model_dir, backend, threads), fallback_threshold)

    @property
    def intents(self) -> list[str]:
        return list(self.classifier.labels)

    def parse(self, text: str) -> ParseResult:
        with self._lock:
            ranking = self.classifier.predict(text)
        scores = [IntentScore(name, confidence) for name, confidence in ranking[: self.ranking_size]]
        top = scores[0]
        if top.confidence < self.fallback_threshold:
            intent = IntentScore(FALLBACK_INTENT, self.fallback_threshold)
            scores = [intent, *scores][: self.ranking_size]
        else:
            intent = top
        entities = [e.to_rasa() for e in extract_entities(text)]
        return ParseResult(text=text, intent=intent, ranking=scores, entities=entities)
