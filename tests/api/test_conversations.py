from __future__ import annotations


def send(client, headers, cid, text, **extra):  # type: ignore[no-untyped-def]
    response = client.post(f"/v1/conversations/{cid}/messages", json={"text": text, **extra}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_first_message_gets_the_disclaimer_and_a_greeting(client, auth_headers) -> None:
    turn = send(client, auth_headers, "c-greet", "hiya")

    texts = " ".join(r["text"] for r in turn["replies"])
    assert "not a doctor" in texts
    assert turn["parse"]["intent"]["name"] == "greet"
    assert turn["safety"] is None


def test_disclaimer_is_given_once_per_conversation(client, auth_headers) -> None:
    send(client, auth_headers, "c-once", "hello")
    second = send(client, auth_headers, "c-once", "thanks a lot")

    assert all(r.get("template") != "utter_disclaimer" for r in second["replies"])


def test_emergency_first_message_gets_emergency_advice_first(client, auth_headers) -> None:
    turn = send(client, auth_headers, "c-emerg", "my husband has crushing chest pain going down his left arm and he's sweating")

    assert turn["safety"]["kind"] == "emergency"
    assert "999" in turn["replies"][0]["text"] or "911" in turn["replies"][0]["text"]


def test_crisis_message_gets_crisis_line_and_offer_of_a_person(client, auth_headers) -> None:
    turn = send(client, auth_headers, "c-crisis", "i dont want to be alive anymore")

    assert turn["safety"]["kind"] == "mental_health_crisis"
    text = " ".join(r["text"] for r in turn["replies"])
    assert "988" in text and "person" in text


def test_conversation_events_are_stored_in_order(client, auth_headers) -> None:
    send(client, auth_headers, "c-events", "hello")
    send(client, auth_headers, "c-events", "are you a robot?")

    response = client.get("/v1/conversations/c-events", headers=auth_headers)

    assert response.status_code == 200
    events = response.json()["events"]
    types = [e["type"] for e in events]
    assert types[0] == "session_started"
    users = [e["text"] for e in events if e["type"] == "user"]
    assert users == ["hello", "are you a robot?"]
    assert types.index("user") < types.index("bot")


def test_unknown_conversation_is_404(client, auth_headers) -> None:
    response = client.get("/v1/conversations/never-seen", headers=auth_headers)

    assert response.status_code == 404
    assert "never-seen" in response.json()["message"]


def test_report_symptom_gets_a_reply(client, auth_headers) -> None:
    turn = send(client, auth_headers, "c-symptom", "ive had a sore throat and a bit of a cough for 3 days")

    assert turn["parse"]["intent"]["name"] == "report_symptom"
    assert turn["replies"]
