"""Calibrate the emergency-presentation matcher on OUR OWN evaluation texts only.

    python benchmarks/presentations_calibration.py

Texts: the tuned and held-out triage vignettes we wrote (benchmarks/vignettes/vignettes.yaml,
holdout.yaml) and the safety messages (benchmarks/data/safety_messages.yml). Independent
vignettes (independent.yaml) are never read here. For each threshold and margin, prints how many
emergencies the matcher recognises and how many non-emergencies it would wrongly flag.
"""

from __future__ import annotations

import argparse

import yaml
from _common import ROOT, machine

from assistant.nlu.findings.presentations import PresentationMatcher

EMERGENCY = {"emergency_ambulance", "emergency"}


def texts() -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for name in ("vignettes.yaml", "holdout.yaml"):
        for v in yaml.safe_load((ROOT / "benchmarks/vignettes" / name).read_text())["vignettes"]:
            out.append((v["text"], v["expected"] in EMERGENCY))
    safety = yaml.safe_load((ROOT / "benchmarks/data/safety_messages.yml").read_text())
    out += [(t, True) for t in safety.get("emergency", [])]
    out += [(t, False) for t in safety.get("not_safety", [])]
    return out


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    print(f"machine: {machine()}")
    matcher = PresentationMatcher()
    data = texts()
    scored = [(matcher.scores(text), is_emergency) for text, is_emergency in data]
    positives = sum(e for _, e in scored)
    print(f"texts: {len(data)} ({positives} emergencies)")
    print("threshold  veto  everyday  recognised  false-alarms")
    print("  (a near miss vetoes when >= score + veto; everyday complaints veto when >= score + everyday)")
    for threshold in (0.55, 0.58, 0.60, 0.62, 0.65, 0.68):
        for veto in (0.05, 1.0):
            for margin in (0.0, 0.03, 0.06, 1.0):
                hit = [
                    any(s >= threshold and n < s + veto and d < s + margin for _, s, n, _, d in rows)
                    for rows, _ in scored
                ]
                tp = sum(h and e for h, (_, e) in zip(hit, scored))
                fp = sum(h and not e for h, (_, e) in zip(hit, scored))
                print(f"  {threshold:.2f}    {veto:.2f}    {margin:.2f}     {tp:3d}/{positives}      {fp:3d}/{len(data) - positives}")


if __name__ == "__main__":
    main()
