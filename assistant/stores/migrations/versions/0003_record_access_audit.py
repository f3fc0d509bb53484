"""Record-access audit: one row per attempt to read a patient's record (who, whom, what, why).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_access_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("patient_id", sa.String(128), nullable=False),
        sa.Column("resource_types", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("server", sa.String(300), nullable=False, server_default=""),
        sa.Column("conversation_id", sa.String(128), nullable=True),
        sa.Column("detail", sa.String(500), nullable=False, server_default=""),
    )
    op.create_index("ix_record_access_audit_patient", "record_access_audit", ["patient_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_record_access_audit_patient", table_name="record_access_audit")
    op.drop_table("record_access_audit")
