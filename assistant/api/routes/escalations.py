"""Clinician escalations over HTTP: the clinician API, the admin outbox API, signed inbound
callbacks from clinician systems, and the clinician console page at ``/console``.

Clinician actions name the clinician in ``X-Clinician-Id`` (in production, set by the gateway from
single sign-on); the audit trail records it together with a fingerprint of the API key used.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path as FilePath
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.api.auth import require_scope
from assistant.config import LOCAL_DEV_KEY
from assistant.escalations.desk import ClinicianDesk, ConversationUnavailable
from assistant.escalations.domain import OUTCOMES, Escalation
from assistant.escalations.service import (
    EscalationConflict,
    EscalationFilter,
    EscalationNotFound,
    EscalationService,
)
from assistant.escalations.summary import headline, iso
from assistant.stores.lock_store import LockTimeout
from connectors.webhooks import InvalidWebhook, ReplayedWebhook, WebhookVerifier

STATIC_DIR = FilePath(__file__).parent.parent / "static"
ID_PATTERN = r"^[A-Za-z0-9_\-]{1,40}$"
CLINICIAN_PATTERN = r"^[A-Za-z0-9._@+\- ]{1,120}$"
STATUSES = ("open", "claimed", "resolved")

EscalationId = Path(..., pattern=ID_PATTERN, description="The escalation's id (esc_…).")
JobId = Path(..., pattern=ID_PATTERN, description="The outbox job's id (the webhook-id, msg_…).")


# -- request bodies --------------------------------------------------------------------------------
def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., max_length=2000, description="What the patient will read, as written.")
    _text = field_validator("text")(_stripped)


class HandbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=200)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    note: str = Field("", max_length=2000)


class CallbackData(BaseModel):
    model_config = ConfigDict(extra="ignore")
    escalation_id: str = Field(..., pattern=ID_PATTERN)
    clinician: str = Field(..., pattern=CLINICIAN_PATTERN)
    text: str = Field("", max_length=2000)
    outcome: str = ""
    note: str = Field("", max_length=2000)
    reason: str = Field("", max_length=200)


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["escalation.claim", "escalation.reply", "escalation.handback", "escalation.resolve"]
    data: CallbackData


# -- helpers ---------------------------------------------------------------------------------------
def _service(request: Request) -> EscalationService:
    services = request.app.state.services
    service = getattr(services, "escalations", None) or services.extras.get("escalations")
    if service is None:
        raise HTTPException(503, "clinician escalation is not enabled in this deployment")
    return service


def _desk(request: Request) -> ClinicianDesk:
    services = request.app.state.services
    return ClinicianDesk(_service(request), getattr(services, "engine", None), getattr(services, "tracker_store", None))


def clinician_id(
    x_clinician_id: str = Header(
        ..., pattern=CLINICIAN_PATTERN, description="Who is acting (recorded in the audit trail)."
    ),
) -> str:
    return x_clinician_id.strip()


def _actor(request: Request, clinician: str) -> str:
    """Who did it, for the audit: the named clinician and a fingerprint (never the key itself)."""
    authorization = request.headers.get("authorization", "")
    key = (
        request.headers.get("x-api-key")
        or (authorization[7:].strip() if authorization.lower().startswith("bearer ") else "")
        or request.query_params.get("token", "")
    )
    fingerprint = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{clinician} (key {fingerprint})"


def _item(escalation: Escalation, now: float) -> dict[str, Any]:
    return {
        "id": escalation.id,
        "headline": headline(escalation),
        "conversation_id": escalation.conversation_id,
        "patient_ref": escalation.patient_ref,
        "reason": escalation.reason,
        "level": escalation.level,
        "priority": escalation.priority,
        "specialty": escalation.specialty,
        "target": escalation.target,
        "status": escalation.status,
        "assignee": escalation.assignee,
        "flagged": escalation.flagged,
        "flag_reason": escalation.flag_reason,
        "reroutes": escalation.reroutes,
        "created_at": iso(escalation.created_at),
        "due_at": iso(escalation.due_at),
        "due_in_s": round(escalation.due_at - now, 1),
        "claimed_at": iso(escalation.claimed_at),
        "resolved_at": iso(escalation.resolved_at),
        "outcome": escalation.outcome,
    }


def _act(action):  # type: ignore[no-untyped-def]
    """Map the desk's errors to HTTP: 404 unknown, 409 conflict, 423 busy, 503 no engine."""
    try:
        return action()
    except EscalationNotFound:
        raise HTTPException(404, "no escalation with that id") from None
    except EscalationConflict as exc:
        raise HTTPException(409, str(exc)) from None
    except ConversationUnavailable as exc:
        raise HTTPException(409 if "no longer" in str(exc) else 503, str(exc)) from None
    except LockTimeout:
        raise HTTPException(423, "the conversation is busy; retry shortly") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


