"""Structure-aware chunking: split on headings, then paragraphs, with a word overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from retrieval.documents import Document

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]
_SKIP_SECTIONS = {"sources", "references", "source"}


@dataclass
class Chunk:
    id: str
    doc_id: str
    text: str
    section: str
    position: int
    metadata: dict[str, Any] = field(default_factory=dict)

    def embedding_text(self) -> str:
        # The title and section give a passage its context ("Self-care" alone says little).
        title = self.metadata.get("title", "")
        prefix = f"{title} — {self.section}" if self.section and self.section != title else title
        return f"{prefix}: {self.text}" if prefix else self.text


def chunk_document(document: Document, *, max_words: int = 180, overlap_words: int = 30) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_words * 6,  # ~6 characters a word, so sections stay near max_words
        chunk_overlap=overlap_words * 6,
        separators=["\n\n", "\n", ". ", "; ", ", ", " "],
    )
    if document.format in ("markdown", "html"):
        sections = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True).split_text(document.text)
        parts = [
            (" > ".join(v for k, v in sorted(s.metadata.items()) if v), s.page_content) for s in sections
        ]
    else:
        parts = [("", document.text)]
    chunks: list[Chunk] = []
    for section, content in parts:
        last = section.split(" > ")[-1].strip().lower() if section else ""
        if last in _SKIP_SECTIONS or not content.strip():
            continue
        for piece in splitter.split_text(content):
            text = re.sub(r"\s+", " ", piece).strip()
            if len(text.split()) < 4:
                continue
            position = len(chunks)
            chunks.append(
                Chunk(
                    id=f"{document.id}#{position}",
                    doc_id=document.id,
                    text=text,
                    section=section,
                    position=position,
                    metadata=document.metadata(),
                )
            )
    return chunks
