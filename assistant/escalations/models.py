"""Escalation tables on the shared SQLAlchemy ``Base``: escalations, the outbox, its delivery log,
the audit trail, and the inbound webhook ids seen (replay protection).

Created by migration ``0002_escalations`` (keep the two in step). Times are Unix seconds (floats),
as in the conversation tables.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.stores.sql import Base

_AUTO_ID = BigInteger().with_variant(Integer, "sqlite")

# Escalation status: open (waiting for a clinician) -> claimed -> resolved.
OPEN, CLAIMED, RESOLVED = "open", "claimed", "resolved"
# Outbox job status: pending -> delivering (leased by a worker) -> delivered | dead.
PENDING, DELIVERING, DELIVERED, DEAD = "pending", "delivering", "delivered", "dead"


class EscalationRow(Base):
    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_queue", "status", "priority", "due_at"),
        Index("ix_escalations_conversation", "conversation_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    patient_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(32), default="")
    priority: Mapped[int] = mapped_column(Integer)
    specialty: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))
    on_call: Mapped[str | None] = mapped_column(String(128), nullable=True)
    patient_label: Mapped[str] = mapped_column(String(200), default="")
    sla_minutes: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reroutes: Mapped[int] = mapped_column(Integer, default=0)
    route_history: Mapped[list] = mapped_column(JSON, default=list)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    red_flags: Mapped[list] = mapped_column(JSON, default=list)
    patient_context: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    wearable_summary: Mapped[object | None] = mapped_column(JSON, nullable=True)
    transcript: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[float] = mapped_column(Float)
    due_at: Mapped[float] = mapped_column(Float)
    claimed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    resolved_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class OutboxJobRow(Base):
    """One delivery to one endpoint; its id is the ``webhook-id`` (stable across retries)."""

    __tablename__ = "escalation_outbox"
    __table_args__ = (
        Index("ix_escalation_outbox_due", "status", "next_attempt_at"),
        Index("ix_escalation_outbox_escalation", "escalation_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    escalation_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="webhook")  # webhook | fhir
    event_type: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(128))
    endpoint_url: Mapped[str] = mapped_column(String(1000))
    body: Mapped[str] = mapped_column(Text)  # the exact bytes sent on every attempt
    priority: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class DeliveryLogRow(Base):
    __tablename__ = "escalation_deliveries"
    __table_args__ = (Index("ix_escalation_deliveries_job", "job_id"),)

    id: Mapped[int] = mapped_column(_AUTO_ID, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(40))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[float] = mapped_column(Float)
    worker: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | retry | dead
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)


class AuditRow(Base):
    __tablename__ = "escalation_audit"
    __table_args__ = (Index("ix_escalation_audit_escalation", "escalation_id", "at"),)

    id: Mapped[int] = mapped_column(_AUTO_ID, primary_key=True, autoincrement=True)
    escalation_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class InboundWebhookRow(Base):
    """``webhook-id``s of accepted inbound callbacks, kept for the replay window."""

    __tablename__ = "escalation_inbound_webhooks"
    __table_args__ = (Index("ix_escalation_inbound_keep", "keep_until"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    received_at: Mapped[float] = mapped_column(Float)
    keep_until: Mapped[float] = mapped_column(Float)
