"""Triage for the API and the conversation: words -> coded facts -> policy -> explained disposition."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from assistant.core.capabilities import TriageStep
from assistant.nlu.findings import ClinicalFacts, extract_facts
from assistant.nlu.findings.extractor import parse_duration_hours, parse_medications
from policies.triage import Facts, TriageResult, triage
from policies.triage.models import FindingFact

MAX_QUESTIONS = 4
_YES = re.compile(r"^\s*(?:y|yes|yeah|yep|yup|ya|sure|i do|i am|it is|it did|correct|definitely|a bit|a little|kind of|sort of)\b", re.IGNORECASE)
_NO = re.compile(r"^\s*(?:n|no|nope|nah|not really|never|none|i don'?t|it isn'?t|it didn'?t|not at all)\b", re.IGNORECASE)


def to_policy_facts(clinical: ClinicalFacts, context: dict[str, Any] | None = None) -> Facts:
    context = context or {}
    v = clinical.vitals
    record_medications = [str(m).lower() for m in context.get("medications", [])]
    # The policy reasons over medicine classes ("anticoagulant"), whether the patient named one or
    # the record lists it; one classifier (the extractor's) serves both.
    medication_classes = dict.fromkeys([*clinical.medications, *parse_medications(" ; ".join(record_medications))])
    findings = [
        FindingFact(f.key, f.code, f.display, f.negated, f.severity, f.onset, f.duration_hours, f.progression, f.radiation)
        for f in clinical.findings
    ]
    return Facts(
        text=clinical.text,
        findings=findings,
        age_years=clinical.age_years if clinical.age_years is not None else context.get("age"),
        sex=clinical.sex or context.get("sex"),
        pregnant=clinical.pregnant if clinical.pregnant is not None else context.get("pregnant"),
        temperature_c=v.temperature_c or context.get("temperature_c"),
        heart_rate=v.heart_rate or context.get("heart_rate"),
        spo2=v.spo2 or context.get("spo2"),
        systolic=v.systolic,
        diastolic=v.diastolic,
        respiratory_rate=v.respiratory_rate,
        duration_hours=clinical.duration_hours,
        onset=clinical.onset,
        severity=clinical.severity,
        progression=clinical.progression,
        conditions=list(context.get("conditions", [])),
        medications=[*medication_classes, *record_medications],
        wearable_deviations=list(context.get("wearable_deviations", [])),
        presentations={p.category: p.score for p in clinical.presentations},
        similar_cases=list(clinical.similar_cases),
    )


def apply_answers(facts: Facts, answers: dict[str, Any]) -> None:
    """Fold free-text or structured interview answers into the facts."""
    for qid, raw in answers.items():
        text = str(raw).strip().lower()
        yes, no = bool(_YES.search(text)), bool(_NO.search(text))
        number = re.search(r"\d+(?:\.\d+)?", text)
        if qid == "severity":
            if number:
                score = float(number.group())
                facts.severity = "severe" if score >= 7 else "moderate" if score >= 4 else "mild"
            elif re.search(r"severe|worst|unbearable|really bad|terrible", text):
                facts.severity = "severe"
            elif re.search(r"mild|slight|not bad|ok", text):
                facts.severity = "mild"
        elif qid == "duration":
            hours = parse_duration_hours(text) or parse_duration_hours(f"for {text}")
            if hours is not None:
                facts.duration_hours = hours
        elif qid in ("fever", "breathing"):
            key = "fever" if qid == "fever" else "shortness_of_breath"
            if yes and not no:
                facts.findings.append(FindingFact(key))
            elif no:
                facts.findings.append(FindingFact(key, negated=True))
        elif qid == "temperature" and number:
            value = float(number.group())
            facts.temperature_c = round((value - 32) * 5 / 9, 1) if value > 45 else value
        elif qid == "onset":
            facts.onset = "sudden" if yes and not no else "gradual" if no else facts.onset
        elif qid == "worsening":
            facts.progression = "worsening" if yes and not no else "stable" if no else facts.progression


def result_to_dict(result: TriageResult, clinical: ClinicalFacts) -> dict[str, Any]:
    return {
        "level": result.level.value,
        "findings": [
            {"code": f.code, "system": f.system, "display": f.display, "negated": f.negated}
            | {k: v for k, v in f.to_dict().items() if k in ("body_site", "onset", "duration_hours", "severity", "progression", "radiation", "matched_by")}
            for f in clinical.findings
        ],
        "red_flags": [flag.to_dict() for flag in result.red_flags],
        "rationale": [r.to_dict() for r in result.rationale],
        "follow_up_questions": [asdict(q) for q in result.follow_up_questions],
        "advice": result.advice,
        "protocol": result.protocol,
        "patient": {"age_years": clinical.age_years, "sex": clinical.sex, "pregnant": clinical.pregnant},
        "vitals": {k: v for k, v in asdict(clinical.vitals).items() if v is not None},
        # Emergency presentations recognised by meaning, with the clause that matched (for audit).
        "presentations": [
            {"category": p.category, "similarity": round(p.score, 3), "text": p.text} for p in clinical.presentations
        ],
    }


class TriageService:
    def __init__(self, emergency_number: str = "999 or 911", *, presentations: bool = True) -> None:
        self.emergency_number = emergency_number
        self.presentations = presentations  # recognise emergency presentations by meaning

    def assess(
        self,
        text: str,
        *,
        age: float | None = None,
        sex: str | None = None,
        answers: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
    ) -> tuple[TriageResult, ClinicalFacts]:
        clinical = extract_facts(text, age=age, sex=sex, presentations=self.presentations)
        facts = to_policy_facts(clinical, context)
        apply_answers(facts, answers or {})
        result = triage(facts, emergency_number=self.emergency_number, answered=set(answers or {}))
        return result, clinical

    def step(self, text: str, state: dict[str, Any] | None, patient: dict[str, Any] | None) -> TriageStep:
        """One turn of the interview; ``state`` is kept by the conversation between turns."""
        state = dict(state or {"text": "", "answers": {}, "asked": []})
        if state.get("pending"):
            state["answers"][state["pending"]] = text
            state["pending"] = None
        else:
            state["text"] = f"{state['text']} {text}".strip()
        result, clinical = self.assess(state["text"], answers=state["answers"], context=patient)
        if result.follow_up_questions and len(state["asked"]) < MAX_QUESTIONS:
            question = result.follow_up_questions[0]
            state["asked"].append(question.id)
            state["pending"] = question.id
            return TriageStep(state=state, question=question.text)
        payload = result_to_dict(result, clinical)
        advice = _explain(payload)
        return TriageStep(
            state=state,
            level=payload["level"],
            advice=advice,
            red_flags=payload["red_flags"],
            findings=payload["findings"],
            rationale=payload["rationale"],
        )


_LEVEL_WORDS = {
    "emergency_ambulance": "This needs an ambulance now.",
    "emergency": "This needs emergency care now.",
    "consultation_24": "You should speak to a doctor today.",
    "consultation": "You should see a doctor in the next few days.",
    "self_care": "This can usually be looked after at home.",
}


def _explain(payload: dict[str, Any]) -> str:
    reasons = [r["explanation"] for r in payload["rationale"] if not r["rule"].endswith(":default")][:3]
    because = f" Why: {'; '.join(reasons)}." if reasons else ""
    return f"{_LEVEL_WORDS[payload['level']]}{because} {payload['advice']} I can't diagnose, but this is the safest next step."
