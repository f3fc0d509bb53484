"""Red flags first, then protocols, then context; the level never drops below a red flag."""

from __future__ import annotations

from policies.triage.interview import missing_questions
from policies.triage.models import Facts, Level, Rationale, TriageResult
from policies.triage.protocols import evaluate_protocols
from policies.triage.red_flags import evaluate_red_flags

ADVICE = {
    Level.EMERGENCY_AMBULANCE: (
        "Call {emergency} now for an ambulance. Don't drive yourself. While you wait, stay with the "
        "person, don't give them anything to eat or drink, and follow the call handler's instructions."
    ),
    Level.EMERGENCY: (
        "Go to an emergency department (A&E / ER) now, or call {emergency} if you can't get there "
        "safely or things get worse on the way."
    ),
    Level.CONSULTATION_24: (
        "Speak to a doctor today (within 24 hours): contact your GP practice, an urgent care service, "
        "or NHS 111 in the UK. Call {emergency} if you get severe pain, trouble breathing, confusion, or "
        "you feel much worse."
    ),
    Level.CONSULTATION: (
        "Book an appointment with your GP or doctor in the next few days. If it gets worse or new "
        "symptoms appear, get help sooner; call {emergency} in an emergency."
    ),
    Level.SELF_CARE: (
        "This can usually be looked after at home: rest, drink fluids, and a pharmacist can advise on "
        "over-the-counter remedies. See a doctor if it isn't improving in a few days or gets worse, and "
        "call {emergency} if you develop severe symptoms such as trouble breathing or chest pain."
    ),
}


def _context_adjustments(facts: Facts, level: Level) -> tuple[Level, list[Rationale]]:
    notes: list[Rationale] = []
    vulnerable = (facts.age_years is not None and (facts.age_years < 1 or facts.age_years >= 80)) or bool(facts.pregnant)
    if vulnerable and level in (Level.SELF_CARE, Level.CONSULTATION):
        notes.append(Rationale("context:vulnerable", level.one_up(), "Very young, older or pregnant patients are seen sooner", "https://www.nhs.uk/conditions/fever-in-children/"))
        level = level.one_up()
    if facts.conditions and level == Level.SELF_CARE:
        notes.append(Rationale("context:long_term_condition", Level.CONSULTATION, "A long-term condition on record: a clinician should review", "https://www.nhs.uk/nhs-services/gps/"))
        level = Level.CONSULTATION
    return level, notes


def triage(facts: Facts, *, emergency_number: str = "999 or 911", answered: set[str] | None = None) -> TriageResult:
    red_flags = evaluate_red_flags(facts)
    protocol_level, rationale, protocols = evaluate_protocols(facts)
    if protocol_level is None:
        # Nothing recognised: be conservative and let a clinician look.
        protocol_level = Level.CONSULTATION
        rationale.append(Rationale("no_protocol", Level.CONSULTATION, "Symptoms not matched to a protocol: a clinician should assess", "https://www.nhs.uk/nhs-services/gps/"))
    level = protocol_level
    for flag in red_flags:
        level = level.at_least(flag.level)
        rationale.insert(0, Rationale(f"red_flag:{flag.id}", flag.level, flag.description, flag.source))
    level, notes = _context_adjustments(facts, level)
    rationale.extend(notes)
    wanted: list[str] = []
    for protocol in protocols:
        wanted.extend(protocol.ask)
    questions = [] if level.urgency >= Level.EMERGENCY.urgency else missing_questions(wanted, facts, answered or set())
    advice = ADVICE[level].format(emergency=emergency_number)
    return TriageResult(level, red_flags, rationale, questions, advice, protocols[0].id if protocols else None)
