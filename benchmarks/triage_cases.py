"""Triage on our own reference cases, each left out of the vote that judges it.

Every case in ``policies/triage/cases/`` is triaged from its text (with its age and sex when the
case gives them) while the case itself is hidden from the nearest-case vote, so the vote has to
come from the other cases. The bank holds deliberately hard near-miss pairs, so this is a stricter
test of emergency recall than the vignette sets.

    python benchmarks/triage_cases.py [--show-misses]
"""

from __future__ import annotations

import argparse
from collections import Counter

import yaml
from _common import ROOT, machine
from tqdm import tqdm

from assistant.core.triage_service import TriageService
from assistant.nlu.findings import cases as case_matcher
from policies.triage.case_bank import CASES_DIR, load_cases


def _leave_one_out() -> None:
    """Hide an exact match (the case itself) from the nearest-case vote."""
    matcher = case_matcher._matcher
    nearest_to = matcher.nearest_to

    def without_itself(vector):  # type: ignore[no-untyped-def]
        matcher.top_k += 1
        try:
            found = nearest_to(vector)
        finally:
            matcher.top_k -= 1
        return [c for c in found if c.similarity < 0.999][: matcher.top_k]

    matcher.nearest_to = without_itself  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-misses", action="store_true", help="list emergencies triaged below emergency")
    args = parser.parse_args()
    details = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            details[str(item["id"])] = item
    cases = load_cases()
    print(f"machine: {machine()}\nreference cases: {len(cases)} ({ROOT.name}/{CASES_DIR.relative_to(ROOT)})")
    _leave_one_out()
    service = TriageService()
    confusion: Counter[tuple[str, str]] = Counter()
    missed = []
    for case in tqdm(cases, desc="Triaging reference cases", unit="case"):
        item = details[case.id]
        result, _ = service.assess(case.text, age=item.get("age"), sex=item.get("sex"))
        want, got = case.level.group, result.level.group
        confusion[want, got] += 1
        if want == "emergency" and got != "emergency":
            missed.append((case, result.level.value))
    total = sum(confusion.values())
    groups = ("emergency", "clinician", "self_care")
    print(f"3-level accuracy: {sum(confusion[g, g] for g in groups) / total:.3f}")
    emergencies = sum(confusion["emergency", g] for g in groups)
    print(f"emergencies triaged below emergency: {len(missed)} of {emergencies}")
    print("confusion (rows expected, columns predicted): " + "  ".join(f"{a[:4]}->{b[:4]} {confusion[a, b]}" for a in groups for b in groups))
    if args.show_misses:
        for case, got in missed:
            print(f"  {case.id} {case.level.value} -> {got}: {case.text[:140]} ({case.why})")


if __name__ == "__main__":
    main()
