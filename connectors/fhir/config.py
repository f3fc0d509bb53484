"""Connector settings as one plain, validated model.

The app reads its `VHA_FHIR_*` environment into this; the connector itself never reads the
environment, so tests and benchmarks can build a config in one line.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator


class AuthMode(str, Enum):
    NONE = "none"
    BEARER = "bearer"  # a static token issued out of band
    SMART_BACKEND = "smart_backend"  # SMART on FHIR backend services (client credentials + JWT)


class FHIRConnectorConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(description="FHIR R4 base, e.g. https://ehr.example.org/fhir")
    auth_mode: AuthMode = AuthMode.NONE

    # bearer
    token: SecretStr | None = None

    # SMART backend services
    client_id: str | None = None
    private_key_path: Path | None = None
    private_key_pem: SecretStr | None = Field(
        default=None, description="the key itself, for deployments that inject secrets as values"
    )
    kid: str | None = None
    alg: str = "RS384"
    token_url: str | None = Field(
        default=None, description="discovered from <base>/.well-known/smart-configuration if unset"
    )
    # SMART v2 scopes for what the context reads; write-back also needs
    # "system/RiskAssessment.c system/Communication.c".
    scope: str = (
        "system/Patient.rs system/Condition.rs system/Observation.rs system/MedicationRequest.rs "
        "system/MedicationStatement.rs system/AllergyIntolerance.rs system/Encounter.rs"
    )
    assertion_lifetime_s: int = Field(default=300, ge=10, le=300)  # SMART caps exp at 5 minutes
    token_refresh_margin_s: float = Field(default=30.0, ge=0)

    # transport
    connect_timeout_s: float = Field(default=2.0, gt=0)
    read_timeout_s: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    backoff_base_s: float = Field(default=0.1, ge=0)
    backoff_max_s: float = Field(default=2.0, ge=0)
    max_pages: int = Field(default=5, ge=1, description="bound on Bundle `next` links followed")
    page_size: int = Field(default=100, ge=1, le=1000)
    max_workers: int = Field(default=6, ge=1, le=32, description="parallel queries per patient")

    # context service
    cache_ttl_s: float = Field(default=300.0, ge=0, description="0 disables the cache")
    cache_max_entries: int = Field(default=256, ge=1)
    time_box_s: float = Field(default=1.5, gt=0, description="overall budget for one context read")
    recent_vitals_hours: float = Field(default=48.0, gt=0)
    max_encounters: int = Field(default=5, ge=0)

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        return value

    @field_validator("alg")
    @classmethod
    def _known_alg(cls, value: str) -> str:
        # The two algorithms SMART backend services requires servers to support.
        if value not in {"RS384", "ES384"}:
            raise ValueError("alg must be RS384 or ES384")
        return value

    @model_validator(mode="after")
    def _mode_needs(self) -> FHIRConnectorConfig:
        if self.auth_mode is AuthMode.BEARER and not self.token:
            raise ValueError("auth_mode=bearer needs token")
        if self.auth_mode is AuthMode.SMART_BACKEND:
            if not self.client_id:
                raise ValueError("auth_mode=smart_backend needs client_id")
            if not (self.private_key_path or self.private_key_pem):
                raise ValueError(
                    "auth_mode=smart_backend needs private_key_path or private_key_pem"
                )
        return self

    def private_key(self) -> str:
        if self.private_key_pem is not None:
            return self.private_key_pem.get_secret_value()
        assert self.private_key_path is not None
        return self.private_key_path.read_text()
