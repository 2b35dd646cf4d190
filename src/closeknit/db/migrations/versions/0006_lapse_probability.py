"""Each score keeps the fading model's probability that an active tie lapses within 90 days."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for a tie without a message either way in the 90 days before scoring (not active).
    op.add_column("scores", sa.Column("p_lapse_90d", sa.Float, nullable=True))


def downgrade() -> None:
    op.drop_column("scores", "p_lapse_90d")
