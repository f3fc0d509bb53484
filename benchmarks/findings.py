"""Coded-finding accuracy on the lay symptom utterances (text -> the category's SNOMED CT concept).

    python benchmarks/findings.py [--data ../shared/data/symptom_utterances/dev.csv] [--no-fallback]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

from _common import SHARED_DIR, machine, summary_ms

from assistant.nlu.findings import extract_facts, primary_finding

# The category -> concept mapping (also checked in tests/nlu/test_findings.py).
CATEGORY_CONCEPT = {
    "Infected wound": "infected_wound", "Muscle pain": "muscle_pain", "Joint pain": "joint_pain",
    "Knee pain": "knee_pain", "Stomach ache": "abdominal_pain", "Shoulder pain": "shoulder_pain",
    "Heart hurts": "chest_pain", "Hard to breath": "shortness_of_breath", "Hair falling out": "hair_loss",
    "Neck pain": "neck_pain", "Internal pain": "abdominal_pain", "Injury from sports": "sports_injury",
    "Acne": "acne", "Skin issue": "skin_issue", "Foot ache": "foot_pain", "Blurry vision": "blurred_vision",
    "Back pain": "back_pain", "Emotional pain": "low_mood", "Head ache": "headache", "Ear ache": "ear_pain",
    "Cough": "cough", "Open wound": "open_wound", "Feeling dizzy": "dizziness", "Feeling cold": "feeling_cold",
    "Body feels weak": "weakness",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=SHARED_DIR / "data/symptom_utterances/dev.csv")
    parser.add_argument("--no-fallback", action="store_true", help="lexicon only, no embedding fallback")
    args = parser.parse_args()
    rows = list(csv.DictReader(args.data.open(encoding="utf-8")))
    print(f"machine: {machine()}\nutterances: {len(rows)}")
    correct, timings, misses = 0, [], Counter()
    any_correct = 0
    for row in rows:
        started = time.perf_counter()
        facts = extract_facts(row["text"], semantic_fallback=not args.no_fallback)
        timings.append(time.perf_counter() - started)
        want = CATEGORY_CONCEPT[row["label"]]
        got = primary_finding(facts)
        correct += got is not None and got.key == want
        any_correct += any(f.key == want for f in facts.positive)
        if got is None or got.key != want:
            misses[(row["label"], got.key if got else None)] += 1
    print(f"primary finding = category's concept: {correct / len(rows):.3f}")
    print(f"category's concept among the findings: {any_correct / len(rows):.3f}")
    print(f"latency per utterance: {summary_ms(timings[5:])}")
    print("most common misses (category, primary finding):")
    for (label, got), n in misses.most_common(12):
        print(f"  {label} -> {got}: {n}")


if __name__ == "__main__":
    main()
