"""An intent classifier fine-tuned from a BERT-family encoder (transformers + torch).

The encoder's token states are mean-pooled (the way sentence-transformers models such as MiniLM
were trained) and fed to a linear head; encoder and head are fine-tuned together.
"""

from __future__ import annotations

import json
import math
import random
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from assistant.nlu.data import TrainingExample

# Our own progress bar covers training; the library's per-load bars are noise in logs.
hf_logging.disable_progress_bar()
hf_logging.set_verbosity_error()

ProgressCallback = Callable[[int, int, float], None]  # step, total, loss


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int = 8
    batch_size: int = 32
    learning_rate: float = 5e-5
    head_learning_rate: float = 2e-3
    max_length: int = 64
    label_smoothing: float = 0.1
    warmup_ratio: float = 0.1
    seed: int = 13


def _length_bucketed_batches(data: list[tuple[str, int]], batch_size: int) -> list[list[tuple[str, int]]]:
    """Shuffled batches of similar-length texts: less padding, so each step costs less CPU."""
    shuffled = data[:]
    random.shuffle(shuffled)
    pool = batch_size * 8
    batches = []
    for start in range(0, len(shuffled), pool):
        chunk = sorted(shuffled[start : start + pool], key=lambda item: len(item[0]))
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    random.shuffle(batches)
    return batches


class _IntentNet(nn.Module):
    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **_: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-6)
        return self.head(self.dropout(pooled))


ONNX_FILE = "intent.onnx"


class _OnnxRunner:
    """The same network exported to ONNX and run by ONNX Runtime: about 2-3x faster than eager
    torch for one short message on a small CPU, which is what a chat turn is."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, input_ids, attention_mask):  # type: ignore[no-untyped-def]
        return self.session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})[0]


def export_onnx(net: _IntentNet, tokenizer, path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = tokenizer(["a short sample message"], return_tensors="pt")

    class _Wrapper(nn.Module):
        def __init__(self, inner: _IntentNet) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask)

    dynamic = {0: "batch", 1: "sequence"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Wrapper(net.eval()),
            (sample["input_ids"], sample["attention_mask"]),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


class IntentClassifier:
    """Train, save, load and run the intent model."""

    def __init__(self, net: _IntentNet, tokenizer, labels: list[str], max_length: int, onnx: _OnnxRunner | None = None) -> None:  # type: ignore[no-untyped-def]
        self.net = net.eval()
        self.tokenizer = tokenizer
        self.labels = labels
        self.max_length = max_length
        self.onnx = onnx

    @property
    def backend(self) -> str:
        return "onnxruntime" if self.onnx is not None else "torch"

    # -- training -------------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        examples: Sequence[TrainingExample],
        base_model: str | Path,
        config: TrainingConfig,
        progress: ProgressCallback | None = None,
    ) -> IntentClassifier:
        random.seed(config.seed)
        torch.manual_seed(config.seed)
        labels = sorted({e.intent for e in examples})
        index = {label: i for i, label in enumerate(labels)}
        tokenizer = AutoTokenizer.from_pretrained(str(base_model))
        encoder = AutoModel.from_pretrained(str(base_model))
        net = _IntentNet(encoder, len(labels))

        data = [(e.text, index[e.intent]) for e in examples]
        pool = config.batch_size * 8
        steps_per_epoch = sum(
            math.ceil(min(pool, len(data) - start) / config.batch_size) for start in range(0, len(data), pool)
        )
        total = steps_per_epoch * config.epochs
        optimizer = torch.optim.AdamW(
            [
                {"params": net.encoder.parameters(), "lr": config.learning_rate},
                {"params": net.head.parameters(), "lr": config.head_learning_rate},
            ],
            weight_decay=0.01,
        )
        warmup = max(1, int(total * config.warmup_ratio))

        def schedule(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return max(0.0, (total - step) / max(1, total - warmup))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
        loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
        net.train()
        step = 0
        for _epoch in range(config.epochs):
            for batch in _length_bucketed_batches(data, config.batch_size):
                encoded = tokenizer(
                    [text for text, _ in batch],
                    padding=True,
                    truncation=True,
                    max_length=config.max_length,
                    return_tensors="pt",
                )
                target = torch.tensor([label for _, label in batch])
                loss = loss_fn(net(**encoded), target)
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                step += 1
                if progress is not None:
                    progress(step, total, float(loss.detach()))
        return cls(net, tokenizer, labels, config.max_length)

    # -- persistence ----------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.net.encoder.save_pretrained(directory / "encoder")
        self.tokenizer.save_pretrained(directory / "encoder")
        torch.save(self.net.head.state_dict(), directory / "head.pt")
        try:
            export_onnx(self.net, self.tokenizer, directory / ONNX_FILE)
        except Exception as exc:  # noqa: BLE001 - the torch model still works, only slower
            warnings.warn(f"ONNX export failed, serving with torch: {exc}", stacklevel=2)
        (directory / "labels.json").write_text(
            json.dumps({"labels": self.labels, "max_length": self.max_length}, indent=2)
        )

    @classmethod
    def load(cls, directory: Path, backend: str = "onnx", threads: int = 0) -> IntentClassifier:
        meta = json.loads((directory / "labels.json").read_text())
        tokenizer = AutoTokenizer.from_pretrained(str(directory / "encoder"))
        encoder = AutoModel.from_pretrained(str(directory / "encoder"))
        net = _IntentNet(encoder, len(meta["labels"]))
        net.head.load_state_dict(torch.load(directory / "head.pt", map_location="cpu"))
        onnx = None
        if backend == "onnx" and (directory / ONNX_FILE).exists():
            try:
                onnx = _OnnxRunner(directory / ONNX_FILE, threads)
            except ImportError:
                onnx = None
        return cls(net, tokenizer, list(meta["labels"]), int(meta["max_length"]), onnx)

    # -- inference ------------------------------------------------------------------------------
    @torch.inference_mode()
    def predict_batch(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        if self.onnx is not None:
            encoded = self.tokenizer(
                list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
            )
            logits = torch.from_numpy(
                self.onnx(encoded["input_ids"].astype("int64"), encoded["attention_mask"].astype("int64"))
            )
        else:
            encoded = self.tokenizer(
                list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
            )
            logits = self.net(**encoded)
        probabilities = torch.softmax(logits, dim=-1)
        rankings = []
        for row in probabilities:
            order = torch.argsort(row, descending=True).tolist()
            rankings.append([(self.labels[i], float(row[i])) for i in order])
        return rankings

    def predict(self, text: str) -> list[tuple[str, float]]:
        return self.predict_batch([text])[0]
