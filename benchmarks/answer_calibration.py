"""Calibrate the "no reliable information" threshold: best passage similarity for questions our
corpus covers versus questions it does not.

    python benchmarks/answer_calibration.py
"""

from __future__ import annotations

import argparse

from _common import machine

from assistant.config import Settings
from assistant.core.services import load_guidelines

COVERED = [
    "what are the signs of a stroke", "how do i treat sunburn", "can i take ibuprofen with blood thinners",
    "is paracetamol safe in pregnancy", "how long does a cold last", "what should i do for a sprained ankle",
    "can i drink alcohol with metronidazole", "how do i store insulin", "what is sepsis",
    "what to do if someone is choking", "my child has chickenpox what can i give", "how to stop a nosebleed",
    "what causes gout", "when should i worry about a cough",
]
NOT_COVERED = [
    "what is the capital of france", "how do i fix my car", "best pizza in town", "what is bitcoin",
    "how to learn guitar", "what is the treatment for lyme disease", "how does an mri scanner work",
    "tell me about the roman empire",
]


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    settings = Settings()
    answerer = load_guidelines(settings)
    print(f"machine: {machine()}\nthreshold (VHA_ANSWER_MIN_SIMILARITY): {settings.answer_min_similarity}")
    for label, questions in (("covered", COVERED), ("not covered", NOT_COVERED)):
        scores = [answerer.answer(q).best_similarity for q in questions]
        answered = sum(s >= settings.answer_min_similarity for s in scores)
        print(f"{label:12} n={len(scores)} min={min(scores):.3f} max={max(scores):.3f} answered={answered}")


if __name__ == "__main__":
    main()
