"""The reference triage cases nearest in meaning to a message (MiniLM sentence similarity).

The cases and their levels are policy data (``policies/triage/cases/``); this module only finds the
nearest ones. When the model is unavailable it returns nothing and triage decides without them.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from policies.triage.case_bank import ReferenceCase, load_cases
from policies.triage.models import SimilarCase

DEFAULT_TOP_K = 10


class CaseMatcher:
    def __init__(self, top_k: int = DEFAULT_TOP_K) -> None:
        self.top_k = top_k
        self._lock = threading.Lock()
        self._encoder = None
        self._cases: tuple[ReferenceCase, ...] = ()
        self._vectors: np.ndarray = np.zeros((0, 1))

    def _ready(self):  # type: ignore[no-untyped-def]
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    from retrieval.encoder import shared_encoder

                    encoder = shared_encoder()
                    self._cases = load_cases()
                    texts = [c.text for c in self._cases]
                    self._vectors = encoder.encode_cached(texts, "triage-cases") if texts else np.zeros((0, 1))
                    self._encoder = encoder
        return self._encoder

    def nearest_to(self, vector: np.ndarray) -> list[SimilarCase]:
        self._ready()
        if not len(self._cases):
            return []
        similarity = self._vectors @ vector
        k = min(self.top_k, len(self._cases))
        top = np.argpartition(-similarity, k - 1)[:k]
        top = top[np.argsort(-similarity[top])]
        return [
            SimilarCase(self._cases[i].id, self._cases[i].level, float(similarity[i]), self._cases[i].why, self._cases[i].source)
            for i in top
        ]

    def nearest(self, text: str) -> list[SimilarCase]:
        encoder = self._ready()
        return self.nearest_to(encoder.encode([text])[0])


_matcher = CaseMatcher()


def similar_cases(text: str) -> list[SimilarCase]:
    """Nearest reference cases to ``text`` (empty when the model is unavailable)."""
    return _safely(_matcher.nearest, text)


def similar_cases_to(vector: np.ndarray) -> list[SimilarCase]:
    """``similar_cases`` for a message already embedded."""
    return _safely(_matcher.nearest_to, vector)


def _safely(find, query):  # type: ignore[no-untyped-def]
    try:
        return find(query)
    except Exception:
        logging.getLogger(__name__).warning("case matcher unavailable", exc_info=True)
        return []


def warm_up() -> None:
    try:
        _matcher._ready()
    except Exception:
        logging.getLogger(__name__).warning("case matcher unavailable at start-up", exc_info=True)
