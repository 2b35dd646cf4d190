"""Run a parser in a child process so that parsing and storing use both cores at once."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from closeknit.errors import CloseknitError

T = TypeVar("T")
BATCH = 500
_WAIT = 1.0
_AHEAD = 8  # batches the parser may run ahead of the importer
# A pipe this large holds a whole batch, so the child goes on parsing while the parent reads.
_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux


def bytes_read() -> int | None:
    """The bytes this process has read so far (Linux), or None where the system does not say."""
    try:
        with open("/proc/self/io", "rb") as stats:
            for line in stats:
                if line.startswith(b"rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _produce(make: Callable[[], Iterable[Any]], out: Any, parent: int) -> None:
    # Ctrl-C reaches the whole process group: the importer handles it and ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Batches are pickled in the parsing thread; a second thread only writes the bytes (releasing
    # the GIL while it waits on the pipe), so parsing runs ahead of the importer by a few batches.
    ready: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)

    def write() -> None:
        while (data := ready.get()) is not None:
            try:
                out.send_bytes(data)
            except OSError:  # the importer closed its end
                os._exit(1)
        out.close()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()

    def orphaned() -> None:
        if os.getppid() != parent:  # the importer died (killed): stop, leave nothing behind
            os._exit(1)

    def offer(data: bytes | None) -> None:
        while True:
            orphaned()
            try:
                ready.put(data, timeout=_WAIT)
                return
            except queue.Full:
                continue

    def put(kind: str, payload: Any) -> None:
        offer(pickle.dumps((kind, payload, bytes_read()), protocol=pickle.HIGHEST_PROTOCOL))

    batch: list[Any] = []
    error: Exception | None = None
    try:
        for item in make():
            batch.append(item)
            if len(batch) >= BATCH:
                put("items", batch)
                batch = []
    except CloseknitError as exc:
        error = exc
    except Exception as exc:  # only the type crosses over: a message could hold contact data
        error = RuntimeError(f"parser failed ({type(exc).__name__})")
    put("items", batch)  # what was parsed before an error still lands
    if error is not None:
        put("error", error)
    else:
        put("done", None)
    offer(None)
    # The writer may wait on a full pipe that nobody reads any more (this process holds its read end too).
    while writer.is_alive():
        orphaned()
        writer.join(_WAIT)


def prefetch(make: Callable[[], Iterable[T]], on_read: Callable[[int], None] | None = None) -> Iterator[T]:
    """Items of `make()`, produced in a forked child process; falls back to this process without fork.

    `on_read` is told, as each batch arrives, how many bytes the child had read when it sent it (files
    and folders being parsed: the progress within them), where the system says.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from make()
        return
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    with contextlib.suppress(OSError):  # Linux only; elsewhere the default pipe size is slower, not wrong
        import fcntl  # present wherever fork is

        fcntl.fcntl(send.fileno(), _F_SETPIPE_SZ, _PIPE_BYTES)
    child = ctx.Process(target=_produce, args=(make, send, os.getpid()), daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:  # a child that dies closes its end of the pipe: that is the EOF
                kind, payload, read = pickle.loads(receive.recv_bytes())
            except EOFError:
                raise RuntimeError("parser process ended unexpectedly") from None
            if on_read is not None and read is not None:
                on_read(read)
            if kind == "items":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                break
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()
