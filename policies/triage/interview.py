"""The short interview: the few questions whose answers could change the disposition."""

from __future__ import annotations

from policies.triage.models import Facts, Question

QUESTIONS: dict[str, Question] = {
    "severity": Question("severity", "On a scale of 0 to 10, how bad is it right now?", "scale"),
    "duration": Question("duration", "How long have you had this?", "duration"),
    "fever": Question("fever", "Do you have a high temperature (38°C / 100.4°F or above), or feel hot and shivery?", "yes_no"),
    "breathing": Question("breathing", "Are you finding it hard to breathe?", "yes_no"),
    "temperature": Question("temperature", "What is the temperature, if you have measured it?", "number"),
    "onset": Question("onset", "Did it start suddenly (within minutes)?", "yes_no"),
    "worsening": Question("worsening", "Is it getting worse?", "yes_no"),
}


def is_known(question_id: str, facts: Facts) -> bool:
    if question_id == "severity":
        return facts.severity is not None or any(f.severity for f in facts.findings if not f.negated)
    if question_id == "duration":
        return facts.duration_hours is not None or any(f.duration_hours for f in facts.findings)
    if question_id == "fever":
        return any(f.key == "fever" for f in facts.findings) or facts.temperature_c is not None
    if question_id == "breathing":
        return any(f.key == "shortness_of_breath" for f in facts.findings)
    if question_id == "temperature":
        return facts.temperature_c is not None or not facts.has("fever")
    if question_id == "onset":
        return facts.onset is not None
    if question_id == "worsening":
        return facts.progression is not None
    return True


def missing_questions(wanted: list[str], facts: Facts, answered: set[str], limit: int = 5) -> list[Question]:
    out: list[Question] = []
    for qid in wanted:
        if qid in answered or qid not in QUESTIONS or is_known(qid, facts):
            continue
        if QUESTIONS[qid] not in out:
            out.append(QUESTIONS[qid])
        if len(out) >= limit:
            break
    return out
