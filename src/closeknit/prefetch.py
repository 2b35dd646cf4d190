"""Run a parser in a child process so that parsing and storing use both cores at once."""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from closeknit.errors import CloseknitError

T = TypeVar("T")
BATCH = 500
_PUT_WAIT = 1.0


def _produce(make: Callable[[], Iterable[Any]], out: Any, parent: int) -> None:
    def put(message: tuple[str, Any]) -> None:
        while True:
            if os.getppid() != parent:  # the importer died (killed): stop, leave nothing behind
                os._exit(1)
            try:
                out.put(message, timeout=_PUT_WAIT)
                return
            except queue.Full:
                continue

    try:
        batch: list[Any] = []
        for item in make():
            batch.append(item)
            if len(batch) >= BATCH:
                put(("items", batch))
                batch = []
        put(("items", batch))
        put(("done", None))
    except CloseknitError as exc:
        put(("error", exc))
    except Exception as exc:  # only the type crosses over: a message could hold contact data
        put(("error", RuntimeError(f"parser failed ({type(exc).__name__})")))
    out.close()
    out.join_thread()


def prefetch(make: Callable[[], Iterable[T]]) -> Iterator[T]:
    """Items of `make()`, produced in a forked child process; falls back to this process without fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from make()
        return
    ctx = multiprocessing.get_context("fork")
    channel: Any = ctx.Queue(maxsize=8)
    child = ctx.Process(target=_produce, args=(make, channel, os.getpid()), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=_PUT_WAIT)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError("parser process ended unexpectedly") from None
                continue
            if kind == "items":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                break
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
