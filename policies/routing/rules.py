"""Routing rules as plain data: specialties, targets with working hours and rotas, SLAs, fallback.

Loaded from YAML (``rules.yml`` next to this file by default) and validated up front, so a typo in a
deployment's rules fails at start-up with a message naming the entry, not at 3 a.m. on a routing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_RULES_FILE = Path(__file__).parent / "rules.yml"

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RoutingRulesError(ValueError):
    """The rules file is malformed; the message names the offending entry."""


@dataclass(frozen=True)
class Window:
    """A weekly working-hours window; ``end <= start`` means it runs past midnight."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def contains(self, local: datetime) -> bool:
        moment = local.time().replace(tzinfo=None)
        weekday = local.weekday()
        if self.start < self.end:
            return weekday in self.days and self.start <= moment < self.end
        # Overnight: the part before midnight belongs to the day it starts on.
        if moment >= self.start:
            return weekday in self.days
        return moment < self.end and (weekday - 1) % 7 in self.days


@dataclass(frozen=True)
class Rota:
    """Who is on call: ``clinicians`` take turns, each for ``period_days``, counted from ``starts``."""

    starts: date
    period_days: int
    clinicians: tuple[str, ...]

    def on_call(self, local: datetime) -> str:
        turns = (local.date() - self.starts).days // self.period_days
        return self.clinicians[turns % len(self.clinicians)]


@dataclass(frozen=True)
class Specialty:
    id: str
    label: str
    reasons: frozenset[str] = frozenset()
    red_flags: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """A clinician queue that escalations are routed and delivered to."""

    id: str
    specialty: str
    patient_label: str
    hours: tuple[Window, ...] = ()  # empty: 24/7
    capacity: int | None = None
    rota: Rota | None = None

    def is_open(self, local: datetime) -> bool:
        return not self.hours or any(window.contains(local) for window in self.hours)


@dataclass(frozen=True)
class RoutingRules:
    timezone: ZoneInfo
    specialties: tuple[Specialty, ...]
    targets: tuple[Target, ...]
    fallback_target: str
    general_specialty: str
    sla_minutes: Mapping[str, float]
    priority: Mapping[str, int]
    worsening_advice: Mapping[str, str] = field(default_factory=dict)

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)

    def specialty(self, specialty_id: str) -> Specialty:
        for specialty in self.specialties:
            if specialty.id == specialty_id:
                return specialty
        raise KeyError(specialty_id)

    @property
    def fallback(self) -> Target:
        return self.target(self.fallback_target)


@lru_cache(maxsize=8)
def load_rules(path: Path | str | None = None) -> RoutingRules:
    """Read and validate a rules file (the packaged default when ``path`` is None)."""
    source = Path(path) if path else DEFAULT_RULES_FILE
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RoutingRulesError(f"cannot read routing rules {source}: {exc}") from exc
    return parse_rules(raw, where=str(source))


def parse_rules(raw: Any, *, where: str = "rules") -> RoutingRules:
    if not isinstance(raw, dict):
        raise RoutingRulesError(f"{where}: expected a mapping at the top level")
    try:
        zone = ZoneInfo(str(raw.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RoutingRulesError(f"{where}: unknown timezone {raw.get('timezone')!r}") from exc

    specialties = tuple(_specialty(item, where) for item in _list(raw, "specialties", where))
    specialty_ids = {s.id for s in specialties}
    general = str(raw.get("general_specialty", "general"))
    if general not in specialty_ids:
        raise RoutingRulesError(f"{where}: general_specialty {general!r} is not a listed specialty")

    targets = tuple(_target(item, where) for item in _list(raw, "targets", where))
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            raise RoutingRulesError(f"{where}: target {target.id!r} is listed twice")
        seen.add(target.id)
        if target.specialty not in specialty_ids:
            raise RoutingRulesError(
                f"{where}: target {target.id!r} names unknown specialty {target.specialty!r}"
            )
    fallback = str(raw.get("fallback_target", ""))
    if fallback not in seen:
        raise RoutingRulesError(f"{where}: fallback_target {fallback!r} is not a listed target")

    sla = {str(k): float(v) for k, v in (raw.get("sla_minutes") or {}).items()}
    if "default" not in sla:
        raise RoutingRulesError(f"{where}: sla_minutes needs a 'default'")
    if any(v <= 0 for v in sla.values()):
        raise RoutingRulesError(f"{where}: sla_minutes must be positive")
    priority = {str(k): int(v) for k, v in (raw.get("priority") or {"default": 3}).items()}
    priority.setdefault("default", 3)
    advice = {str(k): str(v) for k, v in (raw.get("worsening_advice") or {}).items()}
    return RoutingRules(
        timezone=zone,
        specialties=specialties,
        targets=targets,
        fallback_target=fallback,
        general_specialty=general,
        sla_minutes=sla,
        priority=priority,
        worsening_advice=advice,
    )


def _list(raw: dict, key: str, where: str) -> list[dict]:
    items = raw.get(key)
    if not isinstance(items, list) or not items:
        raise RoutingRulesError(f"{where}: '{key}' must be a non-empty list")
    for item in items:
        if not isinstance(item, dict) or not item.get("id"):
            raise RoutingRulesError(f"{where}: every entry of '{key}' needs an 'id'")
    return items


def _strings(value: Any) -> frozenset[str]:
    return frozenset(str(v) for v in (value or ()))


def _specialty(item: dict, where: str) -> Specialty:
    return Specialty(
        id=str(item["id"]),
        label=str(item.get("label", item["id"])),
        reasons=_strings(item.get("reasons")),
        red_flags=_strings(item.get("red_flags")),
        codes=_strings(item.get("codes")),
        keywords=tuple(str(k).lower() for k in item.get("keywords") or ()),
    )


def _target(item: dict, where: str) -> Target:
    name = f"{where}: target {item['id']!r}"
    capacity = item.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1):
        raise RoutingRulesError(f"{name}: capacity must be a positive integer")
    return Target(
        id=str(item["id"]),
        specialty=str(item.get("specialty", "")),
        patient_label=str(item.get("patient_label") or "a clinician from our care team"),
        hours=tuple(_window(w, name) for w in item.get("hours") or ()),
        capacity=capacity,
        rota=_rota(item["rota"], name) if item.get("rota") else None,
    )


def _window(item: Any, where: str) -> Window:
    if not isinstance(item, dict):
        raise RoutingRulesError(f"{where}: each hours entry must be a mapping")
    days = set()
    for day in item.get("days") or DAY_NAMES:
        key = str(day).lower()[:3]
        if key not in DAY_NAMES:
            raise RoutingRulesError(f"{where}: unknown day {day!r}")
        days.add(DAY_NAMES.index(key))
    return Window(frozenset(days), _clock(item.get("start"), where), _clock(item.get("end"), where))


def _clock(value: Any, where: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        if str(value) == "24:00":
            return time(0, 0)
        return time(int(hours), int(minutes))
    except (ValueError, TypeError) as exc:
        raise RoutingRulesError(f"{where}: times are 'HH:MM', got {value!r}") from exc


def _rota(item: Any, where: str) -> Rota:
    try:
        clinicians = tuple(str(c) for c in item["clinicians"])
        rota = Rota(date.fromisoformat(str(item["starts"])), int(item.get("period_days", 7)), clinicians)
    except (KeyError, TypeError, ValueError) as exc:
        raise RoutingRulesError(f"{where}: rota needs 'starts' (YYYY-MM-DD) and 'clinicians'") from exc
    if not clinicians or rota.period_days < 1:
        raise RoutingRulesError(f"{where}: rota needs clinicians and period_days >= 1")
    return rota
