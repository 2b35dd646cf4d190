"""Database engine, connection setup and schema migrations."""

from closeknit.db.engine import SCHEMA_VERSION, connect_engine, migrate, schema_version

__all__ = ["SCHEMA_VERSION", "connect_engine", "migrate", "schema_version"]
