"""Dense search at scale: 1,000,000 synthetic 384-d vectors, approximate index vs exact search.

The vectors are drawn around 2,000 random centres (unit-normalised), which is closer to real
sentence embeddings than uniform noise. Reports build time, index memory, search latency (p50/p95,
one query at a time, search only) and recall@10 against exact inner-product search.

    python benchmarks/retrieval_scale.py [--n 1000000] [--index hnsw|ivf] [--queries 500]
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np
from _common import machine, summary_ms


def synthetic(n: int, dim: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2000, dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        idx = rng.integers(0, len(centres), size=m)
        block = centres[idx] + 0.6 * rng.normal(size=(m, dim)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + m] = block
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--index", choices=["hnsw", "ivf"], default="ivf")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--nprobe", type=int, default=32)
    parser.add_argument("--ef-search", type=int, default=96)
    args = parser.parse_args()
    print(f"machine: {machine()}; faiss threads: {faiss.omp_get_max_threads()}")
    vectors = synthetic(args.n, args.dim)
    queries = synthetic(args.queries, args.dim, seed=11)
    print(f"{args.n} vectors x {args.dim} d ({vectors.nbytes / 2**30:.2f} GiB raw float32)")

    started = time.perf_counter()
    if args.index == "hnsw":
        index = faiss.IndexHNSWFlat(args.dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 64
        index.add(vectors)
        index.hnsw.efSearch = args.ef_search
    else:
        nlist = 4096
        quantizer = faiss.IndexFlatIP(args.dim)
        index = faiss.IndexIVFFlat(quantizer, args.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(3).choice(len(vectors), size=min(len(vectors), 150_000), replace=False)]
        index.train(sample)
        index.add(vectors)
        index.nprobe = args.nprobe
    build = time.perf_counter() - started
    size = faiss.serialize_index(index).nbytes
    print(f"{args.index} build: {build:.1f} s; index size {size / 2**20:.0f} MiB")

    exact = faiss.IndexFlatIP(args.dim)
    exact.add(vectors)
    _, truth = exact.search(queries, 10)

    faiss.omp_set_num_threads(1)  # one query at a time, as an API worker serves them
    timings, found = [], []
    for q in queries:
        started = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), 10)
        timings.append(time.perf_counter() - started)
        found.append(ids[0])
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
    print(f"search-only latency (1 thread): {summary_ms(timings)}")
    print(f"recall@10 vs exact: {recall:.3f}")


if __name__ == "__main__":
    main()
