"""What the export's CSV files share: rows with their dates settled per file, directions, time stamps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from closeknit.sources import csvutil
from closeknit.sources.csvutil import BadRow, Dates, Layout, Row

CHANNEL = "linkedin"
NO_ZONE = "no time zone in the export, taken as UTC"


def dated_rows(lines: list[str], layout: Layout, dates: Dates, i_date: int) -> Iterator[Row | BadRow]:
    """The rows of a file, its date column read in the one day/month order the whole file agrees on."""

    def pick(fields: list[str]) -> tuple[str, ...]:
        return (fields[i_date],) if i_date < len(fields) else ()

    return csvutil.settle(csvutil.iter_rows(lines, layout), dates, pick)


def direction(value: str) -> str:
    value = value.strip().upper()
    return "in" if value == "INCOMING" else "out" if value == "OUTGOING" else ""


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
