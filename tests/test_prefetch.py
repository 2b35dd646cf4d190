"""The parser process: items arrive in order, errors cross over without their text, an early stop ends it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from closeknit.errors import InputError
from closeknit.pipeline.prefetch import BATCH, prefetch
from closeknit.records import InteractionRecord, Party, RecordError


def records(n: int) -> Iterator[InteractionRecord | RecordError]:
    for i in range(n):
        if i % 7 == 3:
            yield RecordError("box.mbox", i, "no headers", raw=f"raw {i}")
        else:
            yield InteractionRecord("mail", "email", "box.mbox", i, f"raw {i}", f"m{i}@x", None,
                                    parties=[Party(f"p{i}@example.org", f"P {i}", "from")], references=["a", "b"])


def test_items_arrive_whole_and_in_order() -> None:
    n = 3 * BATCH + 17
    assert list(prefetch(lambda: records(n))) == list(records(n))


def test_project_errors_cross_over_after_the_items_before_them() -> None:
    def failing() -> Iterator[int]:
        yield from range(BATCH + 5)
        raise InputError("box.mbox: not a mailbox")

    got: list[int] = []
    with pytest.raises(InputError, match="not a mailbox"):
        for item in prefetch(failing):
            got.append(item)
    assert got == list(range(BATCH + 5))


def test_other_errors_cross_over_without_their_message() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("Jane Roe <jane@example.org>")

    with pytest.raises(RuntimeError) as info:
        list(prefetch(failing))
    assert "ValueError" in str(info.value) and "jane" not in str(info.value)


def test_a_child_that_dies_is_an_error_not_a_hang() -> None:
    def dying() -> Iterator[int]:
        yield 1
        os._exit(3)

    with pytest.raises(RuntimeError, match="ended unexpectedly"):
        list(prefetch(dying))


def test_stopping_early_ends_the_child() -> None:
    stream = prefetch(lambda: iter(range(10**9)))
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()  # must return promptly: the child is terminated, not drained
