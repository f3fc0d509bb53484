"""Summaries: every source agrees, anomalies are flagged (and a normal stretch is not), gaps are
reported rather than filled, and the renderings say the right things without diagnosing."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from connectors.wearables import DEVIATION_IDS, Metric, Sample, summarise, summarise_file, synthetic
from connectors.wearables.summary import WearableSummary

END = date(2025, 1, 31)


@pytest.fixture(scope="module")
def direct(config: synthetic.SyntheticConfig) -> WearableSummary:
    return summarise(synthetic.generate(config))


@pytest.mark.parametrize("kind", ["fhir_ndjson", "fhir_bundle", "omh", "apple"])
def test_every_source_agrees_with_the_generated_samples(files: dict[str, Path], direct: WearableSummary, kind: str) -> None:
    summary = summarise_file(files[kind])
    assert summary.report is not None and summary.report.rejected == 0
    assert summary.triage_signals() == direct.triage_signals()
    assert summary.as_of == direct.as_of == END
    assert set(summary.metrics) == set(direct.metrics) == set(Metric)
    for metric, expected in direct.metrics.items():
        got = summary.metrics[metric]
        for window in ("recent", "baseline"):
            a, b = getattr(got, window), getattr(expected, window)
            assert a.days_with_data == b.days_with_data and a.missing_days == b.missing_days, (metric, window)
            assert a.mean == pytest.approx(b.mean, abs=1e-6), (metric, window)
            assert a.low == pytest.approx(b.low, abs=1e-6) and a.high == pytest.approx(b.high, abs=1e-6)
        assert [d.id for d in got.deviations] == [d.id for d in expected.deviations]
        assert got.last_measurement == expected.last_measurement


def test_anomalies_are_detected(direct: WearableSummary) -> None:
    signals = direct.triage_signals()
    assert {"resting_hr_elevated", "spo2_below_92", "temperature_fever_range"} <= set(signals["wearable_deviations"])
    rhr = direct.metrics[Metric.RESTING_HEART_RATE]
    [elevated] = [d for d in rhr.deviations if d.id == "resting_hr_elevated"]
    assert len(elevated.days) == 7 and elevated.days[-1] == END
    assert rhr.change is not None and rhr.change >= 10 and rhr.trend == "up"
    assert signals["spo2"] is not None and signals["spo2"] < 92
    assert signals["temperature_c"] is not None and signals["temperature_c"] >= 38.0
    assert signals["heart_rate"] is not None and signals["heart_rate"] >= 65
    [low] = direct.metrics[Metric.SPO2].deviations
    assert low.days == (END - timedelta(days=3),)


def test_a_normal_stretch_has_no_deviations(config: synthetic.SyntheticConfig) -> None:
    # The 7 days ending 8 days before the end: before the infection-like week and the SpO2 dip.
    summary = summarise(synthetic.generate(config), as_of=END - timedelta(days=8))
    assert summary.deviations == []
    assert summary.triage_signals()["wearable_deviations"] == []
    assert all(m.trend in ("steady", "unknown") for m in summary.metrics.values() if m.metric is not Metric.BLOOD_PRESSURE)
    assert "Nothing here stands out" in summary.for_patient()


def test_gaps_are_flagged_not_filled(config: synthetic.SyntheticConfig, direct: WearableSummary) -> None:
    missing_week = [END - timedelta(days=30 - i) for i in range(7)]
    hr = direct.metrics[Metric.HEART_RATE]
    assert set(missing_week) <= set(hr.baseline.missing_days)
    assert hr.baseline.days_with_data == 21
    assert "baseline missing 2025-01-01..2025-01-07" in direct.for_clinician()
    # Looking back from inside the missing week: no recent data, and the last value is flagged.
    inside = summarise(synthetic.generate(config), as_of=END - timedelta(days=25))
    rhr = inside.metrics[Metric.RESTING_HEART_RATE]
    assert rhr.recent.days_with_data == 1 and rhr.recent.mean is not None  # only the day before the gap
    deep = summarise(synthetic.generate(config), as_of=END - timedelta(days=24))
    rhr = deep.metrics[Metric.RESTING_HEART_RATE]
    assert rhr.recent.days_with_data == 0 and rhr.recent.mean is None
    assert rhr.carried_forward_from == END - timedelta(days=31)
    assert rhr.latest_value is not None
    assert "no data in the last 7 days" in rhr.notes
    assert deep.triage_signals()["heart_rate"] is None  # never carried into triage
    assert "carried from 2024-12-31" in deep.for_clinician()
    assert "no readings in the last 7 days" in deep.for_patient()


def _hr(t: datetime, value: float = 60.0) -> Sample:
    return Sample(Metric.HEART_RATE, t, value, "/min", "w")


def _steps(t: datetime, value: float, source: str = "w") -> Sample:
    return Sample(Metric.STEPS, t, value, "{steps}", source, t + timedelta(hours=1))


def test_partial_days_are_listed_and_kept_out_of_step_averages() -> None:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    samples = []
    for day in range(40):
        hours = 4 if day == 39 else 16  # the last day: the watch was worn for only 4 hours
        for h in range(hours):
            samples.append(_steps(start + timedelta(days=day, hours=6 + h), 500.0))
    summary = summarise(samples)
    steps = summary.metrics[Metric.STEPS]
    assert steps.recent.partial_days == (date(2025, 4, 9),)
    assert steps.recent.mean == pytest.approx(8000.0)  # the short day would have read as 2,000
    assert steps.latest_value == 2000.0
    assert "fewer readings than usual on 9 Apr" in summary.for_patient()


def test_overlapping_sources_are_not_double_counted() -> None:
    t = datetime(2025, 3, 1, 9, tzinfo=UTC)
    summary = summarise([_steps(t, 1000, "phone"), _steps(t, 1200, "watch"), _steps(t + timedelta(hours=1), 300, "watch")])
    assert summary.metrics[Metric.STEPS].latest_value == 1500.0


def test_days_follow_the_requested_timezone() -> None:
    # 23:30 UTC on 1 March is already 2 March in Tokyo and still 1 March in London.
    t = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
    assert summarise([_hr(t)]).as_of == date(2025, 3, 1)
    assert summarise([_hr(t)], tz="Asia/Tokyo").as_of == date(2025, 3, 2)
    assert summarise([_hr(t)], tz="Europe/London").timezone == "Europe/London"


def test_long_aggregates_are_not_placed_on_a_day() -> None:
    t = datetime(2025, 3, 1, tzinfo=UTC)
    monthly = Sample(Metric.STEPS, t, 250000.0 / 30, "{steps}", "w", t + timedelta(days=30), (), "average")
    summary = summarise([monthly, _hr(t)])
    assert Metric.STEPS not in summary.metrics
    assert summary.unplaceable_samples == 1 and "not placed on any day" in summary.for_clinician()


def test_patient_text_states_facts_and_never_diagnoses(direct: WearableSummary) -> None:
    text = direct.for_patient()
    assert "Resting heart rate: averaged 70 beats per minute, higher than your usual 58" in text
    assert "7 days in a row (25-31 Jan)" in text
    assert "lowest reading was 88%" in text and "below 92% (28 Jan)" in text
    assert "talk to a doctor or nurse" in text and "urgent medical help" in text
    forbidden = r"diagnos|infection|covid|flu\b|virus|you have|hypertension|apnoea|apnea|prescri|\bmg\b|take (a|some|your)|medication|disease"
    assert not re.search(forbidden, text, re.IGNORECASE), re.search(forbidden, text, re.IGNORECASE)


def test_clinician_text_is_compact_with_the_facts(direct: WearableSummary) -> None:
    text = direct.for_clinician()
    lines = text.splitlines()
    assert len(lines) <= 12
    assert lines[0].startswith("Wearables as of 2025-01-31 (recent 7 d vs prior 28 d baseline")
    assert "Deviations: resting_hr_elevated" in lines[1]
    rhr = next(line for line in lines if line.startswith("- RHR"))
    assert "70 bpm vs 58 bpm (+12" in rhr and "data 7/7 d, baseline 21/28 d" in rhr and "last 2025-01-31 23:59" in rhr
    assert "[resting_hr_elevated]" in rhr


def test_triage_signals_are_plain_and_documented(direct: WearableSummary) -> None:
    signals = direct.triage_signals()
    assert set(signals) >= {"spo2", "heart_rate", "temperature_c", "wearable_deviations"}
    assert isinstance(signals["spo2"], int) and isinstance(signals["heart_rate"], int)
    assert set(signals["wearable_deviations"]) <= set(DEVIATION_IDS)
    assert "steps_below_usual" not in signals["wearable_deviations"]  # informational only
    json.dumps(signals)
    json.dumps(direct.to_dict())  # the escalation packet stores this


def test_no_data_at_all() -> None:
    summary = summarise([])
    assert summary.metrics == {} and summary.as_of is None
    assert summary.triage_signals() == {
        "spo2": None, "heart_rate": None, "temperature_c": None, "respiratory_rate": None,
        "systolic": None, "diastolic": None, "wearable_deviations": [], "wearable_as_of": None,
    }
    assert "could not find any readings" in summary.for_patient()


def test_threshold_rules_on_handmade_readings() -> None:
    t = datetime(2025, 3, 10, 8, tzinfo=UTC)
    from connectors.wearables.models import Component

    def bp(day: int, s: float, d: float) -> Sample:
        return Sample(Metric.BLOOD_PRESSURE, t + timedelta(days=day), s, "mm[Hg]", "cuff", None,
                      (Component("8480-6", s, "mm[Hg]"), Component("8462-4", d, "mm[Hg]")))

    samples = [bp(0, 150, 95), bp(1, 186, 121), bp(2, 140, 88)]
    samples += [Sample(Metric.RESPIRATORY_RATE, t + timedelta(days=2), 23.0, "/min", "w")]
    samples += [Sample(Metric.BODY_TEMPERATURE, t + timedelta(days=2), 34.6, "Cel", "w")]
    ids = {d.id for d in summarise(samples).deviations}
    assert ids == {"bp_very_high", "bp_high", "respiratory_rate_high", "temperature_low"}


def test_named_timezone_gives_the_same_days_from_a_file(files: dict[str, Path], config: synthetic.SyntheticConfig) -> None:
    from_file = summarise_file(files["apple"], tz="Europe/London")
    direct = summarise(synthetic.generate(config), tz="Europe/London")
    assert from_file.triage_signals() == direct.triage_signals()
    for metric, expected in direct.metrics.items():
        got = from_file.metrics[metric]
        assert got.recent.days_with_data == expected.recent.days_with_data, metric
        assert got.recent.mean == pytest.approx(expected.recent.mean), metric
        if metric is not Metric.SLEEP_DURATION:  # the export splits each night into stages
            assert got.recent.samples == expected.recent.samples, metric


def test_daylight_saving_change_in_an_export(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    synthetic.write_apple_health(path, synthetic.generate(synthetic.benchmark_config(days=3, end=date(2025, 3, 31))))
    spring = summarise_file(path, tz="Europe/London", as_of=date(2025, 3, 30), recent_days=1, baseline_days=1)
    assert spring.metrics[Metric.HEART_RATE].recent.samples == 23 * 60
    assert spring.metrics[Metric.HEART_RATE].baseline.samples == 24 * 60
    # 1,440 + 1,380 + 1,440 readings against a usual 1,440 a day.
    assert "data 3/3 d (99% of usual readings)" in summarise_file(path, tz="Europe/London", recent_days=3).for_clinician()


def test_corrupted_files_never_crash(tmp_path: Path) -> None:
    """Truncated, bit-flipped or spliced input: a summary of what is readable, or a
    WearableDataError with a reason; never another exception."""
    import random

    from connectors.wearables import WearableDataError

    rng = random.Random(3)
    paths = synthetic.write_all(tmp_path / "src", synthetic.SyntheticConfig(days=2, hr_every_minutes=60))
    for name, path in paths.items():
        data = path.read_bytes()
        for i in range(12):
            mutated = bytearray(data)
            if i % 3 == 0:
                mutated = mutated[: rng.randrange(len(mutated))]
            elif i % 3 == 1:
                for _ in range(10):
                    mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            else:
                at = rng.randrange(len(mutated))
                mutated[at:at] = rng.choice([b"<", b"&", b'"', b"<!--", b"\xff\xfe", b"{", b"]"])
            target = tmp_path / f"m{i}{path.suffix}"
            target.write_bytes(bytes(mutated))
            try:
                summary = summarise_file(target, parser="lxml" if name == "apple" and i % 2 else "fast")
                summary.for_patient(), summary.for_clinician(), summary.triage_signals()
            except WearableDataError as exc:
                assert exc.reason


def test_sleep_drop_low_pressure_and_high_resting_rate() -> None:
    from connectors.wearables.models import Component

    start = datetime(2025, 3, 1, 7, tzinfo=UTC)
    samples = []
    for day in range(35):
        wake = start + timedelta(days=day)
        minutes = 360.0 if day >= 28 else 470.0  # the last week: six hours instead of nearly eight
        samples.append(Sample(Metric.SLEEP_DURATION, wake - timedelta(minutes=minutes), minutes, "min", "w", wake))
        samples.append(Sample(Metric.RESTING_HEART_RATE, wake, 104.0 if day >= 28 else 99.0, "/min", "w"))
    t = start + timedelta(days=33)
    samples.append(Sample(Metric.BLOOD_PRESSURE, t, 86.0, "mm[Hg]", "cuff", None,
                          (Component("8480-6", 86.0, "mm[Hg]"), Component("8462-4", 55.0, "mm[Hg]"))))
    summary = summarise(samples)
    ids = {d.id for d in summary.deviations}
    assert {"sleep_below_usual", "resting_hr_high", "bp_low"} <= ids
    assert "resting_hr_elevated" not in ids  # +5 bpm is not +10
    text = summary.for_patient()
    assert "at least an hour less than you usually sleep" in text and "below 90/60" in text
