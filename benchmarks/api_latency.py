"""Latency of /v1/nlu/parse and of a full conversation turn over real HTTP, and throughput.

Starts the service in a uvicorn subprocess on loopback (SQLite tracker store, in-process locks,
the default configuration), then measures single-client p50/p95 and concurrent throughput.

    python benchmarks/api_latency.py [--requests 300] [--concurrency 1,4,8]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import threading
import time

import httpx
from _common import ROOT, machine, summary_ms

sys.path.insert(0, str(ROOT))
from tests.live_server import live_server

KEY = "vha-local-dev-key"
PARSE_TEXTS = [
    "hi there",
    "ive had a sore throat for 3 days and now my ears hurt",
    "can i take ibuprofen with my blood pressure tablets",
    "what are the symptoms of type 2 diabetes",
    "i need to book an appointment with my gp next week",
    "can i speak to a real person please",
    "how did i sleep this week according to my watch",
    "delete all my data",
    "whats the weather tomorrow",
    "my daughter has had a temperature of 38.5 since last night",
]
TURN_SCRIPT = [
    "hello",
    "what is the flu",
    "can i take paracetamol and ibuprofen together",
    "are you a bot",
    "thanks",
    "i need an appointment",
    "bye",
]


def run_single(client: httpx.Client, url: str, n: int, body_for) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for i in range(n):
        path, body = body_for(i)
        started = time.perf_counter()
        response = client.post(url + path, json=body, headers={"X-API-Key": KEY})
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
    return timings


def run_concurrent(url: str, n: int, clients: int, body_for) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    counter = itertools.count()
    timings: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(timeout=60) as client:
            while (i := next(counter)) < n:
                path, body = body_for(i)
                started = time.perf_counter()
                client.post(url + path, json=body, headers={"X-API-Key": KEY}).raise_for_status()
                with lock:
                    timings.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n / (time.perf_counter() - started), timings


def parse_body(i: int) -> tuple[str, dict]:
    return "/v1/nlu/parse", {"text": PARSE_TEXTS[i % len(PARSE_TEXTS)]}


def turn_body(i: int) -> tuple[str, dict]:
    conversation = f"bench-{i // len(TURN_SCRIPT)}-{time.monotonic_ns() // 10**12}"
    return f"/v1/conversations/{conversation}/messages", {"text": TURN_SCRIPT[i % len(TURN_SCRIPT)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", default="4,8")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp, live_server({"VHA_DATA_DIR": tmp, "VHA_API_KEYS": "{}"}) as url:
        with httpx.Client(timeout=60) as client:
            run_single(client, url, 30, parse_body)  # warm-up
            run_single(client, url, 14, turn_body)
            print(f"POST /v1/nlu/parse, 1 client: {summary_ms(run_single(client, url, args.requests, parse_body))}")
            print(f"POST /v1/conversations/…/messages (full turn), 1 client: {summary_ms(run_single(client, url, args.requests, turn_body))}")
        for clients in [int(c) for c in args.concurrency.split(",") if c]:
            rate, timings = run_concurrent(url, args.requests, clients, parse_body)
            print(f"/v1/nlu/parse, {clients} clients: {rate:.0f} req/s; {summary_ms(timings)}")
            rate, timings = run_concurrent(url, args.requests, clients, turn_body)
            print(f"full turn, {clients} clients: {rate:.0f} turns/s; {summary_ms(timings)}")


if __name__ == "__main__":
    main()
