"""A hybrid guideline index: FAISS dense vectors + BM25, fused, filtered, de-duplicated, on disk.

- Dense: exact inner-product search (``IndexFlatIP``) for small collections; past
  ``ann_threshold`` vectors an inverted-file index (IVF, trained on the collection) is built
  instead. Both sit behind an id map that supports removal, so a document version can be added,
  replaced or removed without re-embedding the rest.
- Lexical: BM25 (bm25s, English stemming and stop words), rebuilt from the stored chunk texts when
  the collection changes (cheap next to embedding).
- Title field: a BM25 ranking and a dense ranking over document titles only, because a title
  names what a document is about far more precisely than its body does (and a question-shaped
  title is the closest thing to the patient's own question).
- Fusion: weighted reciprocal rank fusion of the four rankings.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from retrieval.blas import one_blas_thread
from retrieval.chunking import Chunk, chunk_document
from retrieval.documents import Document
from retrieval.encoder import SentenceEncoder

MANIFEST = "manifest.json"

# Queries arrive one at a time; a second OpenMP thread only adds overhead at this size.
faiss.omp_set_num_threads(1)
FORMAT_VERSION = 1


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _lexical_pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bm25")
    return _POOL


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return top[np.argsort(-scores[top], kind="stable")]


class _ExactKernel:
    """Exact inner-product top-k over a flat FAISS index, by whichever of two kernels is faster here.

    One query at a time, a single-threaded BLAS matrix-vector product over the index's own storage
    beats FAISS's search loop several times on CPUs with AMX (Intel Xeon), while FAISS's own SIMD
    loop is twice as fast on others (AMD EPYC). Both give the same ranking, so the kernel is
    chosen by timing both on the collection itself, once per collection size.
    """

    def __init__(self) -> None:
        self._choice: tuple[int, str] | None = None

    @staticmethod
    def _blas(inner: faiss.IndexFlat, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        n = inner.ntotal
        matrix = faiss.rev_swig_ptr(inner.get_xb(), n * inner.d).reshape(n, inner.d)
        # One BLAS thread: a second one fights the query encoder's and BM25's threads for two
        # cores and makes the tail three times slower (docs/BENCHMARKS.md).
        with one_blas_thread():
            scores = matrix @ query
        top = _top_k(scores, k)
        return top, scores[top]

    @staticmethod
    def _faiss(inner: faiss.IndexFlat, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores, rows = inner.search(query.reshape(1, -1), k)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]

    def search(self, inner: faiss.IndexFlat, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(storage rows, scores), best first."""
        k = min(k, inner.ntotal)
        if self._choice is None or self._choice[0] != inner.ntotal:
            self._choice = (inner.ntotal, self._calibrate(inner, k))
        kernel = self._blas if self._choice[1] == "blas" else self._faiss
        return kernel(inner, query, k)

    def _calibrate(self, inner: faiss.IndexFlat, k: int) -> str:
        if inner.ntotal < 2_000:
            return "blas"  # too small for the choice to matter
        probes = np.random.default_rng(0).standard_normal((4, inner.d)).astype(np.float32)
        timings = {}
        for name, kernel in (("blas", self._blas), ("faiss", self._faiss)):
            kernel(inner, probes[0], k)  # warm
            started = time.perf_counter()
            for probe in probes[1:]:
                kernel(inner, probe, k)
            timings[name] = time.perf_counter() - started
        return min(timings, key=timings.__getitem__)


class IndexMismatch(RuntimeError):
    """The saved index was built with another model or dimension than the one configured."""


@dataclass
class SearchHit:
    chunk: Chunk
    score: float
    dense_score: float | None
    lexical_score: float | None
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        meta = self.chunk.metadata
        return {
            "rank": self.rank,
            "doc_id": self.chunk.doc_id,
            "chunk_id": self.chunk.id,
            "title": meta.get("title", ""),
            "section": self.chunk.section,
            "text": self.chunk.text,
            "source_url": meta.get("source_url", ""),
            "sources": meta.get("sources", []),
            "publisher": meta.get("publisher", ""),
            "version": meta.get("version", ""),
            "region": meta.get("region", ""),
            "audience": meta.get("audience", ""),
            "score": round(self.score, 6),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 4),
            "lexical_score": None if self.lexical_score is None else round(self.lexical_score, 4),
        }


