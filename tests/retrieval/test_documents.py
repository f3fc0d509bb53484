from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.chunking import chunk_document
from retrieval.documents import DocumentError, load_path

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_format_loads_with_its_citation_metadata() -> None:
    docs = {d.id: d for d in load_path(FIXTURES)}

    assert set(docs) == {"asthma-test", "sunburn", "handwashing", "jl-1", "jl-2"}
    assert docs["asthma-test"].source_url == "https://www.nhs.uk/conditions/asthma/"
    assert docs["asthma-test"].region == "uk" and docs["asthma-test"].audience == "patient"
    assert docs["sunburn"].title == "Sunburn (test page)" and docs["sunburn"].source_url.endswith("/sunburn/")
    assert "menu" not in docs["sunburn"].text
    assert docs["jl-1"].source_url.endswith("/gout/") and "uric acid" in docs["jl-1"].text


def test_chunks_follow_headings_and_skip_the_sources_list() -> None:
    asthma = next(d for d in load_path(FIXTURES) if d.id == "asthma-test")

    chunks = chunk_document(asthma)

    sections = [c.section for c in chunks]
    assert any(s.endswith("Self-care") for s in sections)
    assert not any("Sources" in s for s in sections)
    assert all(c.metadata["title"] == asthma.title for c in chunks)


def test_long_sections_are_split_with_overlap() -> None:
    from retrieval.documents import Document

    words = " ".join(f"word{i}." for i in range(600))
    chunks = chunk_document(Document(id="long", title="Long", text=f"# Long\n\n{words}"), max_words=100, overlap_words=20)

    assert len(chunks) >= 5
    assert set(chunks[0].text.split()[-10:]) & set(chunks[1].text.split()[:40])


def test_unsupported_and_broken_inputs_get_clear_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "x.docx").write_text("?")
    with pytest.raises(DocumentError, match="unsupported"):
        load_path(tmp_path / "x.docx")
    (tmp_path / "bad.jsonl").write_text('{"id": "a"}\n')
    with pytest.raises(DocumentError, match="needs 'id' and 'text'"):
        load_path(tmp_path / "bad.jsonl")
