from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

FIXTURES = Path(__file__).resolve().parents[1] / "retrieval" / "fixtures"


@pytest.fixture
def search_client(tmp_path, nlu_parser):  # type: ignore[no-untyped-def]
    from assistant.api.app import create_app
    from assistant.core.services import build_services
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, corpus_dir=FIXTURES, index_dir=tmp_path / "index")
    with TestClient(create_app(settings, services=build_services(settings, nlu=nlu_parser))) as client:
        yield client


def test_search_returns_ranked_passages_with_citation_fields(search_client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    response = search_client.get("/v1/search", params={"q": "gout big toe pain", "k": 3}, headers=auth_headers)

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["doc_id"] == "jl-1"
    assert {"title", "section", "text", "source_url", "publisher", "score", "rank"} <= set(results[0])


def test_search_filters_and_bad_parameters(search_client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    ok = search_client.get("/v1/search", params={"q": "breathless", "region": "uk"}, headers=auth_headers)
    assert all(r["region"] == "uk" for r in ok.json()["results"])
    assert search_client.get("/v1/search", params={"q": ""}, headers=auth_headers).status_code == 422
    assert search_client.get("/v1/search", params={"q": "x", "k": 0}, headers=auth_headers).status_code == 422
    assert search_client.get("/v1/search", params={"q": "x"}).status_code == 401


def test_conversation_answers_health_questions_with_citations(search_client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    response = search_client.post(
        "/v1/conversations/c-guide/messages",
        json={"text": "what should I do for sunburn?"},
        headers=auth_headers,
    )

    replies = response.json()["replies"]
    answer = next(r for r in replies if r.get("template") == "guideline_answer")
    assert answer["citations"][0]["url"].endswith("/sunburn/")
    assert "Sources:" in answer["text"]
