"""Deviation rules: when a wearable reading is worth a person's attention.

Each rule has a stable id (used in ``triage_signals()["wearable_deviations"]``), a threshold and
the public source it comes from. These flag readings for a conversation with a clinician; they
are not diagnoses. Rules that compare with the person's own baseline only run when there is
enough baseline data (``MIN_BASELINE_DAYS``); absolute thresholds run on any recent reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from connectors.wearables.aggregate import DayStats
from connectors.wearables.models import Metric

# -- thresholds and where they come from --------------------------------------------------------

#: Resting heart rate at least this far above the person's baseline ...
RHR_ELEVATION_BPM = 10.0
#: ... on at least this many consecutive days. Wearable studies found sustained resting-rate
#: rises of this size around infections (Radin et al. 2020, Lancet Digital Health; Mishra et al.
#: 2020, Nature Biomedical Engineering).
RHR_ELEVATION_DAYS = 3
RHR_ELEVATION_SOURCES = (
    "https://doi.org/10.1016/S2589-7500(19)30222-5",
    "https://doi.org/10.1038/s41551-020-00640-6",
)
#: A resting heart rate above 100 bpm is above the usual adult range (American Heart Association).
RHR_HIGH_BPM = 100.0
RHR_HIGH_SOURCE = "https://www.heart.org/en/health-topics/high-blood-pressure/the-facts-about-high-blood-pressure/all-about-heart-rate-pulse"
#: SpO2 below 92% needs urgent assessment (NHS guidance on breathlessness and pulse oximetry;
#: NEWS2 scores 91% and below as its highest-risk band). The triage red flag uses the same line.
SPO2_LOW_PERCENT = 92.0
SPO2_LOW_SOURCES = (
    "https://www.nhs.uk/conditions/shortness-of-breath/",
    "https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/",
)
#: Recent nights averaging at least an hour less than the person's usual. An hour is our own
#: product threshold; adults need 7 hours or more (AASM/SRS consensus), which the text mentions.
SLEEP_DROP_MINUTES = 60.0
SLEEP_SOURCE = "https://doi.org/10.5664/jcsm.4758"
#: A temperature of 38°C or above is a high temperature (NHS; CDC uses 100.4°F / 38°C).
FEVER_C = 38.0
FEVER_SOURCES = ("https://www.nhs.uk/conditions/fever-in-adults/", "https://www.cdc.gov/quarantine/air/reporting-deaths-illness/definitions-symptoms-reportable-illnesses.html")
#: Below 35°C is hypothermia (NHS).
LOW_TEMPERATURE_C = 35.0
LOW_TEMPERATURE_SOURCE = "https://www.nhs.uk/conditions/hypothermia/"
#: Home readings averaging 135/85 or more meet the threshold for high blood pressure; 180/120 or
#: more is severe and needs same-day assessment (NICE NG136).
BP_HIGH = (135.0, 85.0)
BP_VERY_HIGH = (180.0, 120.0)
BP_HIGH_SOURCE = "https://www.nice.org.uk/guidance/ng136"
#: Below 90/60 is low blood pressure (NHS).
BP_LOW = (90.0, 60.0)
BP_LOW_SOURCE = "https://www.nhs.uk/conditions/low-blood-pressure-hypotension/"
#: A breathing rate of 21 or more at rest scores in NEWS2 (21-24: 2 points; 25+: 3 points).
RESPIRATORY_HIGH = 21.0
RESPIRATORY_SOURCE = "https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/"
#: Steps below half of the usual: our own heuristic (no clinical threshold exists), informative
#: only; it never prompts a suggestion to see a clinician.
STEPS_DROP_FRACTION = 0.5

MIN_BASELINE_DAYS = 7
MIN_RECENT_DAYS = 3

#: Every deviation id a summary can produce, with what it means. Stable: triage depends on them.
DEVIATION_IDS: dict[str, str] = {
    "resting_hr_elevated": f"resting heart rate >= {RHR_ELEVATION_BPM:g} bpm above baseline on {RHR_ELEVATION_DAYS}+ consecutive recent days",
    "resting_hr_high": f"recent average resting heart rate above {RHR_HIGH_BPM:g} bpm",
    "spo2_below_92": f"a recent SpO2 reading below {SPO2_LOW_PERCENT:g}%",
    "sleep_below_usual": f"recent nights average >= {SLEEP_DROP_MINUTES:g} min less sleep than baseline",
    "temperature_fever_range": f"a recent body temperature of {FEVER_C:g} °C or more",
    "temperature_low": f"a recent body temperature below {LOW_TEMPERATURE_C:g} °C",
    "bp_very_high": f"a recent blood pressure reading >= {BP_VERY_HIGH[0]:g}/{BP_VERY_HIGH[1]:g} mmHg",
    "bp_high": f"recent blood pressure averaging >= {BP_HIGH[0]:g}/{BP_HIGH[1]:g} mmHg",
    "bp_low": f"a recent blood pressure reading below {BP_LOW[0]:g}/{BP_LOW[1]:g} mmHg",
    "respiratory_rate_high": f"a recent day with breathing rate averaging >= {RESPIRATORY_HIGH:g}/min",
    "steps_below_usual": f"recent daily steps below {STEPS_DROP_FRACTION:.0%} of baseline (informational)",
}


@dataclass(frozen=True)
class Deviation:
    """A reading worth attention. ``notable`` deviations make the patient text suggest talking
    to a clinician and are passed to triage; informational ones are only reported."""

    id: str
    metric: Metric
    detail: str  # compact, for clinicians
    days: tuple[date, ...]
    sources: tuple[str, ...]
    notable: bool = True

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "metric": self.metric.value,
            "detail": self.detail,
            "days": [d.isoformat() for d in self.days],
            "sources": list(self.sources),
            "notable": self.notable,
        }


@dataclass(frozen=True)
class RuleInput:
    """What a rule may look at for one metric."""

    metric: Metric
    recent: list[tuple[date, DayStats]]  # days with data in the recent window, oldest first
    recent_mean: float | None  # over complete days (see summary.Window)
    recent_dia_mean: float | None
    baseline_mean: float | None
    baseline_days: int  # days with data in the baseline window
    additive: bool


Rule = Callable[[RuleInput], list[Deviation]]


def _days(items: list[tuple[date, DayStats]]) -> tuple[date, ...]:
    return tuple(d for d, _ in items)


def resting_hr(inp: RuleInput) -> list[Deviation]:
    out: list[Deviation] = []
    if inp.baseline_mean is not None and inp.baseline_days >= MIN_BASELINE_DAYS:
        limit = inp.baseline_mean + RHR_ELEVATION_BPM
        best: list[tuple[date, DayStats]] = []
        run: list[tuple[date, DayStats]] = []
        for day, stats in inp.recent:
            # A missing day breaks a run: we do not assume what the rate was that day.
            if stats.mean >= limit and (not run or (day - run[-1][0]).days == 1):
                run.append((day, stats))
            elif stats.mean >= limit:
                run = [(day, stats)]
            else:
                run = []
            if len(run) > len(best):
                best = list(run)
        if len(best) >= RHR_ELEVATION_DAYS:
            peak = max(s.mean for _, s in best)
            out.append(Deviation(
                "resting_hr_elevated", inp.metric,
                f"resting HR >= +{RHR_ELEVATION_BPM:g} bpm over baseline {inp.baseline_mean:.0f} on {len(best)} consecutive days "
                f"({best[0][0].isoformat()}..{best[-1][0].isoformat()}, peak {peak:.0f})",
                _days(best), RHR_ELEVATION_SOURCES,
            ))
    if inp.recent_mean is not None and inp.recent_mean > RHR_HIGH_BPM:
        out.append(Deviation(
            "resting_hr_high", inp.metric, f"recent resting HR averages {inp.recent_mean:.0f} bpm (> {RHR_HIGH_BPM:g})",
            _days([x for x in inp.recent if x[1].mean > RHR_HIGH_BPM]), (RHR_HIGH_SOURCE,),
        ))
    return out


def spo2(inp: RuleInput) -> list[Deviation]:
    low_days = [(d, s) for d, s in inp.recent if s.low < SPO2_LOW_PERCENT]
    if not low_days:
        return []
    lowest = min(s.low for _, s in low_days)
    return [Deviation(
        "spo2_below_92", inp.metric,
        f"SpO2 < {SPO2_LOW_PERCENT:g}% on {len(low_days)} day(s) (lowest {lowest:.0f}% on "
        f"{min(low_days, key=lambda x: x[1].low)[0].isoformat()})",
        _days(low_days), SPO2_LOW_SOURCES,
    )]


def sleep(inp: RuleInput) -> list[Deviation]:
    if (
        inp.recent_mean is None or inp.baseline_mean is None or inp.baseline_days < MIN_BASELINE_DAYS
        or len(inp.recent) < MIN_RECENT_DAYS
    ):
        return []
    drop = inp.baseline_mean - inp.recent_mean
    if drop < SLEEP_DROP_MINUTES:
        return []
    return [Deviation(
        "sleep_below_usual", inp.metric,
        f"sleep averages {_hm(inp.recent_mean)} vs usual {_hm(inp.baseline_mean)} (-{_hm(drop)})",
        _days(inp.recent), (SLEEP_SOURCE,),
    )]


def temperature(inp: RuleInput) -> list[Deviation]:
    out: list[Deviation] = []
    hot = [(d, s) for d, s in inp.recent if s.high >= FEVER_C]
    if hot:
        out.append(Deviation(
            "temperature_fever_range", inp.metric,
            f"temperature >= {FEVER_C:g} °C on {len(hot)} day(s) (highest {max(s.high for _, s in hot):.1f} °C)",
            _days(hot), FEVER_SOURCES,
        ))
    cold = [(d, s) for d, s in inp.recent if s.low < LOW_TEMPERATURE_C]
    if cold:
        out.append(Deviation(
            "temperature_low", inp.metric,
            f"temperature < {LOW_TEMPERATURE_C:g} °C on {len(cold)} day(s) (lowest {min(s.low for _, s in cold):.1f} °C)",
            _days(cold), (LOW_TEMPERATURE_SOURCE,),
        ))
    return out


def blood_pressure(inp: RuleInput) -> list[Deviation]:
    out: list[Deviation] = []
    severe = [(d, s) for d, s in inp.recent if s.high >= BP_VERY_HIGH[0] or s.dia_high >= BP_VERY_HIGH[1]]
    if severe:
        out.append(Deviation(
            "bp_very_high", inp.metric,
            f"reading(s) >= {BP_VERY_HIGH[0]:g}/{BP_VERY_HIGH[1]:g} on {len(severe)} day(s) "
            f"(highest {max(s.high for _, s in severe):.0f}/{max(s.dia_high for _, s in severe):.0f})",
            _days(severe), (BP_HIGH_SOURCE,),
        ))
    if (
        inp.recent_mean is not None and inp.recent_dia_mean is not None and len(inp.recent) >= 2
        and (inp.recent_mean >= BP_HIGH[0] or inp.recent_dia_mean >= BP_HIGH[1])
    ):
        out.append(Deviation(
            "bp_high", inp.metric,
            f"recent average {inp.recent_mean:.0f}/{inp.recent_dia_mean:.0f} (>= {BP_HIGH[0]:g}/{BP_HIGH[1]:g} home threshold)",
            _days(inp.recent), (BP_HIGH_SOURCE,),
        ))
    low = [(d, s) for d, s in inp.recent if s.low < BP_LOW[0] or s.dia_low < BP_LOW[1]]
    if low:
        out.append(Deviation(
            "bp_low", inp.metric,
            f"reading(s) below {BP_LOW[0]:g}/{BP_LOW[1]:g} on {len(low)} day(s) "
            f"(lowest {min(s.low for _, s in low):.0f}/{min(s.dia_low for _, s in low):.0f})",
            _days(low), (BP_LOW_SOURCE,),
        ))
    return out


def respiratory_rate(inp: RuleInput) -> list[Deviation]:
    fast = [(d, s) for d, s in inp.recent if s.mean >= RESPIRATORY_HIGH]
    if not fast:
        return []
    return [Deviation(
        "respiratory_rate_high", inp.metric,
        f"breathing rate averaged >= {RESPIRATORY_HIGH:g}/min on {len(fast)} day(s) (highest {max(s.mean for _, s in fast):.0f})",
        _days(fast), (RESPIRATORY_SOURCE,),
    )]


def steps(inp: RuleInput) -> list[Deviation]:
    if (
        inp.recent_mean is None or not inp.baseline_mean or inp.baseline_days < MIN_BASELINE_DAYS
        or len(inp.recent) < MIN_RECENT_DAYS
    ):
        return []
    if inp.recent_mean >= STEPS_DROP_FRACTION * inp.baseline_mean:
        return []
    return [Deviation(
        "steps_below_usual", inp.metric,
        f"steps average {inp.recent_mean:.0f}/day vs usual {inp.baseline_mean:.0f}",
        _days(inp.recent), (), notable=False,
    )]


RULES: dict[Metric, Rule] = {
    Metric.RESTING_HEART_RATE: resting_hr,
    Metric.SPO2: spo2,
    Metric.SLEEP_DURATION: sleep,
    Metric.BODY_TEMPERATURE: temperature,
    Metric.BLOOD_PRESSURE: blood_pressure,
    Metric.RESPIRATORY_RATE: respiratory_rate,
    Metric.STEPS: steps,
}


def _hm(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60}h{m % 60:02d}"
