"""Open mHealth data points (header + body) as samples.

Each data point is validated first (``omh_validation``, and optionally the official schemas);
an invalid one is rejected with its reason and the rest of the file is still read. Files may be
a JSON array of data points, a single data point, or NDJSON (one per line), optionally gzipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from connectors.wearables import jsonstream
from connectors.wearables.models import (
    DIASTOLIC_LOINC,
    METRICS,
    SYSTOLIC_LOINC,
    Component,
    Metric,
    ParseReport,
    Sample,
    WearableDataError,
    invalid,
)
from connectors.wearables.omh_schemas import OfficialSchemas, SchemaUnavailable
from connectors.wearables.omh_validation import validate_data_point
from connectors.wearables.times import parse_rfc3339
from connectors.wearables.units import DIASTOLIC_BOUNDS, check_bounds, normalise

#: OMH "part of day" intervals have no clock times; these are the hours we place them at.
PART_OF_DAY_HOURS = {"night": (0, 6), "morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24)}
_DURATION_SECONDS = {
    "ps": 1e-12, "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "sec": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0,
    "wk": 604800.0, "Mo": 2629746.0, "yr": 31556952.0,
}
_OMH_UNITS = {"beats/min": "/min", "breaths/min": "/min", "%": "%", "C": "Cel", "F": "[degF]", "K": "K"}


class NotSummarised(Exception):
    """A valid data point of a kind we validate but do not summarise (physical activity)."""


def data_point_samples(
    point: Any, *, assume_tz: tzinfo = UTC, official: OfficialSchemas | None = None
) -> list[Sample]:
    """The samples in one data point. Raises WearableDataError (with every problem found) or
    NotSummarised."""
    name, version, header, body = validate_data_point(point)
    if official is not None:
        try:
            errors = official.errors(name, version, body)
        except SchemaUnavailable:
            errors = []  # e.g. IEEE-based 4.x schemas offline: our own validation above stands
        if errors:
            raise WearableDataError(f"invalid {name} {version} (official schema): " + "; ".join(errors))
    provenance = header.get("acquisition_provenance") or {}
    source = provenance.get("source_name") or "openmhealth"
    statistic = body.get("descriptive_statistic")
    frame = body.get("effective_time_frame")
    if name == "physical-activity":
        raise NotSummarised("physical activity is validated but not summarised")
    if frame is None:
        raise WearableDataError(f"{name} has no effective_time_frame, so the reading cannot be placed in time")
    start, end = _time_frame(frame, assume_tz)

    if name == "heart-rate":
        # Open mHealth has no separate resting-rate schema: a heart rate taken "at rest" is one.
        at_rest = body.get("temporal_relationship_to_physical_activity") == "at rest"
        metric = Metric.RESTING_HEART_RATE if at_rest else Metric.HEART_RATE
        return [_one(metric, body["heart_rate"], start, end, source, statistic)]
    if name == "step-count":
        raw = body["step_count"]
        value = float(raw["value"] if isinstance(raw, Mapping) else raw)
        return [Sample(Metric.STEPS, start, normalise(Metric.STEPS, value, "steps"), "{steps}", source, end, (), statistic)]
    if name == "sleep-duration":
        return [_duration(Metric.SLEEP_DURATION, body["sleep_duration"], start, end, source, statistic)]
    if name == "sleep-episode":
        if "total_sleep_time" not in body:
            # Without it we would only know the time in bed, which is not time asleep.
            raise NotSummarised("sleep episode without total_sleep_time")
        return [_duration(Metric.SLEEP_DURATION, body["total_sleep_time"], start, end, source, None)]
    if name == "oxygen-saturation":
        return [_one(Metric.SPO2, body["oxygen_saturation"], start, end, source, statistic)]
    if name == "body-temperature":
        return [_one(Metric.BODY_TEMPERATURE, body["body_temperature"], start, end, source, statistic)]
    if name == "respiratory-rate":
        return [_one(Metric.RESPIRATORY_RATE, body["respiratory_rate"], start, end, source, statistic)]
    if name == "blood-pressure":
        systolic = float(body["systolic_blood_pressure"]["value"])
        diastolic = float(body["diastolic_blood_pressure"]["value"])
        check_bounds(Metric.BLOOD_PRESSURE, systolic)
        check_bounds(Metric.BLOOD_PRESSURE, diastolic, DIASTOLIC_BOUNDS)
        if diastolic >= systolic:
            raise WearableDataError(f"diastolic {diastolic:g} is not below systolic {systolic:g}")
        comps = (Component(SYSTOLIC_LOINC, systolic, "mm[Hg]"), Component(DIASTOLIC_LOINC, diastolic, "mm[Hg]"))
        return [Sample(Metric.BLOOD_PRESSURE, start, systolic, "mm[Hg]", source, end, comps, statistic)]
    raise NotSummarised(f"{name} is not summarised")  # pragma: no cover - SUPPORTED is covered above


def read_openmhealth(
    path: str | Path,
    *,
    assume_tz: tzinfo = UTC,
    schema_dir: str | Path | None = None,
    report: ParseReport | None = None,
    strict: bool = False,
) -> Iterator[Sample]:
    """Stream samples from a file of Open mHealth data points. With ``schema_dir`` each body is
    also checked against the official schemas found there."""
    official = OfficialSchemas(schema_dir) if schema_dir is not None else None
    p = Path(path)
    name = p.name.removesuffix(".gz")
    with jsonstream.open_binary(p) as fh:
        if name.endswith((".ndjson", ".jsonl")):
            items: Iterator[tuple[str, Any]] = jsonstream.iter_ndjson(fh, p.name)
        else:
            first = jsonstream.first_byte(fh)
            if first == b"[":
                items = jsonstream.iter_array_items(fh, "item", p.name)
            elif first == b"{":
                items = iter([(p.name, jsonstream.read_whole(fh, p.name))])
            else:
                raise WearableDataError("not an Open mHealth JSON file (expected an object or an array)", where=p.name)
        for where, item in items:
            if isinstance(item, WearableDataError):
                invalid(report, strict, item.reason, where)
                continue
            yield from samples_from_data_point(item, assume_tz=assume_tz, official=official, report=report, strict=strict, where=where)


def samples_from_data_point(
    point: Any,
    *,
    assume_tz: tzinfo = UTC,
    official: OfficialSchemas | None = None,
    report: ParseReport | None = None,
    strict: bool = False,
    where: str = "data point",
) -> Iterator[Sample]:
    try:
        samples = data_point_samples(point, assume_tz=assume_tz, official=official)
    except NotSummarised:
        if report is not None:
            report.ignored += 1
        return
    except WearableDataError as exc:
        pid = point.get("header", {}).get("id") if isinstance(point, Mapping) and isinstance(point.get("header"), Mapping) else None
        invalid(report, strict, exc.reason, f"{where} (id {pid})" if pid else where)
        return
    if report is not None:
        report.accepted += len(samples)
    yield from samples


# --- internals ---------------------------------------------------------------------------------


def _one(metric: Metric, uv: Mapping[str, Any], start: datetime, end: datetime | None, source: str, statistic: Any) -> Sample:
    unit = _OMH_UNITS.get(uv["unit"], uv["unit"])
    value = normalise(metric, float(uv["value"]), unit)
    return Sample(metric, start, value, METRICS[metric].unit, source, end, (), statistic)


def _duration(metric: Metric, uv: Mapping[str, Any], start: datetime, end: datetime | None, source: str, statistic: Any) -> Sample:
    minutes = round(float(uv["value"]) * _DURATION_SECONDS[uv["unit"]] / 60.0, 3)
    return Sample(metric, start, normalise(metric, minutes, "min"), "min", source, end, (), statistic)


def _time_frame(frame: Mapping[str, Any], assume_tz: tzinfo) -> tuple[datetime, datetime | None]:
    if "date_time" in frame:
        return parse_rfc3339(frame["date_time"]), None
    interval = frame["time_interval"]
    if "date" in interval:
        lo, hi = PART_OF_DAY_HOURS[interval["part_of_day"]]
        try:
            day = date.fromisoformat(interval["date"])
        except ValueError:
            raise WearableDataError(f"time_interval.date {interval['date']!r} is not a real date") from None
        start = datetime.combine(day, time(lo), tzinfo=assume_tz)
        return start, start + timedelta(hours=hi - lo)
    start = parse_rfc3339(interval["start_date_time"]) if "start_date_time" in interval else None
    end = parse_rfc3339(interval["end_date_time"]) if "end_date_time" in interval else None
    if "duration" in interval:
        length = timedelta(seconds=float(interval["duration"]["value"]) * _DURATION_SECONDS[interval["duration"]["unit"]])
        if length < timedelta(0):
            raise WearableDataError("time_interval has a negative duration")
        if start is None and end is not None:
            start = end - length
        elif start is not None:
            end = start + length
    if start is None or end is None:  # validation guarantees one complete form; stay defensive
        raise WearableDataError("time_interval needs a start and an end (or a duration)")
    if end < start:
        raise WearableDataError("time_interval ends before it starts")
    return start, end
