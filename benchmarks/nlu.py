"""Intent accuracy, macro-F1 and safety recall on our held-out split.

    python benchmarks/nlu.py [--holdout benchmarks/data/nlu_holdout.yml]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

from _common import ROOT, machine, summary_ms

from assistant.config import Settings
from assistant.core.services import build_safety_policy, load_nlu
from assistant.nlu.data import load_nlu_yaml
from policies.safety import IntentSignal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holdout", type=Path, default=ROOT / "benchmarks/data/nlu_holdout.yml")
    args = parser.parse_args()

    settings = Settings()
    nlu = load_nlu(settings)
    safety = build_safety_policy()
    examples = load_nlu_yaml(args.holdout)
    print(f"machine: {machine()}")
    print(f"held-out examples: {len(examples)} over {len({e.intent for e in examples})} intents")

    truth, pred, timings = [], [], []
    safety_hits: dict[str, list[bool]] = defaultdict(list)
    false_alarms = []
    for example in examples:
        started = time.perf_counter()
        result = nlu.parse(example.text)
        timings.append(time.perf_counter() - started)
        truth.append(example.intent)
        pred.append(result.intent.name)
        top = result.top_model_intent
        verdict = safety.evaluate(example.text, IntentSignal(top.name, top.confidence))
        if example.intent in ("emergency", "mental_health_crisis"):
            safety_hits[example.intent].append(verdict is not None and verdict.kind == example.intent)
        elif example.intent in ("greet", "thank", "goodbye", "ask_health_info", "ask_medication") and verdict:
            false_alarms.append(example.text)

    labels = sorted(set(truth))
    correct = sum(t == p for t, p in zip(truth, pred))
    print(f"\nintent accuracy: {correct / len(truth):.3f}")
    f1s = []
    print(f"{'intent':24} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}")
    for label in labels:
        tp = sum(t == p == label for t, p in zip(truth, pred))
        fp = sum(p == label and t != label for t, p in zip(truth, pred))
        fn = sum(t == label and p != label for t, p in zip(truth, pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        print(f"{label:24} {precision:6.3f} {recall:6.3f} {f1:6.3f} {tp + fn:4d}")
    print(f"macro-F1: {sum(f1s) / len(f1s):.3f}")
    for kind, hits in safety_hits.items():
        print(f"safety recall ({kind}, policy on held-out messages): {sum(hits)}/{len(hits)}")
    print(f"safety false alarms on greetings/thanks/goodbyes/questions: {len(false_alarms)}")
    for text in false_alarms:
        print(f"  - {text}")
    confusions = Counter((t, p) for t, p in zip(truth, pred) if t != p)
    print("\nmost common confusions (truth -> predicted):")
    for (t, p), n in confusions.most_common(10):
        print(f"  {t} -> {p}: {n}")
    print(f"\nin-process parse latency: {summary_ms(timings)}")


if __name__ == "__main__":
    main()
