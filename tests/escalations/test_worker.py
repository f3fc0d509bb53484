"""The outbox worker, step by step on a controlled clock: deliver, back off, honour Retry-After,
dead-letter with an alert, recover crashed leases, and drain a receiver's backlog when it returns."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable

import httpx
import pytest
from standardwebhooks import Webhook

from assistant.escalations.metrics import Metrics
from assistant.escalations.worker import OutboxWorker, WorkerConfig, backoff_delay
from tests.escalations.conftest import SECRET, draft, make_service

URL = "http://receiver.test/hooks"


class Receiver:
    """A scripted receiver: ``answers`` are popped per request (the last one repeats)."""

    def __init__(self, *answers: Callable[[], httpx.Response]) -> None:
        self.answers = list(answers) or [lambda: httpx.Response(200)]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer()


def ok() -> httpx.Response:
    return httpx.Response(200)


def unavailable(retry_after: str | None = None) -> Callable[[], httpx.Response]:
    return lambda: httpx.Response(503, headers={"Retry-After": retry_after} if retry_after else {})


def make_worker(service, receiver: Receiver, clock, **config) -> OutboxWorker:  # type: ignore[no-untyped-def]
    settings = {"backoff_base_s": 2.0, "backoff_cap_s": 60.0, "max_attempts": 5, "lease_s": 30.0, "http_timeout_s": 5.0}
    settings.update(config)
    return OutboxWorker(
        service.sessions,
        service.endpoints,
        WorkerConfig(**settings),
        http=httpx.Client(transport=httpx.MockTransport(receiver)),
        clock=clock,
        rng=random.Random(7),
        metrics=Metrics(),
        worker_id="test-worker",
    )


@pytest.fixture
def service(db, clock):  # type: ignore[no-untyped-def]
    return make_service(db, url=URL, clock=clock)


def job(service, escalation_id: str) -> dict:  # type: ignore[no-untyped-def]
    (only,) = service.jobs_for(escalation_id)
    return only


def test_a_new_escalation_is_delivered_signed_with_its_job_id(service, clock) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(ok)
    worker = make_worker(service, receiver, clock)
    escalation = service.raise_in_transaction(None, draft())

    assert worker.run_once() == 1

    (request,) = receiver.requests
    payload = Webhook(SECRET).verify(request.content.decode(), dict(request.headers))
    assert payload["data"]["id"] == escalation.id
    delivered = job(service, escalation.id)
    assert delivered["status"] == "delivered"
    assert request.headers["webhook-id"] == delivered["id"]
    assert [a["outcome"] for a in service.deliveries(delivered["id"])] == ["delivered"]
    assert worker.run_once() == 0


def test_a_failure_backs_off_with_jitter_then_the_same_message_is_retried(service, clock) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(unavailable(), ok)
    worker = make_worker(service, receiver, clock)
    escalation = service.raise_in_transaction(None, draft())

    worker.run_once()
    waiting = job(service, escalation.id)
    assert waiting["status"] == "pending" and waiting["last_status"] == 503
    assert worker.run_once() == 0  # not due yet

    clock.advance(2.0)  # base 2 s: the first delay is 1-2 s
    assert worker.run_once() == 1
    assert job(service, escalation.id)["status"] == "delivered"
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.content == second.content
    assert [a["outcome"] for a in service.deliveries(waiting["id"])] == ["retry", "delivered"]


def test_retry_after_from_the_receiver_is_honoured(service, clock) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(service, Receiver(unavailable("120"), ok), clock)
    escalation = service.raise_in_transaction(None, draft())
    worker.run_once()
    clock.advance(119)
    assert worker.run_once() == 0
    clock.advance(1)
    assert worker.run_once() == 1
    assert job(service, escalation.id)["status"] == "delivered"


def test_after_its_last_attempt_a_job_is_dead_lettered_with_an_alert(service, clock, caplog) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(service, Receiver(lambda: httpx.Response(500)), clock, max_attempts=3)
    escalation = service.raise_in_transaction(None, draft())

    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            worker.run_once()
            clock.advance(61)

    dead = job(service, escalation.id)
    assert dead["status"] == "dead" and dead["attempts"] == 3
    assert "ALERT" in caplog.text and escalation.id in caplog.text
    assert "crushing" not in caplog.text  # no patient details in logs
    assert worker.metrics.value("vha_escalation_dead_letters_total") == 1
    assert [d["id"] for d in service.dead_letters()] == [dead["id"]]
    flagged = service.get(escalation.id)
    assert flagged.flagged and "delivery failed" in (flagged.flag_reason or "")

    service.retry_job(dead["id"])
    worker.http = httpx.Client(transport=httpx.MockTransport(Receiver(ok)))
    assert worker.run_once() == 1
    assert job(service, escalation.id)["status"] == "delivered"


def test_a_permanent_client_error_dead_letters_at_once(service, clock) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(service, Receiver(lambda: httpx.Response(410)), clock)
    escalation = service.raise_in_transaction(None, draft())
    worker.run_once()
    assert job(service, escalation.id)["status"] == "dead"


def test_a_job_held_by_a_crashed_worker_is_retried_after_its_lease(service, clock) -> None:  # type: ignore[no-untyped-def]
    crashed = make_worker(service, Receiver(ok), clock)
    escalation = service.raise_in_transaction(None, draft())
    assert len(crashed.claim()) == 1  # ...and the process dies before recording anything

    survivor_receiver = Receiver(ok)
    survivor = make_worker(service, survivor_receiver, clock)
    assert survivor.run_once() == 0  # the lease still holds
    clock.advance(31)
    assert survivor.run_once() == 1
    recovered = job(service, escalation.id)
    assert (recovered["status"], recovered["attempts"]) == ("delivered", 2)


def test_when_a_receiver_comes_back_its_backlog_is_sent_at_once(service, clock) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(unavailable("1"), unavailable("900"), ok)
    worker = make_worker(service, receiver, clock, concurrency=1, batch_size=1)
    first = service.raise_in_transaction(None, draft(conversation_id="a"))
    second = service.raise_in_transaction(None, draft(conversation_id="b"))
    worker.run_once()
    worker.run_once()  # second waits 15 minutes

    clock.advance(1)
    assert worker.run_once() == 1  # first succeeds on its second attempt...
    assert worker.run_once() == 1  # ...so the second is brought forward
    assert job(service, first.id)["status"] == job(service, second.id)["status"] == "delivered"


def test_the_most_urgent_jobs_go_first(service, clock) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(ok)
    worker = make_worker(service, receiver, clock, batch_size=1, concurrency=1)
    routine = service.raise_in_transaction(None, draft(level="consultation", red_flags=[], conversation_id="r"))
    urgent = service.raise_in_transaction(None, draft(level="emergency_ambulance", conversation_id="u"))
    worker.run_once()
    assert json.loads(receiver.requests[0].content)["data"]["id"] == urgent.id
    worker.run_once()
    assert json.loads(receiver.requests[1].content)["data"]["id"] == routine.id


def test_backoff_grows_exponentially_within_jitter_and_cap() -> None:
    rng = random.Random(1)
    for attempt in range(1, 12):
        ceiling = min(30.0, 1.0 * 2 ** (attempt - 1))
        assert ceiling / 2 <= backoff_delay(attempt, 1.0, 30.0, rng) <= ceiling


def test_fhir_task_is_created_through_the_outbox_when_enabled(db, clock) -> None:  # type: ignore[no-untyped-def]
    created: list[dict] = []

    class Writer:
        def create(self, resource: dict) -> str:
            created.append(resource)
            return "task-1"

    service = make_service(db, clock=clock, fhir_tasks=True)
    escalation = service.raise_in_transaction(None, draft())
    worker = make_worker(service, Receiver(ok), clock)
    worker.fhir_writer = Writer()
    worker.run_once()
    (task,) = created
    assert task["resourceType"] == "Task" and task["priority"] == "stat"
    assert task["for"] == {"reference": "Patient/pat-42"}
    assert task["identifier"][0]["value"] == escalation.id
