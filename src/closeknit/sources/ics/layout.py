"""Split calendar text into VCALENDARs, VEVENT and VTIMEZONE blocks by scanning its lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BEGIN_END = re.compile(r"(BEGIN|END):([^\s:;]+)", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class _Block:
    """The text of one VEVENT as written, and where it sits."""

    index: int  # 1-based among the file's BEGIN:VEVENT lines
    lines: list[str]
    calendar: int  # which VCALENDAR of the file holds it (-1: none)
    terminated: bool = True

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass(slots=True)
class _Zone:
    """A VTIMEZONE block as written."""

    calendar: int
    tzid: str
    text: str


@dataclass(slots=True)
class _Layout:
    """VEVENT and VTIMEZONE blocks, calendar properties and line spans found by scanning lines."""

    blocks: list[_Block] = field(default_factory=list)
    zones: list[_Zone] = field(default_factory=list)
    headers: list[list[str]] = field(default_factory=list)  # per VCALENDAR: its own properties
    spans: list[tuple[int, int]] = field(default_factory=list)  # per VCALENDAR: [first, last] lines


def _lines(text: str) -> list[str]:
    """Physical lines without their endings; BEGIN/END lines lose trailing blanks."""
    lines = _LINE_BREAK.split(text.lstrip("\ufeff"))
    for i, line in enumerate(lines):
        if line[:1] not in (" ", "\t") and line[:1].upper() in ("B", "E") and line != line.rstrip():
            stripped = line.rstrip()
            if _BEGIN_END.fullmatch(stripped):
                lines[i] = stripped
    return lines


def _layout(lines: list[str]) -> _Layout:
    """Split lines into VEVENT blocks; every BEGIN:VEVENT line starts exactly one block."""
    layout = _Layout()
    stack: list[str] = []
    event: _Block | None = None
    event_depth = 0
    zone: list[str] | None = None
    dest: list[str] | None = None  # where continuation lines go
    calendar = -1

    def close_event(terminated: bool) -> None:
        nonlocal event
        if event is not None:
            event.terminated = terminated
            layout.blocks.append(event)
            del stack[event_depth:]
            event = None

    def end_calendar(last: int) -> None:
        if calendar >= 0:
            layout.spans[calendar] = (layout.spans[calendar][0], last)

    for number, line in enumerate(lines):
        if line[:1] in (" ", "\t"):
            if dest is not None:
                dest.append(line)
            continue
        match = _BEGIN_END.fullmatch(line)
        kind = match.group(1).upper() if match else ""
        comp = match.group(2).upper() if match else ""
        if kind == "BEGIN" and comp == "VCALENDAR":
            close_event(terminated=False)
            zone = None
            calendar += 1
            layout.headers.append([])
            layout.spans.append((number, len(lines) - 1))
            if calendar > 0 and layout.spans[calendar - 1][1] >= number:
                layout.spans[calendar - 1] = (layout.spans[calendar - 1][0], number - 1)
            stack = ["VCALENDAR"]
            dest = None
            continue
        if kind == "BEGIN" and comp == "VEVENT":
            close_event(terminated=False)
            zone = None
            event = _Block(len(layout.blocks) + 1, [line], calendar)
            event_depth = len(stack)
            stack.append("VEVENT")
            dest = event.lines
            continue
        if event is not None:
            if kind == "END" and comp == "VCALENDAR":
                close_event(terminated=False)
                end_calendar(number)
                stack = []
                dest = None
                continue
            event.lines.append(line)
            dest = event.lines
            if kind == "BEGIN":
                stack.append(comp)
            elif kind == "END" and comp == "VEVENT":
                close_event(terminated=True)
                dest = None
            elif kind == "END" and comp in stack[event_depth + 1 :]:
                del stack[len(stack) - 1 - stack[::-1].index(comp) :]
            continue
        if zone is not None:
            zone.append(line)
            dest = zone
            if kind == "END" and comp == "VTIMEZONE":
                tzid = next((z.split(":", 1)[1] for z in zone if z[:5].upper() in ("TZID:", "TZID;")), "")
                layout.zones.append(_Zone(calendar, tzid.strip(), "\n".join(zone) + "\n"))
                zone = None
                dest = None
            continue
        if kind == "BEGIN" and comp == "VTIMEZONE":
            zone = [line]
            dest = zone
            continue
        if kind == "BEGIN":
            stack.append(comp)
            dest = None
        elif kind == "END":
            if comp in stack:
                del stack[len(stack) - 1 - stack[::-1].index(comp) :]
            if comp == "VCALENDAR":
                end_calendar(number)
            dest = None
        elif stack == ["VCALENDAR"] and line.strip() and calendar >= 0:
            layout.headers[calendar].append(line)
            dest = layout.headers[calendar]
        else:
            dest = None
    close_event(terminated=False)
    return layout
