"""Three views of a WearableSummary: plain words for the patient, a compact block for a
clinician's escalation packet, and a plain dict of signals for the triage policy.

The patient text describes readings and compares them with the person's own usual values. It
never names a condition or suggests a treatment; when a reading is notable it suggests talking
to a clinician, and for readings that can be urgent it says when to get help now.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

from connectors.wearables.models import Metric

if TYPE_CHECKING:
    from connectors.wearables.summary import MetricSummary, WearableSummary

#: Deviation ids after which the patient text adds "get urgent help if ..." (they can be urgent).
URGENT_IDS = frozenset({"spo2_below_92", "bp_very_high", "respiratory_rate_high", "temperature_low"})

_ORDER = (
    Metric.RESTING_HEART_RATE, Metric.HEART_RATE, Metric.SPO2, Metric.RESPIRATORY_RATE,
    Metric.BODY_TEMPERATURE, Metric.BLOOD_PRESSURE, Metric.SLEEP_DURATION, Metric.STEPS,
)
_SHORT = {
    Metric.HEART_RATE: "HR", Metric.RESTING_HEART_RATE: "RHR", Metric.STEPS: "Steps", Metric.SPO2: "SpO2",
    Metric.SLEEP_DURATION: "Sleep", Metric.RESPIRATORY_RATE: "RR", Metric.BODY_TEMPERATURE: "Temp",
    Metric.BLOOD_PRESSURE: "BP",
}


# --- patient ---------------------------------------------------------------------------------


def for_patient(summary: WearableSummary) -> str:
    if not summary.metrics:
        return (
            "I could not find any readings from your wearable device to summarise. If you expected "
            "some, check that the device is syncing."
        )
    lines = [
        (
            f"Here is what your wearable shows for the {summary.recent_days} days up to {_day(summary.as_of)}, "
            f"compared with your usual pattern over the {_weeks(summary.baseline_days)} before."
        )
    ]
    gaps: list[str] = []
    for metric in _ORDER:
        ms = summary.metrics.get(metric)
        if ms is None:
            continue
        lines.append("- " + _patient_metric(ms))
        if ms.recent.missing_days and ms.recent.days_with_data and ms.usually_daily:
            gaps.append(f"{_label(metric)}: no readings on {_ranges(ms.recent.missing_days)}")
        if ms.recent.partial_days:
            gaps.append(f"{_label(metric)}: fewer readings than usual on {_ranges(ms.recent.partial_days)}")
    if gaps:
        lines.append(
            "Some days are incomplete, so I have not guessed what was missed (the device may not have been worn "
            "or charged): " + "; ".join(gaps) + "."
        )
    notable = [d for d in summary.deviations if d.notable]
    if notable:
        lines.append(
            "Some of these readings are outside your usual range. Wearable devices are not always accurate, but "
            "it would be a good idea to talk to a doctor or nurse about them."
        )
        if any(d.id in URGENT_IDS for d in notable):
            lines.append(
                "If you feel very unwell, are short of breath, or have chest pain or confusion, get urgent medical help now."
            )
    elif summary.deviations:
        lines.append("None of this needs a clinician's attention on its own, but the changes above may be worth keeping an eye on.")
    else:
        lines.append("Nothing here stands out from your usual pattern.")
    lines.append("This is a summary of your device's readings, not a medical assessment.")
    return "\n".join(lines)


def _patient_metric(ms: MetricSummary) -> str:
    m, r, b = ms.metric, ms.recent, ms.baseline
    if r.days_with_data == 0:
        latest = _patient_value(m, ms.latest_value, ms.latest_diastolic)
        return (
            f"{_label(m).capitalize()}: no readings in the last {r.days} days. "
            f"The most recent was {latest} on {_day(ms.latest_day)}."
        )
    usual = ""
    if b.mean is not None and ms.trend != "unknown":
        comparison = {"up": "higher than", "down": "lower than", "steady": "close to"}[ms.trend]
        usual = f", {comparison} your usual {_patient_value(m, b.mean, b.diastolic_mean)}"
    if m is Metric.STEPS:
        text = f"Steps: about {_thousands(r.mean)} a day on average{usual}."
    elif m is Metric.SLEEP_DURATION:
        text = f"Sleep: about {_hours(r.mean)} a night on average{usual}."
    elif m is Metric.SPO2:
        text = f"Blood oxygen: averaged {_patient_value(m, r.mean, None)}{usual}; the lowest reading was {r.low:.0f}%."
    elif m is Metric.BODY_TEMPERATURE:
        text = f"Temperature: averaged {r.mean:.1f} °C{usual}; the highest reading was {r.high:.1f} °C."
    elif m is Metric.BLOOD_PRESSURE:
        text = (
            f"Blood pressure: averaged {_patient_value(m, r.mean, r.diastolic_mean)}{usual}; "
            f"the highest reading was {r.high:.0f}/{r.diastolic_high:.0f} mmHg."
        )
    else:
        text = f"{_label(m).capitalize()}: averaged {_patient_value(m, r.mean, None)}{usual}."
    for d in ms.deviations:
        text += " " + _patient_deviation(d.id, d.days)
    if ms.carried_forward_from is not None:
        text += f" The newest reading is from {_day(ms.carried_forward_from)}; there is nothing since."
    return text


def _patient_deviation(dev_id: str, days: tuple[date, ...]) -> str:
    when = _ranges(days)
    return {
        "resting_hr_elevated": f"It was 10 or more beats per minute above your usual on {len(days)} days in a row ({when}).",
        "resting_hr_high": "It was above 100 beats per minute, which is higher than the usual adult range at rest.",
        "spo2_below_92": f"Some readings were below 92% ({when}).",
        "sleep_below_usual": "That is at least an hour less than you usually sleep.",
        "temperature_fever_range": f"Some readings were 38 °C or higher, which counts as a high temperature ({when}).",
        "temperature_low": f"Some readings were below 35 °C, which is unusually low ({when}).",
        "bp_very_high": f"Some readings were 180/120 or higher, which is very high ({when}).",
        "bp_high": "That average is at or above 135/85, the level at which home readings count as high.",
        "bp_low": f"Some readings were below 90/60, which is low ({when}).",
        "respiratory_rate_high": f"It was 21 breaths a minute or more on some days ({when}).",
        "steps_below_usual": "That is less than half of your usual activity.",
    }.get(dev_id, "")


def _patient_value(metric: Metric, value: float | None, diastolic: float | None) -> str:
    if value is None:
        return "not available"
    if metric in (Metric.HEART_RATE, Metric.RESTING_HEART_RATE):
        return f"{value:.0f} beats per minute"
    if metric is Metric.RESPIRATORY_RATE:
        return f"{value:.0f} breaths a minute"
    if metric is Metric.SPO2:
        return f"{value:.0f}%"
    if metric is Metric.BODY_TEMPERATURE:
        return f"{value:.1f} °C"
    if metric is Metric.BLOOD_PRESSURE:
        return f"{value:.0f}/{diastolic:.0f} mmHg" if diastolic is not None else f"{value:.0f} mmHg"
    if metric is Metric.SLEEP_DURATION:
        return _hours(value)
    return f"{_thousands(value)} steps"


# --- clinician -------------------------------------------------------------------------------


def for_clinician(summary: WearableSummary) -> str:
    if not summary.metrics:
        return "Wearables: no data."
    head = (
        f"Wearables as of {summary.as_of.isoformat() if summary.as_of else '?'} "
        f"(recent {summary.recent_days} d vs prior {summary.baseline_days} d baseline"
        f"{'; tz ' + summary.timezone if summary.timezone else '; local time of each reading'})"
    )
    ids = [d.id for d in summary.deviations]
    lines = [head, "Deviations: " + (", ".join(ids) if ids else "none")]
    gaps: list[str] = []
    for metric in _ORDER:
        ms = summary.metrics.get(metric)
        if ms is None:
            continue
        lines.append("- " + _clinician_metric(ms))
        r, b = ms.recent, ms.baseline
        if r.missing_days and r.days_with_data and ms.usually_daily:
            gaps.append(f"{_SHORT[metric]} missing {_iso_ranges(r.missing_days)}")
        if r.partial_days:
            gaps.append(f"{_SHORT[metric]} partial {_iso_ranges(r.partial_days)}")
        if b.missing_days and b.days_with_data and ms.usually_daily:
            gaps.append(f"{_SHORT[metric]} baseline missing {_iso_ranges(b.missing_days)}")
    if gaps:
        lines.append("Gaps (not filled): " + "; ".join(gaps))
    quality = list(summary.notes)
    if summary.report is not None and summary.report.reasons:
        quality.append("first rejection: " + summary.report.reasons[0])
    if quality:
        lines.append("Input: " + "; ".join(quality))
    return "\n".join(lines)


def _clinician_metric(ms: MetricSummary) -> str:
    m, r, b = ms.metric, ms.recent, ms.baseline
    if r.mean is not None:
        value = _clin_value(m, r.mean, r.diastolic_mean)
        if m is Metric.SPO2:
            value += f" (min {r.low:.0f})"
        elif m is Metric.BODY_TEMPERATURE:
            value += f" (max {r.high:.1f})"
        elif m is Metric.BLOOD_PRESSURE:
            value += f" (max {r.high:.0f}/{r.diastolic_high:.0f})"
        base = _clin_value(m, b.mean, b.diastolic_mean) if b.mean is not None else "n/a"
        change = f"{ms.change:+.1f}, {ms.trend}" if ms.change is not None else ms.trend
        parts = [f"{_SHORT[m]} {value} vs {base} ({change})"]
    else:
        parts = [f"{_SHORT[m]} no recent data (latest {_clin_value(m, ms.latest_value, ms.latest_diastolic)} on {ms.latest_day})"]
    coverage = f" ({r.sample_fraction:.0%} of usual readings)" if r.sample_fraction is not None and r.days_with_data else ""
    parts.append(
        f"data {r.days_with_data}/{r.days} d{coverage}, baseline {b.days_with_data}/{b.days} d"
        + ("" if ms.usually_daily else " (occasional)")
    )
    if ms.last_measurement is not None:
        parts.append(f"last {ms.last_measurement.strftime('%Y-%m-%d %H:%M %z')}")
    if ms.carried_forward_from is not None:
        parts.append(f"latest value carried from {ms.carried_forward_from.isoformat()}")
    text = "; ".join(parts)
    for d in ms.deviations:
        text += f" | {d.detail} [{d.id}]"
    return text


def _clin_value(metric: Metric, value: float | None, diastolic: float | None) -> str:
    if value is None:
        return "n/a"
    if metric is Metric.BLOOD_PRESSURE:
        return f"{value:.0f}/{diastolic:.0f} mmHg" if diastolic is not None else f"{value:.0f} mmHg"
    if metric is Metric.SLEEP_DURATION:
        return _hours(value, compact=True)
    if metric is Metric.BODY_TEMPERATURE:
        return f"{value:.1f} °C"
    if metric is Metric.SPO2:
        return f"{value:.0f}%"
    if metric is Metric.STEPS:
        return f"{value:.0f}/d"
    return f"{value:.0f} {'bpm' if metric in (Metric.HEART_RATE, Metric.RESTING_HEART_RATE) else '/min'}"


# --- triage ----------------------------------------------------------------------------------


def triage_signals(summary: WearableSummary) -> dict[str, Any]:
    """Plain values for the triage policy, all from the recent window (None when absent; a value
    is never carried in from before the window):

    ``spo2``: lowest SpO2 reading, % (rounded down, int); ``heart_rate``: resting heart rate of the
    newest recent day, bpm (int); ``temperature_c``: highest temperature reading (1 decimal);
    ``respiratory_rate``: breathing rate of the newest recent day (int); ``systolic`` /
    ``diastolic``: newest recent day's average blood pressure (int); ``wearable_deviations``:
    ids of notable deviations (see ``rules.DEVIATION_IDS``); ``wearable_as_of``: ISO date.
    """
    def recent(metric: Metric) -> MetricSummary | None:
        # With any data in the recent window, the newest day (latest_value) lies inside it.
        ms = summary.metrics.get(metric)
        return ms if ms is not None and ms.recent.days_with_data > 0 else None

    spo2 = recent(Metric.SPO2)
    rhr = recent(Metric.RESTING_HEART_RATE)
    temp = recent(Metric.BODY_TEMPERATURE)
    rr = recent(Metric.RESPIRATORY_RATE)
    bp = recent(Metric.BLOOD_PRESSURE)
    return {
        "spo2": math.floor(spo2.recent.low) if spo2 and spo2.recent.low is not None else None,
        "heart_rate": round(rhr.latest_value) if rhr and rhr.latest_value is not None else None,
        "temperature_c": round(temp.recent.high, 1) if temp and temp.recent.high is not None else None,
        "respiratory_rate": round(rr.latest_value) if rr and rr.latest_value is not None else None,
        "systolic": round(bp.latest_value) if bp and bp.latest_value is not None else None,
        "diastolic": round(bp.latest_diastolic) if bp and bp.latest_diastolic is not None else None,
        "wearable_deviations": [d.id for d in summary.deviations if d.notable],
        "wearable_as_of": summary.as_of.isoformat() if summary.as_of else None,
    }


# --- formatting helpers ----------------------------------------------------------------------


def _label(metric: Metric) -> str:
    from connectors.wearables.models import METRICS

    return METRICS[metric].label


def _day(d: date | None) -> str:
    return f"{d.strftime('%a')} {d.day} {d.strftime('%b')}" if d else "an unknown day"


def _weeks(days: int) -> str:
    return f"{days // 7} weeks" if days % 7 == 0 and days >= 14 else f"{days} days"


def _hours(minutes: float | None, compact: bool = False) -> str:
    if minutes is None:
        return "n/a"
    m = round(minutes)
    return f"{m // 60}h{m % 60:02d}" if compact else f"{m // 60} h {m % 60:02d} min"


def _thousands(value: float | None) -> str:
    return "n/a" if value is None else f"{int(round(value, -1)):,}"


def _runs(days: tuple[date, ...] | list[date]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for d in sorted(days):
        if out and (d - out[-1][1]).days == 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def _ranges(days: tuple[date, ...] | list[date]) -> str:
    def one(a: date, b: date) -> str:
        if a == b:
            return f"{a.day} {a.strftime('%b')}"
        if a.month == b.month:
            return f"{a.day}-{b.day} {b.strftime('%b')}"
        return f"{a.day} {a.strftime('%b')}-{b.day} {b.strftime('%b')}"

    return ", ".join(one(a, b) for a, b in _runs(days))


def _iso_ranges(days: tuple[date, ...] | list[date]) -> str:
    return ",".join(a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in _runs(days))
