"""Faults over real HTTP on loopback, with shortened timings (the benchmarks run the full-length ones):
the receiver is down while escalations pile up, and the worker process is SIGKILLed mid-delivery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from assistant.escalations.models import OutboxJobRow
from assistant.escalations.worker import BackgroundWorker, OutboxWorker, WorkerConfig
from connectors.webhooks.receiver import ReceiverServer, ReceiverState
from tests.escalations.conftest import SECRET, draft, make_service, migrated_sessions, wait_until
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def statuses(sessions) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return dict(session.execute(select(OutboxJobRow.status, func.count()).group_by(OutboxJobRow.status)).all())


def job_targets(sessions) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return dict(session.execute(select(OutboxJobRow.id, OutboxJobRow.target)).all())


def test_receiver_down_then_back_every_escalation_arrives_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sessions = migrated_sessions(f"sqlite:///{tmp_path / 'vha.db'}")
    receiver = ReceiverServer(ReceiverState([SECRET]), free_port())  # not started: the receiver is down
    service = make_service(sessions, url=receiver.url)
    worker = OutboxWorker(
        sessions,
        service.endpoints,
        WorkerConfig(poll_interval_s=0.1, backoff_base_s=0.2, backoff_cap_s=1.0, max_attempts=100, http_timeout_s=2),
        rerouter=service.reroute_overdue,
    )
    service.add_listener(worker.wake)
    background = BackgroundWorker(worker).start()
    try:
        for n in range(100):
            service.raise_in_transaction(None, draft(conversation_id=f"conv-{n}", level=["emergency", "consultation_24"][n % 2]))
        time.sleep(3)  # down for a while: every job has failed at least once
        assert statuses(sessions).get("delivered", 0) == 0

        receiver.start()
        assert wait_until(lambda: statuses(sessions) == {"delivered": 100}, timeout_s=30)
    finally:
        background.stop()
        receiver.stop()

    state = receiver.state
    targets = job_targets(sessions)
    assert set(state.unique) == set(targets)  # every job, to its own target, once
    assert state.duplicates == 0 and state.rejected == 0
    for msg_id, received in state.unique.items():
        assert received.payload["data"]["target"] == targets[msg_id]
    sessions.kw["bind"].dispose()


def start_worker_process(db_url: str, receiver_url: str, data_dir: Path) -> subprocess.Popen:
    env = os.environ | {
        "VHA_TRACKER_STORE_URL": db_url,
        "VHA_DATA_DIR": str(data_dir),
        "VHA_ESCALATION_WEBHOOK_URL": receiver_url,
        "VHA_ESCALATION_SIGNING_SECRETS": SECRET,
        "VHA_ESCALATION_POLL_INTERVAL_S": "0.1",
        "VHA_ESCALATION_BATCH_SIZE": "8",
        "VHA_ESCALATION_DELIVERY_CONCURRENCY": "4",
        "VHA_ESCALATION_HTTP_TIMEOUT_S": "1",
        "VHA_ESCALATION_LEASE_S": "2",
        "VHA_ESCALATION_BACKOFF_BASE_S": "0.2",
        "VHA_ESCALATION_BACKOFF_CAP_S": "1",
        "VHA_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.escalations.worker"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def test_worker_killed_mid_delivery_loses_nothing_and_only_in_flight_jobs_repeat(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db_url = f"sqlite:///{tmp_path / 'vha.db'}"
    sessions = migrated_sessions(db_url)
    receiver = ReceiverServer(ReceiverState([SECRET], delay_s=0.05), free_port()).start()
    service = make_service(sessions, url=receiver.url)
    total = 120
    for n in range(total):
        service.raise_in_transaction(None, draft(conversation_id=f"conv-{n}"))

    first = start_worker_process(db_url, receiver.url, tmp_path)
    second = None
    try:
        assert wait_until(lambda: len(receiver.state.unique) >= 30, timeout_s=60), first.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        in_flight = statuses(sessions).get("delivering", 0)
        assert 0 < len(receiver.state.unique) < total  # killed in the middle

        second = start_worker_process(db_url, receiver.url, tmp_path)
        assert wait_until(lambda: statuses(sessions) == {"delivered": total}, timeout_s=60)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
        receiver.stop()

    state = receiver.state
    assert set(state.unique) == set(job_targets(sessions))  # nothing lost
    assert state.duplicates <= in_flight  # a repeat only for a job caught mid-flight; deduped by id
    sessions.kw["bind"].dispose()
