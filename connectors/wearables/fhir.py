"""FHIR R4 Observations (single resources, Bundles, NDJSON, large JSON files) as samples.

What is read: Observations whose ``code`` carries one of our LOINC codes (``models.METRICS``),
with ``valueQuantity``, ``valueSampledData`` (one sample per data point) or, for the blood
pressure panel, systolic/diastolic ``component``s. Units are normalised (°F to °C, SpO2 fractions
to %). Other resources and codes are counted as ignored, invalid Observations as rejected (with
the reason), so one bad entry never hides the rest of a patient's data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from connectors.wearables import jsonstream
from connectors.wearables.models import (
    DIASTOLIC_LOINC,
    METRIC_BY_LOINC,
    METRICS,
    SYSTOLIC_LOINC,
    Component,
    Metric,
    ParseReport,
    Sample,
    WearableDataError,
    invalid,
)
from connectors.wearables.times import parse_fhir_datetime
from connectors.wearables.units import DIASTOLIC_BOUNDS, check_bounds, mmhg, normalise

LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"

#: Bundle types whose entries carry resources we can read.
BUNDLE_TYPES = frozenset(
    {"searchset", "collection", "transaction", "transaction-response", "batch", "batch-response", "history", "document"}
)
#: Statuses whose value should not be used: withdrawn, erroneous, or not yet available.
UNUSABLE_STATUSES = frozenset({"entered-in-error", "cancelled", "registered"})
#: SampledData allows at most this many points per Observation (a day at one per second);
#: beyond that the resource is rejected rather than expanded into memory.
MAX_SAMPLED_POINTS = 86_400


class NotSummarised(Exception):
    """A valid resource we deliberately do not turn into samples (another code, a withdrawn
    status); counted as ignored, not as an error."""


def observation_samples(obs: Mapping[str, Any], *, assume_tz: tzinfo = UTC) -> list[Sample]:
    """The samples in one Observation. Raises WearableDataError (invalid) or NotSummarised."""
    if not isinstance(obs, Mapping):
        raise WearableDataError(f"expected a JSON object, got {type(obs).__name__}")
    rtype = obs.get("resourceType")
    if rtype != "Observation":
        if isinstance(rtype, str):
            raise NotSummarised(f"{rtype} is not an Observation")
        raise WearableDataError("missing resourceType")
    status = obs.get("status")
    if not isinstance(status, str):
        raise WearableDataError("Observation.status is missing")
    if status in UNUSABLE_STATUSES:
        raise NotSummarised(f"status {status!r} means the value must not be used")
    metric = _metric_of(obs.get("code"))
    if metric is None:
        raise NotSummarised("no supported LOINC code")
    if "dataAbsentReason" in obs and not any(k.startswith("value") for k in obs) and "component" not in obs:
        raise NotSummarised("the value is absent (dataAbsentReason)")
    start, end = _effective(obs, assume_tz)
    source = _source(obs)
    info = METRICS[metric]

    if metric is Metric.BLOOD_PRESSURE:
        return [_blood_pressure(obs, start, end, source)]
    if "valueSampledData" in obs:
        return list(_sampled(obs["valueSampledData"], metric, start, source))
    quantity = obs.get("valueQuantity")
    if quantity is None:
        other = next((k for k in obs if k.startswith("value")), None)
        raise WearableDataError(f"{info.label} needs valueQuantity or valueSampledData, got {other or 'no value'}")
    value = normalise(metric, *_quantity(quantity, "valueQuantity"))
    return [Sample(metric, start, value, info.unit, source, end)]


def samples_from_resource(
    resource: Mapping[str, Any],
    *,
    assume_tz: tzinfo = UTC,
    report: ParseReport | None = None,
    strict: bool = False,
    where: str = "resource",
) -> Iterator[Sample]:
    """Samples from one in-memory resource: an Observation or a Bundle of them."""
    if isinstance(resource, Mapping) and resource.get("resourceType") == "Bundle":
        btype = resource.get("type")
        if btype not in BUNDLE_TYPES:
            invalid(report, strict, f"Bundle type {btype!r} is not one we read ({', '.join(sorted(BUNDLE_TYPES))})", where)
            return
        entries = resource.get("entry") or []
        if not isinstance(entries, list):
            invalid(report, strict, "Bundle.entry must be a list", where)
            return
        for i, entry in enumerate(entries):
            yield from _entry_samples(entry, assume_tz, report, strict, f"{where}.entry[{i}]")
        return
    yield from _guarded(resource, assume_tz, report, strict, where)


def samples_from_resources(
    resources: Iterable[Mapping[str, Any]],
    *,
    assume_tz: tzinfo = UTC,
    report: ParseReport | None = None,
    strict: bool = False,
) -> Iterator[Sample]:
    """Samples from resources already in memory, e.g. the pages of a FHIR server search
    (Observations or Bundles, in any mix)."""
    for i, resource in enumerate(resources):
        yield from samples_from_resource(resource, assume_tz=assume_tz, report=report, strict=strict, where=f"resource[{i}]")


def read_fhir(
    path: str | Path,
    *,
    assume_tz: tzinfo = UTC,
    report: ParseReport | None = None,
    strict: bool = False,
) -> Iterator[Sample]:
    """Stream samples from a FHIR file: NDJSON (``.ndjson``/``.jsonl``, one resource per line), a
    JSON array of resources, a Bundle, or a single Observation (any of them ``.gz``)."""
    p = Path(path)
    name = p.name.removesuffix(".gz")
    with jsonstream.open_binary(p) as fh:
        if name.endswith((".ndjson", ".jsonl")):
            for loc, item in jsonstream.iter_ndjson(fh, p.name):
                if isinstance(item, WearableDataError):
                    invalid(report, strict, item.reason, loc)
                else:
                    yield from samples_from_resource(item, assume_tz=assume_tz, report=report, strict=strict, where=loc)
            return
        first = jsonstream.first_byte(fh)
        if first == b"[":
            for loc, item in jsonstream.iter_array_items(fh, "item", p.name):
                yield from samples_from_resource(item, assume_tz=assume_tz, report=report, strict=strict, where=loc)
            return
        if first != b"{":
            raise WearableDataError("not a FHIR JSON file (expected an object or an array)", where=p.name)
        top, has_entries = jsonstream.peek_top_level(fh, "entry")
        rtype = top.get("resourceType")
        if rtype == "Bundle" or (rtype is None and has_entries):
            if top.get("type") not in BUNDLE_TYPES:
                raise WearableDataError(f"Bundle type {top.get('type')!r} is not one we read", where=p.name)
            for loc, entry in jsonstream.iter_array_items(fh, "entry.item", f"{p.name}.entry"):
                yield from _entry_samples(entry, assume_tz, report, strict, loc)
            return
        resource = jsonstream.read_whole(fh, p.name)
        if not isinstance(resource, Mapping) or "resourceType" not in resource:
            raise WearableDataError("not a FHIR resource (no resourceType)", where=p.name)
        yield from samples_from_resource(resource, assume_tz=assume_tz, report=report, strict=strict, where=p.name)


# --- internals ---------------------------------------------------------------------------------


def _entry_samples(entry: Any, assume_tz: tzinfo, report: ParseReport | None, strict: bool, where: str) -> Iterator[Sample]:
    if not isinstance(entry, Mapping):
        invalid(report, strict, "Bundle entry is not an object", where)
        return
    resource = entry.get("resource")
    if resource is None:
        # A transaction-response or history entry may carry only a request/response.
        if report is not None:
            report.ignored += 1
        return
    yield from samples_from_resource(resource, assume_tz=assume_tz, report=report, strict=strict, where=where)


def _guarded(resource: Any, assume_tz: tzinfo, report: ParseReport | None, strict: bool, where: str) -> Iterator[Sample]:
    try:
        samples = observation_samples(resource, assume_tz=assume_tz)
    except NotSummarised:
        if report is not None:
            report.ignored += 1
        return
    except WearableDataError as exc:
        rid = resource.get("id") if isinstance(resource, Mapping) else None
        invalid(report, strict, exc.reason, f"{where} (Observation/{rid})" if rid else where)
        return
    if report is not None:
        report.accepted += len(samples)
    yield from samples


def _codes(concept: Any) -> list[str]:
    if not isinstance(concept, Mapping):
        return []
    codings = concept.get("coding")
    if not isinstance(codings, list):
        return []
    return [
        c["code"]
        for c in codings
        if isinstance(c, Mapping) and c.get("system") == LOINC_SYSTEM and isinstance(c.get("code"), str)
    ]


def _metric_of(code: Any) -> Metric | None:
    if not isinstance(code, Mapping):
        raise WearableDataError("Observation.code is missing")
    for c in _codes(code):
        if c in METRIC_BY_LOINC:
            return METRIC_BY_LOINC[c]
    return None


def _effective(obs: Mapping[str, Any], assume_tz: tzinfo) -> tuple[datetime, datetime | None]:
    if "effectiveDateTime" in obs:
        return parse_fhir_datetime(obs["effectiveDateTime"], assume_tz=assume_tz)
    if "effectiveInstant" in obs:
        return parse_fhir_datetime(obs["effectiveInstant"], assume_tz=assume_tz)
    period = obs.get("effectivePeriod")
    if isinstance(period, Mapping):
        if "start" not in period:
            raise WearableDataError("effectivePeriod has no start")
        start, _ = parse_fhir_datetime(period["start"], assume_tz=assume_tz)
        end = None
        if "end" in period:
            end_start, end_end = parse_fhir_datetime(period["end"], assume_tz=assume_tz)
            end = end_end or end_start
            if end < start:
                raise WearableDataError("effectivePeriod ends before it starts")
        return start, end
    raise WearableDataError("no effectiveDateTime, effectiveInstant or effectivePeriod: the reading has no time")


def _source(obs: Mapping[str, Any]) -> str:
    device = obs.get("device")
    if isinstance(device, Mapping):
        for key in ("display", "reference"):
            if isinstance(device.get(key), str):
                return device[key]
    meta = obs.get("meta")
    if isinstance(meta, Mapping) and isinstance(meta.get("source"), str):
        return meta["source"]
    return "fhir"


def _quantity(q: Any, where: str) -> tuple[float, str | None]:
    if not isinstance(q, Mapping):
        raise WearableDataError(f"{where} must be an object")
    value = q.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WearableDataError(f"{where}.value must be a number, got {value!r}")
    # The UCUM code is the machine-readable unit; "unit" is display text, used when code is absent.
    unit = q.get("code") if q.get("system") == UCUM_SYSTEM and isinstance(q.get("code"), str) else q.get("unit", q.get("code"))
    return float(value), unit if isinstance(unit, str) else None


def _blood_pressure(obs: Mapping[str, Any], start: datetime, end: datetime | None, source: str) -> Sample:
    components = obs.get("component")
    if not isinstance(components, list):
        raise WearableDataError("blood pressure panel has no component list")
    found: dict[str, float] = {}
    for i, comp in enumerate(components):
        if not isinstance(comp, Mapping):
            continue
        for code in _codes(comp.get("code")):
            if code in (SYSTOLIC_LOINC, DIASTOLIC_LOINC) and "valueQuantity" in comp:
                found[code] = mmhg(*_quantity(comp["valueQuantity"], f"component[{i}].valueQuantity"))
    if SYSTOLIC_LOINC not in found or DIASTOLIC_LOINC not in found:
        missing = [n for c, n in ((SYSTOLIC_LOINC, "systolic"), (DIASTOLIC_LOINC, "diastolic")) if c not in found]
        raise WearableDataError(f"blood pressure panel is missing its {' and '.join(missing)} value")
    systolic, diastolic = found[SYSTOLIC_LOINC], found[DIASTOLIC_LOINC]
    check_bounds(Metric.BLOOD_PRESSURE, systolic)
    check_bounds(Metric.BLOOD_PRESSURE, diastolic, DIASTOLIC_BOUNDS)
    if diastolic >= systolic:
        raise WearableDataError(f"diastolic {diastolic:g} is not below systolic {systolic:g}")
    return Sample(
        Metric.BLOOD_PRESSURE, start, systolic, "mm[Hg]", source, end,
        (Component(SYSTOLIC_LOINC, systolic, "mm[Hg]"), Component(DIASTOLIC_LOINC, diastolic, "mm[Hg]")),
    )


def _sampled(sd: Any, metric: Metric, start: datetime, source: str) -> Iterator[Sample]:
    """valueSampledData: value_i = origin + factor * data_i at start + i * period (ms).
    "E" (error), "L" and "U" (beyond the device's limits) are not numbers and are left out,
    never replaced by a guess."""
    if not isinstance(sd, Mapping):
        raise WearableDataError("valueSampledData must be an object")
    origin_value, unit = _quantity(sd.get("origin"), "valueSampledData.origin")
    period = sd.get("period")
    if isinstance(period, bool) or not isinstance(period, (int, float)) or period <= 0:
        raise WearableDataError("valueSampledData.period must be a positive number of milliseconds")
    if sd.get("dimensions", 1) != 1:
        raise WearableDataError("valueSampledData with more than one dimension is not supported")
    factor = sd.get("factor", 1)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)):
        raise WearableDataError("valueSampledData.factor must be a number")
    data = sd.get("data")
    if not isinstance(data, str):
        raise WearableDataError("valueSampledData.data must be a string of space-separated values")
    tokens = data.split()
    if len(tokens) > MAX_SAMPLED_POINTS:
        raise WearableDataError(f"valueSampledData has {len(tokens)} points, more than {MAX_SAMPLED_POINTS}")
    info = METRICS[metric]
    step = timedelta(milliseconds=period)
    out: list[Sample] = []
    for i, token in enumerate(tokens):
        if token in ("E", "L", "U"):
            continue
        try:
            raw = origin_value + factor * float(token)
        except ValueError:
            raise WearableDataError(f"valueSampledData.data item {i} ({token!r}) is not a number") from None
        out.append(Sample(metric, start + i * step, normalise(metric, raw, unit), info.unit, source))
    yield from out
