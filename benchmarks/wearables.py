"""Wearable summaries at scale: one and two years of minute-level heart rate (525,600 and
1,051,200 readings) in each format, each summarised in a fresh process.

    python benchmarks/wearables.py [--years 1 2] [--formats apple apple-lxml fhir-bundle fhir-ndjson omh]
                                   [--keep DIR] [--no-tracemalloc]

For every file: wall and CPU time of ``summarise_file`` (reading included), peak RSS of the whole
process (``resource.getrusage``, interpreter and imports included) and, in a second run, the
peak of Python allocations under ``tracemalloc`` (which slows the run, so it is not timed).
Targets: Apple Health export of one year in <= 2 s with peak RSS < 300 MB, and memory that does
not grow with the input. Other jobs may share the machine; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine

sys.path.insert(0, str(ROOT))

FORMATS = {
    # name: (file name, reader options)
    "apple": ("export.xml", {"format": "apple"}),
    "apple-lxml": ("export.xml", {"format": "apple", "parser": "lxml"}),
    "fhir-bundle": ("bundle.json", {"format": "fhir"}),
    "fhir-ndjson": ("observations.ndjson", {"format": "fhir"}),
    "omh": ("openmhealth.json", {"format": "omh"}),
}
APPLE_TARGET_S = 2.0
APPLE_TARGET_RSS_MB = 300.0


def child(path: str, options: str, trace: bool) -> None:
    """Runs in a fresh interpreter: summarise one file, print measurements as JSON."""
    import tracemalloc

    if trace:
        tracemalloc.start()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    from connectors.wearables import Metric, summarise_file

    summary = summarise_file(path, **json.loads(options))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    hr = summary.metrics[Metric.HEART_RATE]
    out = {
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "readings": summary.report.accepted if summary.report else None,
        "recent_mean": hr.recent.mean,
        "days": hr.recent.days_with_data + hr.baseline.days_with_data,
    }
    if trace:
        out["tracemalloc_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    print(json.dumps(out))


def run_child(path: Path, options: dict[str, str], trace: bool) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", str(path), json.dumps(options)] + (["--trace"] if trace else [])
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate(directory: Path, days: int, formats: list[str]) -> dict[str, tuple[Path, float]]:
    from connectors.wearables import synthetic

    cfg = synthetic.benchmark_config(days)
    written: dict[str, tuple[Path, float]] = {}
    writers = {
        "export.xml": lambda p: synthetic.write_apple_health(p, synthetic.generate(cfg)),
        "bundle.json": lambda p: synthetic.write_fhir_bundle(p, synthetic.generate(cfg), "Patient/bench"),
        "observations.ndjson": lambda p: synthetic.write_fhir_ndjson(p, synthetic.generate(cfg), "Patient/bench"),
        "openmhealth.json": lambda p: synthetic.write_openmhealth(p, synthetic.generate(cfg), user_id="bench"),
    }
    for name in formats:
        filename = FORMATS[name][0]
        path = directory / filename
        if not path.exists():
            t0 = time.perf_counter()
            writers[filename](path)
            print(f"  wrote {filename} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s", flush=True)
        written[name] = (path, path.stat().st_size / 1e6)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.trace)
        return

    print(f"Machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}")
    rows = []
    for years in args.years:
        days = 365 * years
        directory = (args.keep / f"{years}y") if args.keep else Path(tempfile.mkdtemp(prefix=f"wearables-{years}y-"))
        directory.mkdir(parents=True, exist_ok=True)
        print(f"Generating {years} year(s) of minute-level heart rate ({days * 1440:,} readings) in {directory}", flush=True)
        try:
            files = generate(directory, days, args.formats)
            for name in args.formats:
                path, size = files[name]
                measured = run_child(path, FORMATS[name][1], trace=False)
                if not args.no_tracemalloc:
                    measured["tracemalloc_mb"] = run_child(path, FORMATS[name][1], trace=True)["tracemalloc_mb"]
                rows.append((name, years, size, measured))
                print(f"  {name}: {measured['wall_s']:.2f} s, {measured['rss_mb']:.0f} MB", flush=True)
        finally:
            if not args.keep:
                shutil.rmtree(directory, ignore_errors=True)

    print()
    print("| format | years | readings | file MB | wall s | CPU s | peak RSS MB | tracemalloc peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, years, size, m in rows:
        trace = f"{m['tracemalloc_mb']:.1f}" if "tracemalloc_mb" in m else "-"
        print(
            f"| {name} | {years} | {m['readings']:,} | {size:.0f} | {m['wall_s']:.2f} | {m['cpu_s']:.2f} | "
            f"{m['rss_mb']:.0f} | {trace} |"
        )
    print(f"\nLoad average at end {os.getloadavg()[0]:.2f} (other jobs on the machine inflate wall time).")
    for name, years, _, m in rows:
        if name == "apple" and years == 1:
            ok = m["wall_s"] <= APPLE_TARGET_S and m["rss_mb"] < APPLE_TARGET_RSS_MB
            print(
                f"Apple Health, 1 year: {m['wall_s']:.2f} s (target <= {APPLE_TARGET_S:g}), peak RSS {m['rss_mb']:.0f} MB "
                f"(target < {APPLE_TARGET_RSS_MB:g}): {'met' if ok else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
