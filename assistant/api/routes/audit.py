"""The record-access audit trail: every attempt to read a patient's record, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from assistant.api.auth import require_scope

router = APIRouter(prefix="/v1/admin", tags=["audit"])


@router.get("/record-access", dependencies=[Depends(require_scope("admin"))])
def record_access(
    request: Request,
    patient_id: str | None = Query(None, max_length=128, description="Only reads of this patient."),
    limit: int = Query(100, ge=1, le=1000),
) -> dict:
    sessions = getattr(request.app.state.services.tracker_store, "sessions", None)
    if sessions is None:
        raise HTTPException(404, "the record-access audit is kept in the database; this store has none")
    from assistant.stores.audit_store import SQLAuditSink

    return {"events": SQLAuditSink(sessions).events(patient_id, limit)}
