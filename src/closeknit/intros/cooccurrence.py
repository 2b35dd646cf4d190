"""Who has been on mail with whom so far: per pair of people the messages both were on, their weight and last date."""

from __future__ import annotations

from collections.abc import Iterable


class Cooccurrence:
    """Evidence grown one message at a time, in time order: each pair of a message's n participants
    co-occurs once more, with weight 1/(n − 1) (a message to forty people says little about any two)."""

    def __init__(self) -> None:
        self._pairs: dict[tuple[int, int], list[float]] = {}  # (a, b), a < b → [shared, weight, last ts]
        self._contacts: dict[int, set[int]] = {}

    def add(self, ts: float, people: Iterable[int]) -> None:
        """One message at time `ts` with these (distinct) participants."""
        ps = sorted(set(people))
        if len(ps) < 2:
            return
        w = 1.0 / (len(ps) - 1)
        everyone = set(ps)
        for i, a in enumerate(ps):
            self._contacts.setdefault(a, set()).update(everyone)
            self._contacts[a].discard(a)
            for b in ps[i + 1:]:
                rec = self._pairs.get((a, b))
                if rec is None:
                    self._pairs[(a, b)] = [1.0, w, ts]
                else:
                    rec[0] += 1.0
                    rec[1] += w
                    rec[2] = ts

    def pair(self, a: int, b: int) -> tuple[int, float, float]:
        """(messages both were on, their summed weight, the last one's time; −inf when none)."""
        rec = self._pairs.get((a, b) if a < b else (b, a))
        return (0, 0.0, float("-inf")) if rec is None else (int(rec[0]), rec[1], rec[2])

    def contacts(self, a: int) -> set[int]:
        """Everyone who has been on a message with `a` (not a copy: do not change it)."""
        return self._contacts.get(a, set())

    def common(self, a: int, b: int) -> set[int]:
        """The people who have been on mail with both `a` and `b` (neither of them)."""
        return (self.contacts(a) & self.contacts(b)) - {a, b}
