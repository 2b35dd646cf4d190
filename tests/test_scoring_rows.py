"""The rows scoring reads from the store: every channel and meeting size becomes the scoring kind the model knows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from closeknit.pipeline import scoring
from closeknit.records import InteractionRecord, Party
from closeknit.store import Store
from closeknit.store.writer import Writer
from closeknit.strength.events import CHANNELS, channel_kind

# (channel as a source writes it, its size): meetings are 1:1, small or large by size, the rest by name.
CASES = [("meeting", 2), ("meeting", 6), ("meeting", 9), ("meeting", 40), ("meeting", 0), ("calendar", 3),
         ("call", 1), ("coffee", 1), ("email", 12), ("linkedin", 1), ("whatsapp", 1), ("E-Mail", 1)]


def test_each_channel_and_size_reads_as_its_scoring_kind(tmp_path: Path) -> None:
    with Store(tmp_path / "rows.db") as db:
        writer = Writer(db)
        for i, (channel, size) in enumerate(CASES):
            writer.add_interaction(InteractionRecord(
                source="test", channel=channel, file="t", record=i, raw=f"{channel} {size}", key=f"k{i}",
                when=datetime(2026, 1, 1 + i, 12, tzinfo=UTC), parties=[Party(f"p{i}@example.com", f"P {i}", "to")],
                direction="out", size=size))
        writer.flush()
        events = scoring.load_events(db)
        person_of = {addr: pid for pid, addr in db.rows(
            "SELECT person_id, value FROM identifiers WHERE kind = 'email'")}
    assert len(events) == len(CASES)
    index = {pid: k for k, pid in enumerate(events.people)}
    got = {int(p): (int(c), int(n)) for p, c, n in zip(events.person, events.channel, events.n_recipients,
                                                         strict=True)}
    for i, (channel, size) in enumerate(CASES):
        person = index[person_of[f"p{i}@example.com"]]
        assert got[person] == (CHANNELS.index(channel_kind(channel, size)), max(size, 1)), (channel, size)
    assert np.all(events.direction == 0)  # all sent: the user started each
