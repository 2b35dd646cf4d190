"""Tie-strength scores per person, with their explanation, and the user's ratings."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scores",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("strength", sa.Float, nullable=False),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("last_contact", sa.Text),
        sa.Column("last_two_way", sa.Text),
        sa.Column("sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("received", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fading", sa.Integer, nullable=False, server_default="0"),
        sa.Column("factors", sa.Text, nullable=False, server_default="[]"),
        sa.Column("features", sa.Text, nullable=False, server_default="{}"),
        sa.Column("computed_at", sa.Text, nullable=False),
    )
    op.create_index("scores_tier", "scores", ["tier"])
    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("computed_at", sa.Text, nullable=False),
        sa.Column("as_of", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("tiers", sa.Text, nullable=False),
        sa.Column("fit", sa.Text, nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    op.drop_table("score_runs")
    op.drop_table("scores")
