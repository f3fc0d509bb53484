"""``WearableSummary``: each metric's recent window against the person's own baseline.

Defaults: the recent window is the 7 days ending on ``as_of`` (inclusive), the baseline the 28
days before it. Days are calendar days in ``tz`` when given, otherwise in each reading's own UTC
offset (the wearer's local time, which is what Apple Health and most devices record).

Nothing is filled in: a day without data is listed as missing, a day with much less data than
usual is listed as partial (and left out of step and sleep averages, where it would read as a
low day), and when the newest value shown is older than ``as_of`` the summary says which day it
was carried forward from.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from connectors.wearables import rules
from connectors.wearables.aggregate import Aggregate, DayStats
from connectors.wearables.models import METRICS, Metric, ParseReport, Sample
from connectors.wearables.rules import Deviation, RuleInput

DEFAULT_RECENT_DAYS = 7
DEFAULT_BASELINE_DAYS = 28
#: A day with fewer than half the usual number of readings is partial ...
PARTIAL_FRACTION = 0.5
#: ... which is only judged for metrics that usually have several readings a day (one daily
#: resting heart rate cannot be "partial").
MIN_TYPICAL_FOR_PARTIAL = 6
#: Differences smaller than these are "steady" (steps: a fraction of the baseline).
TREND_TOLERANCE: dict[Metric, float] = {
    Metric.HEART_RATE: 3.0,
    Metric.RESTING_HEART_RATE: 3.0,
    Metric.STEPS: 0.15,
    Metric.SPO2: 1.0,
    Metric.SLEEP_DURATION: 30.0,
    Metric.RESPIRATORY_RATE: 1.5,
    Metric.BODY_TEMPERATURE: 0.3,
    Metric.BLOOD_PRESSURE: 5.0,
}


@dataclass(frozen=True)
class Window:
    """One window of days for one metric."""

    start: date
    end: date
    days: int
    days_with_data: int
    missing_days: tuple[date, ...]
    partial_days: tuple[date, ...]
    mean: float | None  # mean of daily values (totals for steps/sleep over complete days)
    low: float | None  # lowest single reading (steps, sleep: lowest complete day)
    high: float | None  # highest single reading (steps, sleep: highest complete day)
    samples: int
    sample_fraction: float | None  # readings present relative to the person's usual daily count
    diastolic_mean: float | None = None  # blood pressure only
    diastolic_low: float | None = None
    diastolic_high: float | None = None

    @property
    def completeness(self) -> float:
        """Fraction of the window's days that have any data."""
        return self.days_with_data / self.days if self.days else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "days_with_data": self.days_with_data,
            "completeness": round(self.completeness, 3),
            "missing_days": [d.isoformat() for d in self.missing_days],
            "partial_days": [d.isoformat() for d in self.partial_days],
            "mean": _r(self.mean),
            "low": _r(self.low),
            "high": _r(self.high),
            "samples": self.samples,
            "sample_fraction": _r(self.sample_fraction, 3),
            "diastolic_mean": _r(self.diastolic_mean),
            "diastolic_low": _r(self.diastolic_low),
            "diastolic_high": _r(self.diastolic_high),
        }


@dataclass(frozen=True)
class MetricSummary:
    metric: Metric
    unit: str  # display unit
    recent: Window
    baseline: Window
    change: float | None  # recent mean - baseline mean
    trend: str  # "up", "down", "steady" or "unknown" (not enough data to compare)
    slope_per_day: float | None  # least-squares slope of daily values over both windows
    latest_value: float | None
    latest_day: date | None
    carried_forward_from: date | None  # set when latest_day is before as_of
    last_measurement: datetime | None
    deviations: tuple[Deviation, ...]
    notes: tuple[str, ...]
    latest_diastolic: float | None = None

    @property
    def usually_daily(self) -> bool:
        """Whether this metric normally has data every day (a watch's heart rate) rather than
        now and then (a blood pressure cuff); only then is a day without data worth mentioning."""
        ref = self.baseline if self.baseline.days_with_data else self.recent
        return ref.completeness >= 0.5

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric.value,
            "loinc": METRICS[self.metric].loinc,
            "unit": self.unit,
            "recent": self.recent.to_dict(),
            "baseline": self.baseline.to_dict(),
            "change": _r(self.change),
            "trend": self.trend,
            "slope_per_day": _r(self.slope_per_day, 3),
            "latest_value": _r(self.latest_value),
            "latest_diastolic": _r(self.latest_diastolic),
            "latest_day": self.latest_day.isoformat() if self.latest_day else None,
            "carried_forward_from": self.carried_forward_from.isoformat() if self.carried_forward_from else None,
            "last_measurement": self.last_measurement.isoformat() if self.last_measurement else None,
            "deviations": [d.to_dict() for d in self.deviations],
            "notes": list(self.notes),
            "usually_daily": self.usually_daily,
        }


