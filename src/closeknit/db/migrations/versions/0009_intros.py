"""Introductions: double opt-in requests (the user asks a connector, or is the connector) and their history."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per introduction. A NULL seeker is the user asking a connector; a NULL connector is the user
    # introducing the seeker to the target. `state` is the last step taken (intros/workflow.py).
    op.create_table(
        "intros",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seeker_id", sa.Integer, sa.ForeignKey("people.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("connector_id", sa.Integer, sa.ForeignKey("people.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("people.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("why", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False, server_default=""),
        sa.Column("value", sa.Float, nullable=True),
        # The ledger's favor recorded when the introduction was made: once per intro, however often `done` is said.
        sa.Column("favor_id", sa.Integer, sa.ForeignKey("favors.id", ondelete="SET NULL"), nullable=True),
        sa.CheckConstraint("seeker_id IS NULL OR connector_id IS NULL", name="intros_user_is_one_side"),
    )
    op.create_index("intros_seeker", "intros", ["seeker_id"])
    op.create_index("intros_connector", "intros", ["connector_id"])
    op.create_index("intros_target", "intros", ["target_id"])
    op.create_table(
        "intro_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("intro_id", sa.Integer, sa.ForeignKey("intros.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False),  # a role: you, connector, seeker or target
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("intro_events_intro", "intro_events", ["intro_id"])


def downgrade() -> None:
    op.drop_index("intro_events_intro", "intro_events")
    op.drop_table("intro_events")
    for name in ("intros_target", "intros_connector", "intros_seeker"):
        op.drop_index(name, "intros")
    op.drop_table("intros")
