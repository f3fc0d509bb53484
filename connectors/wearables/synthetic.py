"""A synthetic wearable wearer, written by us, for tests, demos, benchmarks and a FHIR test server.

The person has daily rhythms (lower heart rate asleep, commutes and workouts, more steps on
Saturdays, later nights at weekends), the gaps real data has (the watch off the wrist while it
charges each evening, a whole week not worn) and a few anomalies to detect: a week of resting
heart rate about 12 bpm above usual with a high temperature on some days (as with an infection),
and one night with SpO2 readings below 92%.

Everything is deterministic: each day draws from its own random generator seeded by (seed, day),
so output is the same on every run and any day can be generated without generating the others.
Samples are produced day by day and writers stream them to files, so a year at minute resolution
never sits in memory.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, Literal
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from connectors.wearables.models import (
    DIASTOLIC_LOINC,
    METRICS,
    SYSTOLIC_LOINC,
    Component,
    Metric,
    Sample,
)

SOURCE = "Apple Watch"
_NAMESPACE = uuid.UUID("0b6f1c1e-6a55-4b8e-9a3e-5f0f3b1f7c21")  # for deterministic resource ids


@dataclass(frozen=True)
class SyntheticConfig:
    """What to generate. Anomaly positions count days back from ``end`` (0 = the last day)."""

    days: int = 60
    end: date = date(2025, 1, 31)
    tz: str = "Europe/London"
    seed: int = 7
    metrics: frozenset[Metric] = field(default_factory=lambda: frozenset(Metric))
    #: 1 = a heart-rate reading every minute; larger = one average per block of that many minutes.
    hr_every_minutes: int = 1
    #: Steps as hourly counts (like a watch) or one daily total (like a FHIR daily observation).
    steps_per: Literal["hour", "day"] = "hour"
    #: SpO2 and respiratory rate are measured in the background while asleep, this often.
    spo2_every_minutes: int = 30
    resting_hr: float = 58.0
    charging_gaps: bool = True
    #: First day (counted back from end) of 7 days with no data at all; None for none.
    missing_week_start: int | None = 30
    #: First day of a 7-day stretch with resting heart rate about +12 bpm; None for none.
    infection_start: int | None = 6
    #: The night ending on this day has SpO2 readings below 92%; None for none.
    spo2_dip_night: int | None = 3

    def days_list(self) -> list[date]:
        return [self.end - timedelta(days=i) for i in range(self.days - 1, -1, -1)]

    def back(self, d: date) -> int:
        return (self.end - d).days


def benchmark_config(days: int = 365, **overrides: Any) -> SyntheticConfig:
    """Minute-level heart rate only, no gaps or anomalies: exactly 1,440 readings a day."""
    base = SyntheticConfig(
        days=days, metrics=frozenset({Metric.HEART_RATE}), charging_gaps=False,
        missing_week_start=None, infection_start=None, spo2_dip_night=None,
    )
    return replace(base, **overrides)


def coarse_config(days: int = 30, **overrides: Any) -> SyntheticConfig:
    """Daily-level data for a FHIR server: hourly heart rate, daily resting heart rate, steps and
    sleep, SpO2 every two hours of the night, plus temperature and blood pressure readings."""
    base = SyntheticConfig(days=days, hr_every_minutes=60, steps_per="day", spo2_every_minutes=120)
    return replace(base, **overrides)


# --- the person's days -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Night:
    """The night that ends on the morning of ``day``."""

    day: date
    bed: datetime
    onset: datetime
    wake: datetime
    awake_minutes: int

    @property
    def asleep_minutes(self) -> int:
        return int((self.wake - self.onset).total_seconds() // 60) - self.awake_minutes


@dataclass(frozen=True)
class _Plan:
    day: date
    night: _Night
    resting: float
    infected: bool
    fever: bool
    dip: bool
    worn: bool
    bouts: tuple[tuple[datetime, datetime, float, float], ...]  # start, end, heart-rate lift, steps/min
    off_wrist: tuple[datetime, datetime] | None
    temperature_at: datetime | None
    bp_at: datetime | None


class _Person:
    def __init__(self, cfg: SyntheticConfig) -> None:
        self.cfg = cfg
        self.zone = ZoneInfo(cfg.tz)
        self._plans: dict[date, _Plan] = {}

    def rng(self, d: date, salt: str = "") -> random.Random:
        return random.Random(f"{self.cfg.seed}:{d.isoformat()}:{salt}")

    def at(self, d: date, hour: float) -> datetime:
        """Local wall-clock time on day d (hour may exceed 24 or be negative)."""
        return datetime.combine(d, time(0), tzinfo=self.zone) + timedelta(hours=hour)

    def _in(self, start: int | None, d: date, length: int = 7) -> bool:
        return start is not None and start - length < self.cfg.back(d) <= start

    def plan(self, d: date) -> _Plan:
        if d in self._plans:
            return self._plans[d]
        r = self.rng(d)
        weekend_night = (d - timedelta(days=1)).weekday() in (4, 5)  # Friday and Saturday nights
        bed_hour = r.gauss(23.75 if weekend_night else 23.0, 0.5)
        wake_hour = r.gauss(8.0 if d.weekday() >= 5 else 6.9, 0.35)
        infected = self._in(self.cfg.infection_start, d)
        if infected:
            wake_hour += 0.6  # more sleep while unwell
        bed = self._wall(d - timedelta(days=1), bed_hour)
        onset = bed + timedelta(minutes=r.randint(8, 25))
        wake = self._wall(d, wake_hour)
        night = _Night(d, bed, onset, wake, r.randint(12, 35))

        bouts: list[tuple[datetime, datetime, float, float]] = []
        if d.weekday() < 5:  # commute on foot
            bouts.append((self._wall(d, 8.0 + r.uniform(0, 0.2)), self._wall(d, 8.4 + r.uniform(0, 0.1)), 35.0, 105.0))
            bouts.append((self._wall(d, 17.7 + r.uniform(0, 0.2)), self._wall(d, 18.1 + r.uniform(0, 0.1)), 35.0, 105.0))
        if d.weekday() in (1, 3) and not infected:  # runs on Tuesday and Thursday evenings
            bouts.append((self._wall(d, 18.5), self._wall(d, 19.2 + r.uniform(0, 0.2)), 85.0, 160.0))
        if d.weekday() == 5 and not infected:  # a Saturday walk in the hills
            bouts.append((self._wall(d, 10.0), self._wall(d, 12.5 + r.uniform(0, 0.5)), 55.0, 100.0))
        for hour in range(9, 21):  # short walks around the day
            if r.random() < (0.25 if infected else 0.45):
                s = self._wall(d, hour + r.uniform(0, 0.8))
                bouts.append((s, s + timedelta(minutes=r.randint(4, 12)), 20.0, 90.0))
        off = None
        if self.cfg.charging_gaps:
            s = self._wall(d, 19.5 + r.uniform(0, 1.0))
            off = (s, s + timedelta(minutes=r.randint(35, 60)))
        back = self.cfg.back(d)
        fever = infected and self.cfg.infection_start is not None and self.cfg.infection_start - 4 <= back <= self.cfg.infection_start - 1
        plan = _Plan(
            day=d,
            night=night,
            resting=self.cfg.resting_hr + r.gauss(0, 1.0) + (12.5 if infected else 0.0),
            infected=infected,
            fever=fever,
            dip=self.cfg.spo2_dip_night is not None and back == self.cfg.spo2_dip_night,
            worn=not self._in(self.cfg.missing_week_start, d),
            bouts=tuple(sorted(bouts)),
            off_wrist=off,
            temperature_at=(wake + timedelta(minutes=r.randint(5, 40))) if (r.random() < 0.6 or infected) else None,
            bp_at=(wake + timedelta(minutes=r.randint(20, 60))) if d.toordinal() % 3 == 0 else None,
        )
        self._plans[d] = plan
        if len(self._plans) > 4:  # only neighbours are ever needed again
            self._plans.pop(min(self._plans))
        return plan

    def _wall(self, d: date, hour: float) -> datetime:
        # Wall-clock time on the day, normalised through UTC so DST days stay correct.
        # Whole minutes: every output format can then carry the times exactly.
        naive = datetime.combine(d, time(0)) + timedelta(minutes=round(hour * 60))
        return naive.replace(tzinfo=self.zone).astimezone(UTC).astimezone(self.zone)


def generate(cfg: SyntheticConfig | None = None) -> Iterator[Sample]:
    """The person's samples, day by day (each day's in time order)."""
    cfg = cfg or SyntheticConfig()
    person = _Person(cfg)
    for d in cfg.days_list():
        yield from _day_samples(person, d)


def _day_samples(p: _Person, d: date) -> list[Sample]:
    cfg = p.cfg
    plan = p.plan(d)
    if not plan.worn:
        return []
    nxt = p.plan(d + timedelta(days=1))
    r = p.rng(d, "minutes")
    out: list[Sample] = []
    want = cfg.metrics
    day_start = p.at(d, 0).astimezone(UTC)
    day_end = p.at(d + timedelta(days=1), 0).astimezone(UTC)
    minutes = int((day_end - day_start).total_seconds() // 60)
    night, next_night = plan.night, nxt.night
    bouts = plan.bouts
    off = plan.off_wrist
    step = max(1, cfg.hr_every_minutes)
    hr_block: list[float] = []
    steps_hour = 0
    steps_day = 0
    hour_start = day_start
    bout_i = 0
    lift_extra = 12.0 if plan.infected else 0.0
    for i in range(minutes):
        t_utc = day_start + timedelta(minutes=i)
        if i and i % 60 == 0:
            if Metric.STEPS in want and cfg.steps_per == "hour" and steps_hour > 0:
                out.append(Sample(Metric.STEPS, hour_start.astimezone(p.zone), float(steps_hour), "{steps}", SOURCE, t_utc.astimezone(p.zone)))
            steps_hour, hour_start = 0, t_utc
        asleep = t_utc < night.wake or t_utc >= next_night.onset
        if off is not None and off[0] <= t_utc < off[1]:
            hr = None
            steps = 0
        elif asleep:
            hr = plan.resting - 4.0 + r.gauss(0, 2.0) + (lift_extra * 0.3)
            steps = 0
        else:
            while bout_i < len(bouts) and bouts[bout_i][1] <= t_utc:
                bout_i += 1
            active = bout_i < len(bouts) and bouts[bout_i][0] <= t_utc
            base = plan.resting + 16.0 + r.gauss(0, 4.0)
            hr = base + (bouts[bout_i][2] + r.gauss(0, 6.0) if active else 0.0)
            steps = int(bouts[bout_i][3] * (0.6 if plan.infected else 1.0) + r.gauss(0, 8)) if active else (r.randint(0, 12) if r.random() < 0.3 else 0)
        steps = max(0, steps)
        steps_hour += steps
        steps_day += steps
        if Metric.HEART_RATE in want and hr is not None:
            hr = min(195.0, max(38.0, hr))
            if step == 1:
                out.append(Sample(Metric.HEART_RATE, t_utc.astimezone(p.zone), float(round(hr)), "/min", SOURCE))
            else:
                hr_block.append(hr)
        if step > 1 and (i + 1) % step == 0:
            if hr_block and Metric.HEART_RATE in want:
                s = (t_utc - timedelta(minutes=step - 1)).astimezone(p.zone)
                out.append(Sample(Metric.HEART_RATE, s, float(round(sum(hr_block) / len(hr_block))), "/min", SOURCE,
                                  (t_utc + timedelta(minutes=1)).astimezone(p.zone), (), "average"))
            hr_block = []
    if Metric.STEPS in want:
        if cfg.steps_per == "hour" and steps_hour > 0:
            out.append(Sample(Metric.STEPS, hour_start.astimezone(p.zone), float(steps_hour), "{steps}", SOURCE, day_end.astimezone(p.zone)))
        elif cfg.steps_per == "day":
            out.append(Sample(Metric.STEPS, day_start.astimezone(p.zone), float(steps_day), "{steps}", SOURCE, day_end.astimezone(p.zone)))
    if Metric.RESTING_HEART_RATE in want:
        # A daily value computed over the day (as watches report it), ending at its last minute.
        out.append(Sample(
            Metric.RESTING_HEART_RATE, day_start.astimezone(p.zone), float(round(plan.resting)), "/min", SOURCE,
            (day_end - timedelta(minutes=1)).astimezone(p.zone),
        ))
    if Metric.SLEEP_DURATION in want and p.plan(d - timedelta(days=1)).worn:
        out.append(Sample(Metric.SLEEP_DURATION, night.onset, float(night.asleep_minutes), "min", SOURCE, night.wake))
    rn = p.rng(d, "night")
    if Metric.SPO2 in want or Metric.RESPIRATORY_RATE in want:
        t = night.onset + timedelta(minutes=cfg.spo2_every_minutes)
        k = 0
        prev_worn = p.plan(d - timedelta(days=1)).worn
        while t < night.wake:
            k += 1
            if t < day_start and not prev_worn:  # the watch went back on after midnight
                t += timedelta(minutes=cfg.spo2_every_minutes)
                continue
            if Metric.SPO2 in want:
                low = plan.dip and 2.0 <= _hour_of(t) < 4.5
                value = rn.randint(88, 91) if low else min(100, max(93, round(rn.gauss(96.5, 0.9))))
                out.append(Sample(Metric.SPO2, t, float(value), "%", SOURCE))
            if Metric.RESPIRATORY_RATE in want and k % max(1, 60 // cfg.spo2_every_minutes) == 0:
                rr = round(rn.gauss(14.5, 0.7) + (3.0 if plan.infected else 0.0), 1)
                out.append(Sample(Metric.RESPIRATORY_RATE, t, rr, "/min", SOURCE))
            t += timedelta(minutes=cfg.spo2_every_minutes)
    if Metric.BODY_TEMPERATURE in want and plan.temperature_at is not None:
        temp = round(rn.uniform(38.1, 38.6) if plan.fever else rn.gauss(36.6 + (0.4 if plan.infected else 0.0), 0.15), 2)
        out.append(Sample(Metric.BODY_TEMPERATURE, plan.temperature_at, temp, "Cel", "Thermometer"))
    if Metric.BLOOD_PRESSURE in want and plan.bp_at is not None:
        sys_v, dia_v = float(round(rn.gauss(121, 5))), float(round(rn.gauss(78, 4)))
        out.append(Sample(
            Metric.BLOOD_PRESSURE, plan.bp_at, sys_v, "mm[Hg]", "Blood pressure monitor", None,
            (Component(SYSTOLIC_LOINC, sys_v, "mm[Hg]"), Component(DIASTOLIC_LOINC, dia_v, "mm[Hg]")),
        ))
    out.sort(key=lambda s: s.start)
    return out


def _hour_of(t: datetime) -> float:
    return t.hour + t.minute / 60.0


# --- FHIR --------------------------------------------------------------------------------------

_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
_CATEGORY_DISPLAY = {"vital-signs": "Vital Signs", "activity": "Activity"}
_INTERVAL_STEPS = ("55423-8", "Number of steps in unspecified time Pedometer")


def fhir_observation(sample: Sample, patient_ref: str) -> dict[str, Any]:
    """One sample as a FHIR R4 Observation (LOINC code, UCUM units, vital-signs/activity category)."""
    info = METRICS[sample.metric]
    code, display = info.loinc, info.display
    if sample.metric is Metric.STEPS and (sample.end is None or sample.end - sample.start < timedelta(hours=23)):
        code, display = _INTERVAL_STEPS
    codings = [{"system": "http://loinc.org", "code": code, "display": display}]
    if sample.metric is Metric.SPO2:
        codings.append({"system": "http://loinc.org", "code": "2708-6", "display": "Oxygen saturation in Arterial blood"})
    ident = uuid.uuid5(_NAMESPACE, f"{patient_ref}|{code}|{sample.start.isoformat()}|{sample.source}")
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(ident),
        "status": "final",
        "category": [{"coding": [{"system": _CATEGORY_SYSTEM, "code": info.category, "display": _CATEGORY_DISPLAY[info.category]}]}],
        "code": {"coding": codings, "text": info.display},
        "subject": {"reference": patient_ref},
    }
    if sample.end is None:
        obs["effectiveDateTime"] = sample.start.isoformat()
    else:
        obs["effectivePeriod"] = {"start": sample.start.isoformat(), "end": sample.end.isoformat()}
    if sample.metric is Metric.BLOOD_PRESSURE:
        obs["component"] = [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": c.code, "display": "Systolic blood pressure" if c.code == SYSTOLIC_LOINC else "Diastolic blood pressure"}]},
                "valueQuantity": {"value": _num(c.value), "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"},
            }
            for c in sample.components
        ]
    else:
        obs["valueQuantity"] = {"value": _num(sample.value), "unit": info.unit_display, "system": "http://unitsofmeasure.org", "code": info.unit}
    obs["device"] = {"display": sample.source}
    return obs


def fhir_observations(
    patient_ref: str, days: int = 30, *, end: date | None = None, seed: int = 7, tz: str = "Europe/London", **overrides: Any
) -> Iterator[dict[str, Any]]:
    """Daily-level FHIR Observations for one patient over ``days`` days (hourly heart rate, daily
    resting heart rate, steps and sleep, nightly SpO2 and breathing rate, some temperature and
    blood pressure readings), with the generator's gaps and anomalies. For loading a FHIR server."""
    cfg = coarse_config(days, seed=seed, tz=tz, **({"end": end} if end else {}), **overrides)
    for sample in generate(cfg):
        yield fhir_observation(sample, patient_ref)


