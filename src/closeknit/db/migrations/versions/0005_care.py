"""Keeping ties alive: favors given and received (the ledger), and per-person cadence and snooze."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "favors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("direction", sa.Text, nullable=False),  # 'gave' (by the user) or 'got' (by the user)
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("occurred_on", sa.Text, nullable=False),  # YYYY-MM-DD
        sa.Column("what", sa.Text, nullable=False, server_default=""),
        sa.Column("key", sa.Text, nullable=False, unique=True),  # the same favor recorded twice is one
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("favors_person", "favors", ["person_id"])
    op.create_table(
        "care",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("cadence_days", sa.Integer, nullable=True),  # NULL: the tier's default; 0: no reminders
        sa.Column("snoozed_until", sa.Text, nullable=True),  # YYYY-MM-DD: not proposed before this day
    )


def downgrade() -> None:
    op.drop_table("care")
    op.drop_index("favors_person", "favors")
    op.drop_table("favors")
