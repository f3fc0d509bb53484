"""Liveness and readiness probes (no API key)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    services = getattr(request.app.state, "services", None)
    checks: dict[str, str] = {}
    if services is None:
        return JSONResponse({"status": "starting", "checks": {}}, status_code=503)
    checks["intent_model"] = "ok" if services.nlu is not None else "missing"
    for name, store in (("tracker_store", services.tracker_store), ("lock_store", services.lock_store)):
        try:
            store.ping()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks[name] = f"unreachable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks}, status_code=200 if ready else 503)
