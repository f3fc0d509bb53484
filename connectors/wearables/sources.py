"""One entry point for every supported file: detect the format, stream the samples."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Literal

from connectors.wearables.apple_health import Parser, read_apple_health
from connectors.wearables.fhir import read_fhir
from connectors.wearables.jsonstream import open_binary
from connectors.wearables.models import ParseReport, Sample, WearableDataError
from connectors.wearables.openmhealth import read_openmhealth

Format = Literal["fhir", "omh", "apple"]
FORMATS: tuple[str, ...] = ("fhir", "omh", "apple")
_SNIFF_BYTES = 64 * 1024


def detect_format(path: str | Path) -> Format:
    """"apple" for .xml/.zip; for JSON and NDJSON, "fhir" when the start of the file names a
    resourceType, "omh" when it has an Open mHealth header."""
    p = Path(path)
    name = p.name.removesuffix(".gz")
    if name.endswith((".xml", ".zip")):
        return "apple"
    with open_binary(p) as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.lstrip().startswith(b"<"):
        return "apple"
    if b'"resourceType"' in head:
        return "fhir"
    if b'"schema_id"' in head or b'"header"' in head:
        return "omh"
    raise WearableDataError("cannot tell whether this is FHIR, Open mHealth or Apple Health data; pass format=", where=p.name)


def read_samples(
    path: str | Path,
    *,
    format: str | None = None,
    report: ParseReport | None = None,
    strict: bool = False,
    assume_tz: tzinfo = UTC,
    schema_dir: str | Path | None = None,
    parser: Parser = "fast",
) -> Iterator[Sample]:
    """Stream samples from ``path``. ``assume_tz`` places date-only FHIR values and OMH
    "part of day" intervals; ``schema_dir`` adds official-schema checks for Open mHealth;
    ``parser`` picks the Apple Health reader ("fast" or the well-formedness-checking "lxml")."""
    fmt = format or detect_format(path)
    if fmt == "fhir":
        return read_fhir(path, assume_tz=assume_tz, report=report, strict=strict)
    if fmt == "omh":
        return read_openmhealth(path, assume_tz=assume_tz, schema_dir=schema_dir, report=report, strict=strict)
    if fmt == "apple":
        return read_apple_health(path, parser=parser, report=report, strict=strict)
    raise WearableDataError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
