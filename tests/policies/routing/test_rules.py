"""Malformed routing rules fail at load time with a message that names the problem."""

from __future__ import annotations

import copy

import pytest

from policies.routing import RoutingRulesError, load_rules, parse_rules
from tests.policies.routing.test_router import RULES


def broken(**changes: object) -> dict:
    rules = copy.deepcopy(RULES)
    rules.update(changes)
    return rules


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (broken(fallback_target="nobody"), "fallback_target 'nobody'"),
        (broken(timezone="Mars/Olympus"), "unknown timezone"),
        (broken(sla_minutes={"emergency": 5}), "needs a 'default'"),
        (broken(targets=[{"id": "x", "specialty": "dermatology"}]), "unknown specialty 'dermatology'"),
        (broken(targets=[{"id": "duty", "specialty": "general"}] * 2, fallback_target="duty"), "listed twice"),
        (broken(targets=[{"id": "duty", "specialty": "general", "hours": [{"start": "8am", "end": "18:00"}]}],
                fallback_target="duty"), "HH:MM"),
        (broken(targets=[{"id": "duty", "specialty": "general", "capacity": 0}], fallback_target="duty"), "capacity"),
        (broken(specialties=[]), "'specialties' must be a non-empty list"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(rules: dict, message: str) -> None:
    with pytest.raises(RoutingRulesError, match=message):
        parse_rules(rules)


def test_unreadable_rules_file_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RoutingRulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yml")


def test_the_shipped_rules_load() -> None:
    rules = load_rules()
    assert rules.fallback.id == "duty-doctor-oncall"
    assert rules.fallback.rota is not None
