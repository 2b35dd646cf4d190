"""Who knows whom: co-occurrence evidence between the user's contacts, kept per pair, and recorded relationships."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per pair of people (person_a < person_b) who shared an interaction (a message both were on,
    # a meeting both attended): the evidence the estimated strength of their tie is computed from at query
    # time, so recency is always as of the moment asked. `weight` sums 1/(n − 1) over the shared
    # interactions, n their participants (a message to forty people says little about any two of them).
    op.create_table(
        "graph_edges",
        sa.Column("person_a", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("person_b", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("shared", sa.Integer, nullable=False),  # interactions both were on
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("first_ts", sa.Integer),
        sa.Column("last_ts", sa.Integer),
        sa.CheckConstraint("person_a < person_b", name="graph_edges_ordered"),
    )
    op.create_index("graph_edges_b", "graph_edges", ["person_b"])
    # Interactions up to this id are in graph_edges; people marked here have their edges recomputed from
    # their interactions before the graph is next read (a merge, a split, an ignore).
    op.create_table("graph_marks", sa.Column("key", sa.Text, primary_key=True),
                    sa.Column("upto", sa.Integer, nullable=False))
    op.execute("INSERT INTO graph_marks(key, upto) VALUES ('interactions', 0)")
    op.create_table("graph_dirty", sa.Column("person_id", sa.Integer, primary_key=True))
    # Relationships the user records (`closeknit knows A B --how "…"`), person_a < person_b.
    op.create_table(
        "knows",
        sa.Column("person_a", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("person_b", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("how", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.CheckConstraint("person_a < person_b", name="knows_ordered"),
    )
    op.create_index("knows_b", "knows", ["person_b"])


def downgrade() -> None:
    op.drop_index("knows_b", "knows")
    op.drop_table("knows")
    op.drop_table("graph_dirty")
    op.drop_table("graph_marks")
    op.drop_index("graph_edges_b", "graph_edges")
    op.drop_table("graph_edges")
