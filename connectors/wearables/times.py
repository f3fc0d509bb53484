"""Timestamp parsing for each source's dialect, always producing timezone-aware datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from connectors.wearables.models import WearableDataError

_FROMISO = datetime.fromisoformat

# RFC 3339 date-time (Open mHealth): the offset is optional here because OMH's date-time schema
# says a value without one is UTC; callers that need an offset (IEEE 1752 schemas) check it.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?P<tz>[Zz]|[+-]\d{2}:\d{2})?$"
)
# FHIR dateTime / instant: a year, year-month, date, or a full date-time that must carry an offset.
_FHIR_DATETIME = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def parse_rfc3339(value: object, *, require_offset: bool = False) -> datetime:
    if not isinstance(value, str):
        raise WearableDataError(f"expected a date-time string, got {type(value).__name__}")
    m = _RFC3339.match(value)
    if m is None:
        raise WearableDataError(f"{value!r} is not an RFC 3339 date-time")
    if require_offset and m.group("tz") is None:
        raise WearableDataError(f"{value!r} has no timezone offset")
    try:
        parsed = _FROMISO(value.replace("t", "T").replace("z", "Z"))
    except ValueError as exc:
        raise WearableDataError(f"{value!r} is not a valid date-time ({exc})") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_fhir_datetime(value: object, *, assume_tz: tzinfo = UTC) -> tuple[datetime, datetime | None]:
    """A FHIR dateTime as (start, end). A date alone covers that whole day in ``assume_tz``;
    a year or a month is too vague to place on a day and is rejected, as is a time without an
    offset (FHIR requires one)."""
    if not isinstance(value, str):
        raise WearableDataError(f"expected a FHIR dateTime string, got {type(value).__name__}")
    m = _FHIR_DATETIME.match(value)
    if m is None:
        raise WearableDataError(f"{value!r} is not a FHIR dateTime")
    if m.group("d") is None:
        raise WearableDataError(f"{value!r} is only a year or month; a day is needed")
    try:
        if m.group("time") is None:
            day = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            start = datetime.combine(day, time(0), tzinfo=assume_tz)
            return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=assume_tz)
        if m.group("tz") is None:
            raise WearableDataError(f"{value!r} has a time but no timezone offset (FHIR requires one)")
        return _FROMISO(value), None
    except ValueError as exc:
        raise WearableDataError(f"{value!r} is not a valid date ({exc})") from None


def parse_apple_date(value: str) -> datetime:
    """Apple Health's "2024-01-31 07:05:00 -0800" (local wall time and its offset)."""
    # Slicing into ISO form and using fromisoformat is ~20x faster than strptime; that matters
    # for exports with millions of records.
    try:
        return _FROMISO(value[:10] + "T" + value[11:19] + value[20:])
    except (ValueError, TypeError):
        raise WearableDataError(f"{value!r} is not an Apple Health date") from None


def format_apple_date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %z")


def format_iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