def write_fhir_ndjson(path: str | Path, samples: Iterable[Sample], patient_ref: str) -> int:
    """One Observation per line (FHIR bulk-data style). Returns the number written."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(json.dumps(fhir_observation(s, patient_ref), separators=(",", ":")))
            fh.write("\n")
            n += 1
    return n


def write_fhir_bundle(path: str | Path, samples: Iterable[Sample], patient_ref: str, *, bundle_type: str = "collection") -> int:
    """A Bundle of Observations, streamed entry by entry. ``transaction`` bundles get POST
    requests, so they can be sent to a FHIR server as they are."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"resourceType": "Bundle", "type": bundle_type})[:-1] + ',"entry":[\n')
        for s in samples:
            entry: dict[str, Any] = {"resource": fhir_observation(s, patient_ref)}
            entry["fullUrl"] = f"urn:uuid:{entry['resource']['id']}"
            if bundle_type in ("transaction", "batch"):
                entry["request"] = {"method": "POST", "url": "Observation"}
            fh.write(("," if n else "") + json.dumps(entry, separators=(",", ":")) + "\n")
            n += 1
        fh.write("]}\n")
    return n


# --- Open mHealth ------------------------------------------------------------------------------


def omh_data_point(sample: Sample, *, user_id: str | None = None) -> dict[str, Any]:
    """One sample as an Open mHealth data point."""
    iso = sample.start.isoformat()
    frame: dict[str, Any] = (
        {"date_time": iso} if sample.end is None
        else {"time_interval": {"start_date_time": iso, "end_date_time": sample.end.isoformat()}}
    )
    m = sample.metric
    if m in (Metric.HEART_RATE, Metric.RESTING_HEART_RATE):
        name, version = "heart-rate", "2.0"
        body: dict[str, Any] = {"heart_rate": {"value": _num(sample.value), "unit": "beats/min"}, "effective_time_frame": frame}
        if m is Metric.RESTING_HEART_RATE:
            body["temporal_relationship_to_physical_activity"] = "at rest"
    elif m is Metric.STEPS:
        name, version = "step-count", "3.0"
        if sample.end is None:
            frame = {"time_interval": {"start_date_time": iso, "end_date_time": iso}}
        body = {"step_count": {"value": _num(sample.value), "unit": "steps"}, "effective_time_frame": frame}
    elif m is Metric.SLEEP_DURATION:
        name, version = "sleep-duration", "2.0"
        body = {"sleep_duration": {"value": _num(sample.value), "unit": "min"}, "effective_time_frame": frame}
    elif m is Metric.SPO2:
        name, version = "oxygen-saturation", "2.0"
        body = {
            "oxygen_saturation": {"value": _num(sample.value), "unit": "%"}, "effective_time_frame": frame,
            "system": "peripheral capillary", "measurement_method": "pulse oximetry",
        }
    elif m is Metric.RESPIRATORY_RATE:
        name, version = "respiratory-rate", "2.0"
        body = {"respiratory_rate": {"value": _num(sample.value), "unit": "breaths/min"}, "effective_time_frame": frame}
    elif m is Metric.BODY_TEMPERATURE:
        name, version = "body-temperature", "4.0"
        body = {"body_temperature": {"value": _num(sample.value), "unit": "C"}, "effective_time_frame": frame, "measurement_location": "oral"}
    else:
        name, version = "blood-pressure", "4.0"
        body = {
            "systolic_blood_pressure": {"value": _num(sample.systolic or sample.value), "unit": "mmHg"},
            "diastolic_blood_pressure": {"value": _num(sample.diastolic or 0.0), "unit": "mmHg"},
            "effective_time_frame": frame,
        }
    if sample.statistic is not None:
        body["descriptive_statistic"] = sample.statistic
    header: dict[str, Any] = {
        "id": str(uuid.uuid5(_NAMESPACE, f"{user_id}|{name}|{iso}|{sample.source}")),
        "creation_date_time": (sample.end or sample.start).isoformat(),
        "schema_id": {"namespace": "omh", "name": name, "version": version},
        "acquisition_provenance": {"source_name": sample.source, "modality": "sensed"},
    }
    if user_id:
        header["user_id"] = user_id
    return {"header": header, "body": body}


