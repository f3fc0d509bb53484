"""Escalation routing: which clinician queue gets an escalation, how soon, and what comes next.

Rules are data (``rules.yml``); the decisions are pure functions over them.
"""

from policies.routing.router import (
    Availability,
    Case,
    RouteDecision,
    classify_specialty,
    priority_of,
    route,
    sla_minutes,
    worsening_advice,
)
from policies.routing.rules import (
    DEFAULT_RULES_FILE,
    Rota,
    RoutingRules,
    RoutingRulesError,
    Specialty,
    Target,
    Window,
    load_rules,
    parse_rules,
)

__all__ = [
    "DEFAULT_RULES_FILE",
    "Availability",
    "Case",
    "Rota",
    "RouteDecision",
    "RoutingRules",
    "RoutingRulesError",
    "Specialty",
    "Target",
    "Window",
    "classify_specialty",
    "load_rules",
    "parse_rules",
    "priority_of",
    "route",
    "sla_minutes",
    "worsening_advice",
]
