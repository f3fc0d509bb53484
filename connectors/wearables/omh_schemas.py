"""Optional second opinion: validate Open mHealth bodies with jsonschema against an official
schema directory that the deployment provides (nothing is fetched over the network).

The directory is the ``schema/omh`` folder of the Open mHealth schema repository. Its
``name-1.x.json`` files are one-line pointers to the current minor version (symbolic links in the
original repository), and are followed here. Schemas that refer to the IEEE 1752.1 schemas by URL
cannot be resolved offline. With ``ieee_stand_ins=True`` such a reference is answered by the Open
mHealth schema that names that IEEE schema as its successor (its ``deprecation.supersededBy``),
e.g. IEEE unit-value by OMH unit-value-1.0: the same rules for plain values with units, but not
for time frames (IEEE drops the "date + part of day" interval), so 4.x results are only
indicative. Anything still unresolvable raises a WearableDataError saying so; our own validator
(``omh_validation``) is the check the product relies on.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT4

from connectors.wearables.models import WearableDataError

OMH_BASE = "https://w3id.org/openmhealth/schemas/omh/"
IEEE_BASE = "https://w3id.org/ieee/ieee-1752-schema/"
_MAX_POINTER_HOPS = 4


class SchemaUnavailable(WearableDataError):
    """The official schema (or something it refers to) cannot be loaded offline."""


class OfficialSchemas:
    """jsonschema validation of bodies against ``schema_dir/<name>-<version>.json``."""

    def __init__(self, schema_dir: str | Path, *, ieee_stand_ins: bool = False) -> None:
        self.schema_dir = Path(schema_dir)
        if not self.schema_dir.is_dir():
            raise WearableDataError("Open mHealth schema directory not found", where=str(self.schema_dir))
        self._stand_ins = _superseded_by_ieee(self.schema_dir) if ieee_stand_ins else {}
        self._registry: Registry = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        self._validators: dict[tuple[str, str], Any] = {}

    def errors(self, name: str, version: str, body: Any) -> list[str]:
        """Every schema violation in ``body`` (empty when valid). Raises WearableDataError when
        the schema is missing or refers to something unavailable offline."""
        validator = self._validator(name, version)
        try:
            found = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
            return [f"body.{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found]
        except Unresolvable as exc:
            raise SchemaUnavailable(
                f"schema {name}-{version} refers to {exc.ref!r}, which is not available offline"
            ) from None

    def _validator(self, name: str, version: str) -> Any:
        key = (name, version)
        if key not in self._validators:
            filename = f"{name}-{version}.json"
            try:
                schema = _load(self.schema_dir, filename)
            except (OSError, ValueError):
                raise SchemaUnavailable(f"no readable schema {filename}", where=str(self.schema_dir)) from None
            cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
            # Schemas without an $id get the official base URI, so their relative $refs
            # ("unit-value-1.x.json") resolve to files in the same directory.
            registry = self._registry.with_resource(OMH_BASE + filename, Resource.from_contents(schema, DRAFT4))
            resolver_schema = {"$ref": OMH_BASE + filename} if "$id" not in schema else schema
            self._validators[key] = cls(resolver_schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
        return self._validators[key]

    def _retrieve(self, uri: str) -> Resource:
        if uri.startswith(OMH_BASE):
            filename = uri[len(OMH_BASE):]
        elif uri.startswith(IEEE_BASE) and _ieee_name(uri) in self._stand_ins:
            filename = self._stand_ins[_ieee_name(uri)]
        else:
            raise NoSuchResource(ref=uri)
        try:
            contents = _load(self.schema_dir, filename)
        except (OSError, ValueError):
            raise NoSuchResource(ref=uri) from None
        if not uri.startswith(OMH_BASE):
            # A stand-in is resolved relative to the IEEE address it was fetched under; point its
            # relative references back at the OMH files they mean.
            contents = _absolute_refs(contents)
        return Resource.from_contents(contents, DRAFT4)


def _absolute_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _absolute_refs(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and not ref.startswith(("#", "http://", "https://")):
            out["$ref"] = OMH_BASE + ref
        return out
    if isinstance(node, list):
        return [_absolute_refs(v) for v in node]
    return node


def _ieee_name(uri: str) -> str:
    name = uri[len(IEEE_BASE):].removesuffix(".json")
    return name.removesuffix("-1.0")


def _superseded_by_ieee(schema_dir: Path) -> dict[str, str]:
    """IEEE schema name -> the OMH schema file that declares it as its successor."""
    found: dict[str, str] = {}
    for path in sorted(schema_dir.glob("*.json")):
        try:
            schema = _load(schema_dir, path.name)
        except (OSError, ValueError):
            continue
        successor = (schema.get("deprecation") or {}).get("supersededBy", "")
        if isinstance(successor, str) and successor.startswith(IEEE_BASE):
            found.setdefault(_ieee_name(successor), path.name)
    return found


@lru_cache(maxsize=512)
def _load_cached(schema_dir: str, filename: str) -> str:
    return (Path(schema_dir) / filename).read_text(encoding="utf-8")


def _load(schema_dir: Path, filename: str) -> dict[str, Any]:
    name = filename
    for _ in range(_MAX_POINTER_HOPS):
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"refusing schema path {name!r}")
        text = _load_cached(str(schema_dir), name)
        stripped = text.strip()
        if stripped.startswith("{"):
            loaded = json.loads(stripped)
            if not isinstance(loaded, dict):
                raise ValueError(f"{name} is not a JSON object")
            return loaded
        name = stripped  # a pointer file: its content is the target file's name
    raise ValueError(f"too many pointer hops from {filename}")
