"""Build the escalation service and its worker from settings; start/stop the worker with the app."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import sessionmaker

from assistant.config import Settings
from assistant.escalations.endpoints import EndpointDirectory, callback_secrets
from assistant.escalations.fhir import FhirWriter
from assistant.escalations.service import EscalationService, SqlReplayGuard
from assistant.escalations.worker import BackgroundWorker, OutboxWorker, WorkerConfig
from connectors.webhooks import WebhookVerifier
from policies.routing import load_rules

log = logging.getLogger(__name__)


def escalation_sessions(settings: Settings, tracker_store: Any = None) -> sessionmaker:
    """Sessions on the tracker store's database (so escalations commit with conversation events);
    a SQLite file of their own when trackers live in memory."""
    sessions = getattr(tracker_store, "sessions", None)
    if isinstance(sessions, sessionmaker):
        return sessions
    from assistant.stores.migrate import upgrade
    from assistant.stores.sql import make_engine, make_sessionmaker

    url = settings.resolved_tracker_store_url
    if url.startswith("memory"):
        url = f"sqlite:///{(settings.data_dir / 'escalations.db').as_posix()}"
    engine = make_engine(url)
    upgrade(engine)
    return make_sessionmaker(engine)


def build_escalation_service(settings: Settings, tracker_store: Any = None) -> EscalationService:
    return EscalationService(
        escalation_sessions(settings, tracker_store),
        rules=load_rules(settings.escalation_routing_rules),
        endpoints=EndpointDirectory.from_settings(settings),
        sla_overrides=settings.escalation_sla_minutes,
        template_values={"emergency_number": settings.emergency_number, "crisis_line": settings.crisis_line},
        public_url=settings.escalation_public_url,
        fhir_tasks=settings.escalation_fhir_tasks,
    )


def build_worker(
    settings: Settings, service: EscalationService, *, fhir_writer: FhirWriter | None = None
) -> OutboxWorker:
    worker = OutboxWorker(
        service.sessions,
        service.endpoints,
        WorkerConfig.from_settings(settings),
        rerouter=service.reroute_overdue,
        fhir_writer=fhir_writer,
    )
    service.add_listener(worker.wake)  # new escalations are sent at once, not at the next poll
    return worker


def build_callback_verifier(settings: Settings, service: EscalationService) -> WebhookVerifier | None:
    secrets = callback_secrets(settings)
    if not secrets:
        return None
    return WebhookVerifier(
        secrets,
        tolerance_s=settings.escalation_callback_tolerance_s,
        replay_guard=SqlReplayGuard(service.sessions),
        replay_window_s=settings.escalation_replay_window_s,
    )


def start_background_worker(settings: Settings, service: EscalationService | None, **kwargs: Any) -> BackgroundWorker | None:
    """Start the in-process worker when enabled; None when disabled or there is no service."""
    if service is None or not settings.escalation_worker:
        return None
    if service.endpoints.configured and not service.endpoints.signing_secrets:
        log.error("escalation webhooks are configured but VHA_ESCALATION_SIGNING_SECRETS is empty: "
                  "deliveries will fail until a secret is set")
    return BackgroundWorker(build_worker(settings, service, **kwargs)).start()
