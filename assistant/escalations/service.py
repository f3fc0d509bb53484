"""The escalation service: raise (in the caller's transaction), route, enqueue deliveries, claim,
resolve, re-route overdue ones, and audit every step.

Writes that must be atomic with a conversation event take the caller's SQLAlchemy session; every
other method opens its own short transaction. State changes that two clinicians may race for are a
single conditional ``UPDATE`` (``... WHERE status = 'open'``): exactly one of them changes a row.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, event, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.escalations import fhir
from assistant.escalations.domain import OUTCOMES, Escalation, EscalationRequest
from assistant.escalations.endpoints import EndpointDirectory
from assistant.escalations.metrics import METRICS, Metrics
from assistant.escalations.models import (
    CLAIMED,
    DEAD,
    OPEN,
    PENDING,
    RESOLVED,
    AuditRow,
    DeliveryLogRow,
    EscalationRow,
    InboundWebhookRow,
    OutboxJobRow,
)
from assistant.escalations.summary import iso, webhook_body
from assistant.escalations.summary import patient_message as compose_patient_message
from policies.routing import (
    Availability,
    Case,
    RouteDecision,
    RoutingRules,
    route,
    worsening_advice,
)

log = logging.getLogger(__name__)

FHIR_ENDPOINT = "fhir:"  # endpoint_url of FHIR jobs (the writer knows the server)


class EscalationNotFound(LookupError):
    pass


class EscalationConflict(RuntimeError):
    """The escalation is not in a state that allows this (claimed by someone else, resolved...)."""


@dataclass(frozen=True)
class EscalationFilter:
    status: tuple[str, ...] = (OPEN, CLAIMED)
    reason: str | None = None
    level: str | None = None
    specialty: str | None = None
    target: str | None = None
    assignee: str | None = None
    flagged: bool | None = None
    conversation_id: str | None = None
    limit: int = 50
    offset: int = 0


def new_id(prefix: str) -> str:
    """Time-ordered, unguessable ids: ``<prefix>_<ms since epoch, hex><random hex>``."""
    return f"{prefix}_{int(time.time() * 1000):012x}{secrets.token_hex(8)}"


def _utc(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, tz=UTC)


def case_of(source: Any) -> Case:
    return Case(
        reason=str(getattr(source, "reason", "") or "patient_request"),
        level=str(getattr(source, "level", "") or ""),
        findings=tuple(getattr(source, "findings", None) or ()),
        red_flags=tuple(getattr(source, "red_flags", None) or ()),
    )


class EscalationService:
    def __init__(
        self,
        sessions: sessionmaker,
        *,
        rules: RoutingRules,
        endpoints: EndpointDirectory,
        sla_overrides: dict[str, float] | None = None,
        template_values: dict[str, Any] | None = None,
        public_url: str = "",
        fhir_tasks: bool = False,
        availability: Availability | None = None,
        clock: Callable[[], float] = time.time,
        metrics: Metrics = METRICS,
    ) -> None:
        self.sessions = sessions
        self.rules = rules
        self.endpoints = endpoints
        self.sla_overrides = dict(sla_overrides or {})
        self.template_values = dict(template_values or {})
        self.public_url = public_url
        self.fhir_tasks = fhir_tasks
        # Optional live availability (e.g. FHIR PractitionerRole/Schedule), on top of the rules' hours.
        self.availability = availability
        self.clock = clock
        self.metrics = metrics
        self._listeners: list[Callable[[], None]] = []

    # -- wiring -----------------------------------------------------------------------------------
    def add_listener(self, callback: Callable[[], None]) -> None:
        """Called after a transaction that enqueued deliveries commits (wakes the local worker)."""
        self._listeners.append(callback)

    def _notify(self, *_args: Any) -> None:
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:  # noqa: BLE001 - a wake-up is an optimisation; polling still runs
                log.warning("escalation listener failed")

    @staticmethod
    def new_id() -> str:
        return new_id("esc")

    # -- the engine's side --------------------------------------------------------------------------
    def raise_in_transaction(
        self, session: Session | None, request: EscalationRequest, *, escalation_id: str | None = None
    ) -> Escalation:
        """Record the escalation, its routing and its delivery jobs in ``session``'s transaction.

        With ``session=None`` (a tracker store without SQL) it runs in a transaction of its own.
        """
        if session is None:
            with self.sessions.begin() as own:
                escalation = self.raise_in_transaction(own, request, escalation_id=escalation_id)
            self._notify()
            return escalation

        now = self.clock()
        case = case_of(request)
        decision = route(
            case,
            self.rules,
            _utc(now),
            load=self._load(session),
            availability=self.availability,
            sla_overrides=self.sla_overrides,
        )
        row = EscalationRow(
            id=escalation_id or self.new_id(),
            conversation_id=request.conversation_id,
            patient_ref=request.patient_ref,
            reason=case.reason,
            level=case.level,
            priority=decision.priority,
            specialty=decision.specialty,
            target=decision.target,
            on_call=decision.on_call,
            patient_label=decision.patient_label,
            sla_minutes=decision.sla_minutes,
            status=OPEN,
            flagged=False,
            flag_reason=None,
            reroutes=0,
            route_history=[_history(decision, now)],
            findings=list(request.findings or []),
            red_flags=list(request.red_flags or []),
            patient_context=request.patient_context,
            wearable_summary=request.wearable_summary,
            transcript=list(request.transcript_excerpt or []),
            created_at=now,
            due_at=now + decision.sla_minutes * 60,
            claimed_at=None,
            resolved_at=None,
            assignee=None,
            outcome=None,
            outcome_note=None,
        )
        session.add(row)
        escalation = Escalation.from_row(row)
        self._audit(session, row.id, "assistant", "raised", {
            "reason": row.reason, "level": row.level, "target": row.target, "why": list(decision.why),
        })
        self._enqueue(session, escalation, "escalation.raised", now)
        if self.fhir_tasks:
            self._enqueue_fhir(session, escalation, fhir.task_for(escalation), now)
        event.listen(session, "after_commit", self._notify, once=True)
        self.metrics.inc("vha_escalations_raised_total", reason=row.reason)
        return escalation

    def write(self, session: Session | None, escalation_id: str, draft: EscalationRequest) -> None:
        """The engine's ``Escalations`` protocol (``assistant.core.capabilities``)."""
        self.raise_in_transaction(session, draft, escalation_id=escalation_id)

    def patient_message(self, draft: EscalationRequest) -> str:
        """What happens next, for a draft not yet written (routing as it stands right now)."""
        case = case_of(draft)
        decision = route(
            case, self.rules, _utc(self.clock()), availability=self.availability, sla_overrides=self.sla_overrides
        )
        return self._patient_text(case, decision.patient_label, decision.sla_minutes)

    def patient_message_for(self, escalation: Escalation) -> str:
        """What happens next: who will contact the patient, how soon, what to do if it gets worse."""
        return self._patient_text(case_of(escalation), escalation.patient_label, escalation.sla_minutes)

    def _patient_text(self, case: Case, label: str, minutes: float) -> str:
        return compose_patient_message(
            patient_label=label,
            sla_minutes=minutes,
            advice_template=worsening_advice(case, self.rules),
            values=self.template_values,
        )

    # -- reads --------------------------------------------------------------------------------------
    def get(self, escalation_id: str) -> Escalation:
        with self.sessions() as session:
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                raise EscalationNotFound(escalation_id)
            return Escalation.from_row(row)

    def list(self, where: EscalationFilter = EscalationFilter()) -> tuple[list[Escalation], int]:
        """Escalations matching ``where``, most urgent first, then by due time; and the total count."""
        conditions = []
        if where.status:
            conditions.append(EscalationRow.status.in_(where.status))
        for column, value in (
            (EscalationRow.reason, where.reason),
            (EscalationRow.level, where.level),
            (EscalationRow.specialty, where.specialty),
            (EscalationRow.target, where.target),
            (EscalationRow.assignee, where.assignee),
            (EscalationRow.conversation_id, where.conversation_id),
        ):
            if value is not None:
                conditions.append(column == value)
        if where.flagged is not None:
            conditions.append(EscalationRow.flagged.is_(where.flagged))
        with self.sessions() as session:
            total = session.scalar(select(func.count()).select_from(EscalationRow).where(*conditions))
            rows = session.scalars(
                select(EscalationRow)
                .where(*conditions)
                .order_by(EscalationRow.priority, EscalationRow.due_at, EscalationRow.id)
                .limit(where.limit)
                .offset(where.offset)
            ).all()
            return [Escalation.from_row(row) for row in rows], int(total or 0)

    def audit_trail(self, escalation_id: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(
                select(AuditRow).where(AuditRow.escalation_id == escalation_id).order_by(AuditRow.id)
            ).all()
            return [
                {"at": row.at, "actor": row.actor, "action": row.action, "detail": row.detail}
                for row in rows
            ]

    # -- clinician state changes ----------------------------------------------------------------------
    def claim(self, escalation_id: str, clinician: str, *, actor: str = "") -> Escalation:
        """Exactly one clinician wins; the others get ``EscalationConflict``. Re-claiming is a no-op."""
        now = self.clock()
        with self.sessions.begin() as session:
            won = session.execute(
                update(EscalationRow)
                .where(EscalationRow.id == escalation_id, EscalationRow.status == OPEN)
                .values(status=CLAIMED, assignee=clinician, claimed_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                raise EscalationNotFound(escalation_id)
            if won != 1:
                if row.status == CLAIMED and row.assignee == clinician:
                    return Escalation.from_row(row)
                raise EscalationConflict(_conflict_message(row))
            self._audit(session, escalation_id, actor or clinician, "claimed", {"clinician": clinician})
            return Escalation.from_row(row)

    def held_by(self, escalation_id: str, clinician: str) -> Escalation:
        """The escalation, if ``clinician`` holds it (claimed and not resolved); else a conflict."""
        escalation = self.get(escalation_id)
        if escalation.status != CLAIMED or escalation.assignee != clinician:
            raise EscalationConflict(
                "claim this escalation before acting on it"
                if escalation.status == OPEN
                else _conflict_message(escalation)
            )
        return escalation

    def resolve(
        self, escalation_id: str, clinician: str, outcome: str, note: str = "", *, actor: str = ""
    ) -> Escalation:
        """Close the escalation (an open one may be resolved directly, e.g. a duplicate)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        now = self.clock()
        with self.sessions.begin() as session:
            done = session.execute(
                update(EscalationRow)
                .where(
                    EscalationRow.id == escalation_id,
                    or_(
                        EscalationRow.status == OPEN,
                        (EscalationRow.status == CLAIMED) & (EscalationRow.assignee == clinician),
                    ),
                )
                .values(
                    status=RESOLVED,
                    resolved_at=now,
                    outcome=outcome,
                    outcome_note=note or None,
                    assignee=func.coalesce(EscalationRow.assignee, clinician),
                    claimed_at=func.coalesce(EscalationRow.claimed_at, now),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                raise EscalationNotFound(escalation_id)
            if done != 1:
                raise EscalationConflict(_conflict_message(row))
            self._audit(session, escalation_id, actor or clinician, "resolved", {
                "clinician": clinician, "outcome": outcome, "note_chars": len(note or ""),
            })
            return Escalation.from_row(row)

    def audit(self, escalation_id: str, actor: str, action: str, detail: dict[str, Any] | None = None) -> None:
        with self.sessions.begin() as session:
            self._audit(session, escalation_id, actor, action, detail or {})

    def record_reply(self, escalation: Escalation, actor: str, clinician: str, text: str) -> None:
        """Audit a relayed reply (length only: the text itself lives in the conversation) and, when
        FHIR tasks are on, enqueue a ``Communication``."""
        now = self.clock()
        with self.sessions.begin() as session:
            self._audit(session, escalation.id, actor, "replied", {"clinician": clinician, "chars": len(text)})
            if self.fhir_tasks:
                resource = fhir.communication_for(escalation, text, now, clinician)
                self._enqueue_fhir(session, escalation, resource, now)
                event.listen(session, "after_commit", self._notify, once=True)

    # -- SLA: re-route what nobody claimed in time ------------------------------------------------------
    def reroute_overdue(self, limit: int = 50) -> list[str]:
        """Move open escalations past their due time to the next target, flag them, notify again."""
        now = self.clock()
        with self.sessions() as peek:
            overdue = peek.scalar(
                select(func.count())
                .select_from(EscalationRow)
                .where(EscalationRow.status == OPEN, EscalationRow.due_at <= now)
            )
        if not overdue:
            return []
        moved: list[str] = []
        with self.sessions.begin() as session:
            rows = session.scalars(
                select(EscalationRow)
                .where(EscalationRow.status == OPEN, EscalationRow.due_at <= now)
                .order_by(EscalationRow.priority, EscalationRow.due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            load = self._load(session)
            for row in rows:
                previous = row.target
                tried = [str(step.get("target")) for step in row.route_history or []]
                decision = route(
                    case_of(row),
                    self.rules,
                    _utc(now),
                    load=load,
                    exclude=tried,
                    availability=self.availability,
                    sla_overrides=self.sla_overrides,
                )
                row.route_history = [*(row.route_history or []), _history(decision, now, rerouted_from=previous)]
                row.target = decision.target
                row.patient_label = decision.patient_label
                row.on_call = decision.on_call
                row.due_at = now + decision.sla_minutes * 60
                row.reroutes = (row.reroutes or 0) + 1
                row.flagged = True
                row.flag_reason = f"unclaimed past its SLA at {previous}; re-routed to {decision.target}"
                load[previous] = max(0, load.get(previous, 0) - 1)
                load[decision.target] = load.get(decision.target, 0) + 1
                self._audit(session, row.id, "assistant", "rerouted", {
                    "from": previous, "to": decision.target, "why": list(decision.why),
                })
                self._enqueue(session, Escalation.from_row(row), "escalation.rerouted", now)
                moved.append(row.id)
        if moved:
            self.metrics.inc("vha_escalation_reroutes_total", len(moved))
            log.warning("re-routed %d escalation(s) that missed their SLA", len(moved))
            self._notify()
        return moved

    # -- outbox administration ----------------------------------------------------------------------
    def outbox_counts(self) -> dict[str, Any]:
        now = self.clock()
        with self.sessions() as session:
            counts = dict(
                session.execute(
                    select(OutboxJobRow.status, func.count()).group_by(OutboxJobRow.status)
                ).all()
            )
            oldest = session.scalar(
                select(func.min(OutboxJobRow.created_at)).where(OutboxJobRow.status.in_([PENDING, "delivering"]))
            )
        return {
            "by_status": {key: int(value) for key, value in counts.items()},
            "oldest_undelivered_age_s": round(now - oldest, 3) if oldest else 0.0,
        }

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(
                select(OutboxJobRow)
                .where(OutboxJobRow.status == DEAD)
                .order_by(OutboxJobRow.created_at)
                .limit(limit)
            ).all()
            return [_job_dict(row) for row in rows]

    def retry_job(self, job_id: str, *, actor: str = "admin") -> dict[str, Any]:
        """Put a dead-lettered job back in the queue with a fresh attempt budget."""
        with self.sessions.begin() as session:
            changed = session.execute(
                update(OutboxJobRow)
                .where(OutboxJobRow.id == job_id, OutboxJobRow.status == DEAD)
                .values(status=PENDING, attempts=0, next_attempt_at=self.clock(), lease_until=None, locked_by=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            row = session.get(OutboxJobRow, job_id)
            if row is None:
                raise EscalationNotFound(job_id)
            if changed != 1:
                raise EscalationConflict(f"job {job_id} is {row.status}, not dead")
            self._audit(session, row.escalation_id, actor, "delivery_requeued", {"job": job_id})
            event.listen(session, "after_commit", self._notify, once=True)
            return _job_dict(row) | {"status": PENDING, "attempts": 0}

    def deliveries(self, job_id: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(
                select(DeliveryLogRow).where(DeliveryLogRow.job_id == job_id).order_by(DeliveryLogRow.id)
            ).all()
            return [
                {
                    "attempt": row.attempt,
                    "at": iso(row.at),
                    "worker": row.worker,
                    "outcome": row.outcome,
                    "status_code": row.status_code,
                    "error": row.error,
                    "duration_ms": round(row.duration_ms, 2),
                }
                for row in rows
            ]

    def jobs_for(self, escalation_id: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(
                select(OutboxJobRow).where(OutboxJobRow.escalation_id == escalation_id).order_by(OutboxJobRow.created_at)
            ).all()
            return [_job_dict(row) for row in rows]

    # -- internals ------------------------------------------------------------------------------------
    def _load(self, session: Session) -> dict[str, int]:
        rows = session.execute(
            select(EscalationRow.target, func.count())
            .where(EscalationRow.status.in_([OPEN, CLAIMED]))
            .group_by(EscalationRow.target)
        ).all()
        return {str(target): int(count) for target, count in rows}

    def _audit(self, session: Session, escalation_id: str, actor: str, action: str, detail: dict[str, Any]) -> None:
        session.add(
            AuditRow(escalation_id=escalation_id, at=self.clock(), actor=actor[:160], action=action, detail=detail)
        )

    def _enqueue(self, session: Session, escalation: Escalation, event_type: str, now: float) -> None:
        endpoints = self.endpoints.for_target(escalation.target)
        if not endpoints:
            log.info("no webhook endpoint for target %s: the console queue is the only channel", escalation.target)
        for endpoint in endpoints:
            session.add(
                OutboxJobRow(
                    id=new_id("msg"),
                    escalation_id=escalation.id,
                    kind="webhook",
                    event_type=event_type,
                    target=escalation.target,
                    endpoint_url=endpoint.url,
                    body=webhook_body(escalation, event_type, now, public_url=self.public_url),
                    priority=escalation.priority,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )

    def _enqueue_fhir(self, session: Session, escalation: Escalation, resource: dict[str, Any], now: float) -> None:
        session.add(
            OutboxJobRow(
                id=new_id("msg"),
                escalation_id=escalation.id,
                kind="fhir",
                event_type=f"fhir.{resource['resourceType']}",
                target=escalation.target,
                endpoint_url=FHIR_ENDPOINT + resource["resourceType"],
                body=json.dumps(resource, separators=(",", ":")),
                priority=escalation.priority,
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


class SqlReplayGuard:
    """Remembers accepted inbound ``webhook-id``s in the database, shared by every API process."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def first_seen(self, msg_id: str, now: float, keep_until: float) -> bool:
        try:
            with self.sessions.begin() as session:
                session.execute(delete(InboundWebhookRow).where(InboundWebhookRow.keep_until < now))
                session.add(InboundWebhookRow(id=msg_id[:255], received_at=now, keep_until=keep_until))
            return True
        except IntegrityError:
            return False


def _history(decision: RouteDecision, now: float, rerouted_from: str | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"target": decision.target, "at": now, "why": list(decision.why)}
    if rerouted_from:
        step["rerouted_from"] = rerouted_from
    if decision.exhausted:
        step["exhausted"] = True
    return step


def _conflict_message(row: Any) -> str:
    if row.status == CLAIMED:
        return f"already claimed by {row.assignee}"
    if row.status == RESOLVED:
        return "already resolved"
    return f"escalation is {row.status}"


def _job_dict(row: OutboxJobRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "escalation_id": row.escalation_id,
        "kind": row.kind,
        "event_type": row.event_type,
        "target": row.target,
        "endpoint_url": row.endpoint_url,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at),
        "created_at": iso(row.created_at),
        "delivered_at": iso(row.delivered_at),
        "last_status": row.last_status,
        "last_error": row.last_error,
    }
