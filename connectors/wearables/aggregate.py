"""Streaming aggregation of samples into per-day buckets.

Memory grows with the number of (metric, day) pairs, never with the number of samples: a year of
minute-level heart rate is 525,600 samples but 365 buckets. This loop is the hot path of every
summary, so it is written for speed (slots, integer day keys, no per-sample function calls).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from connectors.wearables.models import DIASTOLIC_LOINC, METRICS, Metric, Sample

#: A sample describing more than this (e.g. a monthly average) cannot be placed on one day.
MAX_SPAN = timedelta(hours=26)
_ONE_DAY = timedelta(days=1)
#: A night's sleep belongs to the morning it ends on: the "sleep day" runs 18:00 to 18:00, so a
#: stage that ends at 23:50 counts towards the next morning, one that ends at 07:00 to that day.
SLEEP_DAY_SHIFT = timedelta(hours=6)
#: Statistics we can fold into a day: level metrics accept summaries of readings (they still say
#: something about the level); additive metrics only accept totals.
LEVEL_STATISTICS = frozenset({None, "average", "median", "minimum", "maximum"})
ADDITIVE_STATISTICS = frozenset({None, "sum"})


@dataclass(slots=True)
class DayStats:
    """Everything we keep about one metric on one day."""

    n: int = 0
    total: float = 0.0
    low: float = float("inf")
    high: float = float("-inf")
    last: datetime | None = None  # latest reading time (end of an interval) on this day
    by_source: dict[str, float] | None = None  # additive metrics: total per source
    dia_total: float = 0.0  # blood pressure: diastolic parts
    dia_low: float = float("inf")
    dia_high: float = float("-inf")

    @property
    def mean(self) -> float:
        return self.total / self.n

    def value(self, additive: bool) -> float:
        """The day's value: a total for steps and sleep, the mean for everything else. Sources
        that overlap (a phone and a watch both counting steps) are not added together: the day
        takes the largest single-source total."""
        if additive and self.by_source:
            return max(self.by_source.values())
        return self.total / self.n


@dataclass
class Aggregate:
    """Per-metric, per-day statistics of a sample stream, plus what could not be used."""

    tz: tzinfo | None
    days: dict[Metric, dict[int, DayStats]] = field(default_factory=lambda: {m: {} for m in Metric})
    last_seen: dict[Metric, datetime] = field(default_factory=dict)
    unplaceable: int = 0  # samples spanning more than a day
    unsupported_statistic: int = 0

    def add_all(self, samples: Iterable[Sample]) -> None:
        tz = self.tz
        days = self.days
        additive = {m: METRICS[m].additive for m in Metric}
        sleep = Metric.SLEEP_DURATION
        bp = Metric.BLOOD_PRESSURE
        max_span = MAX_SPAN
        shift = SLEEP_DAY_SHIFT
        cur_metric: Metric | None = None
        cur_ord = -1
        cur = DayStats()
        cur_days: dict[int, DayStats] = {}
        day_lo = day_hi = 0.0
        day_ord = 0
        for s in samples:
            metric = s.metric
            start = s.start
            end = s.end
            if s.statistic is not None or end is not None:
                if end is not None and end - start > max_span:
                    self.unplaceable += 1
                    continue
                if s.statistic not in (ADDITIVE_STATISTICS if additive[metric] else LEVEL_STATISTICS):
                    self.unsupported_statistic += 1
                    continue
            t = start if end is None else end
            if tz is None:
                # Steps and readings belong to the day they start on; sleep to the morning it ends.
                ordinal = (t + shift).toordinal() if metric is sleep else start.toordinal()
            elif metric is sleep:
                ordinal = (t.astimezone(tz) + shift).toordinal()
            else:
                # Converting every reading to the zone is the slowest step of a large summary;
                # instead remember the current local day as a span of POSIX seconds.
                ts = start.timestamp()
                if not day_lo <= ts < day_hi:
                    local_day = start.astimezone(tz).date()
                    day_lo = datetime.combine(local_day, time(0), tzinfo=tz).timestamp()
                    day_hi = datetime.combine(local_day + _ONE_DAY, time(0), tzinfo=tz).timestamp()
                    day_ord = local_day.toordinal()
                ordinal = day_ord
            if metric is not cur_metric or ordinal != cur_ord:
                cur_days = days[metric]
                cur = cur_days.get(ordinal)
                if cur is None:
                    cur = cur_days[ordinal] = DayStats()
                    if additive[metric]:
                        cur.by_source = {}
                cur_metric, cur_ord = metric, ordinal
            v = s.value
            cur.n += 1
            cur.total += v
            # Plain comparisons rather than min()/max(): this runs for every reading.
            if v < cur.low:  # noqa: PLR1730
                cur.low = v
            if v > cur.high:  # noqa: PLR1730
                cur.high = v
            if cur.last is None or t > cur.last:
                cur.last = t
            if cur.by_source is not None:
                cur.by_source[s.source] = cur.by_source.get(s.source, 0.0) + v
            elif metric is bp:
                for c in s.components:
                    if c.code == DIASTOLIC_LOINC:
                        cur.dia_total += c.value
                        cur.dia_low = min(cur.dia_low, c.value)
                        cur.dia_high = max(cur.dia_high, c.value)
        for metric, per_day in days.items():
            if tz is not None:
                for d in per_day.values():
                    if d.last is not None:
                        d.last = d.last.astimezone(tz)
            if per_day:
                self.last_seen[metric] = max(d.last for d in per_day.values() if d.last is not None)

    def latest_day(self) -> date | None:
        """The newest day that has data for any metric (a reading over an interval ending at
        midnight belongs to the day it covers, not to the next one)."""
        ordinals = [max(per_day) for per_day in self.days.values() if per_day]
        return date.fromordinal(max(ordinals)) if ordinals else None
