"""Bounded caches for header values that repeat from message to message."""

from __future__ import annotations

from typing import TypeVar

_CACHED_VALUE_MAX = 200  # characters: longer header values are not cached
_ADDR_CACHE_MAX = 50_000  # entries per cache; each cache is emptied when full (memory stays bounded)
K = TypeVar("K")
V = TypeVar("V")


def _remember(cache: dict[K, V], key: K, value: V, limit: int = _ADDR_CACHE_MAX) -> None:
    """Keep `value` in a bounded cache: a full cache is emptied first."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
