"""The record-access audit trail in the app's database (SQLite or PostgreSQL).

Implements the FHIR connector's ``AuditSink``: every attempt to read a patient's record becomes one
row, written synchronously, so a read is never served without its audit record being durable.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from assistant.stores.sql import RecordAccessRow


class SQLAuditSink:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def record(self, event: Any) -> None:  # connectors.fhir.AuditEvent (duck-typed: no import cycle)
        with self.sessions.begin() as session:
            session.add(
                RecordAccessRow(
                    at=event.when.timestamp(),
                    actor=event.actor[:128],
                    patient_id=event.patient_id[:128],
                    resource_types=list(event.resource_types),
                    purpose=event.purpose[:64],
                    outcome=event.outcome,
                    server=event.server[:300],
                    conversation_id=event.conversation_id,
                    detail=event.detail[:500],
                )
            )

    def events(self, patient_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first; for the admin API and tests."""
        query = select(RecordAccessRow).order_by(RecordAccessRow.id.desc()).limit(limit)
        if patient_id is not None:
            query = query.where(RecordAccessRow.patient_id == patient_id)
        with self.sessions() as session:
            return [
                {
                    "at": row.at, "actor": row.actor, "patient_id": row.patient_id,
                    "resource_types": row.resource_types, "purpose": row.purpose, "outcome": row.outcome,
                    "server": row.server, "conversation_id": row.conversation_id, "detail": row.detail,
                }
                for row in session.scalars(query)
            ]
