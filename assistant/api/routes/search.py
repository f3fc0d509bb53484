"""Guideline search: ranked passages with citation fields and scores."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from assistant.api.auth import require_scope

router = APIRouter(prefix="/v1", tags=["guidelines"])


@router.get("/search", dependencies=[Depends(require_scope("integrator", "clinician"))])
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=1000, description="The question or keywords."),
    k: int = Query(5, ge=1, le=50, description="How many passages."),
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid",
    publisher: str | None = None,
    region: str | None = None,
    audience: str | None = None,
    doc_id: str | None = None,
) -> dict:
    if not q.strip():
        raise HTTPException(422, "q must not be blank")
    loader = request.app.state.services.guidelines
    answerer = loader() if loader is not None else None
    if answerer is None:
        raise HTTPException(503, "the guideline index is not available")
    filters = {
        key: value
        for key, value in {"publisher": publisher, "region": region, "audience": audience, "doc_id": doc_id}.items()
        if value
    }
    hits = answerer.index.search(q, k=k, filters=filters or None, mode=mode)
    return {"query": q, "mode": mode, "filters": filters, "results": [hit.to_dict() for hit in hits]}
