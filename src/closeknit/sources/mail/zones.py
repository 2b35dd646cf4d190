"""Time zone offsets of mail dates: numeric and named zones, as timedeltas."""

from __future__ import annotations

from datetime import timedelta

# Named zones as seen in mail (RFC 822's plus common ones); minutes east of UTC.
_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "IST": 330, "WEST": 60, "CET": 60,
    "MET": 60, "MEZ": 60, "CEST": 120, "MEST": 120, "MESZ": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "MSD": 240, "AST": -240, "ADT": -180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
    "NZST": 720, "NZDT": 780, "AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480,
    "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "CCT": 480, "PHT": 480, "WIB": 420, "ICT": 420,
    "NST": -210, "NDT": -150, "BRT": -180, "ART": -180, "SAST": 120, "CAT": 120, "EAT": 180,
}  # fmt: skip
_OFFSETS: dict[int, timedelta] = {}


def _offset(minutes: int) -> timedelta:
    delta = _OFFSETS.get(minutes)
    if delta is None:
        delta = _OFFSETS[minutes] = timedelta(minutes=minutes)
    return delta


def _zone_offset(zone: str) -> int | None:
    """Minutes east of UTC for '+0200', 'CEST', ...; None when unknown."""
    if zone[:1] in "+-" and zone[1:].isdigit() and len(zone) == 5:
        minutes = int(zone[1:3]) * 60 + int(zone[3:5])
        return -minutes if zone[0] == "-" else minutes
    return _ZONES.get(zone.upper())


def _fast_zone(zone: str) -> timedelta | None:
    """The offset for a numeric or named zone as written, cached; None when unknown or impossible."""
    delta = _ZONE_CACHE.get(zone)
    if delta is None and len(_ZONE_CACHE) < 10_000:
        minutes = _zone_offset(zone)
        if minutes is None or abs(minutes) > 14 * 60 or (zone[:1] in "+-" and int(zone[3:5]) >= 60):
            return None
        delta = _ZONE_CACHE[zone] = _offset(minutes)
    return delta


_ZONE_CACHE: dict[str, timedelta] = {}
