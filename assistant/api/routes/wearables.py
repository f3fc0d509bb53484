"""Wearable summaries for integrators: post an export, get the summary back (nothing is stored).

The body is streamed to a temporary file and read as a stream, so exports of gigabytes never sit
in memory.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from assistant.api.auth import require_scope

router = APIRouter(prefix="/v1", tags=["wearables"])

_SUFFIX = {"application/zip": ".zip", "application/xml": ".xml", "text/xml": ".xml"}
MAX_UPLOAD_BYTES = 4 * 1024**3  # an Apple Health export of several years


@router.post("/wearables/summary", dependencies=[Depends(require_scope("integrator", "clinician"))])
async def wearable_summary(
    request: Request,
    format: Annotated[Literal["fhir", "omh", "apple"] | None, Query(description="Detected when omitted.")] = None,
    tz: Annotated[str | None, Query(description="The wearer's time zone, e.g. Europe/London.")] = None,
    as_of: Annotated[date | None, Query(description="Last day of the recent window; default: newest day with data.")] = None,
) -> dict[str, Any]:
    """Body: an Apple Health `export.xml` or `export.zip`, Open mHealth data points (JSON or
    NDJSON), or FHIR Observations (a resource, a Bundle, a JSON array or NDJSON)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    settings = request.app.state.settings
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{_SUFFIX.get(content_type, '.json')}"
        size = 0
        with path.open("wb") as handle:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise HTTPException(413, f"the upload is larger than {MAX_UPLOAD_BYTES // 1024**3} GiB")
                handle.write(chunk)
        if size == 0:
            raise HTTPException(422, "the body is empty: send the export itself as the request body")
        summary = await run_in_threadpool(
            _summarise, path, format, tz, as_of, settings.wearable_recent_days, settings.wearable_baseline_days
        )
    return {
        "summary": summary.to_dict(),
        "for_patient": summary.for_patient(),
        "for_clinician": summary.for_clinician(),
        "triage_signals": summary.triage_signals(),
    }


def _summarise(path: Path, format: str | None, tz: str | None, as_of: date | None, recent: int, baseline: int):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfoNotFoundError

    from connectors.wearables import WearableDataError, summarise_file

    try:
        return summarise_file(path, format=format, tz=tz, as_of=as_of, recent_days=recent, baseline_days=baseline)
    except WearableDataError as exc:
        raise HTTPException(422, f"unusable wearable data: {exc}") from None
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
