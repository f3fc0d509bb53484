"""Train the intent model once per (data, base model, settings) and cache the result on disk."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from assistant.config import Settings
from assistant.nlu.classifier import IntentClassifier, TrainingConfig
from assistant.nlu.data import load_examples

#: Bump when the model architecture or training code changes in a way that invalidates caches.
TRAINING_CODE_VERSION = "3"


def training_config(settings: Settings) -> TrainingConfig:
    return TrainingConfig(
        epochs=settings.train_epochs,
        batch_size=settings.train_batch_size,
        learning_rate=settings.train_learning_rate,
        max_length=settings.train_max_length,
        seed=settings.train_seed,
    )


def _hash_base_model(directory: Path, digest: hashlib._Hash) -> None:
    # Config and tokenizer files in full; weights by name and size (hashing GBs of a large
    # clinical BERT on every start would be slow, and a changed checkpoint changes its size).
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        digest.update(relative.encode())
        if path.suffix in {".json", ".txt", ".model"} and path.stat().st_size < 5_000_000:
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())


def model_fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    digest.update(TRAINING_CODE_VERSION.encode())
    for path in settings.resolved_nlu_data:
        digest.update(Path(path).read_bytes())
    _hash_base_model(Path(settings.resolved_base_model), digest)
    digest.update(json.dumps(asdict(training_config(settings)), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def cached_model_dir(settings: Settings) -> Path:
    return Path(settings.model_cache_dir).expanduser() / f"intent-{model_fingerprint(settings)}"


def is_trained(settings: Settings) -> bool:
    return (cached_model_dir(settings) / "labels.json").exists()


def train_intent_model(settings: Settings, *, show_progress: bool = True, force: bool = False) -> Path:
    """Fine-tune the intent model unless an identical one is cached; return its directory."""
    target = cached_model_dir(settings)
    if is_trained(settings) and not force:
        return target
    base = Path(settings.resolved_base_model)
    if not (base / "config.json").exists():
        raise FileNotFoundError(
            f"base model directory {base} has no config.json: set VHA_BASE_MODEL to a local "
            "BERT-family model directory"
        )
    examples = load_examples(settings.resolved_nlu_data)
    if settings.torch_threads:
        import torch

        torch.set_num_threads(settings.torch_threads)
    bar = tqdm(total=1, desc="Training intent model", unit="step", disable=not show_progress)

    def progress(step: int, total: int, loss: float) -> None:
        bar.total = total
        bar.update(step - bar.n)
        bar.set_postfix(loss=f"{loss:.3f}")

    classifier = IntentClassifier.train(examples, base, training_config(settings), progress=progress)
    bar.close()
    # Write to a temporary sibling and rename, so a crash never leaves a half-written cache entry.
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    classifier.save(staging)
    (staging / "training.json").write_text(
        json.dumps(
            {
                "base_model": str(base),
                "examples": len(examples),
                "intents": classifier.labels,
                "config": asdict(training_config(settings)),
                "data": [str(p) for p in settings.resolved_nlu_data],
            },
            indent=2,
        )
    )
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target
