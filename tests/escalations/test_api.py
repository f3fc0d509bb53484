"""Through the HTTP API, with the real engine: a red-flag message reaches the clinician's webhook;
the clinician claims, replies (the patient sees it), hands back and resolves; callbacks are verified."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.core.services import build_services
from connectors.webhooks import WebhookSigner, new_secret
from tests.conftest import make_settings
from tests.escalations.conftest import SECRET, wait_until

CALLBACK_SECRET = new_secret()
KEYS = {"clin-key": ["clinician"], "int-key": ["integrator"], "adm-key": ["admin"]}
PATIENT = {"X-API-Key": "int-key"}
ADMIN = {"X-API-Key": "adm-key"}
RED_FLAG = "my husband has crushing chest pain going down his left arm and he's sweating"


def clinician(name: str) -> dict[str, str]:
    return {"X-API-Key": "clin-key", "X-Clinician-Id": name}


@pytest.fixture
def api(tmp_path, nlu_parser, receiver):  # type: ignore[no-untyped-def]
    settings = make_settings(
        tmp_path,
        api_keys=KEYS,
        escalation_webhook_url=receiver.url,
        escalation_signing_secrets=[SECRET],
        escalation_callback_secrets=[CALLBACK_SECRET],
        escalation_poll_interval_s=0.1,
    )
    services = build_services(settings, nlu=nlu_parser)
    with TestClient(create_app(settings, services=services)) as client:
        yield client
    services.close()


def raise_by_message(api, conversation_id: str = "pat-conv-1") -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    turn = api.post(
        f"/v1/conversations/{conversation_id}/messages",
        json={"text": RED_FLAG, "metadata": {"patient_id": "pat-42"}},
        headers=PATIENT,
    )
    assert turn.status_code == 200, turn.text
    listing = api.get("/v1/escalations", params={"conversation_id": conversation_id}, headers=clinician("dr-a"))
    (item,) = listing.json()["items"]
    return turn.json(), item["id"]


def test_red_flag_message_reaches_the_clinician_webhook_with_a_complete_summary(api, receiver) -> None:  # type: ignore[no-untyped-def]
    turn, escalation_id = raise_by_message(api)

    handover = [r["text"] for r in turn["replies"] if r.get("template") == "utter_handoff_started"]
    assert handover and "within 5 minutes" in handover[0] and "999" in handover[0]

    assert wait_until(lambda: len(receiver.state.unique) == 1, timeout_s=10)
    (delivered,) = receiver.state.unique.values()
    data = delivered.payload["data"]
    assert delivered.payload["type"] == "escalation.raised"
    assert data["id"] == escalation_id
    assert data["patient_ref"] == "pat-42"
    assert data["level"] == "emergency_ambulance" and data["priority"] == 0
    assert data["specialty"] == "cardiology"
    assert any(flag.get("id") == "chest_pain_cardiac" for flag in data["red_flags"])
    assert any(RED_FLAG in line["text"] for line in data["transcript_excerpt"])
    assert data["headline"].startswith("EMERGENCY (ambulance)")
    assert data["due_at"] and data["links"]["console"].endswith(f"/console#{escalation_id}")


def test_clinician_claims_replies_and_the_patient_sees_it(api) -> None:  # type: ignore[no-untyped-def]
    _, escalation_id = raise_by_message(api)

    assert api.post(f"/v1/escalations/{escalation_id}/claim", headers=clinician("dr-a")).status_code == 200
    lost = api.post(f"/v1/escalations/{escalation_id}/claim", headers=clinician("dr-b"))
    assert lost.status_code == 409
    assert lost.json() == {"error": "conflict", "message": "already claimed by dr-a"}
    assert api.post(f"/v1/escalations/{escalation_id}/reply", json={"text": "hi"}, headers=clinician("dr-b")).status_code == 409

    sent = api.post(
        f"/v1/escalations/{escalation_id}/reply",
        json={"text": "I'm Dr A. Has an ambulance been called?"},
        headers=clinician("dr-a"),
    )
    assert sent.status_code == 200, sent.text

    conversation = api.get("/v1/conversations/pat-conv-1", headers=PATIENT).json()
    agent = [e for e in conversation["events"] if e["type"] == "agent"]
    assert agent[-1]["text"] == "I'm Dr A. Has an ambulance been called?"
    assert agent[-1]["agent"] == "dr-a" and agent[-1]["escalation_id"] == escalation_id
    assert conversation["human_in_charge"] is True

    # While the clinician is in charge the bot stays quiet (no small talk from it)...
    turn = api.post("/v1/conversations/pat-conv-1/messages", json={"text": "yes they are on the way"}, headers=PATIENT)
    assert turn.json()["replies"] == []
    detail = api.get(f"/v1/escalations/{escalation_id}", headers=clinician("dr-a")).json()
    assert detail["conversation"][-1] == {"type": "user", "at": detail["conversation"][-1]["at"], "text": "yes they are on the way"}

    # ...until it is handed back, then resolved.
    assert api.post(f"/v1/escalations/{escalation_id}/handback", headers=clinician("dr-a")).status_code == 200
    assert api.get("/v1/conversations/pat-conv-1", headers=PATIENT).json()["human_in_charge"] is False
    resolved = api.post(
        f"/v1/escalations/{escalation_id}/resolve",
        json={"outcome": "referred_emergency", "note": "ambulance on scene"},
        headers=clinician("dr-a"),
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"

    actions = [entry["action"] for entry in api.get(f"/v1/escalations/{escalation_id}", headers=clinician("dr-a")).json()["audit"]]
    assert actions[:1] == ["raised"]
    for action in ("claimed", "took_over", "replied", "handed_back", "resolved", "viewed"):
        assert action in actions
    audit = api.get(f"/v1/escalations/{escalation_id}", headers=clinician("dr-a")).json()["audit"]
    claimed = next(entry for entry in audit if entry["action"] == "claimed")
    assert claimed["actor"].startswith("dr-a (key ") and "clin-key" not in claimed["actor"]


def test_queue_lists_most_urgent_first_with_time_left(api) -> None:  # type: ignore[no-untyped-def]
    _, urgent = raise_by_message(api, "pat-conv-u")
    person = api.post("/v1/conversations/pat-conv-p/messages", json={"text": "can I talk to a real person please"}, headers=PATIENT)
    assert person.status_code == 200
    items = api.get("/v1/escalations", headers=clinician("dr-a")).json()["items"]
    assert items[0]["id"] == urgent
    assert 0 < items[0]["due_in_s"] <= 300


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status"),
    [
        ("get", "/v1/escalations", {}, None, 401),
        ("get", "/v1/escalations", PATIENT, None, 403),
        ("get", "/v1/escalations?status=lost", clinician("dr-a"), None, 422),
        ("get", "/v1/escalations?limit=0", clinician("dr-a"), None, 422),
        ("get", "/v1/escalations/esc_nothing", clinician("dr-a"), None, 404),
        ("get", "/v1/escalations/bad%20id!", clinician("dr-a"), None, 422),
        ("post", "/v1/escalations/esc_nothing/claim", clinician("dr-a"), None, 404),
        ("post", "/v1/escalations/esc_nothing/claim", {"X-API-Key": "clin-key"}, None, 422),
        ("post", "/v1/escalations/esc_nothing/claim", {"X-API-Key": "clin-key", "X-Clinician-Id": "<script>"}, None, 422),
        ("post", "/v1/escalations/esc_nothing/reply", clinician("dr-a"), {"text": "   "}, 422),
        ("post", "/v1/escalations/esc_nothing/resolve", clinician("dr-a"), {"outcome": "cured"}, 422),
        ("get", "/v1/admin/escalations/outbox", {"X-API-Key": "clin-key"}, None, 403),
        ("post", "/v1/admin/escalations/dead-letters/msg_nothing/retry", ADMIN, None, 404),
    ],
)
def test_bad_requests_get_clear_client_errors(api, method, path, headers, body, status) -> None:  # type: ignore[no-untyped-def]
    response = getattr(api, method)(path, headers=headers, **({"json": body} if body is not None else {}))
    assert response.status_code == status, response.text
    assert response.json()["message"]


def signed(payload: dict, msg_id: str, secret: str = CALLBACK_SECRET, at: int | None = None) -> tuple[bytes, dict]:
    body = json.dumps(payload)
    return body.encode(), WebhookSigner([secret]).headers(msg_id, body, at)


def test_signed_clinician_callbacks_act_and_replays_or_forgeries_are_refused(api) -> None:  # type: ignore[no-untyped-def]
    _, escalation_id = raise_by_message(api)
    claim = {"type": "escalation.claim", "data": {"escalation_id": escalation_id, "clinician": "dr-remote"}}

    body, headers = signed(claim, "cb_1")
    accepted = api.post("/v1/escalations/callbacks", content=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert api.get(f"/v1/escalations/{escalation_id}", headers=clinician("x")).json()["assignee"] == "dr-remote"

    replay = api.post("/v1/escalations/callbacks", content=body, headers=headers)
    assert replay.status_code == 409 and "replayed" in replay.json()["message"]

    forged_body, forged_headers = signed(claim, "cb_2", secret=new_secret())
    assert api.post("/v1/escalations/callbacks", content=forged_body, headers=forged_headers).status_code == 401

    stale_body, stale_headers = signed(claim, "cb_3", at=int(time.time()) - 3600)
    assert api.post("/v1/escalations/callbacks", content=stale_body, headers=stale_headers).status_code == 401

    unsigned = api.post("/v1/escalations/callbacks", content=body, headers={"content-type": "application/json"})
    assert unsigned.status_code == 401

    nonsense_body, nonsense_headers = signed({"type": "escalation.dance", "data": {}}, "cb_4")
    assert api.post("/v1/escalations/callbacks", content=nonsense_body, headers=nonsense_headers).status_code == 422

    reply_body, reply_headers = signed(
        {"type": "escalation.reply", "data": {"escalation_id": escalation_id, "clinician": "dr-remote", "text": "Calling you now."}},
        "cb_5",
    )
    assert api.post("/v1/escalations/callbacks", content=reply_body, headers=reply_headers).status_code == 200
    events = api.get("/v1/conversations/pat-conv-1", headers=PATIENT).json()["events"]
    assert events[-1]["type"] == "agent" and events[-1]["text"] == "Calling you now."


def test_admin_sees_outbox_counts_and_metrics(api, receiver) -> None:  # type: ignore[no-untyped-def]
    raise_by_message(api)
    assert wait_until(lambda: len(receiver.state.unique) == 1, timeout_s=10)
    assert wait_until(
        lambda: api.get("/v1/admin/escalations/outbox", headers=ADMIN).json()["by_status"] == {"delivered": 1}
    )
    metrics = api.get("/v1/admin/escalations/metrics", headers=ADMIN)
    assert metrics.status_code == 200
    assert 'vha_escalation_deliveries_total{outcome="delivered"}' in metrics.text
    assert "vha_escalation_outbox_delivered 1" in metrics.text
    assert api.get("/v1/admin/escalations/dead-letters", headers=ADMIN).json() == {"items": [], "count": 0}