def _normalise_text(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


class LexicalIndex:
    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        self._model = None
        self._ids: list[int] = []

    def _tokenize(self, texts: Sequence[str]):  # type: ignore[no-untyped-def]
        import bm25s

        return bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stemmer, show_progress=False)

    def build(self, ids: list[int], texts: list[str]) -> None:
        import bm25s

        self._ids = list(ids)
        self._model = None
        if not texts:
            return
        model = bm25s.BM25()
        model.index(self._tokenize(texts), show_progress=False)
        self._model = model

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        if self._model is None or not self._ids:
            return []
        tokens = self._tokenize([query])
        if not tokens.vocab or not any(tokens.ids):
            return []
        k = min(k, len(self._ids))
        try:
            docs, scores = self._model.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        except (ValueError, KeyError):
            return []
        return [(self._ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


class HybridIndex:
    def __init__(
        self,
        encoder: SentenceEncoder,
        *,
        ann_threshold: int = 200_000,
        nprobe: int = 48,
        rrf_k: int = 20,
        dense_weight: float = 1.0,
        lexical_weight: float = 0.5,
        title_weight: float = 0.5,
        title_dense_weight: float = 1.0,
        max_words: int = 180,
    ) -> None:
        self.encoder = encoder
        self.ann_threshold = ann_threshold
        self.nprobe = nprobe
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.title_weight = title_weight
        self.title_dense_weight = title_dense_weight
        self.max_words = max_words
        self.chunks: dict[int, Chunk] = {}
        self.documents: dict[str, tuple[str, list[int]]] = {}  # doc id -> (content hash, chunk ids)
        self._vectors: dict[int, np.ndarray] = {}
        self._next_id = 0
        self._dense: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(encoder.dimension))
        self._lexical = LexicalIndex()
        self._titles = LexicalIndex()
        self._title_vectors: dict[str, np.ndarray] = {}  # doc id -> embedding of its title
        self._title_flat: tuple[list[str], faiss.IndexFlatIP] | None = None  # (doc ids, their vectors)
        self._passage_kernel = _ExactKernel()
        self._title_kernel = _ExactKernel()
        self._lexical_dirty = False
        self._flat_id_cache: np.ndarray | None = None  # FAISS ids in storage order (flat index)
        self.created = time.time()

    # -- building -------------------------------------------------------------------------------
    @property
    def index_type(self) -> str:
        return "ivf" if isinstance(self._inner(), faiss.IndexIVF) else "flat"

    def _inner(self) -> faiss.Index:
        return faiss.downcast_index(self._dense.index) if hasattr(self._dense, "index") else self._dense

    def __len__(self) -> int:
        return len(self.chunks)

    def upsert(
        self, documents: Iterable[Document], progress: Callable[[int], None] | None = None
    ) -> dict[str, int]:
        """Add new documents and replace changed ones; unchanged versions are left alone."""
        added = replaced = unchanged = 0
        new_chunks: list[Chunk] = []
        for document in documents:
            previous = self.documents.get(document.id)
            if previous and previous[0] == document.content_hash:
                unchanged += 1
                continue
            if previous:
                self.remove(document.id)
                replaced += 1
            else:
                added += 1
            chunks = chunk_document(document, max_words=self.max_words)
            self.documents[document.id] = (document.content_hash, [])
            new_chunks.extend(chunks)
        if new_chunks:
            vectors = self.encoder.encode([c.embedding_text() for c in new_chunks], progress=progress)
            self.add_chunks(new_chunks, vectors)
            self._embed_missing_titles()
        return {"added": added, "replaced": replaced, "unchanged": unchanged, "chunks": len(new_chunks)}

    def add_chunks(
        self,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        content_hashes: dict[str, str] | None = None,
        title_vectors: dict[str, np.ndarray] | None = None,
    ) -> None:
        """Add pre-chunked, pre-embedded passages (e.g. from a benchmark's embedding cache).

        Title vectors not given are embedded before the next search."""
        for doc_id, vector in (title_vectors or {}).items():
            self._title_vectors[doc_id] = np.asarray(vector, dtype=np.float32)
        self._title_flat = None
        ids = np.arange(self._next_id, self._next_id + len(chunks), dtype=np.int64)
        self._next_id += len(chunks)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        for chunk_id, chunk, vector in zip(ids.tolist(), chunks, vectors):
            self.chunks[chunk_id] = chunk
            self._vectors[chunk_id] = vector
            content_hash = (content_hashes or {}).get(chunk.doc_id, self.documents.get(chunk.doc_id, ("", []))[0])
            entry = self.documents.setdefault(chunk.doc_id, (content_hash, []))
            entry[1].append(chunk_id)
        if self.index_type == "flat" and len(self.chunks) > self.ann_threshold:
            self._rebuild_dense()
        else:
            self._dense.add_with_ids(vectors, ids)
        self._flat_id_cache = None
        self._lexical_dirty = True

    def remove(self, doc_id: str) -> bool:
        entry = self.documents.pop(doc_id, None)
        if entry is None:
            return False
        ids = entry[1]
        for chunk_id in ids:
            self.chunks.pop(chunk_id, None)
            self._vectors.pop(chunk_id, None)
        self._title_vectors.pop(doc_id, None)
        self._title_flat = None
        self._dense.remove_ids(np.array(ids, dtype=np.int64))
        self._flat_id_cache = None
        self._lexical_dirty = True
        return True

    def _rebuild_dense(self) -> None:
        ids = np.array(sorted(self.chunks), dtype=np.int64)
        dimension = self.encoder.dimension
        vectors = np.stack([self._vectors[i] for i in ids.tolist()]) if len(ids) else None
        if len(ids) > self.ann_threshold:
            # About 4 * sqrt(n) lists, trained on a sample of the collection itself.
            nlist = int(min(4096, max(64, 4 * np.sqrt(len(ids)))))
            inner = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(len(ids), size=min(len(ids), 40 * nlist), replace=False)]
            inner.train(sample)
            inner.nprobe = self.nprobe
            self._ivf_lists = nlist
        else:
            inner = faiss.IndexFlatIP(dimension)
        dense = faiss.IndexIDMap2(inner)
        if vectors is not None:
            dense.add_with_ids(vectors, ids)
        self._dense = dense
        self._flat_id_cache = None

    def _ensure_lexical(self) -> None:
        if self._lexical_dirty:
            ids = sorted(self.chunks)
            self._lexical.build(ids, [self.chunks[i].embedding_text() for i in ids])
            # One title per document (its first passage stands for it), so a title match ranks
            # documents, not every passage of a long document equally.
            firsts = [chunk_ids[0] for _, chunk_ids in self.documents.values() if chunk_ids]
            firsts = sorted(i for i in firsts if i in self.chunks)
            self._titles.build(firsts, [self._title_of(self.chunks[i].doc_id) for i in firsts])
            self._lexical_dirty = False

    def _title_of(self, doc_id: str) -> str:
        chunk_ids = self.documents.get(doc_id, ("", []))[1]
        chunk = self.chunks.get(chunk_ids[0]) if chunk_ids else None
        return str(chunk.metadata.get("title", "")) if chunk else ""

    def _embed_missing_titles(self) -> None:
        missing = [d for d, (_, chunk_ids) in self.documents.items() if chunk_ids and d not in self._title_vectors]
        if missing:
            vectors = self.encoder.encode([self._title_of(d) or d for d in missing])
            self._title_vectors.update(zip(missing, np.asarray(vectors, dtype=np.float32)))
            self._title_flat = None

    def _title_index(self) -> tuple[list[str], faiss.IndexFlatIP]:
        if self._title_flat is None:
            self._embed_missing_titles()
            doc_ids = sorted(d for d in self._title_vectors if self.documents.get(d, ("", []))[1])
            flat = faiss.IndexFlatIP(self.encoder.dimension)
            if doc_ids:
                flat.add(np.ascontiguousarray(np.stack([self._title_vectors[d] for d in doc_ids]), dtype=np.float32))
            self._title_flat = (doc_ids, flat)
        return self._title_flat

    def title_dense_search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Documents by the similarity of their title to the query, each as its first passage's id."""
        doc_ids, flat = self._title_index()
        if not doc_ids:
            return []
        rows, scores = self._title_kernel.search(flat, np.ascontiguousarray(query_vector, dtype=np.float32), k)
        return [(self.documents[doc_ids[int(r)]][1][0], float(sc)) for r, sc in zip(rows, scores)]

    # -- searching ------------------------------------------------------------------------------
    def dense_search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not self.chunks:
            return []
        k = min(k, len(self.chunks))
        query = query_vector.reshape(1, -1).astype(np.float32)
        inner = self._inner()
        if isinstance(inner, faiss.IndexFlat) and isinstance(self._dense, faiss.IndexIDMap2):
            rows, scores = self._passage_kernel.search(inner, query[0], k)
            ids = self._flat_ids()
            return [(int(ids[r]), float(sc)) for r, sc in zip(rows, scores)]
        scores, ids = self._dense.search(query, k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _flat_ids(self) -> np.ndarray:
        cached = self._flat_id_cache
        if cached is None or len(cached) != self._dense.ntotal:
            cached = faiss.vector_to_array(self._dense.id_map)
            self._flat_id_cache = cached
        return cached

    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]:
        self._ensure_lexical()
        return [(i, s) for i, s in self._lexical.search(query, k) if i in self.chunks]

    def title_search(self, query: str, k: int) -> list[tuple[int, float]]:
        self._ensure_lexical()
        return [(i, s) for i, s in self._titles.search(query, k) if i in self.chunks]

    def _lexical_rankings(self, query: str, k: int, with_titles: bool) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        lexical = self.lexical_search(query, k)
        titles = self.title_search(query, k) if with_titles and self.title_weight else []
        return lexical, titles

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        filters: dict[str, str] | None = None,
        mode: str = "hybrid",
        candidates: int = 100,
        per_document: int = 2,
        query_vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Ranked passages; ``mode`` is ``hybrid``, ``dense`` or ``lexical``.

        Rankings are fused per document (a document ranks where its best passage ranks in each
        ranking), because a document is what a question is about; a long document is not
        rewarded for having many similar passages. The best passages of each document (by
        meaning, then by words) are returned in the fused document order.
        """
        pool = max(candidates, 3 * k) * (4 if filters else 1)
        lexical_job = None
        if mode != "dense":
            self._ensure_lexical()
            # The two BM25 rankings run on another thread while the query is embedded: ONNX Runtime
            # releases the GIL, so on two cores the lexical work costs almost no wall time.
            lexical_job = _lexical_pool().submit(self._lexical_rankings, query, pool, mode == "hybrid")
        if mode != "lexical" and query_vector is None:
            query_vector = self.encoder.encode_query(query)
        dense = self.dense_search(query_vector, pool) if mode != "lexical" else []
        dense_titles = (
            self.title_dense_search(query_vector, pool) if mode == "hybrid" and self.title_dense_weight else []
        )
        lexical, titles = lexical_job.result() if lexical_job is not None else ([], [])

        passages: dict[str, list[int]] = {}  # doc id -> its candidate passages, best first
        fused: dict[str, float] = {}
        # (weight, ranking, whether its entries are passages or stand for whole documents)
        rankings = (
            (self.dense_weight, dense, True),
            (self.lexical_weight, lexical, True),
            (self.title_weight, titles, False),
            (self.title_dense_weight, dense_titles, False),
        )
        for weight, ranking, of_passages in rankings:
            doc_rank = 0
            seen: set[str] = set()
            for chunk_id, _score in ranking:
                doc_id = self.chunks[chunk_id].doc_id
                if of_passages:
                    passages.setdefault(doc_id, [])
                    if chunk_id not in passages[doc_id]:
                        passages[doc_id].append(chunk_id)
                if doc_id in seen:
                    continue
                seen.add(doc_id)
                fused[doc_id] = fused.get(doc_id, 0.0) + weight / (self.rrf_k + doc_rank + 1)
                doc_rank += 1
        dense_scores = dict(dense)
        lexical_scores = dict(lexical)
        hits: list[SearchHit] = []
        seen_text: set[str] = set()
        for doc_id in sorted(fused, key=fused.__getitem__, reverse=True):
            chunk_ids = passages.get(doc_id) or self.documents.get(doc_id, ("", []))[1][:1]
            chunk_ids = sorted(
                chunk_ids,
                key=lambda i: (-(dense_scores.get(i, -2.0)), -(lexical_scores.get(i, 0.0))),
            )
            taken = 0
            for chunk_id in chunk_ids:
                chunk = self.chunks.get(chunk_id)
                if chunk is None:
                    continue
                if filters and any(str(chunk.metadata.get(key, "")) != str(value) for key, value in filters.items()):
                    break  # metadata is per document: no passage of it will pass
                fingerprint = _normalise_text(chunk.text[:600])[:400]
                if fingerprint in seen_text:
                    continue  # the same passage under another document (duplicate suppression)
                seen_text.add(fingerprint)
                hits.append(
                    SearchHit(chunk, fused[doc_id], dense_scores.get(chunk_id), lexical_scores.get(chunk_id), len(hits) + 1)
                )
                taken += 1
                if taken >= per_document or len(hits) >= k:
                    break
            if len(hits) >= k:
                break
        return hits

    # -- persistence ----------------------------------------------------------------------------
    def corpus_hash(self) -> str:
        digest = hashlib.sha256()
        for doc_id in sorted(self.documents):
            digest.update(f"{doc_id}:{self.documents[doc_id][0]}\n".encode())
        return digest.hexdigest()[:16]

    def manifest(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "model": self.encoder.name,
            "model_fingerprint": self.encoder.fingerprint,
            "dimension": self.encoder.dimension,
            "corpus_hash": self.corpus_hash(),
            "documents": len(self.documents),
            "chunks": len(self.chunks),
            "index_type": self.index_type,
            "created": self.created,
            "saved": time.time(),
        }

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._dense, str(directory / "dense.faiss"))
        ordered = sorted(self.chunks)
        np.save(directory / "vectors.npy", np.stack([self._vectors[i] for i in ordered]) if ordered else np.zeros((0, self.encoder.dimension), np.float32))
        with (directory / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            for chunk_id in sorted(self.chunks):
                handle.write(json.dumps({"faiss_id": chunk_id, **asdict(self.chunks[chunk_id])}, ensure_ascii=False) + "\n")
        (directory / "documents.json").write_text(json.dumps(self.documents))
        titled = sorted(self._title_vectors)
        (directory / "title_ids.json").write_text(json.dumps(titled))
        np.save(
            directory / "title_vectors.npy",
            np.stack([self._title_vectors[d] for d in titled]) if titled else np.zeros((0, self.encoder.dimension), np.float32),
        )
        (directory / MANIFEST).write_text(json.dumps(self.manifest(), indent=2))

    @classmethod
    def load(cls, directory: Path, encoder: SentenceEncoder, **options: Any) -> HybridIndex:
        directory = Path(directory)
        manifest = json.loads((directory / MANIFEST).read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexMismatch(f"{directory}: index format {manifest.get('format')} is not {FORMAT_VERSION}; rebuild it")
        if manifest["dimension"] != encoder.dimension or manifest["model_fingerprint"] != encoder.fingerprint:
            raise IndexMismatch(
                f"{directory} was built with model {manifest['model']} ({manifest['dimension']}-d); the configured "
                f"encoder is {encoder.name} ({encoder.dimension}-d): rebuild with `vha index build`"
            )
        index = cls(encoder, **options)
        index._dense = faiss.read_index(str(directory / "dense.faiss"))
        inner = index._inner()
        if isinstance(inner, faiss.IndexIVF):
            inner.nprobe = index.nprobe
        with (directory / "chunks.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                chunk_id = record.pop("faiss_id")
                index.chunks[chunk_id] = Chunk(**record)
        index.documents = {k: (v[0], list(v[1])) for k, v in json.loads((directory / "documents.json").read_text()).items()}
        vectors = np.load(directory / "vectors.npy")
        index._vectors = {i: vectors[n] for n, i in enumerate(sorted(index.chunks))}
        index._next_id = max(index.chunks, default=-1) + 1
        if (directory / "title_ids.json").exists():
            titled = json.loads((directory / "title_ids.json").read_text())
            title_vectors = np.load(directory / "title_vectors.npy")
            index._title_vectors = {d: title_vectors[n] for n, d in enumerate(titled)}
        # Indexes saved before titles were embedded get them on the first search.
        index._lexical_dirty = True
        index.created = manifest.get("created", time.time())
        if index.corpus_hash() != manifest["corpus_hash"]:
            raise IndexMismatch(f"{directory}: stored chunks do not match the manifest's corpus hash; rebuild it")
        return index
