"""Fixtures for escalation tests: a migrated database, a controllable clock, a service, a receiver."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import sessionmaker

from assistant.core.capabilities import EscalationDraft
from assistant.escalations.endpoints import Endpoint, EndpointDirectory
from assistant.escalations.service import EscalationService
from assistant.stores.migrate import upgrade
from assistant.stores.sql import make_engine, make_sessionmaker
from connectors.webhooks import new_secret
from connectors.webhooks.receiver import ReceiverServer, ReceiverState
from policies.routing import load_rules
from tests.live_server import free_port

SECRET = new_secret()
#: Wednesday 4 June 2025, 10:00 UTC (11:00 in London): every day-time team is working.
WEDNESDAY_MORNING = datetime(2025, 6, 4, 10, 0, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self, start: float = WEDNESDAY_MORNING) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def migrated_sessions(url: str) -> sessionmaker:
    engine = make_engine(url)
    upgrade(engine)
    return make_sessionmaker(engine)


@pytest.fixture
def db(tmp_path) -> Iterator[sessionmaker]:  # type: ignore[no-untyped-def]
    sessions = migrated_sessions(f"sqlite:///{tmp_path / 'vha.db'}")
    yield sessions
    sessions.kw["bind"].dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_service(
    sessions: sessionmaker, url: str | None = None, clock: Callable[[], float] = time.time, **kwargs
) -> EscalationService:  # type: ignore[no-untyped-def]
    endpoints = EndpointDirectory(default=[Endpoint(url)] if url else [], signing_secrets=[SECRET])
    return EscalationService(
        sessions,
        rules=load_rules(),
        endpoints=endpoints,
        template_values={"emergency_number": "999", "crisis_line": "116 123"},
        clock=clock,
        **kwargs,
    )


def draft(**overrides) -> EscalationDraft:  # type: ignore[no-untyped-def]
    values = {
        "conversation_id": "conv-1",
        "reason": "triage",
        "level": "emergency",
        "patient_ref": "pat-42",
        "red_flags": [{"id": "chest_pain_cardiac", "label": "crushing chest pain"}],
        "findings": [{"code": "29857009", "display": "chest pain", "present": True}],
        "transcript_excerpt": [{"role": "patient", "text": "crushing chest pain", "at": 1.0}],
    }
    values.update(overrides)
    return EscalationDraft(**values)


@pytest.fixture
def receiver() -> Iterator[ReceiverServer]:
    server = ReceiverServer(ReceiverState([SECRET]), free_port()).start()
    yield server
    server.stop()


def wait_until(condition: Callable[[], bool], timeout_s: float = 20.0, every_s: float = 0.02) -> bool:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return condition()
