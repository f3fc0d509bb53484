"""Clinician escalations: escalations, their outbox and delivery log, audit, inbound webhook ids.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("patient_ref", sa.String(128), nullable=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("level", sa.String(32), nullable=False, server_default=""),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("specialty", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("on_call", sa.String(128), nullable=True),
        sa.Column("patient_label", sa.String(200), nullable=False, server_default=""),
        sa.Column("sla_minutes", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("flag_reason", sa.String(200), nullable=True),
        sa.Column("reroutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("route_history", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("red_flags", sa.JSON(), nullable=False),
        sa.Column("patient_context", sa.JSON(), nullable=True),
        sa.Column("wearable_summary", sa.JSON(), nullable=True),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("claimed_at", sa.Float(), nullable=True),
        sa.Column("resolved_at", sa.Float(), nullable=True),
        sa.Column("assignee", sa.String(128), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
    )
    op.create_index("ix_escalations_queue", "escalations", ["status", "priority", "due_at"])
    op.create_index("ix_escalations_conversation", "escalations", ["conversation_id"])

    op.create_table(
        "escalation_outbox",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("escalation_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="webhook"),
        sa.Column("event_type", sa.String(48), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("endpoint_url", sa.String(1000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="3"),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("locked_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("delivered_at", sa.Float(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
    )
    op.create_index("ix_escalation_outbox_due", "escalation_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_escalation_outbox_escalation", "escalation_outbox", ["escalation_id"])

    op.create_table(
        "escalation_deliveries",
        sa.Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False, server_default="0"),
    )
    op.create_index("ix_escalation_deliveries_job", "escalation_deliveries", ["job_id"])

    op.create_table(
        "escalation_audit",
        sa.Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("escalation_id", sa.String(40), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_escalation_audit_escalation", "escalation_audit", ["escalation_id", "at"])

    op.create_table(
        "escalation_inbound_webhooks",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("keep_until", sa.Float(), nullable=False),
    )
    op.create_index("ix_escalation_inbound_keep", "escalation_inbound_webhooks", ["keep_until"])


def downgrade() -> None:
    op.drop_index("ix_escalation_inbound_keep", table_name="escalation_inbound_webhooks")
    op.drop_table("escalation_inbound_webhooks")
    op.drop_index("ix_escalation_audit_escalation", table_name="escalation_audit")
    op.drop_table("escalation_audit")
    op.drop_index("ix_escalation_deliveries_job", table_name="escalation_deliveries")
    op.drop_table("escalation_deliveries")
    op.drop_index("ix_escalation_outbox_escalation", table_name="escalation_outbox")
    op.drop_index("ix_escalation_outbox_due", table_name="escalation_outbox")
    op.drop_table("escalation_outbox")
    op.drop_index("ix_escalations_conversation", table_name="escalations")
    op.drop_index("ix_escalations_queue", table_name="escalations")
    op.drop_table("escalations")
