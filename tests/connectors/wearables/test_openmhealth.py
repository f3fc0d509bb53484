"""Open mHealth: our validator against the official samples (read by path, never copied), a
jsonschema cross-check against the official schemas, and reading data point files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.wearables import (
    Metric,
    OfficialSchemas,
    ParseReport,
    WearableDataError,
    read_openmhealth,
    synthetic,
)
from connectors.wearables.omh_validation import SUPPORTED, body_errors, validate_data_point
from connectors.wearables.openmhealth import data_point_samples
from tests.shared_data import SHARED_DIR

OMH_DIR = SHARED_DIR / "data" / "wearables" / "openmhealth"
SCHEMA_DIR = OMH_DIR / "schema" / "omh"
TEST_DATA = OMH_DIR / "test-data" / "omh"


def _samples() -> list[tuple[str, str, str, Path]]:
    found = []
    for name, versions in SUPPORTED.items():
        for version in versions:
            for expect in ("shouldPass", "shouldFail"):
                folder = TEST_DATA / name / version / expect
                found.extend((name, version, expect, p) for p in sorted(folder.glob("*.json")))
    return found


SAMPLES = _samples()


def test_official_samples_are_present() -> None:
    # Guards the parametrised tests below against silently running on nothing.
    assert TEST_DATA.is_dir(), f"Open mHealth test data not found at {TEST_DATA}"
    kinds = {(n, v) for n, v, _, _ in SAMPLES}
    assert len(SAMPLES) >= 120
    assert {("heart-rate", "2.0"), ("blood-pressure", "4.0"), ("step-count", "3.0"), ("sleep-episode", "1.0")} <= kinds


@pytest.mark.parametrize(("name", "version", "expect", "path"), SAMPLES, ids=[f"{n}-{v}-{e}-{p.stem}" for n, v, e, p in SAMPLES])
def test_our_validator_agrees_with_official_samples(name: str, version: str, expect: str, path: Path) -> None:
    errors = body_errors(name, version, json.loads(path.read_text()))
    if expect == "shouldPass":
        assert errors == []
    else:
        assert errors, "an invalid sample was accepted"
        # Readable: each reason names the field and what is wrong with it.
        assert all(e.startswith("body") and ": " in e for e in errors)


CROSS_CHECKED = [s for s in SAMPLES if int(s[1].split(".")[0]) < 4]


@pytest.fixture(scope="module")
def official() -> OfficialSchemas:
    return OfficialSchemas(SCHEMA_DIR, ieee_stand_ins=True)


@pytest.mark.parametrize(("name", "version", "expect", "path"), CROSS_CHECKED, ids=[f"{n}-{v}-{e}-{p.stem}" for n, v, e, p in CROSS_CHECKED])
def test_official_schemas_agree_with_samples_and_our_validator(official: OfficialSchemas, name: str, version: str, expect: str, path: Path) -> None:
    body = json.loads(path.read_text())
    schema_errors = official.errors(name, version, body)
    assert (not schema_errors) == (expect == "shouldPass") == (not body_errors(name, version, body))


def test_ieee_based_schemas_cannot_be_fully_resolved_offline() -> None:
    """4.x schemas point at IEEE 1752.1 schemas by URL; without a network those are missing, and
    the official check says so rather than passing silently. Our validator covers 4.x alone."""
    strict = OfficialSchemas(SCHEMA_DIR)
    body = json.loads((TEST_DATA / "body-temperature" / "4.0" / "shouldPass" / "valid-temperature.json").read_text())
    with pytest.raises(WearableDataError, match="not available offline"):
        strict.errors("body-temperature", "4.0", body)
    assert body_errors("body-temperature", "4.0", body) == []


def point(name: str, version: str, body: dict[str, Any], **header: Any) -> dict[str, Any]:
    return {
        "header": {
            "id": "dp-1", "creation_date_time": "2025-01-10T08:00:00Z",
            "schema_id": {"namespace": "omh", "name": name, "version": version},
            "acquisition_provenance": {"source_name": "Watch", "modality": "sensed"},
            **header,
        },
        "body": body,
    }


def test_data_points_become_samples_in_canonical_units() -> None:
    frame = {"date_time": "2025-01-10T08:00:00+01:00"}
    [t] = data_point_samples(point("body-temperature", "4.0", {"body_temperature": {"value": 100.4, "unit": "F"}, "effective_time_frame": frame}))
    assert t.metric is Metric.BODY_TEMPERATURE and t.value == pytest.approx(38.0)
    [r] = data_point_samples(point("heart-rate", "2.0", {
        "heart_rate": {"value": 55, "unit": "beats/min"}, "effective_time_frame": frame,
        "temporal_relationship_to_physical_activity": "at rest",
    }))
    assert r.metric is Metric.RESTING_HEART_RATE
    [s] = data_point_samples(point("sleep-episode", "1.1", {
        "effective_time_frame": {"time_interval": {"start_date_time": "2025-01-09T23:00:00Z", "duration": {"value": 8, "unit": "h"}}},
        "total_sleep_time": {"value": 7.25, "unit": "h"},
    }))
    assert s.metric is Metric.SLEEP_DURATION and s.value == pytest.approx(435.0) and s.end is not None
    [bp] = data_point_samples(point("blood-pressure", "3.1", {
        "systolic_blood_pressure": {"value": 131, "unit": "mmHg"}, "diastolic_blood_pressure": {"value": 84, "unit": "mmHg"},
        "effective_time_frame": frame,
    }))
    assert (bp.systolic, bp.diastolic) == (131.0, 84.0)


@pytest.mark.parametrize(
    ("dp", "reason"),
    [
        ({"body": {}}, "missing header"),
        ([], "must be an object"),
        (point("heart-rate", "2.0", {"heart_rate": {"value": 60, "unit": "beat/min"}, "effective_time_frame": {"date_time": "2025-01-10T08:00:00Z"}}), "heart_rate.unit: must be 'beats/min', got 'beat/min'"),
        (point("heart-rate", "9.0", {}), "version '9.0' is not supported"),
        (point("blood-glucose", "1.0", {}), "'blood-glucose' is not supported"),
        ({**point("heart-rate", "2.0", {}), "header": {"id": 5}}, "header.creation_date_time: is required"),
        (point("heart-rate", "1.0", {"heart_rate": {"value": 60, "unit": "beats/min"}}), "cannot be placed in time"),
        (point("step-count", "3.0", {"step_count": {"value": 10, "unit": "steps"}, "effective_time_frame": {"time_interval": {"start_date_time": "2025-01-10T09:00:00Z", "end_date_time": "2025-01-10T08:00:00Z"}}}), "ends before it starts"),
        (point("heart-rate", "2.0", {"heart_rate": {"value": 60, "unit": "beats/min"}, "effective_time_frame": {"date_time": "yesterday"}}), "not an RFC 3339 date-time"),
    ],
)
def test_invalid_data_points_are_rejected_with_reasons(dp: Any, reason: str) -> None:
    with pytest.raises(WearableDataError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        data_point_samples(dp)


def test_file_with_one_bad_point_keeps_the_rest(tmp_path: Path) -> None:
    good = point("heart-rate", "2.0", {"heart_rate": {"value": 60, "unit": "beats/min"}, "effective_time_frame": {"date_time": "2025-01-10T08:00:00Z"}})
    bad = point("heart-rate", "2.0", {"heart_rate": {"value": "60", "unit": "beats/min"}, "effective_time_frame": {"date_time": "2025-01-10T08:01:00Z"}}, id="dp-bad")
    activity = point("physical-activity", "1.2", {"activity_name": "walking"})
    path = tmp_path / "points.json"
    path.write_text(json.dumps([good, bad, activity]))
    report = ParseReport()
    samples = list(read_openmhealth(path, report=report))
    assert [s.value for s in samples] == [60.0]
    assert (report.accepted, report.rejected, report.ignored) == (1, 1, 1)
    assert "id dp-bad" in report.reasons[0] and "heart_rate.value: must be a number" in report.reasons[0]
    with pytest.raises(WearableDataError, match="must be a number"):
        list(read_openmhealth(path, strict=True))
    # The same file with the official schemas as a second check.
    report2 = ParseReport()
    assert len(list(read_openmhealth(path, report=report2, schema_dir=SCHEMA_DIR))) == 1 and report2.rejected == 1


def test_generator_output_is_valid_open_mhealth(files: dict[str, Path]) -> None:
    points = json.loads(files["omh"].read_text())
    kinds = set()
    for dp in points[:: max(1, len(points) // 2000)] + [p for p in points if p["header"]["schema_id"]["name"] != "heart-rate"][:500]:
        name, _, _, _ = validate_data_point(dp)
        kinds.add(name)
    assert {"heart-rate", "step-count", "sleep-duration", "oxygen-saturation"} <= kinds


def test_ndjson_points(tmp_path: Path) -> None:
    cfg = synthetic.SyntheticConfig(days=2, hr_every_minutes=30)
    path = tmp_path / "points.ndjson"
    n = synthetic.write_openmhealth(path, synthetic.generate(cfg), ndjson=True)
    report = ParseReport()
    assert sum(1 for _ in read_openmhealth(path, report=report)) == n and report.rejected == 0
