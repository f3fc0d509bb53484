"""Auth end to end: a FHIR server that requires a token, a SMART token endpoint that checks our
signed assertions, and the connector in between."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import jwt
import pytest
from pydantic import ValidationError

from connectors.fhir import (
    AuthMode,
    FHIRAuthError,
    FHIRClient,
    FHIRConnectorConfig,
    InMemoryAuditSink,
    PatientContextService,
    SmartBackendAuth,
)
from connectors.fhir.retry import RetryPolicy
from tests.connectors.fhir.smart_token_server import SmartTokenServer
from tests.fhir_server.fixtures import (
    ES_CLIENT_ID,
    ES_KID,
    SMART_CLIENT_ID,
    SMART_KID,
    STATIC_TOKEN,
    AuthServer,
    KeyPair,
)


def smart_config(server: AuthServer, key_path: Path, **overrides) -> FHIRConnectorConfig:
    values = {
        "base_url": server.base_url,
        "auth_mode": AuthMode.SMART_BACKEND,
        "client_id": SMART_CLIENT_ID,
        "private_key_path": key_path,
        "kid": SMART_KID,
        "alg": "RS384",
        "cache_ttl_s": 0,
        "time_box_s": 5,
        "backoff_base_s": 0.01,
    }
    values.update(overrides)
    return FHIRConnectorConfig(**values)


def read_context(config: FHIRConnectorConfig, patient_id: str, audit=None):
    service = PatientContextService(config, audit=audit or InMemoryAuditSink())
    try:
        return service.get(patient_id, purpose="triage", actor="assistant", consent_given=True)
    finally:
        service.close()


# -- SMART backend services ----------------------------------------------------------------------


def test_smart_rs384_reads_the_record(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, rsa_key: KeyPair, key_dir: Path
) -> None:
    config = smart_config(
        auth_fhir_server, rsa_key.write(key_dir, "rsa.pem"), token_url=tokens.token_url
    )
    result = read_context(config, auth_fhir_server.patient_ids[0])
    assert not result.degraded, result.reason
    assert result.context.age_years is not None
    assert len(tokens.state.issued) == 1
    assert tokens.state.issued[0]["scope"] == config.scope


def test_smart_es384_with_the_token_url_discovered(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, ec_key: KeyPair, key_dir: Path
) -> None:
    config = smart_config(
        auth_fhir_server,
        ec_key.write(key_dir, "ec.pem"),
        client_id=ES_CLIENT_ID,
        kid=ES_KID,
        alg="ES384",
    )
    assert config.token_url is None  # found at <base>/.well-known/smart-configuration
    result = read_context(config, auth_fhir_server.patient_ids[1])
    assert not result.degraded, result.reason
    assert [t["client_id"] for t in tokens.state.issued] == [ES_CLIENT_ID]


def test_the_assertion_carries_the_claims_smart_requires(
    tokens: SmartTokenServer, rsa_key: KeyPair, key_dir: Path, auth_fhir_server: AuthServer
) -> None:
    config = smart_config(
        auth_fhir_server, rsa_key.write(key_dir, "rsa.pem"), token_url=tokens.token_url
    )
    with httpx.Client() as http:
        auth = SmartBackendAuth(config, http, RetryPolicy())
        first = auth.client_assertion(tokens.token_url)
        second = auth.client_assertion(tokens.token_url)
    header = jwt.get_unverified_header(first)
    claims = jwt.decode(first, rsa_key.public_pem, algorithms=["RS384"], audience=tokens.token_url)
    assert header["alg"] == "RS384" and header["kid"] == SMART_KID
    assert claims["iss"] == claims["sub"] == SMART_CLIENT_ID
    assert claims["aud"] == tokens.token_url
    assert 0 < claims["exp"] - time.time() <= 300
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]

    # The endpoint accepts an assertion once: a replayed one (same jti) is refused.
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": first,
    }
    assert httpx.post(tokens.token_url, data=form).status_code == 200
    assert httpx.post(tokens.token_url, data=form).status_code == 401
    assert tokens.state.refusals == ["jti replay"]


def test_the_token_is_cached_and_reused(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, rsa_key: KeyPair, key_dir: Path
) -> None:
    config = smart_config(
        auth_fhir_server, rsa_key.write(key_dir, "rsa.pem"), token_url=tokens.token_url
    )
    service = PatientContextService(config, audit=InMemoryAuditSink())
    try:
        for _ in range(4):
            for patient_id in auth_fhir_server.patient_ids:
                assert not service.get(
                    patient_id, purpose="triage", actor="assistant", consent_given=True
                ).degraded
    finally:
        service.close()
    # Eight context reads, about sixty parallel requests, one token.
    assert len(tokens.state.issued) == 1


def test_the_token_is_refreshed_when_it_expires(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, rsa_key: KeyPair, key_dir: Path
) -> None:
    tokens.state.token_lifetime_s = 1.0
    config = smart_config(
        auth_fhir_server,
        rsa_key.write(key_dir, "rsa.pem"),
        token_url=tokens.token_url,
        token_refresh_margin_s=0.2,
    )
    with FHIRClient(config) as client:
        client.read("Patient", auth_fhir_server.patient_ids[0])
        client.read("Patient", auth_fhir_server.patient_ids[0])
        assert len(tokens.state.issued) == 1
        time.sleep(1.0)
        client.read("Patient", auth_fhir_server.patient_ids[0])
    assert len(tokens.state.issued) == 2
    assert auth_fhir_server.server.stats()["unauthorized"] == 0  # renewed before it lapsed


def test_a_401_gets_one_fresh_token_and_a_second_try(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, rsa_key: KeyPair, key_dir: Path
) -> None:
    # The endpoint says the token lasts an hour, but the FHIR server stops honouring it after a
    # second (as when a token is revoked): the client learns it from the 401.
    tokens.state.token_lifetime_s = 1.0
    tokens.state.advertised_expires_in = 3600
    config = smart_config(
        auth_fhir_server, rsa_key.write(key_dir, "rsa.pem"), token_url=tokens.token_url
    )
    before = auth_fhir_server.server.stats()["unauthorized"]
    with FHIRClient(config) as client:
        client.read("Patient", auth_fhir_server.patient_ids[0])
        time.sleep(1.1)
        patient = client.read("Patient", auth_fhir_server.patient_ids[0])
    assert patient.id == auth_fhir_server.patient_ids[0]
    assert len(tokens.state.issued) == 2
    assert auth_fhir_server.server.stats()["unauthorized"] == before + 1


def test_a_wrong_key_is_refused(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, other_rsa_key: KeyPair, key_dir: Path
) -> None:
    config = smart_config(
        auth_fhir_server, other_rsa_key.write(key_dir, "other.pem"), token_url=tokens.token_url
    )
    with FHIRClient(config) as client, pytest.raises(FHIRAuthError, match="invalid_client"):
        client.read("Patient", auth_fhir_server.patient_ids[0])
    assert tokens.state.refusals == ["signature"]
    # Through the context service the patient gets a degraded answer, and the audit says failed.
    audit = InMemoryAuditSink()
    result = read_context(config, auth_fhir_server.patient_ids[0], audit)
    assert result.degraded and result.context is None
    assert audit.events[-1].outcome == "failed"


def test_an_expired_assertion_is_refused(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, rsa_key: KeyPair, key_dir: Path
) -> None:
    config = smart_config(
        auth_fhir_server, rsa_key.write(key_dir, "rsa.pem"), token_url=tokens.token_url
    )
    with httpx.Client() as http:
        # A client whose clock is ten minutes slow signs assertions that expired already.
        auth = SmartBackendAuth(config, http, RetryPolicy(), clock=lambda: time.time() - 600)
        with FHIRClient(config, http=http, auth=auth) as client, pytest.raises(FHIRAuthError):
            client.read("Patient", auth_fhir_server.patient_ids[0])
    assert tokens.state.refusals == ["expired"]


def test_an_assertion_for_another_audience_is_refused(
    auth_fhir_server: AuthServer, tokens: SmartTokenServer, rsa_key: KeyPair, key_dir: Path
) -> None:
    config = smart_config(
        auth_fhir_server, rsa_key.write(key_dir, "rsa.pem"), token_url=f"{tokens.url}/token-alias"
    )
    with FHIRClient(config) as client, pytest.raises(FHIRAuthError):
        client.read("Patient", auth_fhir_server.patient_ids[0])
    assert tokens.state.refusals == ["audience"]


# -- static bearer and none ----------------------------------------------------------------------


def test_static_bearer_token(auth_fhir_server: AuthServer) -> None:
    good = FHIRConnectorConfig(
        base_url=auth_fhir_server.base_url,
        auth_mode=AuthMode.BEARER,
        token=STATIC_TOKEN,
        cache_ttl_s=0,
    )
    assert not read_context(good, auth_fhir_server.patient_ids[0]).degraded

    bad = FHIRConnectorConfig(**{**good.model_dump(), "token": "not-the-token"})
    before = auth_fhir_server.server.stats()["unauthorized"]
    with FHIRClient(bad) as client, pytest.raises(FHIRAuthError):
        client.read("Patient", auth_fhir_server.patient_ids[0])
    # A static token cannot be renewed, so a 401 is final: one request, no second try.
    assert auth_fhir_server.server.stats()["unauthorized"] == before + 1


def test_no_credentials_against_a_protected_server(auth_fhir_server: AuthServer) -> None:
    config = FHIRConnectorConfig(base_url=auth_fhir_server.base_url, cache_ttl_s=0)
    result = read_context(config, auth_fhir_server.patient_ids[0])
    assert result.degraded and result.context is None


# -- configuration -------------------------------------------------------------------------------


def test_configuration_is_checked_up_front(ec_key: KeyPair, key_dir: Path) -> None:
    with pytest.raises(ValidationError):
        FHIRConnectorConfig(
            base_url="http://127.0.0.1:1/fhir", auth_mode=AuthMode.SMART_BACKEND, client_id="x"
        )
    with pytest.raises(ValidationError):
        FHIRConnectorConfig(base_url="http://127.0.0.1:1/fhir", auth_mode=AuthMode.BEARER)
    with pytest.raises(ValidationError):
        FHIRConnectorConfig(base_url="http://127.0.0.1:1/fhir", alg="HS256")
    mismatched = FHIRConnectorConfig(
        base_url="http://127.0.0.1:1/fhir",
        auth_mode=AuthMode.SMART_BACKEND,
        client_id="x",
        private_key_path=ec_key.write(key_dir, "ec-for-rsa.pem"),
        alg="RS384",
    )
    with pytest.raises(FHIRAuthError, match="RSA"):
        FHIRClient(mismatched)
