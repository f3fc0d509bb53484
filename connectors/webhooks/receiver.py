"""A reference webhook receiver: verifies Standard Webhooks signatures with the ``standardwebhooks``
library and deduplicates by ``webhook-id``, as a clinician system should.

Used by the fault tests and benchmarks, and handy locally to watch escalations arrive::

    python -m connectors.webhooks.receiver --port 9000 --secret whsec_...

Knobs for fault injection: ``delay_s`` (slow receiver), ``fail_status`` (+ ``retry_after``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Received:
    id: str
    at: float  # time.time() when it arrived
    payload: Any


@dataclass
class ReceiverState:
    secrets: list[str]
    delay_s: float = 0.0
    fail_status: int | None = None
    retry_after: str | None = None
    unique: dict[str, Received] = field(default_factory=dict)
    duplicates: int = 0
    rejected: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {
                "unique": len(self.unique),
                "duplicates": self.duplicates,
                "rejected": self.rejected,
                "requests": self.requests,
            }


def create_receiver_app(state: ReceiverState, path: str = "/hooks") -> Starlette:
    hooks = [Webhook(secret) for secret in state.secrets]

    async def receive(request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        with state.lock:
            state.requests += 1
        if state.delay_s:
            await asyncio.sleep(state.delay_s)
        if state.fail_status:
            headers = {"Retry-After": state.retry_after} if state.retry_after else None
            return JSONResponse({"error": "unavailable"}, status_code=state.fail_status, headers=headers)
        payload = None
        for hook in hooks:
            try:
                payload = hook.verify(body, dict(request.headers))
                break
            except WebhookVerificationError:
                continue
        if payload is None:
            with state.lock:
                state.rejected += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        msg_id = request.headers["webhook-id"]
        with state.lock:
            if msg_id in state.unique:
                state.duplicates += 1  # already processed: acknowledge, do nothing (idempotent)
            else:
                state.unique[msg_id] = Received(msg_id, time.time(), payload)
        return JSONResponse({"ok": True})

    async def stats(_request: Request) -> Response:
        return JSONResponse(state.stats())

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/stats", stats)])


class ReceiverServer:
    """Runs the receiver with uvicorn on a thread; ``start()``/``stop()`` may repeat (same port)."""

    def __init__(self, state: ReceiverState, port: int, host: str = "127.0.0.1", path: str = "/hooks") -> None:
        self.state = state
        self.host = host
        self.port = port
        self.path = path
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    def start(self, timeout_s: float = 10.0) -> ReceiverServer:
        import uvicorn

        config = uvicorn.Config(
            create_receiver_app(self.state, self.path),
            host=self.host,
            port=self.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="webhook-receiver", daemon=True)
        self._thread.start()
        deadline = time.time() + timeout_s
        while not self._server.started:
            if time.time() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"receiver did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None


def main() -> None:  # pragma: no cover - manual tool
    parser = argparse.ArgumentParser(description="Verify and print Standard Webhooks deliveries.")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", action="append", required=True, help="whsec_… (repeatable)")
    args = parser.parse_args()
    state = ReceiverState(secrets=args.secret)
    server = ReceiverServer(state, args.port).start()
    print(f"listening on {server.url}")
    seen = 0
    try:
        while True:
            time.sleep(0.5)
            with state.lock:
                items = list(state.unique.values())[seen:]
            for item in items:
                print(json.dumps({"id": item.id, "type": item.payload.get("type"),
                                  "headline": item.payload.get("data", {}).get("headline")}))
            seen += len(items)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
