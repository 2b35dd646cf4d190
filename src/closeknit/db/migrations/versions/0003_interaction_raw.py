"""Raw interaction text in its own table, so scans of interactions read narrow rows."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interaction_raw",
        sa.Column("interaction_id", sa.Integer, sa.ForeignKey("interactions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("raw", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO interaction_raw(interaction_id, raw) SELECT id, raw FROM interactions")
    op.execute("ALTER TABLE interactions DROP COLUMN raw")
    # A message linked to nothing is its own thread: say so for those not threaded yet.
    op.execute("UPDATE interactions SET thread_id = id WHERE channel = 'email' AND thread_id IS NULL")


def downgrade() -> None:
    op.add_column("interactions", sa.Column("raw", sa.Text, nullable=False, server_default=""))
    op.execute(
        "UPDATE interactions SET raw = (SELECT raw FROM interaction_raw WHERE interaction_id = interactions.id)"
    )
    op.drop_table("interaction_raw")
