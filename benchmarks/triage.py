"""Triage accuracy on our vignettes through POST /v1/triage (text, age and sex only), and the
endpoint's latency over real HTTP.

    python benchmarks/triage.py [--vignettes benchmarks/vignettes/vignettes.yaml] [--latency 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml
from _common import ROOT, machine, summary_ms

sys.path.insert(0, str(ROOT))
from policies.triage.models import Level
from tests.live_server import live_server

LEVELS = ["emergency_ambulance", "emergency", "consultation_24", "consultation", "self_care"]
KEY = {"X-API-Key": "vha-local-dev-key"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vignettes", type=Path, default=ROOT / "benchmarks/vignettes/vignettes.yaml")
    parser.add_argument("--latency", type=int, default=300, help="requests for the latency run (0 = skip)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    vignettes = yaml.safe_load(args.vignettes.read_text())["vignettes"]
    print(f"machine: {machine()}\nvignettes: {len(vignettes)} {dict(Counter(v['expected'] for v in vignettes))}")
    with tempfile.TemporaryDirectory() as tmp, live_server({"VHA_DATA_DIR": tmp, "VHA_API_KEYS": "{}"}) as url:  # noqa: SIM117 - the client needs the url
        with httpx.Client(base_url=url, headers=KEY, timeout=30) as http:
            got = []
            for v in vignettes:
                body = {"text": v["text"]} | {k: v[k] for k in ("age", "sex") if k in v}
                got.append(http.post("/v1/triage", json=body).raise_for_status().json()["level"])
            want = [v["expected"] for v in vignettes]
            five = sum(a == b for a, b in zip(want, got)) / len(want)
            three = sum(Level(a).group == Level(b).group for a, b in zip(want, got)) / len(want)
            under = sum(LEVELS.index(b) > LEVELS.index(a) for a, b in zip(want, got)) / len(want)
            over = sum(LEVELS.index(b) < LEVELS.index(a) for a, b in zip(want, got)) / len(want)
            emergencies_under = [v["id"] for v, g in zip(vignettes, got) if Level(v["expected"]).group == "emergency" and Level(g).group != "emergency"]
            print(f"5-level accuracy: {five:.3f}   3-level accuracy: {three:.3f}")
            print(f"under-triage: {under:.3f}   over-triage: {over:.3f}   emergencies triaged below emergency: {len(emergencies_under)} {emergencies_under}")
            for voice in ("patient", "clinical"):
                idx = [i for i, v in enumerate(vignettes) if v.get("voice") == voice]
                if not idx:
                    continue
                acc = sum(Level(want[i]).group == Level(got[i]).group for i in idx) / len(idx)
                print(f"3-level accuracy, {voice} voice: {acc:.3f} (n={len(idx)})")
            print("\nper level (5-level recall):")
            for level in LEVELS:
                idx = [i for i, w in enumerate(want) if w == level]
                print(f"  {level:20} {sum(got[i] == level for i in idx) / len(idx):.3f} (n={len(idx)})")
            print("\nconfusion matrix (rows expected, columns predicted):")
            print(" " * 22 + " ".join(f"{lvl[:10]:>10}" for lvl in LEVELS))
            for a in LEVELS:
                print(f"  {a:20}" + " ".join(f"{sum(w == a and g == b for w, g in zip(want, got)):>10}" for b in LEVELS))
            if args.show_misses:
                for v, g in zip(vignettes, got):
                    if g != v["expected"]:
                        print(f"  {v['id']} want {v['expected']} got {g}: {v['text']}")
            if args.latency:
                texts = [v["text"] for v in vignettes]
                for t in texts[:20]:
                    http.post("/v1/triage", json={"text": t})
                timings = []
                for i in range(args.latency):
                    started = time.perf_counter()
                    http.post("/v1/triage", json={"text": texts[i % len(texts)]}).raise_for_status()
                    timings.append(time.perf_counter() - started)
                print(f"\nPOST /v1/triage over HTTP, 1 client: {summary_ms(timings)}")


if __name__ == "__main__":
    main()
