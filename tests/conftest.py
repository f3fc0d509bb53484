"""Shared fixtures: settings on a temporary data dir, the trained intent model, an API client,
and real PostgreSQL / Redis connections (required: these tests never skip)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.config import LOCAL_DEV_KEY, Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
from tests.shared_data import SHARED_DIR  # noqa: F401 - re-exported for the tests

POSTGRES_URL = os.environ.get("VHA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VHA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def make_settings(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp,
        "tracker_store_url": f"sqlite:///{tmp / 'vha.db'}",
        "lock_store_url": "memory://",
        "api_keys": {},
        "environment": "local",
        # The shipped corpus's index is built once per machine and refreshed incrementally.
        "index_dir": Path.home() / ".cache" / "vha" / "test-index",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def nlu_parser():  # type: ignore[no-untyped-def]
    """The default intent model, trained once and cached (``make test`` trains it up front)."""
    from assistant.core.services import load_nlu

    return load_nlu(Settings())


@pytest.fixture
def services(settings: Settings, nlu_parser):  # type: ignore[no-untyped-def]
    from assistant.core.services import build_services

    built = build_services(settings, nlu=nlu_parser)
    yield built
    built.close()


@pytest.fixture
def client(settings: Settings, services):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app

    with TestClient(create_app(settings, services=services)) as test_client:
        yield test_client


@pytest.fixture
def auth_headers() -> dict[str, str]:
    return {"X-API-Key": LOCAL_DEV_KEY}


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the real PostgreSQL for one test, dropped afterwards."""
    import psycopg

    schema = f"vha_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True)
    except psycopg.OperationalError as exc:  # pragma: no cover - the machine's service must run
        pytest.fail(f"PostgreSQL is required at {POSTGRES_URL} (start it, see README): {exc}")
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # pragma: no cover - the machine's service must run
        pytest.fail(f"Redis is required at {REDIS_URL} (start it, see README): {exc}")
    return REDIS_URL


# The real FHIR R4 test server (Medplum's router in Node) and SMART auth fixtures, for any test
# that needs a patient record: started once per session, on first use.
from tests.fhir_server.fixtures import (  # noqa: F401
    auth_fhir_server,
    controlled_server,
    ec_key,
    fhir_server,
    key_dir,
    other_rsa_key,
    rsa_key,
    token_server,
    tokens,
    unused_port_url,
)
