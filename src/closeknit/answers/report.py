"""The network reality report as `closeknit report` and the dashboard show it, cached per score run."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from closeknit.pipeline import scoring
from closeknit.pipeline.report_data import build as build_data
from closeknit.report import TIERS, ReportData
from closeknit.store import Store
from closeknit.store import dashboard as dashboard_store
from closeknit.store import scores as score_store

MEMBERS_SHOWN = 12  # the strongest people of each tier named where the tier chart is hovered
ChartFormat = Literal["svg", "png"]


def build(db: Store) -> ReportData:
    """The report's data (closeknit.pipeline.report_data) and the day the data ends (`data_ends`)."""
    data = build_data(db)
    data["data_ends"] = score_store.data_end(db)  # type: ignore[typeddict-unknown-key]
    return data


@dataclass
class Report:
    """One score run's report, with each tier's strongest members and the charts drawn so far."""

    key: tuple[int, str]
    data: ReportData
    members: dict[str, list[dict[str, Any]]]
    charts: dict[tuple[str, str], bytes] = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)  # renderings its callers keep (the dashboard's HTML)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def chart(self, name: str, fmt: ChartFormat) -> bytes:
        """Chart `name` of closeknit.report.charts as SVG or PNG, drawn once."""
        from closeknit.report import charts  # matplotlib: loaded only when a chart is asked for

        with self.lock:
            if (name, fmt) not in self.charts:
                self.charts[name, fmt] = (charts.svg(name, self.data).encode("utf-8") if fmt == "svg"
                                          else charts.png(name, self.data))
            return self.charts[name, fmt]


_CACHE: dict[Path, Report] = {}
_BUILDING = threading.Lock()  # one report built at a time: requests arriving meanwhile wait for it


def current(db: Store) -> Report:
    """The report of the stored scores (computed first when the database was never scored but holds
    interactions), built once per score run: later calls cost one query until the scores change. A database
    without interactions is left unscored, so that its first import chooses the scoring day."""
    key = dashboard_store.run_key(db)
    hit = _CACHE.get(db.path)
    if hit is not None and hit.key == key:
        return hit
    with _BUILDING:
        key = dashboard_store.run_key(db)
        if key is None and score_store.data_end(db) is None:
            return Report((0, ""), build(db), {tier: [] for tier in TIERS})  # nothing to score yet: not pinned
        if key is None:
            scoring.compute(db)
            key = dashboard_store.run_key(db)
        assert key is not None
        hit = _CACHE.get(db.path)
        if hit is not None and hit.key == key:
            return hit
        members = {tier: [{"id": p["id"], "name": p["name"]}
                          for p in score_store.scored(db, tiers=(tier,), limit=MEMBERS_SHOWN)] for tier in TIERS}
        report = Report(key, build(db), members)
        _CACHE[db.path] = report
        return report
