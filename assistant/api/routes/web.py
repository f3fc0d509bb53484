"""The minimal web chat at ``/``, for trying the assistant right after ``make run`` (local only)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assistant.config import LOCAL_DEV_KEY

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).parent.parent / "static"


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    local_key = request.app.state.api_keys.get(LOCAL_DEV_KEY)
    if settings.environment != "local" or not local_key:
        return HTMLResponse(
            "<!doctype html><title>Virtual Health Assistant</title>"
            "<p>The web chat is only available in the local configuration. "
            "The API is documented at <a href='/docs'>/docs</a>.</p>"
        )
    page = (STATIC_DIR / "chat.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("__VHA_KEY__", json.dumps(LOCAL_DEV_KEY)))
