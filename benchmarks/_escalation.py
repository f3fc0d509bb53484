"""Shared by the escalation benchmarks: red-flag messages, the API's environment, DB inspection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

KEY = "vha-local-dev-key"

#: Messages that the safety policy treats as emergencies (each raises an escalation at once).
RED_FLAG_MESSAGES = [
    "I have crushing chest pain spreading to my left arm and I am sweating",
    "my dad's face is drooping and he can't lift his arm",
    "I can't breathe properly and my lips are turning blue",
    "my son is having a seizure and won't stop shaking",
    "my throat is swelling up after a bee sting",
]


def api_env(data_dir: Path, receiver_url: str, secret: str, **extra: str) -> dict[str, str]:
    return {
        "VHA_DATA_DIR": str(data_dir),
        "VHA_API_KEYS": "{}",
        "VHA_ENVIRONMENT": "local",
        "VHA_ESCALATION_WEBHOOK_URL": receiver_url,
        "VHA_ESCALATION_SIGNING_SECRETS": secret,
        **extra,
    }


def post_red_flag(client: httpx.Client, base_url: str, conversation_id: str, n: int) -> httpx.Response:
    return client.post(
        f"{base_url}/v1/conversations/{conversation_id}/messages",
        json={"text": RED_FLAG_MESSAGES[n % len(RED_FLAG_MESSAGES)], "metadata": {"patient_id": f"pat-{n}"}},
        headers={"X-API-Key": KEY},
        timeout=30,
    )


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def outbox_by_status(db: Path) -> dict[str, int]:
    return dict(query(db, "SELECT status, count(*) FROM escalation_outbox GROUP BY status"))  # type: ignore[arg-type]


def start_api(env: dict[str, str], port: int, timeout_s: float = 120.0):  # type: ignore[no-untyped-def]
    """The service in a uvicorn subprocess (so it can be SIGKILLed); returns (process, base URL)."""
    import os
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "assistant.api.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=os.environ | {"HF_HUB_OFFLINE": "1"} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the service exited during start-up")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("the service did not become ready in time")
