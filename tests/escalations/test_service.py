"""The escalation service: atomic raise, routing, patient message, claim/resolve, SLA re-routing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from assistant.core.events import EscalationRaised, SessionStarted, UserMessage
from assistant.core.tracker import Tracker
from assistant.escalations.models import EscalationRow, OutboxJobRow
from assistant.escalations.service import EscalationConflict, EscalationFilter, EscalationNotFound
from assistant.stores.tracker_store import SQLTrackerStore
from tests.escalations.conftest import draft, make_service


def count(sessions, table) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)))


def test_escalation_and_its_delivery_commit_with_the_conversation_event(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SQLTrackerStore(f"sqlite:///{tmp_path / 'vha.db'}")
    service = make_service(store.sessions, url="http://127.0.0.1:9/hooks")
    escalation_id = service.new_id()
    tracker = Tracker("conv-1")

    store.append(
        tracker,
        [SessionStarted(), UserMessage(text="crushing chest pain"), EscalationRaised(escalation_id=escalation_id, reason="triage")],
        same_transaction=lambda session: service.write(session, escalation_id, draft()),
    )

    escalation = service.get(escalation_id)
    assert escalation.conversation_id == "conv-1" and escalation.status == "open"
    jobs = service.jobs_for(escalation_id)
    assert [(j["event_type"], j["status"]) for j in jobs] == [("escalation.raised", "pending")]
    store.close()


def test_a_failed_conversation_write_leaves_no_escalation_and_no_job(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SQLTrackerStore(f"sqlite:///{tmp_path / 'vha.db'}")
    service = make_service(store.sessions, url="http://127.0.0.1:9/hooks")

    def write_then_fail(session) -> None:  # type: ignore[no-untyped-def]
        service.write(session, service.new_id(), draft())
        raise RuntimeError("the event write failed")

    with pytest.raises(RuntimeError):
        store.append(Tracker("conv-1"), [SessionStarted()], same_transaction=write_then_fail)
    assert count(store.sessions, EscalationRow) == 0
    assert count(store.sessions, OutboxJobRow) == 0
    store.close()


def test_routing_sla_and_summary_are_recorded(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, url="http://127.0.0.1:9/hooks", clock=clock)
    escalation = service.raise_in_transaction(None, draft())

    assert escalation.specialty == "cardiology"
    assert escalation.target == "cardiology-nurses"
    assert escalation.due_at - escalation.created_at == 5 * 60
    body = json.loads(service_job_body(db, escalation.id))
    assert body["type"] == "escalation.raised"
    summary = body["data"]
    assert summary["headline"].startswith("EMERGENCY")
    assert "crushing chest pain" in summary["headline"]
    assert summary["patient_ref"] == "pat-42"
    assert summary["transcript_excerpt"][0]["text"] == "crushing chest pain"
    assert summary["links"]["claim"].endswith(f"/v1/escalations/{escalation.id}/claim")


def service_job_body(sessions, escalation_id: str) -> str:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(OutboxJobRow.body).where(OutboxJobRow.escalation_id == escalation_id))


def test_patient_is_told_who_how_soon_and_what_to_do_if_worse(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, clock=clock)
    text = service.patient_message(draft())
    assert "a nurse from our cardiology team" in text
    assert "5 minutes" in text
    assert "999" in text
    crisis = service.raise_in_transaction(None, draft(reason="crisis", level="emergency", red_flags=[]))
    crisis_text = service.patient_message_for(crisis)
    assert "crisis team" in crisis_text and "116 123" in crisis_text


def test_no_endpoint_means_no_job_but_the_queue_still_shows_it(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, clock=clock)
    escalation = service.raise_in_transaction(None, draft())
    assert service.jobs_for(escalation.id) == []
    items, total = service.list()
    assert total == 1 and items[0].id == escalation.id


def test_queue_is_sorted_by_urgency_then_due_time_and_filters(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, clock=clock)
    routine = service.raise_in_transaction(None, draft(level="consultation_24", red_flags=[]))
    clock.advance(1)
    urgent = service.raise_in_transaction(None, draft(level="emergency_ambulance"))
    clock.advance(1)
    person = service.raise_in_transaction(None, draft(reason="patient_request", level="", red_flags=[], findings=[]))

    items, _ = service.list()
    assert [e.id for e in items] == [urgent.id, routine.id, person.id]
    only_requests, total = service.list(EscalationFilter(reason="patient_request"))
    assert total == 1 and only_requests[0].id == person.id


def test_one_claim_wins_and_others_conflict(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, clock=clock)
    escalation = service.raise_in_transaction(None, draft())
    claimed = service.claim(escalation.id, "dr-a")
    assert (claimed.status, claimed.assignee) == ("claimed", "dr-a")
    assert service.claim(escalation.id, "dr-a").assignee == "dr-a"  # repeat by the winner is harmless
    with pytest.raises(EscalationConflict, match="already claimed by dr-a"):
        service.claim(escalation.id, "dr-b")
    with pytest.raises(EscalationNotFound):
        service.claim("esc_missing", "dr-a")


def test_resolve_needs_the_holder_and_records_the_outcome(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, clock=clock)
    escalation = service.raise_in_transaction(None, draft())
    service.claim(escalation.id, "dr-a")
    with pytest.raises(EscalationConflict):
        service.resolve(escalation.id, "dr-b", "advice_given")
    with pytest.raises(ValueError, match="outcome must be one of"):
        service.resolve(escalation.id, "dr-a", "cured")
    done = service.resolve(escalation.id, "dr-a", "referred_emergency", "sent to ED")
    assert (done.status, done.outcome, done.outcome_note) == ("resolved", "referred_emergency", "sent to ED")
    with pytest.raises(EscalationConflict, match="already resolved"):
        service.claim(escalation.id, "dr-b")
    actions = [entry["action"] for entry in service.audit_trail(escalation.id)]
    assert actions == ["raised", "claimed", "resolved"]


def test_unclaimed_past_sla_is_rerouted_flagged_and_notified_again(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, url="http://127.0.0.1:9/hooks", clock=clock)
    escalation = service.raise_in_transaction(None, draft())
    assert service.reroute_overdue() == []

    clock.advance(5 * 60 + 1)
    assert service.reroute_overdue() == [escalation.id]

    moved = service.get(escalation.id)
    assert moved.target == "gp-duty-team"  # cardiology tried; next is the general tier
    assert moved.flagged and "unclaimed past its SLA" in (moved.flag_reason or "")
    assert moved.reroutes == 1
    assert moved.due_at == clock.now + 5 * 60
    assert [j["event_type"] for j in service.jobs_for(escalation.id)] == ["escalation.raised", "escalation.rerouted"]
    assert service.audit_trail(escalation.id)[-1]["detail"]["to"] == "gp-duty-team"


def test_claimed_escalations_are_not_rerouted(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, clock=clock)
    escalation = service.raise_in_transaction(None, draft())
    service.claim(escalation.id, "dr-a")
    clock.advance(3600)
    assert service.reroute_overdue() == []


def test_live_availability_can_send_it_past_a_team_nobody_staffs(db, clock) -> None:  # type: ignore[no-untyped-def]
    service = make_service(db, clock=clock, availability=lambda target, _now: target.id != "cardiology-nurses")
    assert service.raise_in_transaction(None, draft()).target == "gp-duty-team"
