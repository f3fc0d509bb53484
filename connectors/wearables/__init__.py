"""Wearable data: FHIR Observations, Open mHealth data points and Apple Health exports, read as
one stream of typed samples and summarised per metric against the person's own baseline.

Typical use::

    from connectors.wearables import summarise_file
    summary = summarise_file("export.zip", tz="Europe/London", as_of=date.today())
    summary.for_patient(); summary.for_clinician(); summary.triage_signals(); summary.to_dict()

See README.md in this package for formats, metric ids, deviation rules and their sources.
"""

from connectors.wearables.apple_health import read_apple_health
from connectors.wearables.fhir import (
    observation_samples,
    read_fhir,
    samples_from_resource,
    samples_from_resources,
)
from connectors.wearables.models import (
    METRICS,
    Component,
    Metric,
    MetricInfo,
    ParseReport,
    Sample,
    WearableDataError,
)
from connectors.wearables.omh_schemas import OfficialSchemas
from connectors.wearables.omh_validation import SUPPORTED as OMH_SUPPORTED
from connectors.wearables.omh_validation import body_errors, validate_data_point
from connectors.wearables.openmhealth import read_openmhealth, samples_from_data_point
from connectors.wearables.rules import DEVIATION_IDS, Deviation
from connectors.wearables.sources import detect_format, read_samples
from connectors.wearables.summary import (
    MetricSummary,
    WearableSummary,
    Window,
    summarise,
    summarise_file,
)

__all__ = [
    "DEVIATION_IDS",
    "METRICS",
    "OMH_SUPPORTED",
    "Component",
    "Deviation",
    "Metric",
    "MetricInfo",
    "MetricSummary",
    "OfficialSchemas",
    "ParseReport",
    "Sample",
    "WearableDataError",
    "WearableSummary",
    "Window",
    "body_errors",
    "detect_format",
    "observation_samples",
    "read_apple_health",
    "read_fhir",
    "read_openmhealth",
    "read_samples",
    "samples_from_data_point",
    "samples_from_resource",
    "samples_from_resources",
    "summarise",
    "summarise_file",
    "validate_data_point",
]
