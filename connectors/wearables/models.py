"""The common vocabulary of every wearable source: metrics, samples, errors and parse reports.

Every reader (FHIR, Open mHealth, Apple Health) turns its input into a stream of ``Sample``s with
the same metric ids and canonical units, so the summary code never knows where data came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import NamedTuple


class Metric(str, Enum):
    """What a sample measures. The values are stable ids (used in summaries and triage signals)."""

    HEART_RATE = "heart_rate"
    RESTING_HEART_RATE = "resting_heart_rate"
    STEPS = "steps"
    SPO2 = "spo2"
    SLEEP_DURATION = "sleep_duration"
    RESPIRATORY_RATE = "respiratory_rate"
    BODY_TEMPERATURE = "body_temperature"
    BLOOD_PRESSURE = "blood_pressure"


@dataclass(frozen=True)
class MetricInfo:
    metric: Metric
    loinc: str  # the code we write; readers also accept ``also_loinc``
    display: str  # LOINC-style display, for FHIR output
    unit: str  # canonical UCUM unit of Sample.value
    unit_display: str  # how people read the unit
    label: str  # plain words for patients
    additive: bool  # summed over a day (steps, sleep) rather than averaged
    category: str  # FHIR observation-category code
    also_loinc: tuple[str, ...] = ()


METRICS: dict[Metric, MetricInfo] = {
    m.metric: m
    for m in (
        MetricInfo(Metric.HEART_RATE, "8867-4", "Heart rate", "/min", "bpm", "heart rate", False, "vital-signs"),
        MetricInfo(
            Metric.RESTING_HEART_RATE, "40443-4", "Heart rate --resting", "/min", "bpm",
            "resting heart rate", False, "vital-signs",
        ),
        # 41950-7 is a 24-hour total; 55423-8 a count over any interval (hourly chunks from watches).
        MetricInfo(
            Metric.STEPS, "41950-7", "Number of steps in 24 hour Measured", "{steps}", "steps",
            "steps", True, "activity", ("55423-8",),
        ),
        # 59408-5 (pulse oximetry) is what devices report; 2708-6 (arterial) is required alongside it
        # by the FHIR vital-signs profile, so both identify SpO2 on input.
        MetricInfo(
            Metric.SPO2, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "%",
            "blood oxygen", False, "vital-signs", ("2708-6",),
        ),
        MetricInfo(Metric.SLEEP_DURATION, "93832-4", "Sleep duration", "min", "min", "sleep", True, "activity"),
        MetricInfo(
            Metric.RESPIRATORY_RATE, "9279-1", "Respiratory rate", "/min", "breaths/min",
            "breathing rate", False, "vital-signs",
        ),
        MetricInfo(Metric.BODY_TEMPERATURE, "8310-5", "Body temperature", "Cel", "°C", "temperature", False, "vital-signs"),
        MetricInfo(
            Metric.BLOOD_PRESSURE, "85354-9", "Blood pressure panel with all children optional", "mm[Hg]", "mmHg",
            "blood pressure", False, "vital-signs", ("55284-4",),
        ),
    )
}

SYSTOLIC_LOINC = "8480-6"
DIASTOLIC_LOINC = "8462-4"

#: LOINC code -> metric, for readers.
METRIC_BY_LOINC: dict[str, Metric] = {}
for _info in METRICS.values():
    METRIC_BY_LOINC[_info.loinc] = _info.metric
    for _code in _info.also_loinc:
        METRIC_BY_LOINC[_code] = _info.metric


class Component(NamedTuple):
    """One part of a multi-part reading (blood pressure: systolic and diastolic)."""

    code: str  # LOINC
    value: float
    unit: str


# Not frozen: a frozen dataclass costs ~4x more to construct, and a year of minute-level heart
# rate is half a million samples that must be summarised in under two seconds. Treat as immutable.
@dataclass(slots=True, eq=True)
class Sample:
    """One measurement in canonical units (see ``METRICS[metric].unit``).

    ``start`` is always timezone-aware. ``end`` is set for readings over an interval (steps in an
    hour, a night's sleep); ``statistic`` says when the value already summarises several readings
    (e.g. "average", "minimum"). Blood pressure puts systolic in ``value`` and both parts in
    ``components``.
    """

    metric: Metric
    start: datetime
    value: float
    unit: str
    source: str
    end: datetime | None = None
    components: tuple[Component, ...] = ()
    statistic: str | None = None

    @property
    def systolic(self) -> float | None:
        return _component(self, SYSTOLIC_LOINC)

    @property
    def diastolic(self) -> float | None:
        return _component(self, DIASTOLIC_LOINC)


def _component(sample: Sample, code: str) -> float | None:
    for c in sample.components:
        if c.code == code:
            return c.value
    return None


class WearableDataError(ValueError):
    """Input we cannot use, with a reason a person can act on (and where it was, when known)."""

    def __init__(self, reason: str, *, where: str | None = None) -> None:
        self.reason = reason
        self.where = where
        super().__init__(f"{where}: {reason}" if where else reason)


MAX_REASONS = 20


@dataclass
class ParseReport:
    """What a reader did with its input: counts, and the first few reasons items were rejected.

    Bounded on purpose: a corrupt gigabyte file must not turn into a gigabyte of error messages.
    """

    accepted: int = 0  # samples produced
    rejected: int = 0  # items that were invalid (see ``reasons``)
    ignored: int = 0  # valid items we do not summarise (other record types, statuses)
    reasons: list[str] = field(default_factory=list)

    def reject(self, reason: str, where: str | None = None) -> None:
        self.rejected += 1
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(f"{where}: {reason}" if where else reason)

    def merge(self, other: ParseReport) -> None:
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.ignored += other.ignored
        for r in other.reasons:
            if len(self.reasons) < MAX_REASONS:
                self.reasons.append(r)

    def to_dict(self) -> dict[str, object]:
        return {"accepted": self.accepted, "rejected": self.rejected, "ignored": self.ignored, "reasons": list(self.reasons)}


def invalid(report: ParseReport | None, strict: bool, reason: str, where: str | None = None) -> None:
    """Record an invalid item, or raise when the caller asked for strict reading."""
    if strict:
        raise WearableDataError(reason, where=where)
    if report is not None:
        report.reject(reason, where)
