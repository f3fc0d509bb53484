"""The synthetic person: deterministic, realistic enough to exercise the summaries, and its gaps
and anomalies are where the configuration puts them."""

from __future__ import annotations

import statistics
import tracemalloc
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from connectors.wearables import Metric, summarise, synthetic


def test_same_seed_same_data_and_another_seed_differs() -> None:
    cfg = synthetic.SyntheticConfig(days=3)
    first = list(synthetic.generate(cfg))
    assert first == list(synthetic.generate(cfg))
    assert first != list(synthetic.generate(synthetic.SyntheticConfig(days=3, seed=8)))
    # A day's data does not depend on which other days are generated.
    longer = list(synthetic.generate(synthetic.SyntheticConfig(days=5)))
    last_day = [s for s in longer if s.start.date() == cfg.end and s.metric is Metric.HEART_RATE]
    assert last_day == [s for s in first if s.start.date() == cfg.end and s.metric is Metric.HEART_RATE]


def test_daily_rhythms() -> None:
    cfg = synthetic.SyntheticConfig(days=28, infection_start=None, spo2_dip_night=None, missing_week_start=None)
    night, day = [], []
    steps_by_weekday: dict[int, list[float]] = defaultdict(list)
    daily_steps: dict[date, float] = defaultdict(float)
    for s in synthetic.generate(cfg):
        if s.metric is Metric.HEART_RATE:
            (night if 1 <= s.start.hour < 5 else day if 10 <= s.start.hour < 20 else []).append(s.value)
        elif s.metric is Metric.STEPS:
            daily_steps[s.start.date()] += s.value
    for d, total in daily_steps.items():
        steps_by_weekday[d.weekday()].append(total)
    assert statistics.mean(night) + 10 < statistics.mean(day)  # lower heart rate asleep
    saturday, sunday = statistics.mean(steps_by_weekday[5]), statistics.mean(steps_by_weekday[6])
    assert saturday > 1.3 * sunday  # the Saturday walk
    assert 5000 < statistics.mean(daily_steps.values()) < 20000


def test_gaps_and_anomalies_are_where_configured() -> None:
    cfg = synthetic.SyntheticConfig(days=40)
    days_with_hr = {s.start.date() for s in synthetic.generate(cfg) if s.metric is Metric.HEART_RATE}
    missing = {cfg.end - timedelta(days=b) for b in range(24, 31)}
    assert not (days_with_hr & missing)
    per_day = defaultdict(int)
    for s in synthetic.generate(synthetic.SyntheticConfig(days=3, infection_start=None)):
        if s.metric is Metric.HEART_RATE:
            per_day[s.start.date()] += 1
    # Charging: 35-60 minutes off the wrist every day.
    assert all(1380 <= n <= 1405 for n in per_day.values()), per_day
    spo2 = [s for s in synthetic.generate(cfg) if s.metric is Metric.SPO2 and s.value < 92]
    assert spo2 and {s.start.date() for s in spo2} == {cfg.end - timedelta(days=3)}


def test_benchmark_config_is_exactly_minute_level_heart_rate() -> None:
    samples = list(synthetic.generate(synthetic.benchmark_config(days=2)))
    assert len(samples) == 2 * 1440 and {s.metric for s in samples} == {Metric.HEART_RATE}


def test_daylight_saving_days_have_their_real_length() -> None:
    # Europe/London: 30 March 2025 has 23 hours, 26 October 2025 has 25.
    spring = synthetic.benchmark_config(days=1, end=date(2025, 3, 30))
    autumn = synthetic.benchmark_config(days=1, end=date(2025, 10, 26))
    assert sum(1 for _ in synthetic.generate(spring)) == 23 * 60
    assert sum(1 for _ in synthetic.generate(autumn)) == 25 * 60
    summary = summarise(synthetic.generate(autumn), tz="Europe/London")
    assert summary.metrics[Metric.HEART_RATE].recent.samples == 25 * 60


def test_writers_stream_without_holding_the_data(tmp_path: Path) -> None:
    cfg = synthetic.benchmark_config(days=10)
    tracemalloc.start()
    try:
        synthetic.write_apple_health(tmp_path / "export.xml", synthetic.generate(cfg))
        synthetic.write_fhir_ndjson(tmp_path / "obs.ndjson", synthetic.generate(cfg), "Patient/p1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "export.xml").stat().st_size > 5_000_000
    assert peak < 5_000_000
