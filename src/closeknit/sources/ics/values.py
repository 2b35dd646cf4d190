"""Read icalendar property values and parameters, and moments as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Component
from icalendar.prop import vBroken

_MIN_UTC = datetime.min.replace(tzinfo=UTC)
_MAX_UTC = datetime.max.replace(tzinfo=UTC)


def _value(prop: Any) -> Any:
    """The parsed value of a property, None when it is unreadable."""
    if prop is None or isinstance(prop, vBroken):
        return None
    return getattr(prop, "dt", None)


def _is_moment(prop: Any) -> bool:
    return isinstance(_value(prop), date)


def _as_utc(value: Any) -> datetime:
    """A date, naive or aware datetime as an aware UTC datetime (dates at midnight)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            return value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise TypeError(f"not a date or time: {type(value).__name__}")


def _shift(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        return _MIN_UTC if delta < timedelta(0) else _MAX_UTC


def _text(comp: Component, name: str) -> str:
    value = comp.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return ""
    try:
        return str(value).strip()
    except Exception:
        return ""


def _param(prop: Any, name: str) -> str:
    params = getattr(prop, "params", None)
    if not params:
        return ""
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value) if value is not None else ""
