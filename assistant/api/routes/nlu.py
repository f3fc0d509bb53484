"""Intent and entity parsing of a single text."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from assistant.api.auth import require_scope
from assistant.api.schemas import ParseIn, ParseOut

router = APIRouter(prefix="/v1/nlu", tags=["nlu"])


def parse_text(request: Request, text: str) -> dict:
    services = request.app.state.services
    if services.nlu is None:
        raise HTTPException(503, "the intent model is not loaded")
    return services.engine.parse(text)


@router.post("/parse", response_model=ParseOut, dependencies=[Depends(require_scope("integrator"))])
def parse(request: Request, body: ParseIn) -> dict:
    return parse_text(request, body.text)
