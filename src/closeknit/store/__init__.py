"""The store: all SQL lives here; the import writer is the single write path for imported data."""

from closeknit.store.base import Base as Store

__all__ = ["Store"]