# -- clinician API ---------------------------------------------------------------------------------
clinician_router = APIRouter(
    prefix="/v1/escalations", tags=["escalations"], dependencies=[Depends(require_scope("clinician"))]
)


@clinician_router.get("", summary="The escalation queue: most urgent first, then by due time")
def list_escalations(
    request: Request,
    status: str = Query("open,claimed", description="Comma-separated: open, claimed, resolved, or all."),
    reason: str | None = Query(None, max_length=32),
    level: str | None = Query(None, max_length=32),
    specialty: str | None = Query(None, max_length=64),
    target: str | None = Query(None, max_length=128),
    assignee: str | None = Query(None, max_length=128),
    conversation_id: str | None = Query(None, max_length=128),
    flagged: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    wanted = STATUSES if status.strip() == "all" else tuple(s.strip() for s in status.split(",") if s.strip())
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown or not wanted:
        raise HTTPException(422, f"status must be a comma-separated list of {', '.join(STATUSES)} (or all)")
    where = EscalationFilter(
        status=wanted, reason=reason, level=level, specialty=specialty, target=target,
        assignee=assignee, flagged=flagged, conversation_id=conversation_id, limit=limit, offset=offset,
    )
    items, total = _service(request).list(where)
    now = time.time()
    return {"items": [_item(e, now) for e in items], "total": total, "limit": limit, "offset": offset}


@clinician_router.get("/{escalation_id}", summary="One escalation: summary, live conversation, audit")
def get_escalation(
    request: Request,
    escalation_id: str = EscalationId,
    x_clinician_id: str | None = Header(None, pattern=CLINICIAN_PATTERN),
) -> dict[str, Any]:
    actor = _actor(request, x_clinician_id or "unnamed clinician")
    return _act(lambda: _desk(request).detail(escalation_id, actor=actor))


@clinician_router.post("/{escalation_id}/claim", summary="Claim it (one clinician wins; others get 409)")
def claim(request: Request, escalation_id: str = EscalationId, clinician: str = Depends(clinician_id)) -> dict[str, Any]:
    escalation = _act(lambda: _desk(request).claim(escalation_id, clinician, actor=_actor(request, clinician)))
    return _item(escalation, time.time())


@clinician_router.post("/{escalation_id}/reply", summary="Reply to the patient (pauses the bot)")
def reply(
    request: Request, body: ReplyIn, escalation_id: str = EscalationId, clinician: str = Depends(clinician_id)
) -> dict[str, Any]:
    escalation = _act(
        lambda: _desk(request).reply(escalation_id, clinician, body.text, actor=_actor(request, clinician))
    )
    return {"status": "sent", "escalation_id": escalation.id, "conversation_id": escalation.conversation_id}


@clinician_router.post("/{escalation_id}/handback", summary="Hand the conversation back to the bot")
def handback(
    request: Request,
    body: HandbackIn | None = None,
    escalation_id: str = EscalationId,
    clinician: str = Depends(clinician_id),
) -> dict[str, Any]:
    reason = body.reason if body else ""
    escalation = _act(
        lambda: _desk(request).handback(escalation_id, clinician, reason, actor=_actor(request, clinician))
    )
    return {"status": "bot_in_charge", "escalation_id": escalation.id}


@clinician_router.post("/{escalation_id}/resolve", summary="Resolve it with an outcome")
def resolve(
    request: Request, body: ResolveIn, escalation_id: str = EscalationId, clinician: str = Depends(clinician_id)
) -> dict[str, Any]:
    escalation = _act(
        lambda: _desk(request).resolve(
            escalation_id, clinician, body.outcome, body.note, actor=_actor(request, clinician)
        )
    )
    return _item(escalation, time.time())


# -- inbound clinician callbacks (Standard Webhooks signed; no API key) ------------------------------
callback_router = APIRouter(prefix="/v1/escalations", tags=["escalations"])


def _verifier(request: Request) -> WebhookVerifier:
    state = request.app.state
    verifier = getattr(state, "escalation_callback_verifier", None)
    if verifier is None:
        from assistant.escalations.runtime import build_callback_verifier

        verifier = build_callback_verifier(state.settings, _service(request))
        if verifier is None:
            raise HTTPException(503, "inbound clinician callbacks are not configured")
        state.escalation_callback_verifier = verifier
    return verifier


@callback_router.post(
    "/callbacks",
    summary="A clinician system acts on an escalation (signed per Standard Webhooks)",
    description=(
        "Body: `{type: escalation.claim|reply|handback|resolve, data: {escalation_id, clinician, "
        "text?, outcome?, note?, reason?}}`, signed with `webhook-id`, `webhook-timestamp` and "
        "`webhook-signature`. Bad or stale signatures get 401; a replayed `webhook-id` gets 409."
    ),
)
async def callback(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > 64_000:
        raise HTTPException(413, "callback body too large")
    verifier = _verifier(request)
    try:
        verified = verifier.verify(raw, dict(request.headers))
    except ReplayedWebhook:
        raise HTTPException(409, "replayed webhook-id: this callback was already received") from None
    except (InvalidWebhook, UnicodeDecodeError) as exc:
        raise HTTPException(401, f"invalid webhook signature: {exc}") from None
    try:
        message = CallbackIn.model_validate(verified.payload)
    except Exception as exc:  # noqa: BLE001 - pydantic's error, as a clear 422
        raise HTTPException(422, f"invalid callback body: {str(exc).splitlines()[0]}") from None
    data = message.data
    desk = _desk(request)
    actor = f"{data.clinician} (callback {verified.id[:40]})"

    def run() -> dict[str, Any]:
        if message.type == "escalation.claim":
            desk.claim(data.escalation_id, data.clinician, actor=actor)
        elif message.type == "escalation.reply":
            if not data.text.strip():
                raise ValueError("a reply needs text")
            desk.reply(data.escalation_id, data.clinician, data.text.strip(), actor=actor)
        elif message.type == "escalation.handback":
            desk.handback(data.escalation_id, data.clinician, data.reason, actor=actor)
        else:
            desk.resolve(data.escalation_id, data.clinician, data.outcome, data.note, actor=actor)
        return {"status": "accepted", "type": message.type, "escalation_id": data.escalation_id}

    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_act, run)


# -- admin: the outbox and its dead letters ---------------------------------------------------------
admin_router = APIRouter(
    prefix="/v1/admin/escalations", tags=["admin"], dependencies=[Depends(require_scope("admin"))]
)


@admin_router.get("/outbox", summary="Outbox jobs by status, and the age of the oldest undelivered")
def outbox(request: Request) -> dict[str, Any]:
    return _service(request).outbox_counts()


@admin_router.get("/dead-letters", summary="Deliveries that exhausted their attempts (act on these)")
def dead_letters(request: Request, limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    items = _service(request).dead_letters(limit)
    return {"items": items, "count": len(items)}


@admin_router.post("/dead-letters/{job_id}/retry", summary="Queue a dead-lettered delivery again")
def retry_dead_letter(request: Request, job_id: str = JobId) -> dict[str, Any]:
    actor = _actor(request, "admin")
    return _act(lambda: _service(request).retry_job(job_id, actor=actor))


@admin_router.get("/jobs/{job_id}/deliveries", summary="The delivery log of one job")
def job_deliveries(request: Request, job_id: str = JobId) -> dict[str, Any]:
    return {"job_id": job_id, "attempts": _service(request).deliveries(job_id)}


@admin_router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus text metrics")
def metrics(request: Request) -> PlainTextResponse:
    from assistant.escalations.metrics import METRICS

    counts = _service(request).outbox_counts()
    gauges = {f"vha_escalation_outbox_{status}": float(n) for status, n in counts["by_status"].items()}
    gauges["vha_escalation_outbox_oldest_undelivered_age_seconds"] = float(counts["oldest_undelivered_age_s"])
    return PlainTextResponse(METRICS.render(gauges), media_type="text/plain; version=0.0.4")


# -- the clinician console ------------------------------------------------------------------------
console_router = APIRouter(include_in_schema=False)


@console_router.get("/console", response_class=HTMLResponse)
def console_page(request: Request) -> HTMLResponse:
    page = (STATIC_DIR / "console.html").read_text(encoding="utf-8")
    settings = request.app.state.settings
    # Local only: pre-fill the development key so `make run` → /console works at once.
    local = settings.environment == "local" and LOCAL_DEV_KEY in request.app.state.api_keys
    return HTMLResponse(page.replace("__VHA_KEY__", json.dumps(LOCAL_DEV_KEY if local else "")))


@console_router.get("/console/{name}")
def console_asset(name: Literal["console.js", "console.css"]) -> FileResponse:
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(STATIC_DIR / name, media_type=media)


router = APIRouter()
for _sub in (clinician_router, callback_router, admin_router, console_router):
    router.include_router(_sub)
