"""Tracker stores: where conversations' events are persisted (SQL by default, memory for tests)."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from assistant.core.events import Event
from assistant.core.tracker import Tracker
from assistant.stores.sql import ConversationRow, EventRow, make_engine, make_sessionmaker

#: Work to do in the same database transaction as an append (e.g. write an escalation and its
#: outbox row); receives the SQLAlchemy session, or ``None`` for stores without one.
SameTransaction = Callable[[Session | None], None]


class UnknownConversation(LookupError):
    pass


class TrackerStore(ABC):
    @abstractmethod
    def retrieve(self, conversation_id: str) -> Tracker | None: ...

    @abstractmethod
    def append(
        self,
        tracker: Tracker,
        events: Sequence[Event],
        *,
        channel: str = "api",
        same_transaction: SameTransaction | None = None,
    ) -> None:
        """Persist ``events`` after those already in ``tracker`` and add them to it.

        Callers hold the conversation's lock. The store still refuses (with an integrity error) a
        write that would put two events at the same position of a conversation.
        """

    def ping(self) -> None:
        """Raise if the store cannot be reached."""

    def close(self) -> None:
        pass


class InMemoryTrackerStore(TrackerStore):
    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = {}
        self._guard = threading.Lock()

    def retrieve(self, conversation_id: str) -> Tracker | None:
        with self._guard:
            events = self._events.get(conversation_id)
            return None if events is None else Tracker(conversation_id, list(events))

    def append(self, tracker, events, *, channel="api", same_transaction=None):  # type: ignore[no-untyped-def]
        with self._guard:
            stored = self._events.setdefault(tracker.conversation_id, [])
            if len(stored) != len(tracker.events):
                raise RuntimeError("conversation changed under the caller's feet")
            if same_transaction is not None:
                same_transaction(None)
            stored.extend(events)
        tracker.events.extend(events)


class SQLTrackerStore(TrackerStore):
    """SQLite (default file) or PostgreSQL, through SQLAlchemy 2; schema managed by Alembic."""

    def __init__(self, url: str, *, engine: Engine | None = None, migrate: bool = True) -> None:
        self.engine = engine or make_engine(url)
        self.sessions = make_sessionmaker(self.engine)
        if migrate:
            from assistant.stores.migrate import upgrade

            upgrade(self.engine)

    def retrieve(self, conversation_id: str) -> Tracker | None:
        with self.sessions() as session:
            exists = session.get(ConversationRow, conversation_id)
            if exists is None:
                return None
            rows = session.scalars(
                select(EventRow).where(EventRow.conversation_id == conversation_id).order_by(EventRow.seq)
            ).all()
            return Tracker(conversation_id, [Event.from_dict(row.data) for row in rows])

    def append(self, tracker, events, *, channel="api", same_transaction=None):  # type: ignore[no-untyped-def]
        if not events:
            return
        start = len(tracker.events)
        with self.sessions.begin() as session:
            conversation = session.get(ConversationRow, tracker.conversation_id)
            stamp = events[-1].timestamp
            if conversation is None:
                conversation = ConversationRow(
                    id=tracker.conversation_id,
                    created_at=events[0].timestamp,
                    updated_at=stamp,
                    channel=channel,
                    event_count=0,
                )
                session.add(conversation)
            elif conversation.event_count != start:
                raise RuntimeError("conversation changed under the caller's feet")
            for offset, event in enumerate(events):
                data = event.to_dict()
                session.add(
                    EventRow(
                        conversation_id=tracker.conversation_id,
                        seq=start + offset,
                        type=event.type_name,
                        timestamp=event.timestamp,
                        data=data,
                    )
                )
            conversation.event_count = start + len(events)
            conversation.updated_at = stamp
            if same_transaction is not None:
                same_transaction(session)
        tracker.events.extend(events)

    def ping(self) -> None:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()


def create_tracker_store(url: str) -> TrackerStore:
    if url in ("memory://", "memory"):
        return InMemoryTrackerStore()
    return SQLTrackerStore(url)
