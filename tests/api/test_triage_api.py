from __future__ import annotations


def test_triage_returns_the_documented_shape(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/triage", json={"text": "crushing chest pain spreading to my jaw", "age": 61, "sex": "male"}, headers=auth_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "emergency_ambulance"
    assert {"code", "system", "display", "negated"} <= set(body["findings"][0])
    assert body["findings"][0]["system"] == "http://snomed.info/sct"
    assert body["red_flags"] and body["rationale"][0]["source"].startswith("https://")
    assert "999" in body["advice"] or "911" in body["advice"]


def test_text_only_gives_a_level_and_follow_up_questions(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/v1/triage", json={"text": "sore throat"}, headers=auth_headers).json()

    assert body["level"] == "self_care" and body["follow_up_questions"]
    answered = client.post(
        "/v1/triage", json={"text": "sore throat", "answers": {"severity": "9"}}, headers=auth_headers
    ).json()
    assert answered["level"] == "consultation_24"


def test_bad_triage_input_is_422(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    for payload in ({"text": ""}, {"text": "x", "sex": "other"}, {"text": "x", "age": -1}, {}):
        assert client.post("/v1/triage", json=payload, headers=auth_headers).status_code == 422


def test_report_symptom_runs_the_interview_in_conversation(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    url = "/v1/conversations/c-triage/messages"
    turn = client.post(url, json={"text": "i've had a bad cough"}, headers=auth_headers).json()
    for _ in range(6):
        templates = [r.get("template") for r in turn["replies"]]
        if "triage_disposition" in templates:
            break
        turn = client.post(url, json={"text": "no"}, headers=auth_headers).json()
    final = next(r for r in turn["replies"] if r.get("template") == "triage_disposition")
    assert final["level"] in ("self_care", "consultation", "consultation_24") and final["findings"]
