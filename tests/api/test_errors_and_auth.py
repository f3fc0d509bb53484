"""Bad input gets a clear 4xx, never a 500; every non-public route needs a key with the scope."""

from __future__ import annotations

import pytest

URL = "/v1/conversations/c-bad/messages"


@pytest.mark.parametrize(
    "payload",
    [{"text": ""}, {"text": "   "}, {"text": "x" * 100_000}, {"text": 42}, {}, {"text": "hi", "metadata": "nope"}],
)
def test_bad_message_bodies_get_422_with_a_message(client, auth_headers, payload) -> None:  # type: ignore[no-untyped-def]
    response = client.post(URL, json=payload, headers=auth_headers)

    assert response.status_code == 422
    assert response.json()["message"]


def test_invalid_json_gets_422(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    response = client.post(URL, content=b"{not json", headers=auth_headers | {"content-type": "application/json"})

    assert response.status_code == 422
    assert "JSON" in response.json()["message"] or "json" in response.json()["message"]


def test_bad_conversation_id_gets_422(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/conversations/" + "x" * 300 + "/messages", json={"text": "hi"}, headers=auth_headers)

    assert response.status_code == 422


def test_missing_key_is_401_and_health_is_public(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post(URL, json={"text": "hi"}).status_code == 401
    assert client.post(URL, json={"text": "hi"}, headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["intent_model"] == "ok"


def test_scopes_are_enforced(tmp_path, nlu_parser) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app
    from assistant.core.services import build_services
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, api_keys={"clin": ["clinician"], "int": ["integrator"]})
    with TestClient(create_app(settings, services=build_services(settings, nlu=nlu_parser))) as client:
        assert client.post(URL, json={"text": "hi"}, headers={"X-API-Key": "clin"}).status_code == 403
        assert client.post(URL, json={"text": "hi"}, headers={"Authorization": "Bearer int"}).status_code == 200
        assert client.get("/v1/conversations/c-bad", headers={"X-API-Key": "clin"}).status_code == 200
        # The development key is not accepted once keys are configured.
        assert client.post(URL, json={"text": "hi"}, headers={"X-API-Key": "vha-local-dev-key"}).status_code == 401


def test_nlu_parse_returns_ranking_and_entities(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/nlu/parse", json={"text": "can i take ibuprofen with amoxicillin"}, headers=auth_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["intent"]["name"] == "ask_medication"
    assert len(body["intent_ranking"]) >= 5
    assert {e["value"] for e in body["entities"] if e["entity"] == "medication"} == {"ibuprofen", "amoxicillin"}


def test_openapi_documents_the_routes(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/conversations/{conversation_id}/messages" in paths
    assert "/v1/nlu/parse" in paths and "/model/parse" in paths
