"""Fixtures (registered in tests/conftest.py for the whole suite): a real FHIR R4 server
(tests/fhir_server) loaded with the shared Synthea patients, a second one that requires auth, a SMART token endpoint, and signing keys.

The servers are started here and stopped at the end of the session. If their npm packages are
missing the fixtures fail (never skip) and say how to install them.
"""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from connectors.fhir import FHIRConnectorConfig
from tests.connectors.fhir.smart_token_server import RegisteredClient, SmartTokenServer
from tests.fhir_server.harness import (
    FHIRServerNotInstalled,
    RunningFHIRServer,
    load_bundles,
    load_resources,
    start_fhir_server,
    synthea_files,
)
from tests.shared_data import SHARED_DIR

STATIC_TOKEN = "static-test-token-" + secrets.token_hex(8)
JWT_SECRET = secrets.token_hex(32)
SMART_CLIENT_ID = "vha-backend"
SMART_KID = "vha-key-1"
ES_CLIENT_ID = "vha-backend-ec"
ES_KID = "vha-ec-key-1"


@dataclass
class SyntheaPatient:
    """One Synthea file, with what the record says, computed straight from the bundle."""

    file: Path
    source_id: str
    server_id: str
    gender: str
    birth_date: date
    deceased: str | None
    active_condition_codes: set[str]
    active_medication_codes: set[str]
    allergy_codes: set[str]
    resources: list[dict[str, Any]] = field(repr=False)

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["resourceType"] == resource_type]


@dataclass
class LoadedServer:
    server: RunningFHIRServer
    patients: dict[str, SyntheaPatient]  # by file stem
    # Server ids of patients with generated wearable data ending today: "anomalous" (a week of
    # raised resting heart rate and a night of SpO2 below 92%) and "steady" (no anomalies).
    wearable_patients: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def config(self, **overrides: Any) -> FHIRConnectorConfig:
        return FHIRConnectorConfig(base_url=self.base_url, **overrides)


