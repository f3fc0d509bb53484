"""The default corpus we ship: enough documents, each with citation metadata and safety-netting."""

from __future__ import annotations

from pathlib import Path

from retrieval.documents import load_path

CORPUS = Path(__file__).resolve().parents[2] / "retrieval" / "corpus" / "guidelines"


def test_corpus_has_at_least_80_cited_documents_with_unique_ids() -> None:
    docs = load_path(CORPUS)
    assert len(docs) >= 80
    assert len({d.id for d in docs}) == len(docs)
    for doc in docs:
        assert doc.sources and all(u.startswith("https://") for u in doc.sources), doc.id
        assert doc.title and doc.publisher and doc.audience
        assert "## When to get urgent help" in doc.text, doc.id
