"""Initial schema: people, identifiers, provenance, quarantine, review, interactions."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _fk(target: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("given", sa.Text, nullable=False, server_default=""),
        sa.Column("family", sa.Text, nullable=False, server_default=""),
        sa.Column("name_key", sa.Text, nullable=False, server_default=""),
        sa.Column("organization", sa.Text, nullable=False, server_default=""),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("birthday", sa.Text, nullable=False, server_default=""),
        sa.Column("connected_on", sa.Text, nullable=False, server_default=""),
        sa.Column("is_me", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rating", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("people_name_key", "people", ["name_key"])
    op.create_table(
        "source_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("record", sa.Integer, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("person_id", sa.Integer, _fk("people.id", "RESTRICT"), nullable=False),
        sa.Column("imported_at", sa.Text, nullable=False),
        sa.UniqueConstraint("source", "content_hash"),
    )
    op.create_index("source_records_person", "source_records", ["person_id"])
    op.create_table(
        "identifiers",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("source_record_id", sa.Integer, _fk("source_records.id"), primary_key=True),
        sa.Column("person_id", sa.Integer, _fk("people.id"), nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("identifiers_person", "identifiers", ["person_id"])
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
    )
    op.create_table(
        "roles",
        sa.Column("person_id", sa.Integer, _fk("people.id"), primary_key=True),
        sa.Column("organization_id", sa.Integer, _fk("organizations.id"), primary_key=True),
        sa.Column("source_record_id", sa.Integer, _fk("source_records.id"), primary_key=True),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("roles_org", "roles", ["organization_id"])
    op.create_table(
        "tags",
        sa.Column("person_id", sa.Integer, _fk("people.id"), primary_key=True),
        sa.Column("tag", sa.Text, primary_key=True),
        sa.Column("origin", sa.Text, nullable=False, server_default="user"),
    )
    op.create_index("tags_tag", "tags", ["tag"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, _fk("people.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source_record_id", sa.Integer, _fk("source_records.id")),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("notes_person", "notes", ["person_id"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("record", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.UniqueConstraint("file", "record", "content_hash"),
    )
    op.create_table(
        "review_queue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_a", sa.Integer, _fk("people.id"), nullable=False),
        sa.Column("person_b", sa.Integer, _fk("people.id"), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="open"),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.UniqueConstraint("person_a", "person_b"),
    )
    op.create_table(
        "distinct_people",
        sa.Column("person_a", sa.Integer, _fk("people.id"), primary_key=True),
        sa.Column("person_b", sa.Integer, _fk("people.id"), primary_key=True),
    )
    op.create_table(
        "merge_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("kept_id", sa.Integer, nullable=False),
        sa.Column("other_id", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("at", sa.Text, nullable=False),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("summary", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.Text),
        sa.Column("ts", sa.Integer),
        sa.Column("when_flagged", sa.Text, nullable=False, server_default=""),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("folder", sa.Text, nullable=False, server_default=""),
        sa.Column("bulk", sa.Text, nullable=False, server_default=""),
        sa.Column("size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duration_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cancelled", sa.Integer, nullable=False, server_default="0"),
        sa.Column("in_reply_to", sa.Text, nullable=False, server_default=""),
        sa.Column("refs", sa.Text, nullable=False, server_default=""),
        sa.Column("direction", sa.Text, nullable=False, server_default=""),
        sa.Column("stated_direction", sa.Text, nullable=False, server_default=""),
        sa.Column("thread_id", sa.Integer),
        sa.Column("parent_id", sa.Integer),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("record", sa.Integer, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.UniqueConstraint("channel", "key"),
    )
    op.create_index("interactions_ts", "interactions", ["ts"])
    op.create_table(
        "interaction_parties",
        sa.Column("interaction_id", sa.Integer, _fk("interactions.id"), primary_key=True),
        sa.Column("person_id", sa.Integer, _fk("people.id"), primary_key=True),
        sa.Column("role", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False, server_default=""),
        sa.Column("address", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("interaction_parties_person", "interaction_parties", ["person_id"])


def downgrade() -> None:
    for table in (
        "interaction_parties", "interactions", "imports", "merge_log", "distinct_people",
        "review_queue", "quarantine", "notes", "tags", "roles", "organizations", "identifiers",
        "source_records", "people", "settings",
    ):
        op.drop_table(table)
