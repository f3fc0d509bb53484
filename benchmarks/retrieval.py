"""Retrieval quality and speed on MedQuAD + LiveQA: BM25 alone, dense alone, LangChain's default
FAISS vector store over the same embeddings, and our hybrid index.

    python benchmarks/retrieval.py \\
        --corpus ../shared/data/medquad/corpus.jsonl \\
        --queries ../shared/data/liveqa/dev_queries.jsonl \\
        --qrels ../shared/data/liveqa/dev_qrels.tsv [--run-out run.txt]

Document text = question + answer; query = subject + " " + message. Embeddings (whole documents,
and the product's ~180-word passages) are cached in benchmarks/out/ (keyed by model and texts), so
only the first run pays for embedding.

Systems: BM25 alone; dense alone over whole documents (truncated at 256 tokens) and over passages
(a document scores its best passage); LangChain's FAISS vector store over the whole-document
vectors; ours = the product's HybridIndex over the product's passages (dense + BM25 over passages, BM25 +
dense over titles, fused per document). "Best single" is the best of every BM25 and dense row.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from _common import SHARED_DIR, machine, summary_ms
from _embed_cache import encode_cached

from retrieval.chunking import chunk_document
from retrieval.documents import Document
from retrieval.encoder import SentenceEncoder
from retrieval.index import HybridIndex, LexicalIndex

SHARED = SHARED_DIR / "data"


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in path.read_text().splitlines()[1:]:
        qid, doc, grade = line.split("\t")
        qrels[qid][doc] = int(grade)
    return qrels


def ndcg_at(ranking: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], grades: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in grades.items() if g >= 2}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranking: list[str], grades: dict[str, int], k: int = 10) -> float:
    for i, d in enumerate(ranking[:k]):
        if grades.get(d, 0) >= 2:
            return 1 / (i + 1)
    return 0.0


def evaluate(name: str, runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    judged = [q for q in runs if q in qrels]
    scores = {
        "nDCG@10": float(np.mean([ndcg_at(runs[q], qrels[q]) for q in judged])),
        "Recall@100": float(np.mean([recall_at(runs[q], qrels[q]) for q in judged])),
        "MRR@10": float(np.mean([mrr_at(runs[q], qrels[q]) for q in judged])),
    }
    print(f"{name:34} nDCG@10={scores['nDCG@10']:.4f}  Recall@100={scores['Recall@100']:.4f}  MRR@10={scores['MRR@10']:.4f}")
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "medquad/corpus.jsonl")
    parser.add_argument("--queries", type=Path, default=SHARED / "liveqa/dev_queries.jsonl")
    parser.add_argument("--qrels", type=Path, default=SHARED / "liveqa/dev_qrels.tsv")
    parser.add_argument("--run-out", type=Path, help="write our run as a TREC run file (100 per query)")
    parser.add_argument("--throughput-sample", type=int, default=200, help="documents timed for docs/s")
    args = parser.parse_args()
    print(f"machine: {machine()}")

    records = [json.loads(line) for line in args.corpus.open(encoding="utf-8") if line.strip()]
    doc_ids = [r["id"] for r in records]
    texts = [f"{r['question']} {r['answer']}" for r in records]
    queries = [json.loads(line) for line in args.queries.open(encoding="utf-8") if line.strip()]
    query_text = {str(q["qid"]): f"{q['subject']} {q['message']}" for q in queries}
    qrels = load_qrels(args.qrels)
    print(f"corpus: {len(records)} documents; queries: {len(queries)}")

    encoder = SentenceEncoder()
    vectors, rate = encode_cached(encoder, texts, "medquad-docs")
    if rate:
        print(f"embedding throughput (ours, full corpus): {rate:.1f} docs/s")
    documents = [
        Document(id=r["id"], title=r["question"], text=r["answer"], source_url=r.get("url", ""),
                 publisher=r.get("source", ""), format="text")
        for r in records
    ]
    chunks = [c for d in documents for c in chunk_document(d)]
    passage_vectors, passage_rate = encode_cached(encoder, [c.embedding_text() for c in chunks], "medquad-passages")
    if passage_rate:
        print(f"embedding throughput (ours, {len(chunks)} passages): {passage_rate:.1f} passages/s")
    title_vectors, _ = encode_cached(encoder, [d.title for d in documents], "medquad-titles")
    # Throughput, same documents, same machine, one after the other.
    sample = texts[: args.throughput_sample]
    from sentence_transformers import SentenceTransformer

    baseline = SentenceTransformer(str(encoder.model_dir), device="cpu")
    baseline.encode(sample[:8])
    started = time.perf_counter()
    baseline.encode(sample, batch_size=32)
    base_rate = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    encoder.encode(sample, batch_size=16)
    ours_rate = len(sample) / (time.perf_counter() - started)
    print(f"embedding throughput on {len(sample)} docs: sentence-transformers as-is {base_rate:.1f} docs/s, "
          f"ours ({encoder.batch_precision}, length-sorted batches) {ours_rate:.1f} docs/s ({ours_rate / base_rate:.2f}x)")

    # BM25 alone
    lexical = LexicalIndex()
    lexical.build(list(range(len(texts))), texts)
    bm25_runs = {q: [doc_ids[i] for i, _ in lexical.search(t, 100)] for q, t in query_text.items()}
    # Dense alone (exact inner product over normalised vectors)
    # Baselines embed queries with the packaged model as-is (fp32); ours uses the product's
    # default query path (int8 where the CPU has VNNI and it agrees with fp32).
    as_is = SentenceEncoder(query_precision="fp32")
    query_vectors = {q: as_is.encode_query(t) for q, t in query_text.items()}
    dense_runs = {}
    for q, v in query_vectors.items():
        order = np.argsort(-(vectors @ v))[:100]
        dense_runs[q] = [doc_ids[i] for i in order]
    # Dense alone over passages: a document scores its best passage.
    position = {d: i for i, d in enumerate(doc_ids)}
    owner = np.array([position[c.doc_id] for c in chunks])
    dense_passage_runs = {}
    for q, v in query_vectors.items():
        best = np.full(len(doc_ids), -1.0, dtype=np.float32)
        np.maximum.at(best, owner, passage_vectors @ v)
        dense_passage_runs[q] = [doc_ids[i] for i in np.argsort(-best)[:100]]
    # Dense over titles only (one of our fused rankings, shown on its own for transparency)
    title_runs = {q: [doc_ids[i] for i in np.argsort(-(title_vectors @ v))[:100]] for q, v in query_vectors.items()}
    # LangChain's default FAISS vector store over the same embeddings
    from langchain_community.vectorstores import FAISS
    from langchain_core.embeddings import Embeddings

    class Precomputed(Embeddings):
        def embed_documents(self, items: list[str]) -> list[list[float]]:
            return encoder.encode(items).tolist()

        def embed_query(self, text: str) -> list[float]:
            return as_is.encode_query(text).tolist()

    store = FAISS.from_embeddings(
        list(zip(texts, vectors.tolist())), Precomputed(), metadatas=[{"id": d} for d in doc_ids]
    )
    lc_runs = {q: [d.metadata["id"] for d in store.similarity_search(t, k=100)] for q, t in query_text.items()}

    # Ours: the product's hybrid index over the product's passages, same passage vectors
    index = HybridIndex(encoder)
    index.add_chunks(
        chunks, passage_vectors, {d.id: d.content_hash for d in documents}, dict(zip(doc_ids, title_vectors))
    )
    index.search("warm up", k=1)
    ours_runs: dict[str, list[str]] = {}
    ours_scores: dict[str, list[float]] = {}
    for q, t in query_text.items():
        hits = index.search(t, k=100, per_document=1)
        ours_runs[q] = [h.chunk.doc_id for h in hits]
        ours_scores[q] = [h.score for h in hits]
    # Latency as a user sees it: top 10, end to end (query embedding included), three passes.
    latencies = []
    for _ in range(3):
        for t in query_text.values():
            started = time.perf_counter()
            index.search(t, k=10, per_document=1)
            latencies.append(time.perf_counter() - started)

    print()
    results = {
        "bm25": evaluate("BM25 alone (bm25s, stemmed)", bm25_runs, qrels),
        "dense": evaluate("dense alone (MiniLM, whole docs)", dense_runs, qrels),
        "dense_passages": evaluate("dense alone (MiniLM, best passage)", dense_passage_runs, qrels),
        "dense_titles": evaluate("component: dense over titles only", title_runs, qrels),
        "langchain_faiss": evaluate("LangChain FAISS (same embeddings)", lc_runs, qrels),
        "ours": evaluate("ours (passages, fused per document)", ours_runs, qrels),
    }
    best_single = max(results[name]["nDCG@10"] for name in ("bm25", "dense", "dense_passages"))
    print(f"\nours vs best single: {100 * (results['ours']['nDCG@10'] / best_single - 1):+.1f}% relative nDCG@10")
    best_part = max(best_single, results["dense_titles"]["nDCG@10"])
    print(f"ours vs best single including the title-only component: {100 * (results['ours']['nDCG@10'] / best_part - 1):+.1f}%")
    print(f"query path: {'int8' if encoder._query_session is not None else 'fp32'} ONNX Runtime")
    print(f"query latency, ours, top 10 end to end (query embedding + dense + BM25 + fusion): {summary_ms(latencies)}")

    if args.run_out:
        with args.run_out.open("w") as out:
            for q in sorted(ours_runs, key=lambda x: int(x) if x.isdigit() else x):
                for rank, (doc, score) in enumerate(zip(ours_runs[q], ours_scores[q]), 1):
                    out.write(f"{q} Q0 {doc} {rank} {score:.6f} vha-hybrid\n")
        print(f"run file written to {args.run_out}")


if __name__ == "__main__":
    main()
