"""The patient context the connector hands to the rest of the product (its typed edge).

Every item keeps its codes and the reference of the resource it came from, so a clinician (or an
audit) can trace any line of a summary back to the record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.fhir.codes import (
    HEART_RATE_CODES,
    KEY_LAB_CODES,
    LOINC,
    SPO2_CODES,
    SYSTEM_NAMES,
    TEMPERATURE_CODES,
)

Sex = Literal["female", "male", "other", "unknown"]
Pregnancy = Literal["pregnant", "not_pregnant", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Code(_Model):
    system: str | None = None
    code: str | None = None
    display: str | None = None

    def label(self) -> str:
        system = SYSTEM_NAMES.get(self.system or "", self.system or "?")
        return f"{system} {self.code}"


class Item(_Model):
    """Something from the record: what it is, its codes, and where it came from."""

    display: str
    codes: list[Code] = Field(default_factory=list)
    source: str = Field(description="the resource it was read from, e.g. Condition/123")

    def code_in(self, system: str, codes: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        return any(c.system == system and c.code in codes for c in self.codes)


class ConditionItem(Item):
    clinical_status: str | None = None
    onset: datetime | date | None = None
    recorded: datetime | date | None = None


class MedicationItem(Item):
    kind: Literal["request", "statement"]
    status: str | None = None
    authored: datetime | date | None = None
    dosage: str | None = None


class AllergyItem(Item):
    clinical_status: str | None = None
    criticality: str | None = None
    reactions: list[str] = Field(default_factory=list)
    recorded: datetime | date | None = None


class ObservationItem(Item):
    category: str | None = None  # vital-signs, laboratory, ...
    value: float | str | bool | None = None
    unit: str | None = None
    effective: datetime | None = None

    def value_text(self) -> str:
        if self.value is None:
            return "no value"
        if isinstance(self.value, float):
            number = f"{self.value:.4g}"  # four significant digits: 138.6 cm, 5.41 %, 38.9 Cel
            return f"{number} {self.unit}" if self.unit else number
        return str(self.value)


class EncounterItem(Item):
    status: str | None = None
    encounter_class: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    reasons: list[str] = Field(default_factory=list)


class PatientContext(_Model):
    """What the record says about one patient, as read at `retrieved_at`."""

    patient_id: str
    server: str
    retrieved_at: datetime
    age_years: float | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    deceased: bool = False
    pregnancy: Pregnancy = "unknown"
    pregnancy_source: str | None = None  # the resource that decided it
    conditions: list[ConditionItem] = Field(default_factory=list)
    medications: list[MedicationItem] = Field(default_factory=list)
    allergies: list[AllergyItem] = Field(default_factory=list)
    vitals: list[ObservationItem] = Field(default_factory=list)  # latest per code, newest first
    labs: list[ObservationItem] = Field(default_factory=list)  # latest per code, key labs first
    encounters: list[EncounterItem] = Field(default_factory=list)  # newest first
    resource_types: list[str] = Field(
        default_factory=list, description="resource types that were read successfully"
    )
    missing: list[str] = Field(
        default_factory=list, description="resource types that could not be read (degraded)"
    )

    @property
    def pregnant(self) -> bool | None:
        return {"pregnant": True, "not_pregnant": False}.get(self.pregnancy)

    # -- for the triage policy -------------------------------------------------------------------

    def triage_context(
        self, *, now: datetime | None = None, recent_hours: float = 48.0
    ) -> dict[str, Any]:
        """Plain facts for triage, with only the keys that are known: `age`, `sex`, `pregnant`,
        `conditions`, `medications`, and the vitals `temperature_c`, `heart_rate`, `spo2` when the
        record has a reading from the last `recent_hours` (older readings say nothing about today)."""
        out: dict[str, Any] = {}
        if self.age_years is not None:
            out["age"] = self.age_years
        if self.sex in ("female", "male"):
            out["sex"] = self.sex
        if self.pregnant is not None:
            out["pregnant"] = self.pregnant
        if self.conditions:
            out["conditions"] = [c.display for c in self.conditions]
        if self.medications:
            out["medications"] = [m.display for m in self.medications]
        cutoff = (now or datetime.now(UTC)) - timedelta(hours=recent_hours)
        for key, codes, cast in (
            ("temperature_c", TEMPERATURE_CODES, lambda v: round(v, 1)),
            ("heart_rate", HEART_RATE_CODES, lambda v: round(v)),
            ("spo2", SPO2_CODES, lambda v: round(v)),
        ):
            reading = self._latest_vital(codes, cutoff)
            if reading is not None:
                out[key] = cast(reading)
        return out

    def _latest_vital(self, codes: frozenset[str], cutoff: datetime) -> float | None:
        candidates = [
            v
            for v in self.vitals
            if v.code_in(LOINC, codes)
            and isinstance(v.value, float)
            and v.effective is not None
            and v.effective >= cutoff
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda v: v.effective or cutoff).value  # type: ignore[return-value]

    # -- for a clinician -------------------------------------------------------------------------

    def clinician_summary(self, *, max_labs: int = 8) -> str:
        """A compact plain-text summary: demographics, problems, medicines, allergies, latest
        vitals and key labs, recent encounters; each line with its code and date."""
        who = [
            f"{self.age_years:.0f} y" if self.age_years is not None else "age unknown",
            self.sex or "sex unknown",
        ]
        if self.pregnancy != "unknown":
            who.append(self.pregnancy.replace("_", " "))
        if self.deceased:
            who.append("deceased")
        lines = [f"Patient {self.patient_id}: " + ", ".join(who)]

        def section(title: str, entries: list[str]) -> None:
            lines.append(f"{title}: " + ("; ".join(entries) if entries else "none recorded"))

        section("Active conditions", [_with_code(c, c.onset) for c in self.conditions])
        section("Medications", [_with_code(m, m.authored) for m in self.medications])
        section("Allergies", [_with_code(a, None, a.criticality) for a in self.allergies])
        section(
            "Latest vitals",
            [f"{v.display} {v.value_text()} ({_day(v.effective)})" for v in self.vitals],
        )
        section(
            "Key labs",
            [f"{v.display} {v.value_text()} ({_day(v.effective)})" for v in self.labs[:max_labs]],
        )
        section(
            "Recent encounters",
            [f"{_day(e.start)} {e.display}" for e in self.encounters],
        )
        if self.missing:
            lines.append("Not available just now: " + ", ".join(self.missing))
        return "\n".join(lines)


def _day(value: datetime | date | None) -> str:
    if value is None:
        return "date unknown"
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def _with_code(item: Item, when: datetime | date | None, extra: str | None = None) -> str:
    code = item.codes[0].label() if item.codes else "uncoded"
    parts = [code]
    if when is not None:
        parts.append(f"since {_day(when)}")
    if extra:
        parts.append(extra)
    return f"{item.display} [{', '.join(parts)}]"


def key_lab_rank(item: ObservationItem) -> int:
    """Sort key putting the key labs first, in the order of `KEY_LAB_CODES`."""
    for c in item.codes:
        if c.system == LOINC and c.code in KEY_LAB_CODES:
            return KEY_LAB_CODES.index(c.code)
    return len(KEY_LAB_CODES)
