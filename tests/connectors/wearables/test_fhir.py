"""FHIR Observations: every container shape, unit normalisation, and clear reasons for bad input."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.wearables import (
    Metric,
    ParseReport,
    WearableDataError,
    read_fhir,
    samples_from_resource,
    synthetic,
)
from connectors.wearables.fhir import observation_samples

LOINC = "http://loinc.org"


def obs(code: str, value: Any = None, *, unit: str = "/min", when: str = "2025-01-10T08:00:00+00:00", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"o-{code}",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "effectiveDateTime": when,
    }
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}
    resource.update(extra)
    return resource


def test_single_observation_heart_rate() -> None:
    [s] = observation_samples(obs("8867-4", 72))
    assert (s.metric, s.value, s.unit) == (Metric.HEART_RATE, 72.0, "/min")
    assert s.start == datetime(2025, 1, 10, 8, tzinfo=UTC) and s.start.tzinfo is not None


def test_fahrenheit_becomes_celsius_and_spo2_fraction_becomes_percent() -> None:
    [t] = observation_samples(obs("8310-5", 100.4, unit="[degF]"))
    assert t.value == pytest.approx(38.0) and t.unit == "Cel"
    [o] = observation_samples(obs("59408-5", 0.91, unit="%"))
    assert o.value == pytest.approx(91.0) and o.unit == "%"
    [o2] = observation_samples(obs("2708-6", 0.95, unit="1"))
    assert o2.metric is Metric.SPO2 and o2.value == pytest.approx(95.0)
    [sleep] = observation_samples(obs("93832-4", 7.5, unit="h"))
    assert sleep.value == pytest.approx(450.0) and sleep.unit == "min"


def test_blood_pressure_panel_components() -> None:
    resource = obs("85354-9", component=[
        {"code": {"coding": [{"system": LOINC, "code": "8480-6"}]}, "valueQuantity": {"value": 142, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
        {"code": {"coding": [{"system": LOINC, "code": "8462-4"}]}, "valueQuantity": {"value": 91, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
    ])
    [s] = observation_samples(resource)
    assert (s.systolic, s.diastolic) == (142.0, 91.0)
    resource["component"] = resource["component"][:1]
    with pytest.raises(WearableDataError, match="missing its diastolic"):
        observation_samples(resource)


def test_sampled_data_expands_to_timed_samples_and_skips_error_points() -> None:
    resource = obs("8867-4", when="2025-01-10T08:00:00+01:00")
    resource["valueSampledData"] = {
        "origin": {"value": 0, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
        "period": 60000, "dimensions": 1, "data": "61 62 E 64",
    }
    samples = observation_samples(resource)
    assert [s.value for s in samples] == [61.0, 62.0, 64.0]
    assert samples[2].start - samples[0].start == timedelta(minutes=3)


def test_period_and_date_only_values() -> None:
    resource = obs("41950-7", 8000, unit="{steps}")
    del resource["effectiveDateTime"]
    resource["effectivePeriod"] = {"start": "2025-01-10", "end": "2025-01-10"}
    [s] = observation_samples(resource)
    assert s.start == datetime(2025, 1, 10, tzinfo=UTC) and s.end == datetime(2025, 1, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        (obs("8867-4", "72"), "must be a number"),
        (obs("8867-4", 72, unit="mmHg"), "not a rate per minute"),
        (obs("8867-4", 720), "outside the plausible range"),
        (obs("8867-4", 72, when="2025-01-10T08:00:00"), "no timezone offset"),
        (obs("8867-4", 72, when="2025-01"), "only a year or month"),
        ({**obs("8867-4", 72), "effectiveDateTime": 5}, "FHIR dateTime"),
        ({k: v for k, v in obs("8867-4", 72).items() if k != "effectiveDateTime"}, "has no time"),
        ({k: v for k, v in obs("8867-4", 72).items() if k != "status"}, "status is missing"),
        (obs("8867-4", valueString="fast"), "needs valueQuantity"),
    ],
)
def test_invalid_observations_have_reasons(resource: dict[str, Any], reason: str) -> None:
    with pytest.raises(WearableDataError, match=reason):
        observation_samples(resource)


def test_withdrawn_and_unrelated_resources_are_ignored_not_errors() -> None:
    bundle = {
        "resourceType": "Bundle", "type": "searchset",
        "entry": [
            {"resource": obs("8867-4", 70)},
            {"resource": {**obs("8867-4", 99), "status": "entered-in-error"}},
            {"resource": obs("29463-7", 80, unit="kg")},  # body weight: not a wearable metric here
            {"resource": {"resourceType": "Patient", "id": "p1"}},
            {"resource": obs("8867-4", "bad")},
        ],
    }
    report = ParseReport()
    samples = list(samples_from_resource(bundle, report=report))
    assert [s.value for s in samples] == [70.0]
    assert (report.accepted, report.ignored, report.rejected) == (1, 3, 1)
    assert "entry[4]" in report.reasons[0] and "must be a number" in report.reasons[0]
    with pytest.raises(WearableDataError, match="must be a number"):
        list(samples_from_resource(bundle, strict=True))


@pytest.mark.parametrize("bundle_type", ["searchset", "collection", "transaction"])
def test_bundle_files_are_streamed(tmp_path: Path, bundle_type: str) -> None:
    path = tmp_path / "bundle.json"
    cfg = synthetic.SyntheticConfig(days=3, hr_every_minutes=60)
    n = synthetic.write_fhir_bundle(path, synthetic.generate(cfg), "Patient/p1", bundle_type=bundle_type)
    report = ParseReport()
    assert sum(1 for _ in read_fhir(path, report=report)) == n == report.accepted


def test_ndjson_json_array_single_resource_and_gzip(tmp_path: Path) -> None:
    resources = [obs("8867-4", 60 + i, when=f"2025-01-10T08:0{i}:00Z") for i in range(3)]
    (tmp_path / "a.ndjson").write_text("\n".join(json.dumps(r) for r in resources) + "\n\n")
    (tmp_path / "b.json").write_text(json.dumps(resources))
    (tmp_path / "c.json").write_text(json.dumps(resources[0]))
    with gzip.open(tmp_path / "d.ndjson.gz", "wt") as fh:
        fh.write("\n".join(json.dumps(r) for r in resources))
    assert [s.value for s in read_fhir(tmp_path / "a.ndjson")] == [60.0, 61.0, 62.0]
    assert [s.value for s in read_fhir(tmp_path / "b.json")] == [60.0, 61.0, 62.0]
    assert [s.value for s in read_fhir(tmp_path / "c.json")] == [60.0]
    assert [s.value for s in read_fhir(tmp_path / "d.ndjson.gz")] == [60.0, 61.0, 62.0]


def test_broken_files_give_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "text.json").write_text("hello")
    (tmp_path / "trunc.json").write_text('[{"resourceType": "Observation", "status": "final", ')
    (tmp_path / "lines.ndjson").write_text(json.dumps(obs("8867-4", 70)) + "\n{not json\n")
    (tmp_path / "odd.json").write_text(json.dumps({"resourceType": "Bundle", "type": "weird", "entry": []}))
    with pytest.raises(WearableDataError, match="empty"):
        list(read_fhir(tmp_path / "empty.json"))
    with pytest.raises(WearableDataError, match="not a FHIR JSON file"):
        list(read_fhir(tmp_path / "text.json"))
    with pytest.raises(WearableDataError, match="invalid JSON"):
        list(read_fhir(tmp_path / "trunc.json"))
    with pytest.raises(WearableDataError, match="Bundle type 'weird'"):
        list(read_fhir(tmp_path / "odd.json"))
    with pytest.raises(WearableDataError, match="file not found"):
        list(read_fhir(tmp_path / "missing.json"))
    report = ParseReport()
    assert len(list(read_fhir(tmp_path / "lines.ndjson", report=report))) == 1
    assert report.rejected == 1 and "lines.ndjson:2" in report.reasons[0] and "not valid JSON" in report.reasons[0]


def test_large_bundle_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """About 20 MB of Observations must not be held in memory at once."""
    path = tmp_path / "big.json"
    cfg = synthetic.benchmark_config(days=25)  # 36,000 minute readings
    synthetic.write_fhir_bundle(path, synthetic.generate(cfg), "Patient/p1")
    assert path.stat().st_size > 15_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_fhir(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 36_000
    assert peak < 5_000_000, f"peak Python allocations {peak} bytes"


def test_coarse_observations_for_a_fhir_server() -> None:
    observations = list(synthetic.fhir_observations("Patient/p42", days=10, end=date(2025, 1, 31)))
    codes = {o["code"]["coding"][0]["code"] for o in observations}
    assert {"8867-4", "40443-4", "41950-7", "59408-5", "93832-4", "9279-1", "85354-9"} <= codes
    assert all(o["subject"] == {"reference": "Patient/p42"} for o in observations)
    assert {o["category"][0]["coding"][0]["code"] for o in observations} == {"vital-signs", "activity"}
    assert len({o["id"] for o in observations}) == len(observations)
    # Hourly heart rate, not minute-level: at most 24 a day.
    assert sum(1 for o in observations if o["code"]["coding"][0]["code"] == "8867-4") <= 24 * 10
    assert all(observation_samples(o) for o in observations)  # every one reads back
