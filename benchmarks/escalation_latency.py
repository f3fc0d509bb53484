"""From a patient's red-flag message to a signed webhook at the clinician's receiver, on loopback.

Starts the real service in a uvicorn subprocess (default configuration: SQLite, in-process outbox
worker) and a verifying receiver (``standardwebhooks`` library, dedupe by ``webhook-id``), posts
red-flag messages one after another, and times each from just before the POST to the receiver
accepting the webhook. Also checks every webhook is correctly signed and carries a full summary.

    python benchmarks/escalation_latency.py [--messages 100] [--gap-ms 50]

Target (issue 5): p95 <= 1 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import ROOT, machine, summary_ms
from _escalation import RED_FLAG_MESSAGES, api_env, post_red_flag

sys.path.insert(0, str(ROOT))
from connectors.webhooks import new_secret
from connectors.webhooks.receiver import ReceiverServer, ReceiverState
from tests.live_server import free_port, live_server

REQUIRED = ("headline", "level", "red_flags", "transcript_excerpt", "patient_ref", "due_at", "links")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--gap-ms", type=float, default=50.0, help="pause between messages")
    args = parser.parse_args()

    secret = new_secret()
    receiver = ReceiverServer(ReceiverState([secret]), free_port()).start()
    sent_at: dict[str, float] = {}
    turn_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, live_server(api_env(Path(tmp), receiver.url, secret)) as url:
        with httpx.Client() as client:
            for n in range(3):  # warm-up (not measured)
                post_red_flag(client, url, f"warm-{n}", n).raise_for_status()
            time.sleep(1)
            for n in range(args.messages):
                conversation = f"bench-{n}"
                sent_at[conversation] = time.time()
                started = time.perf_counter()
                post_red_flag(client, url, conversation, n).raise_for_status()
                turn_times.append(time.perf_counter() - started)
                time.sleep(args.gap_ms / 1000)
        deadline = time.time() + 60
        while time.time() < deadline:
            arrived = {r.payload["data"]["conversation_id"] for r in receiver.state.unique.values()}
            if set(sent_at) <= arrived:
                break
            time.sleep(0.05)
    receiver.stop()

    latencies = []
    incomplete = 0
    for received in receiver.state.unique.values():
        data = received.payload["data"]
        conversation = data["conversation_id"]
        if conversation in sent_at:
            latencies.append(received.at - sent_at[conversation])
            incomplete += any(not data.get(key) for key in REQUIRED)
    stats = receiver.state.stats()
    print(f"machine: {machine()}")
    print(f"messages: {args.messages} red-flag messages ({len(RED_FLAG_MESSAGES)} kinds), gap {args.gap_ms:g} ms")
    print(f"API turn (POST message -> replies):   {summary_ms(turn_times)}")
    print(f"message -> signed webhook delivered:  {summary_ms(latencies)}")
    print(
        f"delivered {len(latencies)}/{args.messages}; bad signatures {stats['rejected']}; "
        f"duplicates {stats['duplicates']}; incomplete summaries {incomplete}"
    )


if __name__ == "__main__":
    main()
