"""POST /v1/wearables/summary: an integrator sends an export and gets the summary back."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

KEY = {"X-API-Key": "vha-local-dev-key"}


def test_an_apple_health_export_is_summarised_and_bad_data_is_a_clear_422(tmp_path, settings, nlu_parser) -> None:  # type: ignore[no-untyped-def]
    from assistant.api.app import create_app
    from assistant.core.services import build_services
    from connectors.wearables.synthetic import SyntheticConfig, generate, write_apple_health

    export = tmp_path / "export.xml"
    write_apple_health(export, generate(SyntheticConfig(days=40, end=date(2025, 1, 31))))
    with TestClient(create_app(settings, build_services(settings, nlu=nlu_parser))) as client:
        ok = client.post(
            "/v1/wearables/summary?tz=Europe/London",
            content=export.read_bytes(),
            headers=KEY | {"Content-Type": "application/xml"},
        )
        garbage = client.post("/v1/wearables/summary", content=b"{not json", headers=KEY | {"Content-Type": "application/json"})
        empty = client.post("/v1/wearables/summary", content=b"", headers=KEY)
        anonymous = client.post("/v1/wearables/summary", content=b"{}")
    assert ok.status_code == 200
    body = ok.json()
    assert "resting_heart_rate" in body["summary"]["metrics"]
    assert "resting_hr_elevated" in body["triage_signals"]["wearable_deviations"]
    assert body["for_patient"] and body["for_clinician"]
    assert garbage.status_code == 422 and "unusable wearable data" in garbage.json()["message"]
    assert empty.status_code == 422
    assert anonymous.status_code == 401
