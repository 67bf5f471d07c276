"""Web app: account state, coach overrides (audited), evening drill sessions, daily activity, one-time form tokens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "drill_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("branch_id", sa.Integer, sa.ForeignKey("branches.id"), nullable=False, index=True),
        sa.Column("coach_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("scenarios", sa.JSON, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("drills") as batch:
        batch.add_column(sa.Column("session_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_drills_session", "drill_sessions", ["session_id"], ["id"])
        batch.create_index("ix_drills_user_id", ["user_id"])
    op.create_table(
        "score_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("drill_id", sa.Integer, sa.ForeignKey("drills.id"), nullable=False, index=True),
        sa.Column("coach_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("before", sa.Integer, nullable=False),
        sa.Column("after", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "daily_activity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("identified", sa.Integer, nullable=False),
        sa.Column("recommended", sa.Integer, nullable=False),
        sa.Column("referred", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "day", name="uq_activity_user_day"),
    )
    op.create_table(
        "form_submissions",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("form_submissions")
    op.drop_table("daily_activity")
    op.drop_table("score_overrides")
    with op.batch_alter_table("drills") as batch:
        batch.drop_index("ix_drills_user_id")
        batch.drop_constraint("fk_drills_session", type_="foreignkey")
        batch.drop_column("session_id")
    op.drop_table("drill_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("active")