def describe(file: Path, server_id: str) -> SyntheaPatient:
    resources = [e["resource"] for e in json.loads(file.read_text())["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")

    def first_code(concept: dict[str, Any]) -> str:
        return concept["coding"][0]["code"]

    def status(resource: dict[str, Any], key: str) -> str | None:
        coding = (resource.get(key) or {}).get("coding") or [{}]
        return coding[0].get("code")

    return SyntheaPatient(
        file=file,
        source_id=patient["id"],
        server_id=server_id,
        gender=patient["gender"],
        birth_date=date.fromisoformat(patient["birthDate"]),
        deceased=patient.get("deceasedDateTime"),
        active_condition_codes={
            first_code(r["code"])
            for r in resources
            if r["resourceType"] == "Condition" and status(r, "clinicalStatus") == "active"
        },
        active_medication_codes={
            first_code(r["medicationCodeableConcept"])
            for r in resources
            if r["resourceType"] == "MedicationRequest" and r["status"] == "active"
        },
        allergy_codes={
            first_code(r["code"])
            for r in resources
            if r["resourceType"] == "AllergyIntolerance" and status(r, "clinicalStatus") == "active"
        },
        resources=resources,
    )


def load_wearables(base_url: str, days: int = 36) -> dict[str, str]:
    """Two patients of our own (not Synthea's, whose records other tests check exactly) with our
    generator's daily-level wearable Observations ending today."""
    import httpx

    from connectors.wearables.synthetic import fhir_observations

    ids = []
    for gender, born in (("female", "1958-03-14"), ("male", "1990-07-02")):
        created = httpx.post(
            f"{base_url}/Patient",
            json={"resourceType": "Patient", "gender": gender, "birthDate": born, "active": True},
            headers={"Content-Type": "application/fhir+json"},
            timeout=30,
        )
        created.raise_for_status()
        ids.append(created.json()["id"])
    anomalous, steady = ids
    today = date.today()
    load_resources(base_url, fhir_observations(f"Patient/{anomalous}", days, end=today, seed=11))
    load_resources(
        base_url,
        fhir_observations(
            f"Patient/{steady}", days, end=today, seed=12,
            infection_start=None, spo2_dip_night=None, missing_week_start=None,
        ),
    )
    return {"anomalous": anomalous, "steady": steady}


def _start(env: dict[str, str] | None = None) -> RunningFHIRServer:
    try:
        return start_fhir_server(env=env)
    except FHIRServerNotInstalled as exc:
        pytest.fail(f"The test FHIR server cannot start: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[LoadedServer]:
    """A FHIR server without auth, holding the 30 shared Synthea patients."""
    server = _start()
    try:
        files = synthea_files(SHARED_DIR)
        ids = load_bundles(server.base_url, files)
        patients = {}
        for file in files:
            source_id = json.loads(file.read_text())["entry"][0]["resource"]["id"]
            patients[file.stem] = describe(file, ids[source_id])
        wearable_patients = load_wearables(server.base_url)
        yield LoadedServer(server=server, patients=patients, wearable_patients=wearable_patients)
    finally:
        server.stop()


@pytest.fixture
def controlled_server(fhir_server: LoadedServer) -> Iterator[LoadedServer]:
    """The shared server, with its injected delays and failures cleared after the test."""
    fhir_server.server.control(reset=True, reset_stats=True)
    try:
        yield fhir_server
    finally:
        fhir_server.server.control(reset=True)


@pytest.fixture
def unused_port_url() -> str:
    """A FHIR base on a loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/fhir"


# -- auth ----------------------------------------------------------------------------------------


@dataclass
class KeyPair:
    private_pem: str
    public_pem: str

    def write(self, directory: Path, name: str) -> Path:
        path = directory / name
        path.write_text(self.private_pem)
        path.chmod(0o600)
        return path


def _pem_pair(key: Any) -> KeyPair:
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(private, public)


@pytest.fixture(scope="session")
def rsa_key() -> KeyPair:
    return _pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def other_rsa_key() -> KeyPair:
    return _pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def ec_key() -> KeyPair:
    return _pem_pair(ec.generate_private_key(ec.SECP384R1()))


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("smart-keys")


@pytest.fixture(scope="session")
def token_server(rsa_key: KeyPair, ec_key: KeyPair) -> Iterator[SmartTokenServer]:
    server = SmartTokenServer(JWT_SECRET)
    server.register(RegisteredClient(SMART_CLIENT_ID, rsa_key.public_pem, "RS384", SMART_KID))
    server.register(RegisteredClient(ES_CLIENT_ID, ec_key.public_pem, "ES384", ES_KID))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tokens(token_server: SmartTokenServer) -> Iterator[SmartTokenServer]:
    token_server.state.reset()
    yield token_server
    token_server.state.reset()


@dataclass
class AuthServer:
    server: RunningFHIRServer
    patient_ids: list[str]  # server ids of the patients loaded

    @property
    def base_url(self) -> str:
        return self.server.base_url


@pytest.fixture(scope="session")
def auth_fhir_server(token_server: SmartTokenServer) -> Iterator[AuthServer]:
    """A FHIR server that accepts only the static token or tokens from the SMART endpoint, and
    advertises that endpoint in its .well-known/smart-configuration."""
    server = _start(
        {
            "FHIR_AUTH_TOKENS": STATIC_TOKEN,
            "FHIR_AUTH_JWT_SECRET": JWT_SECRET,
            "FHIR_SMART_TOKEN_URL": token_server.token_url,
        }
    )
    try:
        files = synthea_files(SHARED_DIR)[:2]
        ids = load_bundles(
            server.base_url, files, headers={"Authorization": f"Bearer {STATIC_TOKEN}"}
        )
        yield AuthServer(server=server, patient_ids=list(ids.values()))
    finally:
        server.stop()
