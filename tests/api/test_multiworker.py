"""Two API worker processes (PostgreSQL tracker store, Redis locks) receive interleaved messages
for the same conversations: every event lands once, and every turn's events stay together."""

from __future__ import annotations

import threading

import httpx
import pytest

from assistant.config import LOCAL_DEV_KEY
from tests.live_server import live_server


@pytest.fixture
def workers(postgres_url, redis_url, tmp_path, nlu_parser):  # type: ignore[no-untyped-def]
    from assistant.stores.tracker_store import SQLTrackerStore

    SQLTrackerStore(postgres_url).close()  # migrate once, before two processes race to do it
    env = {
        "VHA_TRACKER_STORE_URL": postgres_url,
        "VHA_LOCK_STORE_URL": redis_url,
        "VHA_DATA_DIR": str(tmp_path),
        "VHA_API_KEYS": "{}",
    }
    with live_server(env) as first, live_server(env) as second:
        yield [first, second]


def test_interleaved_messages_across_two_workers_land_once_in_order(workers) -> None:  # type: ignore[no-untyped-def]
    headers = {"X-API-Key": LOCAL_DEV_KEY}
    conversations = [f"mw-{i}" for i in range(4)]
    texts = ["hello", "i have a headache", "what is flu", "thanks", "are you a bot", "bye"]
    errors: list[str] = []

    def sender(thread_no: int) -> None:
        # Each thread sends every conversation's messages; two threads per conversation race,
        # alternating workers, so the same conversation is hit on both processes at once.
        with httpx.Client(timeout=60) as http:
            for round_no, text in enumerate(texts):
                for cid in conversations:
                    url = workers[(thread_no + round_no) % 2]
                    body = {"text": f"{text} [{thread_no}-{round_no}]", "sender": f"t{thread_no}"}
                    r = http.post(f"{url}/v1/conversations/{cid}/messages", json=body, headers=headers)
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

    for cid in conversations:
        events = httpx.get(f"{workers[0]}/v1/conversations/{cid}", headers=headers).json()["events"]
        users = [e["text"] for e in events if e["type"] == "user"]
        assert sorted(users) == sorted(f"{t} [{n}-{r}]" for n in range(2) for r, t in enumerate(texts))
        assert len(users) == len(set(users))  # every message exactly once
        for n in range(2):  # each sender's messages in the order it sent them
            mine = [u for u in users if u.endswith("]") and f"[{n}-" in u]
            assert [int(u.rsplit("-", 1)[1][:-1]) for u in mine] == list(range(len(texts)))
        assert [e["type"] for e in events].count("session_started") == 1
        # Turns never interleave: every user message is answered before the next one is taken.
        kinds = [e["type"] for e in events if e["type"] in ("user", "bot")]
        for i, kind in enumerate(kinds):
            if kind == "user":
                assert i + 1 < len(kinds) and kinds[i + 1] == "bot", kinds
