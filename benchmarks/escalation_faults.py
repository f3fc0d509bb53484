"""Escalation delivery under faults, full length, over real HTTP on loopback (issue 5).

A. Receiver down: the clinician receiver is unreachable for ``--down-seconds`` (default 120 s) while
   ``--escalations`` (default 200) red-flag messages are posted; then it comes back. Every webhook
   must arrive exactly once per target (dedupe by ``webhook-id``), in a bounded time.
B. SIGKILL: the service process (API + its outbox worker) is killed while deliveries are in flight
   (slow receiver), then restarted. Nothing may be lost, and nothing sent twice beyond the jobs that
   were in flight at the kill (which the receiver's ``webhook-id`` dedupe absorbs).

Both use the default delivery settings (backoff 1 s doubling to 30 s, lease 30 s).

    python benchmarks/escalation_faults.py [--escalations 200] [--down-seconds 120] [--kill-after 60]
                                           [--only down|kill]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from _common import ROOT, machine
from _escalation import api_env, outbox_by_status, post_red_flag, query, start_api

sys.path.insert(0, str(ROOT))
from connectors.webhooks import new_secret
from connectors.webhooks.receiver import ReceiverServer, ReceiverState
from tests.live_server import free_port


def wait_for(condition, timeout_s: float, every_s: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return condition()


def check_exactly_once(db: Path, state: ReceiverState) -> tuple[bool, str]:
    jobs = dict(query(db, "SELECT id, target FROM escalation_outbox WHERE kind = 'webhook'"))
    with state.lock:
        unique = dict(state.unique)
        duplicates = state.duplicates
    wrong_target = sum(1 for msg_id, r in unique.items() if jobs.get(msg_id) != r.payload["data"]["target"])
    missing = set(jobs) - set(unique)
    unexpected = set(unique) - set(jobs)
    ok = not missing and not unexpected and not wrong_target
    return ok, (
        f"jobs {len(jobs)}, received unique {len(unique)}, missing {len(missing)}, unexpected {len(unexpected)}, "
        f"wrong target {wrong_target}, duplicate deliveries (absorbed by dedupe) {duplicates}"
    )


def check_atomic(db: Path) -> str:
    """Every EscalationRaised event has its escalation row and vice versa (same transaction)."""
    raised = {json.loads(data)["escalation_id"] for (data,) in query(db, "SELECT data FROM events WHERE type = 'escalation'")}
    rows = {escalation_id for (escalation_id,) in query(db, "SELECT id FROM escalations")}
    return f"events {len(raised)}, escalation rows {len(rows)}, mismatched {len(raised ^ rows)}"


def scenario_down(count: int, down_s: float) -> None:
    print(f"\nA. receiver down for {down_s:g} s while {count} escalations are raised")
    secret = new_secret()
    receiver = ReceiverServer(ReceiverState([secret]), free_port())  # not started yet: down
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "vha.db"
        process, url = start_api(api_env(Path(tmp), receiver.url, secret), free_port())
        try:
            went_down = time.time()
            with httpx.Client() as client:
                for n in range(count):
                    post_red_flag(client, url, f"down-{n}", n).raise_for_status()
            raised_in = time.time() - went_down
            time.sleep(max(0.0, went_down + down_s - time.time()))
            print(f"   {count} escalations raised in {raised_in:.1f} s; outbox while down: {outbox_by_status(db)}")
            receiver.start()
            back = time.time()
            done = wait_for(lambda: outbox_by_status(db) == {"delivered": count}, timeout_s=300)
            caught_up = time.time() - back
            attempts = query(db, "SELECT count(*) FROM escalation_deliveries")[0][0]
            ok, detail = check_exactly_once(db, receiver.state)
            print(f"   all delivered: {done and ok}; {caught_up:.1f} s after the receiver came back")
            print(f"   {detail}; delivery attempts {attempts}")
            print(f"   atomicity: {check_atomic(db)}")
        finally:
            process.terminate()
            process.wait(20)
            receiver.stop()


def scenario_kill(count: int, kill_after: int) -> None:
    print(f"\nB. service SIGKILLed mid-delivery after {kill_after} deliveries ({count} escalations in all)")
    secret = new_secret()
    receiver = ReceiverServer(ReceiverState([secret], delay_s=0.2), free_port()).start()  # slow: in flight
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "vha.db"
        env = api_env(Path(tmp), receiver.url, secret)
        process, url = start_api(env, free_port())
        posted = 0
        stop = threading.Event()

        def post_until_stopped() -> None:
            nonlocal posted
            with httpx.Client() as client:
                while posted < count and not stop.is_set():
                    try:
                        post_red_flag(client, url, f"kill-{posted}", posted)
                    except httpx.HTTPError:
                        return  # the service is gone
                    posted += 1

        poster = threading.Thread(target=post_until_stopped)
        second = None
        try:
            poster.start()
            wait_for(lambda: len(receiver.state.unique) >= kill_after, timeout_s=120, every_s=0.01)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            killed_at = time.time()
            stop.set()
            poster.join(30)
            at_kill = outbox_by_status(db)
            in_flight = at_kill.get("delivering", 0)
            print(f"   killed with {len(receiver.state.unique)} received; outbox at the kill: {at_kill}")

            second, url = start_api(env, free_port())
            restarted_in = time.time() - killed_at
            with httpx.Client() as client:  # the rest of the escalations, after the restart
                for n in range(posted, count):
                    post_red_flag(client, url, f"kill-{n}", n).raise_for_status()
            total = query(db, "SELECT count(*) FROM escalation_outbox")[0][0]
            done = wait_for(lambda: outbox_by_status(db) == {"delivered": total}, timeout_s=300)
            recovered_in = time.time() - killed_at
            ok, detail = check_exactly_once(db, receiver.state)
            print(f"   restarted in {restarted_in:.1f} s; all {total} delivered: {done and ok}; "
                  f"{recovered_in:.1f} s after the kill (in-flight jobs wait for their 30 s lease)")
            print(f"   {detail}; in flight at the kill {in_flight}")
            print(f"   duplicates <= in-flight: {receiver.state.duplicates <= in_flight}")
            print(f"   atomicity: {check_atomic(db)}")
        finally:
            stop.set()
            for proc in (process, second):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    proc.wait(20)
            receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--escalations", type=int, default=200)
    parser.add_argument("--down-seconds", type=float, default=120.0)
    parser.add_argument("--kill-after", type=int, default=60, help="deliveries received before the SIGKILL")
    parser.add_argument("--only", choices=["down", "kill"], default=None)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if args.only in (None, "down"):
        scenario_down(args.escalations, args.down_seconds)
    if args.only in (None, "kill"):
        scenario_kill(args.escalations, args.kill_after)


if __name__ == "__main__":
    main()
