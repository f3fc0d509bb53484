"""The FastAPI application: routers, error handling, and the service container on ``app.state``."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.routes import (
    audit,
    conversations,
    escalations,
    health,
    nlu,
    rasa,
    search,
    triage,
    wearables,
    web,
)
from assistant.config import Settings, get_settings
from assistant.core.services import Services, build_services

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

# One router per capability; each module exposes ``router``.
ROUTERS = [
    health.router, web.router, conversations.router, nlu.router, rasa.router, escalations.router, search.router,
    triage.router, audit.router, wearables.router,
]


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        if getattr(app.state, "services", None) is None:
            app.state.services = build_services(settings)
        # The symptom matcher's model and example vectors load in the background, so the first
        # triage request does not pay for them (it waits for the same load if it comes first).
        from assistant.nlu.findings.extractor import warm_up

        threading.Thread(target=warm_up, name="findings-warm-up", daemon=True).start()
        # Clinician escalation: the outbox worker thread (VHA_ESCALATION_WORKER), stopped first.
        from assistant.escalations.runtime import start_background_worker

        outbox_worker = start_background_worker(settings, getattr(app.state.services, "escalations", None))
        yield
        if outbox_worker is not None:
            outbox_worker.stop()
        app.state.services.close()

    app = FastAPI(
        title="Virtual Health Assistant",
        version="0.1.0",
        description=(
            "Conversation, NLU, triage, guideline search and clinician escalation API. "
            "Every route except health, readiness and the web chat needs an API key "
            "(`X-API-Key`, `Authorization: Bearer`, or Rasa-style `?token=`)."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.api_keys = settings.resolved_api_keys
    app.state.services = services
    for router in ROUTERS:
        app.include_router(router)
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            problems.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
        return JSONResponse(
            status_code=422,
            content={"error": "invalid_request", "message": "; ".join(problems), "detail": problems},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": _error_code(exc.status_code), "message": exc.detail},
            headers=getattr(exc, "headers", None),
        )


def _error_code(status_code: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        413: "payload_too_large",
        422: "invalid_request",
        423: "locked",
        429: "too_many_requests",
        503: "unavailable",
    }.get(status_code, "error")