def write_openmhealth(path: str | Path, samples: Iterable[Sample], *, user_id: str | None = None, ndjson: bool = False) -> int:
    """Data points as a JSON array (or NDJSON), streamed."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        if not ndjson:
            fh.write("[\n")
        for s in samples:
            text = json.dumps(omh_data_point(s, user_id=user_id), separators=(",", ":"))
            fh.write(text + "\n" if ndjson else ("," if n else "") + text + "\n")
            n += 1
        if not ndjson:
            fh.write("]\n")
    return n


# --- Apple Health export.xml -------------------------------------------------------------------

_APPLE_TYPE = {
    Metric.HEART_RATE: ("HKQuantityTypeIdentifierHeartRate", "count/min"),
    Metric.RESTING_HEART_RATE: ("HKQuantityTypeIdentifierRestingHeartRate", "count/min"),
    Metric.STEPS: ("HKQuantityTypeIdentifierStepCount", "count"),
    Metric.SPO2: ("HKQuantityTypeIdentifierOxygenSaturation", "%"),
    Metric.RESPIRATORY_RATE: ("HKQuantityTypeIdentifierRespiratoryRate", "count/min"),
    Metric.BODY_TEMPERATURE: ("HKQuantityTypeIdentifierBodyTemperature", "degC"),
}
# Our own short internal DTD, shaped like the one in real exports: readers must cope with it
# being there (and must not resolve it).
_APPLE_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- Synthetic export written by connectors.wearables.synthetic -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED>
<!ELEMENT Me EMPTY>
<!ATTLIST Me HKCharacteristicTypeIdentifierBiologicalSex CDATA #REQUIRED>
<!ELEMENT Record (MetadataEntry*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED sourceName CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED device CDATA #IMPLIED creationDate CDATA #IMPLIED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry key CDATA #REQUIRED value CDATA #REQUIRED>
<!ELEMENT Correlation (MetadataEntry*,Record*)>
<!ATTLIST Correlation type CDATA #REQUIRED sourceName CDATA #REQUIRED sourceVersion CDATA #IMPLIED device CDATA #IMPLIED
  creationDate CDATA #IMPLIED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
]>
"""
_DEVICE = "&lt;&lt;HKDevice: 0x600001a2c000&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:10.1&gt;"


