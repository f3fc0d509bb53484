"""A FHIR R4 client: read, search (following `next` links up to a bound), create, and several
queries at once on a thread pool. Resources come back as fhirclient models."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Self

import httpx
from fhirclient.models.fhirabstractresource import FHIRAbstractResource

from connectors.fhir.auth import Authenticator, build_authenticator
from connectors.fhir.config import FHIRConnectorConfig
from connectors.fhir.errors import FHIRError
from connectors.fhir.parse import bundle_resources, matched_json, next_link, parse_resource
from connectors.fhir.retry import RetryPolicy
from connectors.fhir.transport import FHIRTransport

log = logging.getLogger(__name__)
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


@dataclass(frozen=True)
class Query:
    """One request that is part of a larger read: a read by id (`resource_id` set) or a search."""

    key: str  # the caller's name for the result, e.g. "vitals"
    resource_type: str
    params: dict[str, str] = field(default_factory=dict)
    resource_id: str | None = None
    max_pages: int | None = None  # None: the client's configured bound


@dataclass
class SearchResult:
    resources: list[FHIRAbstractResource]
    pages: int
    truncated: bool  # a `next` link was left unfollowed because of the page bound


class FHIRClient:
    """Talks FHIR R4 to one server. Thread-safe: one instance serves the whole process."""

    def __init__(
        self,
        config: FHIRConnectorConfig,
        *,
        http: httpx.Client | None = None,
        auth: Authenticator | None = None,
    ) -> None:
        self.config = config
        self.policy = RetryPolicy(
            max_retries=config.max_retries,
            backoff_base_s=config.backoff_base_s,
            backoff_max_s=config.backoff_max_s,
            connect_timeout_s=config.connect_timeout_s,
            read_timeout_s=config.read_timeout_s,
        )
        self._owns_http = http is None
        self.http = http or httpx.Client(
            limits=httpx.Limits(
                max_connections=config.max_workers + 2,
                max_keepalive_connections=config.max_workers + 2,
            )
        )
        try:
            self.auth = auth or build_authenticator(config, self.http, self.policy)
        except Exception:
            if self._owns_http:
                self.http.close()
            raise
        self.transport = FHIRTransport(config.base_url, self.auth, self.policy, http=self.http)
        self._pool = ThreadPoolExecutor(
            max_workers=config.max_workers, thread_name_prefix="fhir-query"
        )

    @property
    def base_url(self) -> str:
        return self.config.base_url

    # -- single requests -------------------------------------------------------------------------

    def capabilities(self, *, deadline: float | None = None) -> dict[str, Any]:
        body, _ = self.transport.request_json(
            "GET", "metadata", deadline=deadline, what="CapabilityStatement"
        )
        return body

    def read(
        self, resource_type: str, resource_id: str, *, deadline: float | None = None
    ) -> FHIRAbstractResource:
        body, _ = self.transport.request_json(
            "GET", f"{resource_type}/{_safe_id(resource_id)}", deadline=deadline, what=resource_type
        )
        resource = parse_resource(body)
        if resource is None:
            raise FHIRError(f"{resource_type} read returned something else")
        return resource

    def search(
        self,
        resource_type: str,
        params: dict[str, str] | None = None,
        *,
        max_pages: int | None = None,
        deadline: float | None = None,
    ) -> SearchResult:
        bundles, truncated = self._pages(resource_type, params, max_pages, deadline)
        resources = [r for bundle in bundles for r in bundle_resources(bundle)]
        return SearchResult(resources=resources, pages=len(bundles), truncated=truncated)

    def search_raw(
        self,
        resource_type: str,
        params: dict[str, str] | None = None,
        *,
        max_pages: int | None = None,
        deadline: float | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Like `search`, but the matched resources stay plain JSON: for bulk reads (thousands of
        wearable Observations) where building fhirclient models would cost more than the read.
        Returns (resources, truncated)."""
        bundles, truncated = self._pages(resource_type, params, max_pages, deadline)
        return [r for bundle in bundles for r in matched_json(bundle)], truncated

    def _pages(
        self,
        resource_type: str,
        params: dict[str, str] | None,
        max_pages: int | None,
        deadline: float | None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """The search's Bundles, following `next` links up to the page bound; and whether a
        `next` link was left unfollowed."""
        limit = max_pages or self.config.max_pages
        query = {"_count": str(self.config.page_size), **(params or {})}
        body, _ = self.transport.request_json(
            "GET", resource_type, params=query, deadline=deadline, what=f"{resource_type} search"
        )
        bundles = [body]
        link = next_link(body)
        # The server's `next` link carries its own paging state (offset, cursor...), so it is
        # followed as given rather than rebuilt from our parameters.
        while link and len(bundles) < limit:
            body, _ = self.transport.request_json(
                "GET", link, deadline=deadline, what=f"{resource_type} page"
            )
            bundles.append(body)
            link = next_link(body)
        if link:
            log.info("fhir: %s search stopped at the %d-page bound", resource_type, limit)
        return bundles, link is not None

    def create(
        self,
        resource: FHIRAbstractResource | dict[str, Any],
        *,
        if_none_exist: str | None = None,
        deadline: float | None = None,
    ) -> str:
        """POST a new resource; returns the id the server assigned.

        `if_none_exist` (a search, e.g. "identifier=urn:x|123") makes the create conditional, so
        that a retry after a lost response finds the first copy instead of writing a second."""
        body_in = resource.as_json() if isinstance(resource, FHIRAbstractResource) else resource
        resource_type = str(body_in["resourceType"])
        body, headers = self.transport.request_json(
            "POST",
            resource_type,
            body=body_in,
            headers={"If-None-Exist": if_none_exist} if if_none_exist else None,
            deadline=deadline,
            what=f"{resource_type} create",
        )
        new_id = body.get("id") or _id_from_location(headers.get("Location"), resource_type)
        if not new_id:
            raise FHIRError(f"{resource_type} create: the server returned no id")
        return str(new_id)

    # -- several at once -------------------------------------------------------------------------

    def start(
        self, queries: Sequence[Query], *, deadline: float | None = None
    ) -> dict[str, Future[Any]]:
        """Start every query on the pool; each future gives a model (reads) or a SearchResult."""
        return {q.key: self._pool.submit(self._run, q, deadline) for q in queries}

    def run_all(
        self, queries: Sequence[Query], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Run the queries in parallel and wait; each value is a result or the exception raised."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        futures = self.start(queries, deadline=deadline)
        out: dict[str, Any] = {}
        for key, future in futures.items():
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                out[key] = future.result(timeout=left)
            except Exception as exc:  # noqa: BLE001 - handed back to the caller, per query
                out[key] = exc
        return out

    def _run(self, query: Query, deadline: float | None) -> Any:
        if query.resource_id is not None:
            return self.read(query.resource_type, query.resource_id, deadline=deadline)
        return self.search(
            query.resource_type, query.params, max_pages=query.max_pages, deadline=deadline
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.transport.close()
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _safe_id(resource_id: str) -> str:
    # FHIR ids are [A-Za-z0-9-.]{1,64}; refusing anything else keeps ids from steering the URL.
    if not _FHIR_ID.fullmatch(resource_id):
        raise FHIRError("invalid FHIR id")
    return resource_id


def _id_from_location(location: str | None, resource_type: str) -> str | None:
    if not location:
        return None
    parts = location.rstrip("/").split("/")
    # .../Type/id or .../Type/id/_history/vid
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return None
