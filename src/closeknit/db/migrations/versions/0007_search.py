"""Capability search: needs and offers on people, and the full-text (FTS5) indexes kept in step by triggers."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Porter stemming over unicode61 with diacritics removed ("jose" finds "José", "engineer" finds "engineering");
# prefix indexes make "eng*" as quick as a whole word.
TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"

# What marks a person's search document out of date: the store rebuilds the marked ones before each search,
# so a write costs a row in a small table, not a re-index. Rows added to the tables an import fills in bulk
# are found by rowid above the mark in `search_marks` instead: an AFTER INSERT trigger on them, even one doing
# nothing, doubles the time of a contacts import (each row of an executemany then pays a statement journal).
# A delete lowers the mark to the table's largest rowid left, so a rowid used again is still above it.
_DIRTY = {
    "people": ("AFTER INSERT", "AFTER DELETE", "AFTER UPDATE OF name, organization, title, is_me"),
    "identifiers": ("AFTER DELETE", "AFTER UPDATE"),
    "roles": ("AFTER DELETE", "AFTER UPDATE"),
    "tags": ("AFTER DELETE", "AFTER UPDATE"),
    "notes": ("AFTER DELETE", "AFTER UPDATE"),
    "needs_offers": ("AFTER INSERT", "AFTER DELETE", "AFTER UPDATE"),
}
MARKED = ("identifiers", "roles", "tags", "notes")  # tables whose new rows are found by rowid


def _mark(table: str, event: str) -> str:
    key = "id" if table == "people" else "person_id"
    rows = {"AFTER INSERT": [f"NEW.{key}"], "AFTER DELETE": [f"OLD.{key}"]}.get(event, [f"OLD.{key}", f"NEW.{key}"])
    name = f"search_dirty_{table}_{event.split()[1].lower()}"
    body = " ".join(f"INSERT OR IGNORE INTO search_dirty(person_id) SELECT {r} WHERE {r} IS NOT NULL;" for r in rows)
    if table in MARKED and event == "AFTER DELETE":
        body += (f" UPDATE search_marks SET upto = min(upto, ifnull((SELECT max(rowid) FROM {table}), 0))"
                 f" WHERE tbl = '{table}';")
    return f"CREATE TRIGGER {name} {event} ON {table} BEGIN {body} END"


def upgrade() -> None:
    op.create_table(
        "needs_offers",
        sa.Column("id", sa.Integer, primary_key=True),
        # NULL: the user's own (what you offer or need), whoever "me" is or becomes.
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=True),
        sa.Column("kind", sa.Text, nullable=False),  # 'need' or 'offer'
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_key", sa.Text, nullable=False),  # lower-cased, spaces collapsed: the same twice is one
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.execute("CREATE UNIQUE INDEX needs_offers_key ON needs_offers(ifnull(person_id, 0), kind, text_key)")
    op.create_index("needs_offers_person", "needs_offers", ["person_id"])
    op.create_table("search_dirty", sa.Column("person_id", sa.Integer, primary_key=True))
    op.create_table("search_marks", sa.Column("tbl", sa.Text, primary_key=True),
                    sa.Column("upto", sa.Integer, nullable=False))  # rows up to this rowid are in the index
    for table in MARKED:
        op.execute(f"INSERT INTO search_marks(tbl, upto) SELECT '{table}', ifnull(max(rowid), 0) FROM {table}")
    # One document per person (rowid = people.id): each column a field a hit can be explained by.
    op.execute(
        "CREATE VIRTUAL TABLE search_people USING fts5(name, titles, organizations, emails, tags, notes, offers,"
        f" needs, {TOKENIZE}, prefix = '2 3')"
    )
    # Subjects of past interactions (opt-in): the text stays in `interactions`; the store indexes new rows
    # up to the newest id before a search that asks for them.
    op.execute(
        "CREATE VIRTUAL TABLE search_subjects USING fts5(subject, content = 'interactions', content_rowid = 'id',"
        f" {TOKENIZE}, prefix = '2 3')"
    )
    # Each need and offer on its own, for matching a need against the user's offers.
    op.execute(
        "CREATE VIRTUAL TABLE search_needs_offers USING fts5(text, content = 'needs_offers', content_rowid = 'id',"
        f" {TOKENIZE})"
    )
    op.execute("CREATE TRIGGER search_needs_offers_insert AFTER INSERT ON needs_offers BEGIN"
               " INSERT INTO search_needs_offers(rowid, text) VALUES (NEW.id, NEW.text); END")
    op.execute("CREATE TRIGGER search_needs_offers_delete AFTER DELETE ON needs_offers BEGIN"
               " INSERT INTO search_needs_offers(search_needs_offers, rowid, text) VALUES ('delete', OLD.id, OLD.text);"
               " END")
    op.execute("CREATE TRIGGER search_needs_offers_update AFTER UPDATE OF text ON needs_offers BEGIN"
               " INSERT INTO search_needs_offers(search_needs_offers, rowid, text) VALUES ('delete', OLD.id, OLD.text);"
               " INSERT INTO search_needs_offers(rowid, text) VALUES (NEW.id, NEW.text); END")
    for table, events in _DIRTY.items():
        for event in events:
            op.execute(_mark(table, event))
    op.execute("INSERT INTO search_dirty(person_id) SELECT id FROM people")  # the first search indexes everyone


def downgrade() -> None:
    for table, events in _DIRTY.items():
        for event in events:
            op.execute(f"DROP TRIGGER IF EXISTS search_dirty_{table}_{event.split()[1].lower()}")
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS search_needs_offers_{name}")
    for table in ("search_needs_offers", "search_subjects", "search_people"):
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.drop_table("search_marks")
    op.drop_table("search_dirty")
    op.drop_index("needs_offers_person", "needs_offers")
    op.execute("DROP INDEX IF EXISTS needs_offers_key")
    op.drop_table("needs_offers")
