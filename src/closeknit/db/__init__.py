"""Database engine, connection setup and schema migrations."""

from closeknit.db.engine import (
    SCHEMA_VERSION,
    connect_engine,
    exclusive,
    migrate,
    open_engine,
    read_only_error,
    schema_version,
)

__all__ = [
    "SCHEMA_VERSION", "connect_engine", "exclusive", "migrate", "open_engine", "read_only_error", "schema_version",
]
