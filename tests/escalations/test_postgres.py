"""On the real PostgreSQL: clinicians racing for a claim, and several workers sharing one outbox."""

from __future__ import annotations

import threading
from collections import Counter

import httpx

from assistant.escalations.metrics import Metrics
from assistant.escalations.service import EscalationConflict
from assistant.escalations.worker import OutboxWorker, WorkerConfig
from tests.escalations.conftest import draft, make_service, migrated_sessions


def test_when_clinicians_race_to_claim_exactly_one_wins(postgres_url) -> None:  # type: ignore[no-untyped-def]
    sessions = migrated_sessions(postgres_url)
    service = make_service(sessions)
    escalation = service.raise_in_transaction(None, draft())
    clinicians = [f"dr-{n}" for n in range(8)]
    start = threading.Barrier(len(clinicians))
    results: dict[str, str] = {}

    def claim(name: str) -> None:
        start.wait()
        try:
            service.claim(escalation.id, name)
            results[name] = "won"
        except EscalationConflict as exc:
            results[name] = str(exc)

    threads = [threading.Thread(target=claim, args=(name,)) for name in clinicians]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    winners = [name for name, result in results.items() if result == "won"]
    assert len(winners) == 1
    assert all(results[name] == f"already claimed by {winners[0]}" for name in clinicians if name != winners[0])
    assert service.get(escalation.id).assignee == winners[0]
    assert [a["action"] for a in service.audit_trail(escalation.id)].count("claimed") == 1
    sessions.kw["bind"].dispose()


def test_workers_sharing_the_outbox_never_send_the_same_job_twice(postgres_url) -> None:  # type: ignore[no-untyped-def]
    sessions = migrated_sessions(postgres_url)
    service = make_service(sessions, url="http://receiver.test/hooks")
    for n in range(60):
        service.raise_in_transaction(None, draft(conversation_id=f"conv-{n}"))
    received: Counter[str] = Counter()
    guard = threading.Lock()

    def receive(request: httpx.Request) -> httpx.Response:
        with guard:
            received[request.headers["webhook-id"]] += 1
        return httpx.Response(200)

    workers = [
        OutboxWorker(
            sessions,
            service.endpoints,
            WorkerConfig(batch_size=7, concurrency=2),
            http=httpx.Client(transport=httpx.MockTransport(receive)),
            metrics=Metrics(),
            worker_id=f"w{n}",
        )
        for n in range(3)
    ]
    start = threading.Barrier(len(workers))

    def drain(worker: OutboxWorker) -> None:
        start.wait()
        idle = 0
        while idle < 3:
            idle = idle + 1 if worker.run_once() == 0 else 0

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for worker in workers:
        worker.close()

    assert len(received) == 60
    assert set(received.values()) == {1}
    assert service.outbox_counts()["by_status"] == {"delivered": 60}
    sessions.kw["bind"].dispose()
