"""JSON resources -> fhirclient models.

Parsing through fhirclient's R4 models means the rest of the connector works with typed fields
(`Condition.code.coding[0].system`, `FHIRDate.date`) instead of dict lookups. Real servers add
extensions and fields that a strict parse rejects, so a strict failure is retried leniently (the
model then keeps what it understood) rather than losing the resource.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from typing import Any

from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.fhirabstractresource import FHIRAbstractResource

log = logging.getLogger(__name__)


@cache
def model_class(resource_type: str) -> type[FHIRAbstractResource]:
    """fhirclient's class for a resource type (`Patient` -> fhirclient.models.patient.Patient)."""
    if not resource_type.isalpha():
        raise ValueError("not a resource type")
    module = importlib.import_module(f"fhirclient.models.{resource_type.lower()}")
    cls = getattr(module, resource_type)
    if not (isinstance(cls, type) and issubclass(cls, FHIRAbstractResource)):
        raise TypeError("not a resource type")
    return cls


def parse_resource(data: dict[str, Any]) -> FHIRAbstractResource | None:
    """A model for one resource, or None for a resource type fhirclient does not know."""
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str):
        return None
    try:
        cls = model_class(resource_type)
    except (ImportError, AttributeError, ValueError, TypeError):
        log.warning("fhir: skipped a resource of unknown type")
        return None
    try:
        return cls(data, strict=True)
    except FHIRValidationError:
        # Type names only: validation messages can quote field values.
        log.info("fhir: lenient parse of a %s that failed strict validation", resource_type)
        return cls(data, strict=False)


def matched_json(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The `match` entries of a search Bundle as plain JSON (included resources are left out)."""
    return [
        entry["resource"]
        for entry in bundle.get("entry") or []
        if isinstance(entry.get("resource"), dict)
        and (entry.get("search") or {}).get("mode", "match") == "match"
    ]


def bundle_resources(bundle: dict[str, Any]) -> list[FHIRAbstractResource]:
    """The parsed `match` entries of a search Bundle."""
    parsed = (parse_resource(resource) for resource in matched_json(bundle))
    return [resource for resource in parsed if resource is not None]


def next_link(bundle: dict[str, Any]) -> str | None:
    for link in bundle.get("link") or []:
        if link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None
