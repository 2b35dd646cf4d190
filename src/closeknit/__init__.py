"""Closeknit: local-first relationship intelligence."""

__version__ = "0.1.0"
