"""Grounded answers to health and medication questions, extracted from guideline passages.

The answer is made of sentences taken from the retrieved passages (never generated), so it can say
nothing, dosing included, that the cited source does not say. When nothing relevant scores above
the calibrated similarity threshold, the assistant says it has no reliable information.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.core.capabilities import GuidelineReply
from retrieval.index import HybridIndex, SearchHit

SAFETY_FOOTER = (
    "This is general information, not a diagnosis. If symptoms are severe, sudden or getting worse, "
    "contact a doctor, or call 999 / 911 in an emergency."
)
_DOSING_QUESTION = re.compile(r"\b(how (?:much|many|often)|dose|dosage|mg|milligrams?|max(?:imum)?)\b", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


@dataclass
class GroundedAnswer(GuidelineReply):
    passages: list[dict] = field(default_factory=list)
    best_similarity: float = 0.0


_STOP = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "was", "be", "it", "i", "my", "me", "you", "your", "can", "do", "does", "how", "what", "when", "why", "should", "could", "would", "about", "this", "that", "have", "has", "if", "at", "by", "from"}


def _content_words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 2}


def _section_hint(question: str) -> str:
    q = question.lower()
    if re.search(r"\b(?:when|worry|worried|urgent|serious|emergency|a&e|999|911|dangerous)\b", q):
        return "urgent"
    if re.search(r"\b(?:treat|do about|do for|help|relieve|ease|at home|get rid|cure|manage|what can i)\b", q):
        return "self-care"
    if re.search(r"\b(?:what is|what are|what causes|symptoms?|signs?)\b", q):
        return "what it is"
    return ""


def _sentences(text: str) -> list[str]:
    parts = [p.strip(" -•") for p in _SENTENCE_SPLIT.split(text)]
    return [p for p in parts if len(p.split()) >= 4]


class GuidelineAnswerer:
    def __init__(self, index: HybridIndex, *, min_similarity: float = 0.45, max_sentences: int = 3):
        self.index = index
        self.min_similarity = min_similarity
        self.max_sentences = max_sentences

    def answer(self, question: str, *, language: str = "en") -> GroundedAnswer:
        query = self.index.encoder.encode_query(question)
        hits = self.index.search(question, k=4, query_vector=query)
        # Confidence comes from the dense similarity of the best passages to the question.
        scored = [(h, float(h.dense_score) if h.dense_score is not None else 0.0) for h in hits]
        best = max((s for _, s in scored), default=0.0)
        if not hits or best < self.min_similarity:
            return GroundedAnswer(text="", citations=[], confident=False, best_similarity=best)
        # Passages most similar in meaning first (fusion rank decides which passages are candidates).
        top = [h for h, s in sorted(scored, key=lambda x: -x[1]) if s >= self.min_similarity - 0.05][:2]
        # A few sentences from the best passages are enough, and keep a turn fast.
        candidates: list[tuple[str, SearchHit]] = [(s, h) for h in top for s in _sentences(h.chunk.text)[:6]]
        if not candidates:
            candidates = [(h.chunk.text, h) for h in top]
        # Sentences are picked by word overlap with the question (no second model call, so a turn
        # stays fast); the passages themselves were already chosen by meaning.
        question_words = _content_words(question)
        similarity = np.array(
            [len(question_words & _content_words(c)) / (1 + len(question_words)) for c, _ in candidates]
        )
        wanted_section = _section_hint(question)
        # Prefer the best passage a little, so the answer reads as one source, the section the
        # question is about (self-care, when to get help), and earlier sentences.
        for i, (_, hit) in enumerate(candidates):
            if hit is top[0]:
                similarity[i] += 0.15
            if wanted_section and wanted_section in hit.chunk.section.lower():
                similarity[i] += 0.3
            similarity[i] -= 0.01 * i
        chosen = sorted(np.argsort(-similarity)[: self.max_sentences].tolist())
        chosen = [i for i in chosen if similarity[i] >= similarity.max() - 0.2]
        sentences = [candidates[i][0] for i in chosen]
        used = []
        for i in chosen:
            hit = candidates[i][1]
            if hit not in used:
                used.append(hit)
        citations = [
            {
                "title": h.chunk.metadata.get("title", ""),
                "url": h.chunk.metadata.get("source_url", ""),
                "sources": h.chunk.metadata.get("sources", []),
                "publisher": h.chunk.metadata.get("publisher", ""),
                "section": h.chunk.section,
                "doc_id": h.chunk.doc_id,
            }
            for h in used
        ]
        body = " ".join(sentences)
        if _DOSING_QUESTION.search(question) and not re.search(r"\b\d+\s*(?:mg|ml|micrograms?)\b", body, re.IGNORECASE):
            body += " For the right dose for you, follow the leaflet that came with the medicine or ask a pharmacist."
        # One entry per document in the text (citations keep each passage's section).
        sources = "; ".join(
            dict.fromkeys(f"{c['title']} ({c['url']})" if c["url"] else c["title"] for c in citations)
        )
        text = f"{body}\n\nSources: {sources}\n\n{SAFETY_FOOTER}"
        return GroundedAnswer(
            text=text,
            citations=citations,
            confident=True,
            passages=[h.to_dict() for h in top],
            best_similarity=best,
        )