@dataclass(frozen=True)
class WearableSummary:
    """Summaries of every metric that has data, with renderings for patients, clinicians and
    the triage policy."""

    as_of: date | None
    timezone: str | None
    recent_days: int
    baseline_days: int
    metrics: dict[Metric, MetricSummary]
    report: ParseReport | None = None
    unplaceable_samples: int = 0
    unsupported_statistic_samples: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def deviations(self) -> list[Deviation]:
        return [d for m in self.metrics.values() for d in m.deviations]

    @property
    def has_data(self) -> bool:
        return bool(self.metrics)

    def for_patient(self) -> str:
        from connectors.wearables.render import for_patient

        return for_patient(self)

    def for_clinician(self) -> str:
        from connectors.wearables.render import for_clinician

        return for_clinician(self)

    def triage_signals(self) -> dict[str, Any]:
        from connectors.wearables.render import triage_signals

        return triage_signals(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, e.g. for an escalation's ``wearable_summary``."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "timezone": self.timezone,
            "recent_days": self.recent_days,
            "baseline_days": self.baseline_days,
            "metrics": {m.value: s.to_dict() for m, s in self.metrics.items()},
            "deviations": [d.to_dict() for d in self.deviations],
            "input": self.report.to_dict() if self.report else None,
            "unplaceable_samples": self.unplaceable_samples,
            "unsupported_statistic_samples": self.unsupported_statistic_samples,
            "notes": list(self.notes),
        }


def summarise(
    samples: Iterable[Sample],
    *,
    as_of: date | datetime | None = None,
    tz: tzinfo | str | None = None,
    recent_days: int = DEFAULT_RECENT_DAYS,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    report: ParseReport | None = None,
) -> WearableSummary:
    """Consume a sample stream (once, in constant memory per day) and summarise it.

    ``as_of`` is the last day of the recent window; by default the day of the newest reading
    (pass today's date to see how current the data is). ``report`` is the reader's ParseReport,
    carried into the summary so rejected input is visible.
    """
    if recent_days < 1 or baseline_days < 1:
        raise ValueError("recent_days and baseline_days must be positive")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    agg = Aggregate(tz=zone)
    agg.add_all(samples)
    return summarise_aggregate(agg, as_of=as_of, recent_days=recent_days, baseline_days=baseline_days, report=report)


def summarise_aggregate(
    agg: Aggregate,
    *,
    as_of: date | datetime | None = None,
    recent_days: int = DEFAULT_RECENT_DAYS,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    report: ParseReport | None = None,
) -> WearableSummary:
    if isinstance(as_of, datetime):
        as_of = (as_of.astimezone(agg.tz) if agg.tz and as_of.tzinfo else as_of).date()
    day = as_of or agg.latest_day()
    tz_name = getattr(agg.tz, "key", None) or (str(agg.tz) if agg.tz else None)
    notes: list[str] = []
    if report is not None and report.rejected:
        notes.append(f"{report.rejected} input item(s) were rejected as invalid")
    if agg.unplaceable:
        notes.append(f"{agg.unplaceable} reading(s) covering more than a day were not placed on any day")
    if agg.unsupported_statistic:
        notes.append(f"{agg.unsupported_statistic} summary value(s) of an unusable kind (e.g. a maximum of steps) were left out")
    if day is None:
        return WearableSummary(None, tz_name, recent_days, baseline_days, {}, report, agg.unplaceable, agg.unsupported_statistic, tuple(notes + ["no wearable data"]))
    metrics: dict[Metric, MetricSummary] = {}
    for metric in Metric:
        per_day = agg.days[metric]
        if per_day:
            summary = _metric_summary(metric, per_day, day, recent_days, baseline_days)
            if summary is not None:
                metrics[metric] = summary
    return WearableSummary(
        day, tz_name, recent_days, baseline_days, metrics, report, agg.unplaceable, agg.unsupported_statistic, tuple(notes)
    )


def summarise_file(
    path: str | Path,
    *,
    format: str | None = None,
    as_of: date | datetime | None = None,
    tz: tzinfo | str | None = None,
    recent_days: int = DEFAULT_RECENT_DAYS,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    **reader_options: Any,
) -> WearableSummary:
    """Read a FHIR, Open mHealth or Apple Health file (format detected unless given) and
    summarise it. Invalid items are skipped and counted in the summary's report."""
    from connectors.wearables.sources import read_samples

    report = ParseReport()
    samples = read_samples(path, format=format, report=report, **reader_options)
    return summarise(samples, as_of=as_of, tz=tz, recent_days=recent_days, baseline_days=baseline_days, report=report)


# --- per-metric computation --------------------------------------------------------------------


