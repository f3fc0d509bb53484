"""The service container: builds every long-lived component once, from settings."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from assistant.config import Settings
from assistant.core.actions import ActionRunner
from assistant.core.engine import Engine
from assistant.core.responses import ResponseTemplates
from assistant.nlu.parser import NLUParser
from assistant.stores.lock_store import LockStore, create_lock_store
from assistant.stores.tracker_store import TrackerStore, create_tracker_store
from policies.safety import SafetyPolicy

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    tracker_store: TrackerStore
    lock_store: LockStore
    engine: Engine
    nlu: NLUParser | None
    extras: dict[str, Any] = field(default_factory=dict)
    # Clinician escalation (assistant.escalations.service.EscalationService), None when disabled.
    escalations: Any = None
    guidelines: GuidelineLoader | None = None
    # Patient record + wearables (assistant.core.patient_data.FHIRPatientData), None when unset.
    patient_data: Any = None

    def close(self) -> None:
        for closeable in (self.tracker_store, self.lock_store, self.patient_data):
            if closeable is None:
                continue
            try:
                closeable.close()
            except Exception:  # noqa: BLE001
                log.warning("error while closing %s", type(closeable).__name__)


class GuidelineLoader:
    """Opens (or builds, from the shipped corpus) the guideline index on first use, once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._answerer: Any = None
        self._failed = False
        self._lock = threading.Lock()

    def __call__(self):  # type: ignore[no-untyped-def]
        if self._answerer is not None or self._failed:
            return self._answerer
        with self._lock:
            if self._answerer is None and not self._failed:
                try:
                    self._answerer = load_guidelines(self.settings)
                except Exception:
                    log.exception("guideline index unavailable")
                    self._failed = True
        return self._answerer

    def answer(self, question: str, *, language: str = "en"):  # type: ignore[no-untyped-def]
        answerer = self()
        if answerer is None:
            raise RuntimeError("guideline index unavailable")
        return answerer.answer(question, language=language)


def load_encoder(settings: Settings):  # type: ignore[no-untyped-def]
    from retrieval.encoder import SentenceEncoder

    return SentenceEncoder(
        settings.embedding_model or None,
        cache_dir=settings.encoder_cache_dir,
        batch_precision=settings.embedding_precision,
        query_precision=settings.query_precision,
    )


def index_options(settings: Settings) -> dict[str, Any]:
    return {
        "ann_threshold": settings.retrieval_ann_threshold,
        "dense_weight": settings.retrieval_dense_weight,
        "lexical_weight": settings.retrieval_lexical_weight,
        "title_weight": settings.retrieval_title_weight,
        "title_dense_weight": settings.retrieval_title_dense_weight,
        "rrf_k": settings.retrieval_rrf_k,
    }


def load_guidelines(settings: Settings):  # type: ignore[no-untyped-def]
    from assistant.core.answering import GuidelineAnswerer
    from retrieval.service import open_or_build

    index = open_or_build(
        settings.resolved_index_dir, settings.resolved_corpus_dir, load_encoder(settings), **index_options(settings)
    )
    return GuidelineAnswerer(index, min_similarity=settings.answer_min_similarity)


def load_nlu(settings: Settings, *, train_if_missing: bool = True) -> NLUParser:
    from assistant.nlu.training import cached_model_dir, is_trained, train_intent_model

    if settings.torch_threads:
        import torch

        torch.set_num_threads(settings.torch_threads)
    if not is_trained(settings):
        if not train_if_missing:
            raise FileNotFoundError("no trained intent model: run `vha train`")
        train_intent_model(settings)
    return NLUParser.load(
        cached_model_dir(settings), settings.fallback_threshold, settings.nlu_backend, settings.torch_threads
    )


def build_record_connector(settings: Settings, tracker_store: TrackerStore):  # type: ignore[no-untyped-def]
    """The FHIR record + wearables capability, audited into the app's database; None if unset."""
    if not settings.fhir_base_url:
        return None
    from assistant.core.patient_data import build_patient_data
    from assistant.stores.audit_store import SQLAuditSink

    sessions = getattr(tracker_store, "sessions", None)
    if sessions is not None:
        audit = SQLAuditSink(sessions)
    else:  # in-memory tracker store (tests): an audit file beside the other local state
        from connectors.fhir import JsonlAuditSink

        audit = JsonlAuditSink(settings.data_dir / "record-access-audit.jsonl")
    return build_patient_data(settings, audit)


def build_safety_policy() -> SafetyPolicy:
    return SafetyPolicy()


def build_services(settings: Settings, *, nlu: NLUParser | None = None) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    tracker_store = create_tracker_store(settings.resolved_tracker_store_url)
    lock_store = create_lock_store(settings.lock_store_url, settings.lock_timeout_s)
    if nlu is None:
        nlu = load_nlu(settings)
    responses = ResponseTemplates.load(settings.responses_dir, settings.default_language)
    # Clinician escalation: records + outbox in the tracker store's database (same transaction).
    from assistant.escalations.runtime import build_escalation_service

    escalations = build_escalation_service(settings, tracker_store)
    guidelines = GuidelineLoader(settings)
    from assistant.core.triage_service import TriageService

    patient_data = build_record_connector(settings, tracker_store)
    actions = ActionRunner(
        escalations=escalations,
        answers=guidelines,
        triage=TriageService(settings.emergency_number),
        patient_data=patient_data,
    )
    engine = Engine(
        tracker_store=tracker_store,
        lock_store=lock_store,
        responses=responses,
        safety=build_safety_policy(),
        actions=actions,
        nlu=nlu,
        template_values={
            "emergency_number": settings.emergency_number,
            "crisis_line": settings.crisis_line,
        },
    )
    return Services(
        settings=settings,
        tracker_store=tracker_store,
        lock_store=lock_store,
        engine=engine,
        nlu=nlu,
        escalations=escalations,
        guidelines=guidelines,
        patient_data=patient_data,
    )
