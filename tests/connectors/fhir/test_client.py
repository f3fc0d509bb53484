"""The FHIR client against the real test server: paging, parallel queries, retries, limits."""

from __future__ import annotations

import time

import pytest

from connectors.fhir import FHIRClient, FHIRRequestError, FHIRUnavailable, Query
from tests.fhir_server.fixtures import LoadedServer


def busiest(server: LoadedServer):
    return max(server.patients.values(), key=lambda p: len(p.of_type("Observation")))


def test_search_follows_next_links_until_everything_is_read(fhir_server: LoadedServer) -> None:
    patient = busiest(fhir_server)
    expected = len(patient.of_type("Observation"))
    with FHIRClient(fhir_server.config(page_size=25, max_pages=100)) as client:
        result = client.search("Observation", {"patient": f"Patient/{patient.server_id}"})
    assert result.pages == -(-expected // 25)  # ceil
    assert not result.truncated
    ids = [r.id for r in result.resources]
    assert len(ids) == expected == len(set(ids))  # every observation once, none repeated


def test_search_stops_at_the_page_bound_and_says_so(fhir_server: LoadedServer) -> None:
    patient = busiest(fhir_server)
    with FHIRClient(fhir_server.config(page_size=10, max_pages=3)) as client:
        result = client.search("Observation", {"patient": f"Patient/{patient.server_id}"})
    assert result.pages == 3
    assert len(result.resources) == 30
    assert result.truncated


def test_queries_for_one_patient_run_in_parallel(controlled_server: LoadedServer) -> None:
    patient = busiest(controlled_server)
    ref = f"Patient/{patient.server_id}"
    queries = [
        Query("patient", "Patient", resource_id=patient.server_id),
        Query("conditions", "Condition", {"patient": ref}),
        Query("encounters", "Encounter", {"patient": ref, "_count": "5"}, max_pages=1),
        Query("meds", "MedicationRequest", {"patient": ref}),
    ]
    controlled_server.server.control(delay_ms=300)

    def timed(workers: int) -> tuple[float, dict]:
        with FHIRClient(controlled_server.config(max_workers=workers)) as client:
            started = time.monotonic()
            results = client.run_all(queries, timeout_s=10)
            return time.monotonic() - started, results

    parallel, results = timed(4)
    serial, _ = timed(1)
    assert all(not isinstance(r, Exception) for r in results.values()), results
    assert results["patient"].id == patient.server_id
    assert len(results["encounters"].resources) == 5
    assert parallel < 0.9  # four 300 ms requests at once
    assert serial >= 1.2  # the same four one after another


def test_retries_rate_limits_and_server_errors_then_succeeds(
    controlled_server: LoadedServer,
) -> None:
    patient = busiest(controlled_server)
    controlled_server.server.control(fail_next=[503, 429])
    with FHIRClient(controlled_server.config(max_retries=2, backoff_base_s=0.01)) as client:
        resource = client.read("Patient", patient.server_id)
    assert resource.id == patient.server_id
    assert controlled_server.server.stats()["requests"] == 3


def test_gives_up_after_the_retry_bound(controlled_server: LoadedServer) -> None:
    patient = busiest(controlled_server)
    controlled_server.server.control(fail_next=[502, 502, 502, 502])
    config = controlled_server.config(max_retries=2, backoff_base_s=0.01)
    with FHIRClient(config) as client, pytest.raises(FHIRUnavailable):
        client.read("Patient", patient.server_id)
    assert controlled_server.server.stats()["requests"] == 3  # one try and two retries


def test_client_errors_are_not_retried(controlled_server: LoadedServer) -> None:
    config = controlled_server.config(max_retries=3)
    with FHIRClient(config) as client, pytest.raises(FHIRRequestError) as caught:
        client.read("Patient", "no-such-patient")
    assert caught.value.status_code == 404
    assert controlled_server.server.stats()["requests"] == 1


def test_connection_refused_is_unavailable_not_a_crash(unused_port_url: str) -> None:
    from connectors.fhir import FHIRConnectorConfig

    config = FHIRConnectorConfig(base_url=unused_port_url, max_retries=1, backoff_base_s=0.01)
    with FHIRClient(config) as client:
        started = time.monotonic()
        with pytest.raises(FHIRUnavailable):
            client.capabilities()
    assert time.monotonic() - started < 2


def test_credentials_never_follow_a_link_to_another_host(fhir_server: LoadedServer) -> None:
    with FHIRClient(fhir_server.config()) as client:
        with pytest.raises(FHIRRequestError):
            client.transport.url("http://attacker.invalid/fhir/Observation?page=2")
        assert client.transport.url(f"{fhir_server.base_url}/Patient?_offset=10").startswith(
            fhir_server.base_url
        )


def test_ids_cannot_steer_the_url(fhir_server: LoadedServer) -> None:
    from connectors.fhir import FHIRError

    with FHIRClient(fhir_server.config()) as client, pytest.raises(FHIRError):
        client.read("Patient", "../Observation")
