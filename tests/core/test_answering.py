from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.answering import SAFETY_FOOTER, GuidelineAnswerer

FIXTURES = Path(__file__).resolve().parents[1] / "retrieval" / "fixtures"


@pytest.fixture(scope="module")
def answerer():  # type: ignore[no-untyped-def]
    from retrieval.documents import load_path
    from retrieval.encoder import SentenceEncoder
    from retrieval.index import HybridIndex

    index = HybridIndex(SentenceEncoder())
    index.upsert(load_path(FIXTURES))
    return GuidelineAnswerer(index, min_similarity=0.45)


def test_answers_are_extracted_from_the_source_and_cited(answerer) -> None:  # type: ignore[no-untyped-def]
    reply = answerer.answer("what can I do about sunburn at home?")

    assert reply.confident
    assert "cool" in reply.text.lower()
    assert reply.citations[0]["url"] == "https://www.nhs.uk/conditions/sunburn/"
    assert SAFETY_FOOTER in reply.text


def test_unrelated_questions_get_no_answer(answerer) -> None:  # type: ignore[no-untyped-def]
    reply = answerer.answer("what is the best interest rate for a mortgage")

    assert not reply.confident and reply.citations == []


def test_dose_questions_never_get_an_invented_dose(answerer) -> None:  # type: ignore[no-untyped-def]
    reply = answerer.answer("how much reliever inhaler should I use for asthma")

    assert "leaflet" in reply.text and "pharmacist" in reply.text
