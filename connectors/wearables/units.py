"""Unit normalisation into each metric's canonical unit, and plausibility bounds.

Sources disagree on units (°F vs °C, SpO2 as a fraction vs a percentage, sleep in hours vs
seconds), so every reader funnels values through ``normalise`` before they become samples.
Values outside physiologically plausible bounds are rejected, not clipped: they are almost
always unit mistakes or sensor faults, and silently "fixing" them would hide the problem.
"""

from __future__ import annotations

from typing import NamedTuple

from connectors.wearables.models import Metric, WearableDataError

_PER_MINUTE = {
    "/min", "1/min", "min-1", "beats/min", "beats/minute", "{beats}/min", "{beat}/min", "count/min",
    "bpm", "breaths/min", "{breaths}/min", "{breath}/min", "{respirations}/min", "/minute",
}
_PER_SECOND = {"/s", "hz", "Hz", "count/s"}
_CELSIUS = {"Cel", "C", "°C", "degC", "cel", "celsius"}
_FAHRENHEIT = {"[degF]", "F", "°F", "degF", "fahrenheit"}
_KELVIN = {"K", "kelvin"}
_PERCENT = {"%", "percent", "{percent}"}
_FRACTION = {"1", "{fraction}", "{ratio}", "fraction", ""}
_STEPS = {"{steps}", "steps", "step", "{step}", "count", "{count}", "1", "/d", "{steps}/d", "steps/day", ""}
_MMHG = {"mm[Hg]", "mmHg", "mm Hg", "mmhg"}
_KPA = {"kPa"}
_DURATION_MINUTES = {
    "ms": 1 / 60000, "s": 1 / 60, "sec": 1 / 60, "second": 1 / 60, "seconds": 1 / 60,
    "min": 1.0, "minute": 1.0, "minutes": 1.0, "h": 60.0, "hr": 60.0, "hour": 60.0, "hours": 60.0,
    "d": 1440.0, "day": 1440.0,
}

#: Plausible ranges in canonical units. Outside them a reading is a fault or a unit error.
BOUNDS: dict[Metric, tuple[float, float]] = {
    Metric.HEART_RATE: (20.0, 300.0),
    Metric.RESTING_HEART_RATE: (20.0, 200.0),
    Metric.STEPS: (0.0, 200_000.0),
    Metric.SPO2: (50.0, 100.0),
    Metric.SLEEP_DURATION: (0.0, 1440.0),
    Metric.RESPIRATORY_RATE: (3.0, 80.0),
    Metric.BODY_TEMPERATURE: (25.0, 45.0),
    Metric.BLOOD_PRESSURE: (30.0, 300.0),
}
DIASTOLIC_BOUNDS = (20.0, 200.0)


class Linear(NamedTuple):
    """value_in_canonical = round(value * scale + offset, ndigits) (no rounding when None)."""

    scale: float
    offset: float
    ndigits: int | None
    fraction_if_at_most_one: bool = False  # SpO2 labelled "%" but stored as a fraction


def linear(metric: Metric, unit: str | None) -> Linear:
    """How to convert ``unit`` to the metric's canonical unit, or WearableDataError. Readers of
    large files look this up once per unit and apply it to millions of values."""
    u = (unit or "").strip()
    if metric in (Metric.HEART_RATE, Metric.RESTING_HEART_RATE, Metric.RESPIRATORY_RATE):
        if u in _PER_MINUTE:
            return Linear(1.0, 0.0, None)
        if u in _PER_SECOND:
            return Linear(60.0, 0.0, None)
        raise WearableDataError(f"unit {unit!r} is not a rate per minute")
    if metric is Metric.SPO2:
        # A real saturation of 1% does not exist, so a value of at most 1 is a fraction (Apple
        # Health stores 0.97; some converters keep that number but label it "%").
        if u in _FRACTION:
            return Linear(100.0, 0.0, 2)
        if u in _PERCENT:
            return Linear(1.0, 0.0, None, True)
        raise WearableDataError(f"unit {unit!r} is not a percentage or fraction")
    if metric is Metric.BODY_TEMPERATURE:
        if u in _CELSIUS:
            return Linear(1.0, 0.0, None)
        if u in _FAHRENHEIT:
            return Linear(5.0 / 9.0, -32.0 * 5.0 / 9.0, 2)
        if u in _KELVIN:
            return Linear(1.0, -273.15, 2)
        raise WearableDataError(f"unit {unit!r} is not a temperature unit (Cel, [degF], K)")
    if metric is Metric.SLEEP_DURATION:
        factor = _DURATION_MINUTES.get(u)
        if factor is None:
            raise WearableDataError(f"unit {unit!r} is not a duration unit (s, min, h)")
        return Linear(factor, 0.0, 3)
    if metric is Metric.STEPS:
        if u not in _STEPS:
            raise WearableDataError(f"unit {unit!r} is not a step count")
        return Linear(1.0, 0.0, None)
    if metric is Metric.BLOOD_PRESSURE:
        if u in _MMHG:
            return Linear(1.0, 0.0, None)
        if u in _KPA:
            return Linear(7.50062, 0.0, 1)
        raise WearableDataError(f"unit {unit!r} is not a pressure unit (mm[Hg], kPa)")
    raise WearableDataError(f"no unit rules for {metric.value}")  # pragma: no cover


def apply(conv: Linear, value: float) -> float:
    if conv.fraction_if_at_most_one:
        return round(value * 100.0, 2) if 0.0 < value <= 1.0 else value
    out = value * conv.scale + conv.offset
    return out if conv.ndigits is None else round(out, conv.ndigits)


def normalise(metric: Metric, value: float, unit: str | None) -> float:
    """``value`` in ``unit`` converted to the metric's canonical unit and checked against the
    plausible range; WearableDataError otherwise."""
    out = apply(linear(metric, unit), value)
    check_bounds(metric, out)
    return out


def mmhg(value: float, unit: str | None) -> float:
    return apply(linear(Metric.BLOOD_PRESSURE, unit), value)


def check_bounds(metric: Metric, value: float, bounds: tuple[float, float] | None = None) -> None:
    lo, hi = bounds or BOUNDS[metric]
    if not lo <= value <= hi:  # also rejects NaN
        raise WearableDataError(f"{metric.value} value {value:g} is outside the plausible range {lo:g}-{hi:g}")
