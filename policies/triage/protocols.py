"""Load the versioned protocol files and evaluate them against the facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from policies.triage.models import Facts, Level, Rationale

PROTOCOL_DIR = Path(__file__).parent / "protocols"
CONDITIONS = {
    "duration_hours_gte", "duration_hours_lt", "severity", "progression", "onset", "age_lt", "age_gte",
    "with", "temperature_gte", "pregnant",
}


@dataclass(frozen=True)
class ProtocolRule:
    id: str
    when: dict[str, Any]
    level: Level
    why: str
    source: str


@dataclass(frozen=True)
class Protocol:
    id: str
    version: str
    findings: tuple[str, ...]
    default: Level
    source: str
    ask: tuple[str, ...]
    rules: tuple[ProtocolRule, ...] = field(default_factory=tuple)


class ProtocolError(ValueError):
    pass


@lru_cache(maxsize=1)
def load_protocols(directory: Path = PROTOCOL_DIR) -> tuple[Protocol, ...]:
    protocols: list[Protocol] = []
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        version = str(document.get("version", ""))
        for pid, item in document["protocols"].items():
            rules = []
            for raw in item.get("rules", []):
                unknown = set(raw["when"]) - CONDITIONS
                if unknown:
                    raise ProtocolError(f"{path.name}:{pid}:{raw['id']}: unknown conditions {sorted(unknown)}")
                if not str(raw.get("source", "")).startswith("https://"):
                    raise ProtocolError(f"{path.name}:{pid}:{raw['id']}: every rule must cite a public source URL")
                rules.append(ProtocolRule(raw["id"], dict(raw["when"]), Level(raw["level"]), raw["why"], raw["source"]))
            protocols.append(
                Protocol(pid, version, tuple(item["findings"]), Level(item["default"]), item["source"],
                         tuple(item.get("ask", [])), tuple(rules))
            )
    return tuple(protocols)


def _duration(facts: Facts, keys: tuple[str, ...]) -> float | None:
    values = [f.duration_hours for f in facts.findings if f.key in keys and f.duration_hours is not None]
    return max(values) if values else facts.duration_hours


def _severity(facts: Facts, keys: tuple[str, ...]) -> str | None:
    for f in facts.findings:
        if f.key in keys and not f.negated and f.severity:
            return f.severity
    return facts.severity


def rule_holds(rule: ProtocolRule, facts: Facts, protocol: Protocol) -> bool:
    when = rule.when
    duration = _duration(facts, protocol.findings)
    checks = {
        "duration_hours_gte": lambda v: duration is not None and duration >= v,
        "duration_hours_lt": lambda v: duration is not None and duration < v,
        "severity": lambda v: _severity(facts, protocol.findings) == v,
        "progression": lambda v: facts.progression == v or any(f.progression == v for f in facts.findings if f.key in protocol.findings),
        "onset": lambda v: facts.onset == v or any(f.onset == v for f in facts.findings if f.key in protocol.findings),
        "age_lt": lambda v: facts.age_years is not None and facts.age_years < v,
        "age_gte": lambda v: facts.age_years is not None and facts.age_years >= v,
        # A stated temperature of 38C or more is a fever, in whatever words ("T 38.2").
        "with": lambda v: all(facts.febrile if k == "fever" else facts.has(k) for k in v),
        "temperature_gte": lambda v: facts.temperature_c is not None and facts.temperature_c >= v,
        "pregnant": lambda v: bool(facts.pregnant) == bool(v),
    }
    return all(checks[key](value) for key, value in when.items())


def evaluate_protocols(facts: Facts) -> tuple[Level | None, list[Rationale], list[Protocol]]:
    """The highest level any applicable protocol reaches, with the rules that got it there."""
    applicable = [p for p in load_protocols() if any(facts.has(k) for k in p.findings)]
    if not applicable:
        return None, [], []
    level = Level.SELF_CARE
    rationale: list[Rationale] = []
    for protocol in applicable:
        reached = protocol.default
        reasons = [Rationale(f"{protocol.id}:default", protocol.default,
                             f"{protocol.id.replace('_', ' ')} protocol (v{protocol.version}) starting point", protocol.source)]
        for rule in protocol.rules:
            if rule_holds(rule, facts, protocol):
                reasons.append(Rationale(f"{protocol.id}:{rule.id}", rule.level, rule.why, rule.source))
                reached = reached.at_least(rule.level)
        level = level.at_least(reached)
        rationale.extend(reasons)
    return level, rationale, applicable