class _AppleDates:
    """Apple's "2024-01-31 07:05:00 -0800" without strftime in the loop (it is slow)."""

    def __init__(self) -> None:
        self._offsets: dict[timedelta | None, str] = {}

    def __call__(self, t: datetime) -> str:
        off = t.utcoffset()
        text = self._offsets.get(off)
        if text is None:
            text = self._offsets[off] = t.strftime("%z")
        return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d} {text}"


def write_apple_health(path: str | Path, samples: Iterable[Sample], *, export_date: datetime | None = None) -> int:
    """An Apple Health export.xml, streamed. Sleep becomes "in bed" plus asleep and awake stage
    records; blood pressure a correlation (whose parts are also repeated at top level, as real
    exports do)."""
    fmt = _AppleDates()
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(_APPLE_HEAD)
        stamp = export_date or datetime(2025, 2, 1, 9, 0, tzinfo=UTC)
        fh.write(f'<HealthData locale="en_GB">\n <ExportDate value="{fmt(stamp)}"/>\n')
        fh.write(' <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet"/>\n')
        correlations: list[Sample] = []
        for s in samples:
            n += 1
            if s.metric is Metric.BLOOD_PRESSURE:
                correlations.append(s)
                fh.writelines(" " + rec + "\n" for rec in _bp_records(s, fmt))
                continue
            if s.metric is Metric.SLEEP_DURATION:
                _write_sleep(fh, s, fmt)
                continue
            rtype, unit = _APPLE_TYPE[s.metric]
            start = fmt(s.start)
            end = fmt(s.end) if s.end is not None else start
            value = _num(s.value / 100.0 if s.metric is Metric.SPO2 else s.value)
            head = (
                f' <Record type="{rtype}" sourceName={quoteattr(s.source)} sourceVersion="10.1" device="{_DEVICE}" '
                f'unit="{unit}" creationDate="{end}" startDate="{start}" endDate="{end}" value="{value}"'
            )
            if s.metric is Metric.HEART_RATE:
                fh.write(head + '>\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n </Record>\n')
            else:
                fh.write(head + "/>\n")
            if len(correlations) > 1000:
                _write_correlations(fh, correlations, fmt)
        _write_correlations(fh, correlations, fmt)
        fh.write("</HealthData>\n")
    return n


