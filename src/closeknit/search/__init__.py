"""Capability search: who can do X, by full-text search over what is known of each person."""
