"""Our own validation of Open mHealth data points, for the kinds and versions we read.

Written from the published schema rules (required fields, unit enumerations, time frames) so the
product needs no schema files at run time; ``omh_schemas`` can additionally check data against an
official schema directory when one is configured. Every problem is reported as a readable
sentence with the JSON path it concerns, e.g. ``body.heart_rate.unit: must be 'beats/min', got
'beat/min'``.

Where the schemas are silent we are too: unknown extra properties are allowed (the schemas allow
them), and semantic oddities such as an interval that ends before it starts are left to the
sample conversion, which rejects them with its own reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.wearables.models import WearableDataError
from connectors.wearables.times import parse_rfc3339

#: Kind -> versions we validate and read. Version 4.x schemas (and systolic/diastolic 1.1) build on
#: the IEEE 1752.1 time frame, which has no "date + part of day" interval and needs UTC offsets.
SUPPORTED: dict[str, tuple[str, ...]] = {
    "heart-rate": ("1.0", "1.1", "2.0"),
    "step-count": ("1.0", "2.0", "3.0"),
    "sleep-duration": ("1.0", "2.0"),
    "sleep-episode": ("1.0", "1.1"),
    "oxygen-saturation": ("1.0", "2.0"),
    "body-temperature": ("1.0", "2.0", "3.0", "4.0"),
    "blood-pressure": ("1.0", "2.0", "3.0", "3.1", "4.0"),
    "respiratory-rate": ("1.0", "2.0"),
    "physical-activity": ("1.0", "1.1", "1.2"),
}

DURATION_UNITS = ("ps", "ns", "us", "ms", "sec", "min", "h", "d", "wk", "Mo", "yr")
LENGTH_UNITS = ("fm", "pm", "nm", "um", "mm", "cm", "m", "km", "in", "ft", "yd", "mi")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")
# descriptive-statistic 1.0 (referenced by step-count 2.0/3.0) and the later, longer list.
STATISTICS_1_0 = ("average", "maximum", "minimum", "standard deviation", "variance", "sum", "median")
STATISTICS = STATISTICS_1_0 + (
    "count", "20th percentile", "80th percentile", "lower quartile", "upper quartile", "quartile deviation",
    "1st quintile", "2nd quintile", "3rd quintile", "4th quintile",
)
PHYSICAL_ACTIVITY_RELATION = ("at rest", "active", "before exercise", "after exercise", "during exercise")
SLEEP_RELATION = ("before sleeping", "during sleep", "on waking")
TEMPERATURE_LOCATIONS_1 = ("oral", "rectal", "vaginal", "axillary", "otic", "wrist", "chest", "temporal")
TEMPERATURE_LOCATIONS_2 = (
    "axillary", "finger", "forehead", "oral", "rectal", "temporal artery", "toe", "tympanic", "wrist", "vagina",
)
POSITIONS = ("sitting", "lying down", "standing")
POSTURES = ("sitting", "lying down", "standing", "semi-recumbent")
BODY_LOCATIONS = (
    "left ankle", "right ankle", "left hip", "right hip", "left thigh", "right thigh", "left thorax",
    "middle left thorax", "left upper arm", "right upper arm", "left wrist", "right wrist",
)
INTENSITIES = ("light", "moderate", "vigorous")
MODALITIES = ("sensed", "self-reported")

_INTERVAL_FORMS: tuple[tuple[str, str], ...] = (
    ("start_date_time", "end_date_time"),
    ("start_date_time", "duration"),
    ("end_date_time", "duration"),
    ("date", "part_of_day"),
)


class _Checks:
    """Collects every problem in one body so the reason lists them all, not just the first."""

    def __init__(self, *, ieee_time: bool) -> None:
        self.ieee_time = ieee_time
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> bool:
        self.errors.append(f"{path}: {message}")
        return False

    # -- primitives -------------------------------------------------------------------------

    def obj(self, v: Any, path: str) -> bool:
        return True if isinstance(v, Mapping) else self.fail(path, f"must be an object, got {_kind(v)}")

    def number(self, v: Any, path: str) -> bool:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return self.fail(path, f"must be a number, got {_kind(v)}")
        return True

    def integer(self, v: Any, path: str) -> bool:
        if isinstance(v, bool) or not isinstance(v, int):
            return self.fail(path, f"must be a whole number, got {_kind(v)}")
        return True

    def string(self, v: Any, path: str) -> bool:
        return True if isinstance(v, str) else self.fail(path, f"must be a string, got {_kind(v)}")

    def boolean(self, v: Any, path: str) -> bool:
        return True if isinstance(v, bool) else self.fail(path, f"must be true or false, got {_kind(v)}")

    def enum(self, v: Any, path: str, allowed: tuple[str, ...]) -> bool:
        if v in allowed and isinstance(v, str):
            return True
        return self.fail(path, f"must be one of {_choices(allowed)}, got {v!r}")

    def required(self, body: Mapping[str, Any], keys: tuple[str, ...], path: str) -> bool:
        missing = [k for k in keys if k not in body]
        for k in missing:
            self.fail(f"{path}.{k}", "is required")
        return not missing

    def unit_value(self, v: Any, path: str, units: tuple[str, ...] | None = None) -> bool:
        if not self.obj(v, path):
            return False
        ok = self.required(v, ("value", "unit"), path)
        if "value" in v:
            ok = self.number(v["value"], f"{path}.value") and ok
        if "unit" in v:
            if not self.string(v["unit"], f"{path}.unit"):
                ok = False
            elif units is not None and v["unit"] not in units:
                expected = f"must be {units[0]!r}" if len(units) == 1 else f"must be one of {_choices(units)}"
                ok = self.fail(f"{path}.unit", f"{expected}, got {v['unit']!r}")
        return ok

    def date_time(self, v: Any, path: str) -> bool:
        try:
            parse_rfc3339(v, require_offset=self.ieee_time)
        except WearableDataError as exc:
            return self.fail(path, exc.reason)
        return True

    # -- time frames ------------------------------------------------------------------------

    def time_interval(self, v: Any, path: str) -> bool:
        if not self.obj(v, path):
            return False
        forms = _INTERVAL_FORMS[:3] if self.ieee_time else _INTERVAL_FORMS
        present = [f for f in forms if all(k in v for k in f)]
        described = " or ".join("+".join(f) for f in forms)
        if not present:
            if not self.ieee_time or not all(k in v for k in _INTERVAL_FORMS[3]):
                return self.fail(path, f"needs {described}")
            return self.fail(path, f"date+part_of_day is not allowed in this schema version; needs {described}")
        if len(present) > 1:
            return self.fail(path, f"is ambiguous: it has {', '.join('+'.join(f) for f in present)}; give exactly one form")
        ok = True
        for key in present[0]:
            p = f"{path}.{key}"
            if key in ("start_date_time", "end_date_time"):
                ok = self.date_time(v[key], p) and ok
            elif key == "duration":
                ok = self.unit_value(v[key], p, DURATION_UNITS) and ok
            elif key == "date":
                if not (isinstance(v[key], str) and len(v[key]) == 10 and v[key][4] == "-" and v[key][7] == "-"
                        and v[key].replace("-", "").isdigit()):
                    ok = self.fail(p, f"must be a date like 2024-01-31, got {v[key]!r}")
            else:
                ok = self.enum(v[key], p, PARTS_OF_DAY) and ok
        return ok

    def time_frame(self, v: Any, path: str, *, interval_only: bool = False) -> bool:
        if not self.obj(v, path):
            return False
        has_point, has_interval = "date_time" in v, "time_interval" in v
        if has_point and has_interval:
            return self.fail(path, "must have either date_time or time_interval, not both")
        if interval_only and not has_interval:
            return self.fail(path, "must be a time_interval (a single date_time is not allowed here)")
        if has_point:
            return self.date_time(v["date_time"], f"{path}.date_time")
        if has_interval:
            return self.time_interval(v["time_interval"], f"{path}.time_interval")
        return self.fail(path, "needs date_time or time_interval")

    def optional(self, body: Mapping[str, Any], key: str, check: Any, *args: Any, **kwargs: Any) -> None:
        if key in body:
            check(body[key], f"body.{key}", *args, **kwargs)


def body_errors(name: str, version: str, body: Any) -> list[str]:
    """Every problem with ``body`` as an Open mHealth ``name`` ``version`` body (empty if valid)."""
    if name not in SUPPORTED:
        return [f"schema {name!r} is not supported (supported: {', '.join(SUPPORTED)})"]
    if version not in SUPPORTED[name]:
        return [f"{name} version {version!r} is not supported (supported: {', '.join(SUPPORTED[name])})"]
    major = int(version.split(".")[0])
    c = _Checks(ieee_time=major >= 4)
    if not c.obj(body, "body"):
        return c.errors
    _BODY_RULES[name](c, body, version, major)
    return c.errors


def validate_body(name: str, version: str, body: Any) -> None:
    errors = body_errors(name, version, body)
    if errors:
        raise WearableDataError(f"invalid {name} {version}: " + "; ".join(errors))


def header_errors(header: Any) -> list[str]:
    c = _Checks(ieee_time=False)
    if not c.obj(header, "header"):
        return c.errors
    c.required(header, ("id", "creation_date_time", "schema_id"), "header")
    if "id" in header:
        c.string(header["id"], "header.id")
    if "creation_date_time" in header:
        c.date_time(header["creation_date_time"], "header.creation_date_time")
    if "user_id" in header:
        c.string(header["user_id"], "header.user_id")
    sid = header.get("schema_id")
    if sid is not None and c.obj(sid, "header.schema_id"):
        c.required(sid, ("namespace", "name", "version"), "header.schema_id")
        for key in ("namespace", "name", "version"):
            if key in sid:
                c.string(sid[key], f"header.schema_id.{key}")
    prov = header.get("acquisition_provenance")
    if prov is not None and c.obj(prov, "header.acquisition_provenance"):
        c.required(prov, ("source_name",), "header.acquisition_provenance")
        if "source_name" in prov:
            c.string(prov["source_name"], "header.acquisition_provenance.source_name")
        if "modality" in prov:
            c.enum(prov["modality"], "header.acquisition_provenance.modality", MODALITIES)
        for key in ("source_creation_date_time", "source_last_modification_date_time"):
            if key in prov:
                c.date_time(prov[key], f"header.acquisition_provenance.{key}")
    return c.errors


def validate_data_point(point: Any) -> tuple[str, str, Mapping[str, Any], Mapping[str, Any]]:
    """Check a whole data point; returns (name, version, header, body) or raises
    WearableDataError whose reason lists every problem found."""
    if not isinstance(point, Mapping):
        raise WearableDataError(f"a data point must be an object, got {_kind(point)}")
    missing = [k for k in ("header", "body") if k not in point]
    if missing:
        raise WearableDataError(f"a data point needs a header and a body; missing {' and '.join(missing)}")
    errors = header_errors(point["header"])
    if errors:
        raise WearableDataError("invalid header: " + "; ".join(errors))
    sid = point["header"]["schema_id"]
    if sid["namespace"] != "omh":
        raise WearableDataError(f"schema namespace {sid['namespace']!r} is not supported (only 'omh')")
    validate_body(sid["name"], sid["version"], point["body"])
    return sid["name"], sid["version"], point["header"], point["body"]


# --- the rules for each kind, from the published schemas --------------------------------------


def _statistic(c: _Checks, body: Mapping[str, Any], allowed: tuple[str, ...] = STATISTICS) -> None:
    c.optional(body, "descriptive_statistic", c.enum, allowed)


def _heart_rate(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    c.required(body, ("heart_rate", "effective_time_frame") if major >= 2 else ("heart_rate",), "body")
    c.optional(body, "heart_rate", c.unit_value, ("beats/min",))
    c.optional(body, "effective_time_frame", c.time_frame)
    _statistic(c, body)
    c.optional(body, "temporal_relationship_to_physical_activity", c.enum, PHYSICAL_ACTIVITY_RELATION)
    if version != "1.0":
        c.optional(body, "temporal_relationship_to_sleep", c.enum, SLEEP_RELATION)
    if major == 1:
        c.optional(body, "user_notes", c.string)


def _step_count(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    if major == 1:
        c.required(body, ("step_count",), "body")
        c.optional(body, "step_count", c.number)
        c.optional(body, "effective_time_frame", c.time_frame)
        return
    c.required(body, ("step_count", "effective_time_frame"), "body")
    if major == 2:
        c.optional(body, "step_count", c.number)
    else:
        c.optional(body, "step_count", c.unit_value, ("steps",))
    c.optional(body, "effective_time_frame", c.time_frame, interval_only=True)
    _statistic(c, body, STATISTICS_1_0)
    c.optional(body, "descriptive_statistic_denominator", c.string)


def _sleep_duration(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    c.required(body, ("sleep_duration", "effective_time_frame") if major >= 2 else ("sleep_duration",), "body")
    c.optional(body, "sleep_duration", c.unit_value, ("sec", "min", "h"))
    c.optional(body, "effective_time_frame", c.time_frame, interval_only=major >= 2)
    if major == 1:
        c.optional(body, "user_notes", c.string)
    else:
        _statistic(c, body)
        c.optional(body, "descriptive_statistic_denominator", c.string)


def _sleep_episode(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    c.required(body, ("effective_time_frame",), "body")
    c.optional(body, "effective_time_frame", c.time_frame, interval_only=True)
    durations = ["latency_to_sleep_onset", "latency_to_arising", "total_sleep_time"]
    if version != "1.0":
        durations.append("wake_after_sleep_onset")
    for key in durations:
        c.optional(body, key, c.unit_value, DURATION_UNITS)
    c.optional(body, "number_of_awakenings", c.integer)
    c.optional(body, "is_main_sleep", c.boolean)
    c.optional(body, "sleep_maintenance_efficiency_percentage", c.unit_value, ("%",))


def _oxygen_saturation(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    c.required(body, ("oxygen_saturation", "effective_time_frame") if major >= 2 else ("oxygen_saturation",), "body")
    c.optional(body, "oxygen_saturation", c.unit_value, ("%",))
    c.optional(body, "supplemental_oxygen_flow_rate", c.unit_value, ("L/min",))
    c.optional(body, "system", c.enum, ("peripheral capillary",))
    c.optional(body, "oxygen_therapy_mode_of_administration", c.enum, ("nasal cannula",))
    c.optional(body, "measurement_method", c.enum, ("pulse oximetry",))
    c.optional(body, "effective_time_frame", c.time_frame)
    _statistic(c, body)


def _body_temperature(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    c.required(body, ("body_temperature", "effective_time_frame") if major >= 3 else ("body_temperature",), "body")
    c.optional(body, "body_temperature", c.unit_value, ("K", "F", "C"))
    c.optional(body, "effective_time_frame", c.time_frame)
    _statistic(c, body)
    c.optional(body, "measurement_location", c.enum, TEMPERATURE_LOCATIONS_1 if major == 1 else TEMPERATURE_LOCATIONS_2)
    if major >= 2:
        c.optional(body, "temporal_relationship_to_sleep", c.enum, SLEEP_RELATION)


def _blood_pressure(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    needed = ("systolic_blood_pressure", "diastolic_blood_pressure")
    c.required(body, needed + ("effective_time_frame",) if major >= 3 else needed, "body")
    for key in needed:
        c.optional(body, key, c.unit_value, ("mmHg",))
    c.optional(body, "effective_time_frame", c.time_frame)
    _statistic(c, body)
    if major == 1:
        c.optional(body, "position_during_measurement", c.enum, POSITIONS)
    else:
        c.optional(body, "body_posture", c.enum, POSTURES)
    if major <= 2:
        c.optional(body, "user_notes", c.string)
    else:
        c.optional(body, "measurement_location", c.enum, BODY_LOCATIONS)
    if version in ("3.1", "4.0"):
        c.optional(body, "temporal_relationship_to_physical_activity", c.enum, PHYSICAL_ACTIVITY_RELATION)


def _respiratory_rate(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    c.required(body, ("respiratory_rate", "effective_time_frame") if major >= 2 else ("respiratory_rate",), "body")
    c.optional(body, "respiratory_rate", c.unit_value, ("breaths/min",))
    c.optional(body, "effective_time_frame", c.time_frame)
    _statistic(c, body)
    c.optional(body, "temporal_relationship_to_physical_activity", c.enum, PHYSICAL_ACTIVITY_RELATION)


def _physical_activity(c: _Checks, body: Mapping[str, Any], version: str, major: int) -> None:
    c.required(body, ("activity_name",), "body")
    c.optional(body, "activity_name", c.string)
    c.optional(body, "effective_time_frame", c.time_frame)
    c.optional(body, "distance", c.unit_value, LENGTH_UNITS)
    c.optional(body, "reported_activity_intensity", c.enum, INTENSITIES)
    if version != "1.0":
        c.optional(body, "met_value", c.number)
    if version == "1.2":
        c.optional(body, "kcal_burned", c.unit_value, ("kcal",))


_BODY_RULES = {
    "heart-rate": _heart_rate,
    "step-count": _step_count,
    "sleep-duration": _sleep_duration,
    "sleep-episode": _sleep_episode,
    "oxygen-saturation": _oxygen_saturation,
    "body-temperature": _body_temperature,
    "blood-pressure": _blood_pressure,
    "respiratory-rate": _respiratory_rate,
    "physical-activity": _physical_activity,
}


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return f"the number {v!r}"
    if isinstance(v, str):
        return f"the string {v!r}"
    if isinstance(v, list):
        return "a list"
    return "an object" if isinstance(v, Mapping) else type(v).__name__


def _choices(allowed: tuple[str, ...]) -> str:
    return ", ".join(repr(a) for a in allowed)
