"""Route an escalation to a clinician queue: specialty, availability, load, fallback; SLA and priority.

Pure decisions over plain data: the caller supplies the time, each target's current load and the
targets already tried, so every rule can be tested without a database or a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from policies.routing.rules import RoutingRules, Target

#: Optional extra availability check (e.g. from FHIR PractitionerRole/Schedule): (target, now) -> bool.
Availability = Callable[[Target, datetime], bool]


@dataclass(frozen=True)
class Case:
    """What routing looks at: why we escalate, how urgent, and the coded findings and red flags."""

    reason: str
    level: str = ""
    findings: Sequence[Mapping[str, Any]] = ()
    red_flags: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class RouteDecision:
    target: str
    specialty: str
    patient_label: str
    sla_minutes: float
    priority: int
    on_call: str | None = None
    fallback: bool = False  # no specialty or general target could take it
    exhausted: bool = False  # every target was already tried (re-routing goes round the fallback)
    why: tuple[str, ...] = field(default_factory=tuple)


def classify_specialty(case: Case, rules: RoutingRules) -> tuple[str, list[str]]:
    """The specialty the case points to, and the evidence (highest score wins; ties: file order)."""
    flag_ids = {str(flag.get("id") or flag.get("rule") or "") for flag in case.red_flags} - {""}
    codes = {_code(finding) for finding in case.findings if _present(finding)} - {""}
    texts = " | ".join(
        _text(item) for item in [*case.red_flags, *(f for f in case.findings if _present(f))]
    ).lower()

    best, best_score, best_why = rules.general_specialty, 0, ["no specialty matched"]
    for specialty in rules.specialties:
        score, why = 0, []
        if case.reason in specialty.reasons:
            score, why = score + 3, [*why, f"reason {case.reason}"]
        for flag in sorted(flag_ids & specialty.red_flags):
            score, why = score + 3, [*why, f"red flag {flag}"]
        for code in sorted(codes & specialty.codes):
            score, why = score + 2, [*why, f"finding {code}"]
        for keyword in specialty.keywords:
            if keyword in texts:
                score, why = score + 1, [*why, f"keyword '{keyword}'"]
        if score > best_score:
            best, best_score, best_why = specialty.id, score, why
    return best, [f"specialty {best}: " + ", ".join(best_why)]


def sla_minutes(case: Case, rules: RoutingRules, overrides: Mapping[str, float] | None = None) -> float:
    """Minutes the escalation may wait unclaimed: the tighter of its level's and its reason's SLA."""
    table = {**rules.sla_minutes, **(overrides or {})}
    found = [table[key] for key in (case.level, case.reason) if key and key in table]
    return float(min(found)) if found else float(table["default"])


def priority_of(case: Case, rules: RoutingRules) -> int:
    found = [rules.priority[key] for key in (case.level, case.reason) if key and key in rules.priority]
    return min(found) if found else rules.priority["default"]


def route(
    case: Case,
    rules: RoutingRules,
    now: datetime,
    *,
    load: Mapping[str, int] | None = None,
    exclude: Collection[str] = (),
    availability: Availability | None = None,
    sla_overrides: Mapping[str, float] | None = None,
) -> RouteDecision:
    """Choose the target: the specialty's open, least-loaded queue; then general; then the fallback.

    ``exclude`` holds targets already tried (re-routing after a missed SLA); ``load`` the number of
    open escalations each target holds now.
    """
    load = load or {}
    local = _aware(now).astimezone(rules.timezone)
    specialty, why = classify_specialty(case, rules)
    tiers = [specialty] if specialty == rules.general_specialty else [specialty, rules.general_specialty]

    chosen: Target | None = None
    for tier in tiers:
        candidates = []
        for target in rules.targets:
            if target.specialty != tier or target.id == rules.fallback_target:
                continue
            skip = _unavailable(target, local, now, load, exclude, availability)
            if skip:
                why.append(f"{target.id} skipped: {skip}")
            else:
                candidates.append(target)
        if candidates:
            # Least loaded first; equal load keeps the order of the rules file.
            chosen = min(candidates, key=lambda t: load.get(t.id, 0))
            break

    fallback = chosen is None
    exhausted = False
    if chosen is None:
        chosen = rules.fallback
        exhausted = chosen.id in exclude
        why.append("fallback queue" + (" (every target already tried)" if exhausted else ""))
    why.append(f"routed to {chosen.id}")
    return RouteDecision(
        target=chosen.id,
        specialty=specialty,
        patient_label=chosen.patient_label,
        sla_minutes=sla_minutes(case, rules, sla_overrides),
        priority=priority_of(case, rules),
        on_call=chosen.rota.on_call(local) if chosen.rota else None,
        fallback=fallback,
        exhausted=exhausted,
        why=tuple(why),
    )


def worsening_advice(case: Case, rules: RoutingRules) -> str:
    """The 'what to do if it gets worse' template for the case (placeholders left for the caller).

    The reason's advice comes first: a crisis needs crisis advice whatever level it was given."""
    for key in (case.reason, case.level):
        if key and key in rules.worsening_advice:
            return rules.worsening_advice[key]
    return rules.worsening_advice.get("default", "")


def _unavailable(
    target: Target,
    local: datetime,
    now: datetime,
    load: Mapping[str, int],
    exclude: Collection[str],
    availability: Availability | None,
) -> str:
    if target.id in exclude:
        return "already tried"
    if not target.is_open(local):
        return "outside working hours"
    if target.capacity is not None and load.get(target.id, 0) >= target.capacity:
        return "at capacity"
    if availability is not None and not availability(target, now):
        return "no clinician available"
    return ""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _present(finding: Mapping[str, Any]) -> bool:
    # Negated findings ("no chest pain") must not pull a case towards a specialty.
    return finding.get("present", True) is not False and not finding.get("negated", False)


def _code(item: Mapping[str, Any]) -> str:
    return str(item.get("code") or item.get("snomed") or item.get("id") or "")


def _text(item: Mapping[str, Any]) -> str:
    parts = [item.get(key) for key in ("display", "label", "name", "text", "reason", "id")]
    return " ".join(str(p) for p in parts if p)
