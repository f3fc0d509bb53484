from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from assistant.core.events import BotMessage, Event, Handoff, SessionStarted, SlotSet, UserMessage
from assistant.core.tracker import Tracker
from assistant.stores.tracker_store import InMemoryTrackerStore, SQLTrackerStore


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "memory":
        yield InMemoryTrackerStore()
        return
    url = f"sqlite:///{tmp_path / 'trackers.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    sql = SQLTrackerStore(url)
    yield sql
    sql.close()


def test_events_round_trip_in_order_with_types(store) -> None:  # type: ignore[no-untyped-def]
    tracker = Tracker("c1")
    store.append(tracker, [SessionStarted(channel="api"), UserMessage(text="hi", parse={"intent": {"name": "greet"}})])
    store.append(tracker, [BotMessage(text="hello"), SlotSet(name="active_flow", value="triage")])

    loaded = store.retrieve("c1")

    assert loaded is not None
    assert [type(e) for e in loaded.events] == [SessionStarted, UserMessage, BotMessage, SlotSet]
    assert loaded.events[1].parse["intent"]["name"] == "greet"
    assert loaded.active_flow == "triage"


def test_unknown_conversation_is_none(store) -> None:  # type: ignore[no-untyped-def]
    assert store.retrieve("nobody") is None


def test_stale_tracker_cannot_overwrite_newer_events(store) -> None:  # type: ignore[no-untyped-def]
    fresh = Tracker("c2")
    store.append(fresh, [SessionStarted()])
    stale = store.retrieve("c2")
    store.append(fresh, [UserMessage(text="first")])

    with pytest.raises((RuntimeError, IntegrityError)):
        store.append(stale, [UserMessage(text="second")])
    assert [getattr(e, "text", None) for e in store.retrieve("c2").events] == [None, "first"]


def test_same_transaction_work_rolls_back_with_the_events(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SQLTrackerStore(f"sqlite:///{tmp_path / 't.db'}")
    tracker = Tracker("c3")

    def fail(_session) -> None:  # type: ignore[no-untyped-def]
        raise ValueError("outbox write failed")

    with pytest.raises(ValueError):
        store.append(tracker, [SessionStarted(), Handoff(to="human")], same_transaction=fail)
    assert store.retrieve("c3") is None


def test_event_json_round_trip_rejects_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        Event.from_dict({"type": "nope"})
