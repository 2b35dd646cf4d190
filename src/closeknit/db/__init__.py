"""Database engine, connection setup and schema migrations."""

from closeknit.db.engine import (
    SCHEMA_VERSION,
    connect_engine,
    exclusive,
    migrate,
    open_engine,
    schema_version,
    write_error,
)

__all__ = [
    "SCHEMA_VERSION",
    "connect_engine",
    "exclusive",
    "migrate",
    "open_engine",
    "schema_version",
    "write_error",
]
