"""Embed a list of texts once and keep the vectors on disk, keyed by encoder + texts."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

OUT = Path(__file__).resolve().parent / "out"


def texts_key(encoder_fingerprint: str, texts: list[str]) -> str:
    digest = hashlib.sha256(encoder_fingerprint.encode())
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def encode_cached(encoder, texts: list[str], label: str) -> tuple[np.ndarray, float | None]:  # type: ignore[no-untyped-def]
    """Vectors for ``texts`` and the measured texts/s (None when they came from the cache)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"emb-{label}-{texts_key(encoder.fingerprint, texts)}.npy"
    if path.exists():
        return np.load(path), None
    bar = tqdm(total=len(texts), desc=f"Embedding {label}", unit="text")
    started = time.perf_counter()
    vectors = encoder.encode(texts, batch_size=16, progress=bar.update)
    rate = len(texts) / (time.perf_counter() - started)
    bar.close()
    np.save(path, vectors)
    return vectors, rate