def _bp_records(s: Sample, fmt: _AppleDates) -> list[str]:
    t = fmt(s.start)
    out = []
    for rtype, value in (("HKQuantityTypeIdentifierBloodPressureSystolic", s.systolic), ("HKQuantityTypeIdentifierBloodPressureDiastolic", s.diastolic)):
        out.append(
            f'<Record type="{rtype}" sourceName={quoteattr(s.source)} unit="mmHg" creationDate="{t}" '
            f'startDate="{t}" endDate="{t}" value="{_num(value or 0.0)}"/>'
        )
    return out


def _write_correlations(fh: IO[str], correlations: list[Sample], fmt: _AppleDates) -> None:
    for s in correlations:
        t = fmt(s.start)
        fh.write(
            f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName={quoteattr(s.source)} '
            f'creationDate="{t}" startDate="{t}" endDate="{t}">\n'
        )
        for rec in _bp_records(s, fmt):
            fh.write("  " + rec + "\n")
        fh.write(" </Correlation>\n")
    correlations.clear()


def _write_sleep(fh: IO[str], s: Sample, fmt: _AppleDates) -> None:
    end = s.end or s.start + timedelta(minutes=s.value)
    asleep = timedelta(minutes=s.value)
    awake = max(timedelta(0), (end - s.start) - asleep)
    first = asleep / 2
    stages = [
        ("HKCategoryValueSleepAnalysisInBed", s.start - timedelta(minutes=15), end),
        ("HKCategoryValueSleepAnalysisAsleepCore", s.start, s.start + first),
        ("HKCategoryValueSleepAnalysisAwake", s.start + first, s.start + first + awake),
        ("HKCategoryValueSleepAnalysisAsleepREM", s.start + first + awake, end),
    ]
    for value, a, b in stages:
        if b <= a:
            continue
        fh.write(
            f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName={quoteattr(s.source)} sourceVersion="10.1" '
            f'creationDate="{fmt(end)}" startDate="{fmt(a)}" endDate="{fmt(b)}" value="{value}"/>\n'
        )


def write_all(directory: str | Path, cfg: SyntheticConfig | None = None, *, patient_ref: str = "Patient/example") -> dict[str, Path]:
    """The same person in every format: FHIR NDJSON and Bundle, Open mHealth JSON, Apple XML."""
    cfg = cfg or SyntheticConfig()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "fhir_ndjson": out / "observations.ndjson",
        "fhir_bundle": out / "bundle.json",
        "omh": out / "openmhealth.json",
        "apple": out / "export.xml",
    }
    write_fhir_ndjson(paths["fhir_ndjson"], generate(cfg), patient_ref)
    write_fhir_bundle(paths["fhir_bundle"], generate(cfg), patient_ref)
    write_openmhealth(paths["omh"], generate(cfg), user_id=patient_ref)
    write_apple_health(paths["apple"], generate(cfg))
    return paths


def _num(value: float) -> int | float:
    """Whole numbers as integers, others rounded to 4 decimals, for compact and exact output."""
    return int(value) if float(value).is_integer() else round(value, 4)
