"""Each score keeps its calibrated probability of a two-way exchange within 90 days."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scores", sa.Column("p_contact_90d", sa.Float, nullable=True))


def downgrade() -> None:
    op.drop_column("scores", "p_contact_90d")
