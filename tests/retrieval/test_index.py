from __future__ import annotations

import pytest

from retrieval.documents import Document
from retrieval.index import HybridIndex, IndexMismatch


def test_hybrid_search_ranks_the_relevant_passage_first_with_citations(index) -> None:  # type: ignore[no-untyped-def]
    hits = index.search("my inhaler isn't helping and I can't breathe", k=3)

    assert hits[0].chunk.doc_id == "asthma-test"
    first = hits[0].to_dict()
    assert first["source_url"] == "https://www.nhs.uk/conditions/asthma/" and first["score"] > 0
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_dense_and_lexical_modes_and_filters(index) -> None:  # type: ignore[no-untyped-def]
    assert index.search("uric acid crystals", k=1, mode="lexical")[0].chunk.doc_id == "jl-1"
    assert index.search("skin burnt by the sun", k=1, mode="dense")[0].chunk.doc_id == "sunburn"
    filtered = index.search("breathless", k=5, filters={"region": "uk"})
    assert filtered and all(h.chunk.metadata["region"] == "uk" for h in filtered)


def test_duplicate_passages_are_suppressed(encoder) -> None:  # type: ignore[no-untyped-def]
    index = HybridIndex(encoder)
    text = "# Cough\n\nA cough usually clears up within three weeks without treatment."
    index.upsert([Document(id="a", title="Cough A", text=text), Document(id="b", title="Cough B", text=text)])

    hits = index.search("how long does a cough last", k=5)

    assert len(hits) == 1


def test_replace_and_remove_a_document_version_without_rebuilding(index) -> None:  # type: ignore[no-untyped-def]
    before = {cid for cid, c in index.chunks.items() if c.doc_id != "handwashing"}
    changes = index.upsert([Document(id="handwashing", title="Handwashing v2", text="Use alcohol gel when soap is not available.", format="text")])

    assert changes == {"added": 0, "replaced": 1, "unchanged": 0, "chunks": 1}
    assert {cid for cid, c in index.chunks.items() if c.doc_id != "handwashing"} == before  # others untouched
    assert index.search("alcohol gel", k=1)[0].chunk.metadata["title"] == "Handwashing v2"
    assert index.remove("handwashing") and "handwashing" not in {c.doc_id for c in index.chunks.values()}
    assert all(h.chunk.doc_id != "handwashing" for h in index.search("alcohol gel soap", k=5))


def test_saved_index_round_trips_and_manifest_is_checked(index, encoder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    index.save(tmp_path / "idx")
    loaded = HybridIndex.load(tmp_path / "idx", encoder)

    assert loaded.manifest()["corpus_hash"] == index.manifest()["corpus_hash"]
    assert loaded.search("sunburn blisters", k=1)[0].chunk.doc_id == "sunburn"

    import json

    manifest = json.loads((tmp_path / "idx/manifest.json").read_text())
    manifest["dimension"] = 768
    (tmp_path / "idx/manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatch, match="rebuild"):
        HybridIndex.load(tmp_path / "idx", encoder)


def test_large_collections_switch_to_ivf_and_still_find_and_delete(encoder) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from retrieval.chunking import Chunk

    index = HybridIndex(encoder, ann_threshold=500)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(800, encoder.dimension)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [Chunk(id=f"d{i}#0", doc_id=f"d{i}", text=f"synthetic passage {i}", section="", position=0) for i in range(800)]
    index.add_chunks(chunks, vectors)

    assert index.index_type == "ivf"
    assert index.dense_search(vectors[42], 1)[0][0] == 42
    index.remove("d42")
    assert all(i != 42 for i, _ in index.dense_search(vectors[42], 5))


def test_batch_and_query_embeddings_agree_whatever_the_precision(encoder) -> None:  # type: ignore[no-untyped-def]
    # Indexing may run in bf16 and queries in int8 where the CPU supports them. They must agree.
    texts = ["Wash your hands with soap for twenty seconds.", "Sunburn: cool the skin and drink water."]
    batch = encoder.encode(texts)
    for text, row in zip(texts, batch):
        assert float(row @ encoder.encode_query(text)) > 0.98
    assert encoder.batch_precision in ("bf16", "fp32")


def test_a_question_shaped_title_ranks_its_document_and_survives_save_and_remove(encoder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    index = HybridIndex(encoder)
    index.upsert(
        [
            Document(id="gout-treat", title="What are the treatments for gout?", text="Rest the joint, keep it cool, and take the anti-inflammatory medicine your doctor advised.", format="text"),
            Document(id="gout-cause", title="What causes gout?", text="Crystals of uric acid form in a joint when there is too much of it in the blood.", format="text"),
            Document(id="cough", title="How long does a cough last?", text="Most coughs clear up within three weeks.", format="text"),
        ]
    )
    ranked = [doc for doc, _ in index.title_dense_search(encoder.encode_query("how do you treat gout"), 3)]
    assert ranked[0] == index.documents["gout-treat"][1][0]

    index.save(tmp_path / "idx")
    loaded = HybridIndex.load(tmp_path / "idx", encoder)
    assert set(loaded._title_vectors) == {"gout-treat", "gout-cause", "cough"}
    loaded.remove("gout-treat")
    assert loaded.search("how do you treat gout", k=3)[0].chunk.doc_id == "gout-cause"


def test_both_exact_kernels_rank_alike() -> None:
    import faiss
    import numpy as np

    from retrieval.index import _ExactKernel

    vectors = np.random.default_rng(1).standard_normal((3_000, 32)).astype(np.float32)
    flat = faiss.IndexFlatIP(32)
    flat.add(vectors)
    query = vectors[7]
    blas_rows, _ = _ExactKernel._blas(flat, query, 10)
    faiss_rows, _ = _ExactKernel._faiss(flat, query, 10)
    assert list(blas_rows) == list(faiss_rows) and blas_rows[0] == 7
    assert list(_ExactKernel().search(flat, query, 10)[0]) == list(blas_rows)
