"""Rasa clients talk to /webhooks/rest/webhook and /model/parse unchanged."""

from __future__ import annotations

KEY = "vha-local-dev-key"


def test_rest_webhook_payload_is_rasas(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/webhooks/rest/webhook?token={KEY}", json={"sender": "user-1", "message": "hello"})

    assert response.status_code == 200
    replies = response.json()
    assert isinstance(replies, list) and replies
    assert all(set(r) == {"recipient_id", "text"} and r["recipient_id"] == "user-1" for r in replies)


def test_rest_webhook_keeps_the_conversation_per_sender(client) -> None:  # type: ignore[no-untyped-def]
    client.post(f"/webhooks/rest/webhook?token={KEY}", json={"sender": "user-2", "message": "hello"})
    client.post(f"/webhooks/rest/webhook?token={KEY}", json={"sender": "user-2", "message": "thanks"})

    events = client.get("/v1/conversations/user-2", headers={"X-API-Key": KEY}).json()["events"]
    assert [e["text"] for e in events if e["type"] == "user"] == ["hello", "thanks"]


def test_model_parse_payload_is_rasas(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/model/parse?token={KEY}", json={"text": "I need to book an appointment", "message_id": "m1"})

    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "I need to book an appointment"
    assert body["intent"]["name"] == "request_appointment"
    assert set(body["intent"]) >= {"name", "confidence"}
    assert all(set(r) >= {"name", "confidence"} for r in body["intent_ranking"])
    assert isinstance(body["entities"], list) and body["text_tokens"][0] == [0, 1]


def test_rest_webhook_rejects_bad_payloads_with_4xx(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post(f"/webhooks/rest/webhook?token={KEY}", json={"message": "hi"}).status_code == 422
    assert client.post(f"/webhooks/rest/webhook?token={KEY}", json={"sender": "u", "message": ""}).status_code == 422
    assert client.post("/webhooks/rest/webhook", json={"sender": "u", "message": "hi"}).status_code == 401
