"""Patient-context assembly latency against a real FHIR R4 server on loopback.

Starts the test FHIR server (tests/fhir_server: Medplum's FHIR router in memory), loads the 30
shared Synthea patients, then reads each patient's context through `PatientContextService` with
the cache disabled, so every read is the full set of parallel HTTP queries, the parsing with
fhirclient's models and the assembly. Reports p50/p95 over all reads and per patient size.

    python benchmarks/fhir_context.py [--rounds 10] [--workers 6]

Needs `bash .ci/install-fhir-server.sh` first. Target: p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _common import ROOT, machine, percentile, summary_ms

sys.path.insert(0, str(ROOT))
from connectors.fhir import FHIRConnectorConfig, InMemoryAuditSink, PatientContextService
from tests.fhir_server.harness import load_bundles, start_fhir_server, synthea_files
from tests.shared_data import SHARED_DIR

TARGET_P95_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="reads of every patient")
    parser.add_argument("--workers", type=int, default=6, help="parallel queries per read")
    args = parser.parse_args()

    server = start_fhir_server()
    try:
        started = time.perf_counter()
        files = synthea_files(SHARED_DIR)
        ids = list(load_bundles(server.base_url, files).values())
        load_s = time.perf_counter() - started
        config = FHIRConnectorConfig(
            base_url=server.base_url, cache_ttl_s=0, max_workers=args.workers, time_box_s=10
        )
        service = PatientContextService(config, audit=InMemoryAuditSink())
        for patient_id in ids[:3]:  # warm-up: connections, JIT on the server side
            service.get(patient_id, purpose="benchmark", actor="bench", consent_given=True)

        times: list[float] = []
        by_patient: dict[str, list[float]] = {pid: [] for pid in ids}
        sizes: dict[str, int] = {}
        degraded = 0
        for _ in range(args.rounds):
            for patient_id in ids:
                t0 = time.perf_counter()
                result = service.get(
                    patient_id, purpose="benchmark", actor="bench", consent_given=True
                )
                elapsed = time.perf_counter() - t0
                times.append(elapsed)
                by_patient[patient_id].append(elapsed)
                degraded += result.degraded
                ctx = result.context
                if ctx is not None:
                    sizes[patient_id] = len(ctx.conditions) + len(ctx.vitals) + len(ctx.labs)
        service.close()
    finally:
        server.stop()

    p95 = percentile(times, 0.95) * 1000
    print(f"machine: {machine()}")
    print(
        f"server: {server.base_url} (Medplum fhir-router, in memory), 30 Synthea patients loaded in {load_s:.1f} s"
    )
    print(
        f"reads: {len(times)} ({args.rounds} rounds x {len(ids)} patients), cache off, {args.workers} workers, degraded: {degraded}"
    )
    print()
    print("| reads | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    ms = [t * 1000 for t in times]
    print(
        f"| {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | {percentile(times, 0.99) * 1000:.1f} | {max(ms):.1f} |"
    )
    print()
    slowest = sorted(by_patient.items(), key=lambda kv: -statistics.median(kv[1]))[:3]
    for patient_id, samples in slowest:
        print(
            f"slowest patient ({sizes.get(patient_id, 0)} items in context): {summary_ms(samples)}"
        )
    verdict = "meets" if p95 <= TARGET_P95_MS else "MISSES"
    print(f"\np95 {p95:.1f} ms {verdict} the {TARGET_P95_MS:.0f} ms target")


if __name__ == "__main__":
    main()