def _metric_summary(metric: Metric, per_day: dict[int, DayStats], as_of: date, recent_days: int, baseline_days: int) -> MetricSummary | None:
    info = METRICS[metric]
    end = as_of.toordinal()
    recent_lo = end - recent_days + 1
    base_lo = recent_lo - baseline_days
    in_range = [per_day[o].n for o in range(base_lo, end + 1) if o in per_day]
    if not any(o <= end for o in per_day):
        return None  # only data after as_of
    typical = statistics.median(in_range) if in_range else None
    judge_partial = typical is not None and typical >= MIN_TYPICAL_FOR_PARTIAL
    recent = _window(per_day, recent_lo, end, info.additive, typical if judge_partial else None, metric)
    baseline = _window(per_day, base_lo, recent_lo - 1, info.additive, typical if judge_partial else None, metric)

    notes: list[str] = []
    change = trend_slope = None
    trend = "unknown"
    if recent.mean is not None and baseline.mean is not None and baseline.days_with_data >= rules.MIN_BASELINE_DAYS:
        change = recent.mean - baseline.mean
        tol = TREND_TOLERANCE[metric] * (baseline.mean if metric is Metric.STEPS else 1.0)
        trend = "steady" if abs(change) < tol else ("up" if change > 0 else "down")
    elif baseline.days_with_data < rules.MIN_BASELINE_DAYS:
        notes.append(f"only {baseline.days_with_data} baseline day(s) with data: too few to compare with")
    if recent.days_with_data == 0:
        notes.append(f"no data in the last {recent_days} days")
    trend_slope = _slope(per_day, base_lo, end, info.additive, set(recent.partial_days) | set(baseline.partial_days))

    # Newest day with data up to as_of; shown as "latest", and flagged when it is not as_of.
    latest_ord = max(o for o in per_day if o <= end)
    latest = per_day[latest_ord]
    latest_day = date.fromordinal(latest_ord)
    last_measurement = max((per_day[o].last for o in per_day if o <= end and per_day[o].last is not None), default=None)

    recent_items = [(date.fromordinal(o), per_day[o]) for o in range(recent_lo, end + 1) if o in per_day]
    if info.additive:
        partial = set(recent.partial_days)
        recent_items = [(d, s) for d, s in recent_items if d not in partial]
    rule = rules.RULES.get(metric)
    deviations: tuple[Deviation, ...] = ()
    if rule is not None:
        deviations = tuple(rule(RuleInput(
            metric, recent_items, recent.mean, recent.diastolic_mean, baseline.mean, baseline.days_with_data, info.additive,
        )))
    return MetricSummary(
        metric=metric,
        unit=info.unit_display,
        recent=recent,
        baseline=baseline,
        change=change,
        trend=trend,
        slope_per_day=trend_slope,
        latest_value=latest.value(info.additive),
        latest_day=latest_day,
        carried_forward_from=latest_day if latest_day < as_of else None,
        last_measurement=last_measurement,
        deviations=deviations,
        notes=tuple(notes),
        latest_diastolic=(latest.dia_total / latest.n) if metric is Metric.BLOOD_PRESSURE else None,
    )


def _window(per_day: dict[int, DayStats], lo: int, hi: int, additive: bool, typical: float | None, metric: Metric) -> Window:
    present: list[tuple[int, DayStats]] = [(o, per_day[o]) for o in range(lo, hi + 1) if o in per_day]
    missing = tuple(date.fromordinal(o) for o in range(lo, hi + 1) if o not in per_day)
    partial = tuple(date.fromordinal(o) for o, s in present if typical is not None and s.n < PARTIAL_FRACTION * typical)
    partial_ords = {d.toordinal() for d in partial}
    # Totals from partial days would read as unusually low days, so they are left out of the
    # mean for steps and sleep (and listed); levels (heart rate...) are fine from part of a day.
    used = [(o, s) for o, s in present if not (additive and o in partial_ords)]
    mean = statistics.fmean(s.value(additive) for _, s in used) if used else None
    bp = metric is Metric.BLOOD_PRESSURE
    days = hi - lo + 1
    return Window(
        start=date.fromordinal(lo),
        end=date.fromordinal(hi),
        days=days,
        days_with_data=len(present),
        missing_days=missing,
        partial_days=partial,
        mean=mean,
        # Single readings for levels; for steps and sleep the smallest and largest day (one
        # sleep stage or one hour of steps says nothing on its own).
        low=min((s.value(True) for _, s in used), default=None) if additive else min((s.low for _, s in present), default=None),
        high=max((s.value(True) for _, s in used), default=None) if additive else max((s.high for _, s in present), default=None),
        samples=sum(s.n for _, s in present),
        sample_fraction=(sum(min(s.n, typical) for _, s in present) / (typical * days)) if typical else None,
        diastolic_mean=statistics.fmean(s.dia_total / s.n for _, s in used) if bp and used else None,
        diastolic_low=min((s.dia_low for _, s in present), default=None) if bp else None,
        diastolic_high=max((s.dia_high for _, s in present), default=None) if bp else None,
    )


def _slope(per_day: dict[int, DayStats], lo: int, hi: int, additive: bool, partial: set[date]) -> float | None:
    points = [
        (float(o), per_day[o].value(additive))
        for o in range(lo, hi + 1)
        if o in per_day and not (additive and date.fromordinal(o) in partial)
    ]
    if len(points) < 5:
        return None
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def window_bounds(as_of: date, recent_days: int = DEFAULT_RECENT_DAYS, baseline_days: int = DEFAULT_BASELINE_DAYS) -> tuple[date, date, date]:
    """(baseline start, recent start, as_of): the first day of each window and the last day."""
    recent_start = as_of - timedelta(days=recent_days - 1)
    return recent_start - timedelta(days=baseline_days), recent_start, as_of
