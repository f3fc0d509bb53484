"""Intent and entity parsing of a single text."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from assistant.api.auth import require_scope
from assistant.api.schemas import ParseIn, ParseOut

router = APIRouter(prefix="/v1/nlu", tags=["nlu"])


def parse_text(request: Request, text: str) -> dict:
    services = request.app.state.services
    if services.nlu is None:
        raise HTTPException(503, "the intent model is not loaded")
    return services.engine.parse(text)


# Runs on the event loop: the model call is a few milliseconds of CPU either way, and skipping the
# thread-pool hop and a second validation of the result keeps a parse within its latency budget.
@router.post(
    "/parse",
    response_model=ParseOut,
    dependencies=[Depends(require_scope("integrator"))],
    response_class=JSONResponse,
)
async def parse(request: Request, body: ParseIn) -> JSONResponse:
    return JSONResponse(parse_text(request, body.text))
