"""Open the on-disk index, or build it from a corpus directory when it is missing or stale."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from retrieval.documents import load_path
from retrieval.encoder import SentenceEncoder
from retrieval.index import MANIFEST, HybridIndex, IndexMismatch

log = logging.getLogger(__name__)


def build_index(corpus: Path, encoder: SentenceEncoder, progress=None, **options: Any) -> HybridIndex:  # type: ignore[no-untyped-def]
    index = HybridIndex(encoder, **options)
    index.upsert(load_path(corpus), progress=progress)
    return index


def open_or_build(index_dir: Path, corpus: Path, encoder: SentenceEncoder, **options: Any) -> HybridIndex:
    """The saved index, refreshed incrementally from ``corpus`` (changed documents re-embedded)."""
    index: HybridIndex | None = None
    if (Path(index_dir) / MANIFEST).exists():
        try:
            index = HybridIndex.load(index_dir, encoder, **options)
        except IndexMismatch as exc:
            log.warning("rebuilding the guideline index: %s", exc)
    if index is None:
        index = HybridIndex(encoder, **options)
    documents = load_path(corpus) if Path(corpus).exists() else []
    present = {d.id for d in documents}
    changes = index.upsert(documents)
    removed = [doc_id for doc_id in list(index.documents) if doc_id not in present]
    for doc_id in removed:
        index.remove(doc_id)
    if changes["added"] or changes["replaced"] or removed or not (Path(index_dir) / MANIFEST).exists():
        index.save(index_dir)
    return index
