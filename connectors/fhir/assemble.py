"""fhirclient models -> a `PatientContext`.

Pure functions over already-fetched resources (no I/O), so each rule (what counts as active, which
reading is the latest, when someone counts as pregnant) is easy to test on its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fhirclient.models.allergyintolerance import AllergyIntolerance
from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.condition import Condition
from fhirclient.models.encounter import Encounter
from fhirclient.models.fhirabstractresource import FHIRAbstractResource
from fhirclient.models.medicationrequest import MedicationRequest
from fhirclient.models.medicationstatement import MedicationStatement
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient

from connectors.fhir import queries as q
from connectors.fhir.client import SearchResult
from connectors.fhir.codes import (
    ACTIVE_CLINICAL_STATUSES,
    LOINC,
    NOT_PREGNANT_ANSWERS,
    PREGNANCY_CONDITION_CODES,
    PREGNANCY_STATUS_CODES,
    PREGNANT_ANSWERS,
    REFUTED_VERIFICATION,
    SNOMED,
)
from connectors.fhir.models import (
    AllergyItem,
    Code,
    ConditionItem,
    EncounterItem,
    MedicationItem,
    ObservationItem,
    PatientContext,
    Pregnancy,
    key_lab_rank,
)

#: A "pregnant" answer older than this no longer says anything about now.
PREGNANCY_ANSWER_MAX_AGE_DAYS = 280


@dataclass(frozen=True)
class Fetched:
    """What the queries returned: results of those that succeeded, and the keys of those that
    failed or did not finish in time."""

    results: Mapping[str, Any]  # key -> model (reads) or SearchResult (searches)
    failed: frozenset[str] = frozenset()


# -- small conversions ---------------------------------------------------------------------------


def codes_of(concept: CodeableConcept | None) -> list[Code]:
    if concept is None:
        return []
    return [
        Code(system=c.system, code=c.code, display=c.display)
        for c in concept.coding or []
        if c.code or c.display
    ]


def display_of(concept: CodeableConcept | None, fallback: str = "unnamed") -> str:
    if concept is None:
        return fallback
    if concept.text:
        return concept.text
    for c in concept.coding or []:
        if c.display:
            return c.display
    for c in concept.coding or []:
        if c.code:
            return c.code
    return fallback


def status_code(concept: CodeableConcept | None) -> str | None:
    for c in (concept.coding if concept else None) or []:
        if c.code:
            return c.code
    return None


def when(value: Any) -> datetime | date | None:
    """A fhirclient FHIRDate/FHIRDateTime as a date, or a timezone-aware datetime (values with no
    zone are read as UTC, which is what servers that omit it almost always store)."""
    if value is None:
        return None
    parsed = getattr(value, "datetime", None) or getattr(value, "date", None)
    if isinstance(parsed, datetime):
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return parsed if isinstance(parsed, date) else None


def moment(value: Any) -> datetime | None:
    """Like `when`, but always a datetime (a bare date is midnight UTC), for sorting and recency."""
    parsed = when(value)
    if isinstance(parsed, datetime):
        return parsed
    if isinstance(parsed, date):
        return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    return None


def ref(resource: FHIRAbstractResource) -> str:
    return f"{resource.resource_type}/{resource.id}"


def resources(result: Any) -> list[Any]:
    return result.resources if isinstance(result, SearchResult) else []


# -- demographics --------------------------------------------------------------------------------


def age_years(
    birth: date | None, now: datetime, deceased_at: datetime | None = None
) -> float | None:
    """Age in years with one decimal, never rounded up: someone a week short of 55 is 54.9, not
    55.0, since age thresholds in triage are inclusive at the birthday. At death for the deceased."""
    if birth is None:
        return None
    end = (deceased_at or now).date()
    years = end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))
    last = _birthday(birth, birth.year + years)
    following = _birthday(birth, birth.year + years + 1)
    fraction = (end - last).days / (following - last).days
    return years + math.floor(fraction * 10) / 10


def _birthday(birth: date, year: int) -> date:
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year: celebrated on 1 March
        return date(year, 3, 1)


def sex_of(patient: Patient) -> str | None:
    # FHIR administrative gender; "other" and "unknown" are kept, triage only uses female/male.
    return patient.gender if patient.gender in ("female", "male", "other", "unknown") else None


# -- one resource -> one item --------------------------------------------------------------------


def condition_item(c: Condition) -> ConditionItem | None:
    status = status_code(c.clinicalStatus)
    if status not in ACTIVE_CLINICAL_STATUSES:
        return None
    if status_code(c.verificationStatus) in REFUTED_VERIFICATION:
        return None
    return ConditionItem(
        display=display_of(c.code),
        codes=codes_of(c.code),
        source=ref(c),
        clinical_status=status,
        onset=when(c.onsetDateTime) or when(getattr(c.onsetPeriod, "start", None)),
        recorded=when(c.recordedDate),
    )


def medication_item(m: MedicationRequest | MedicationStatement) -> MedicationItem | None:
    if m.status != "active":
        return None
    concept = m.medicationCodeableConcept
    # A medicationReference is not resolved (one more request per medicine); its display, when
    # the server gives one, names the medicine well enough for a summary.
    if concept is None and m.medicationReference is not None:
        display = m.medicationReference.display or "medication (see record)"
        codes: list[Code] = []
    else:
        display, codes = display_of(concept, "medication"), codes_of(concept)
    if isinstance(m, MedicationRequest):
        kind, authored, dosage = "request", when(m.authoredOn), m.dosageInstruction
    else:
        kind = "statement"
        authored = when(m.effectiveDateTime) or when(getattr(m.effectivePeriod, "start", None))
        dosage = m.dosage
    return MedicationItem(
        display=display,
        codes=codes,
        source=ref(m),
        kind=kind,
        status=m.status,
        authored=authored,
        dosage=(dosage[0].text if dosage and dosage[0].text else None),
    )


def allergy_item(a: AllergyIntolerance) -> AllergyItem | None:
    status = status_code(a.clinicalStatus)
    if status in ("inactive", "resolved"):
        return None
    if status_code(a.verificationStatus) in REFUTED_VERIFICATION:
        return None
    reactions = [
        display_of(m) for reaction in a.reaction or [] for m in reaction.manifestation or []
    ]
    return AllergyItem(
        display=display_of(a.code),
        codes=codes_of(a.code),
        source=ref(a),
        clinical_status=status,
        criticality=a.criticality,
        reactions=reactions,
        recorded=when(a.recordedDate),
    )


def observation_items(o: Observation) -> list[ObservationItem]:
    """One item per value: a panel (blood pressure) gives one item per component, each keeping
    the panel as its source."""
    if o.status in ("entered-in-error", "cancelled"):
        return []
    effective = (
        moment(o.effectiveDateTime)
        or moment(getattr(o.effectivePeriod, "start", None))
        or moment(o.effectiveInstant)
        or moment(o.issued)
    )
    category = next((status_code(c) for c in o.category or [] if status_code(c)), None)
    def item(concept: Any, value: Any, unit: Any) -> ObservationItem:
        return ObservationItem(
            display=display_of(concept),
            codes=codes_of(concept),
            source=ref(o),
            category=category,
            value=value,
            unit=unit,
            effective=effective,
        )

    items = []
    value, unit = _value(o)
    if value is not None or not o.component:
        items.append(item(o.code, value, unit))
    # A panel (e.g. blood pressure) carries its readings as components, one item each.
    items.extend(item(component.code, *_value(component)) for component in o.component or [])
    return items


def _value(element: Any) -> tuple[float | str | bool | None, str | None]:
    quantity = element.valueQuantity
    if quantity is not None and quantity.value is not None:
        number, unit = float(quantity.value), quantity.unit or quantity.code
        if (quantity.code or quantity.unit) in ("[degF]", "degF", "°F"):
            # Triage thresholds are in Celsius; convert rather than drop a Fahrenheit reading.
            return round((number - 32) * 5 / 9, 1), "Cel"
        return number, unit
    if element.valueCodeableConcept is not None:
        return display_of(element.valueCodeableConcept), None
    if element.valueString is not None:
        return element.valueString, None
    if element.valueBoolean is not None:
        return element.valueBoolean, None
    if element.valueInteger is not None:
        return float(element.valueInteger), None
    return None, None


def encounter_item(e: Encounter) -> EncounterItem:
    concept = e.type[0] if e.type else None
    return EncounterItem(
        display=display_of(concept, e.class_fhir.display or e.class_fhir.code or "encounter")
        if e.class_fhir
        else display_of(concept, "encounter"),
        codes=[c for t in e.type or [] for c in codes_of(t)],
        source=ref(e),
        status=e.status,
        encounter_class=e.class_fhir.code if e.class_fhir else None,
        start=moment(getattr(e.period, "start", None)),
        end=moment(getattr(e.period, "end", None)),
        reasons=[display_of(r) for r in e.reasonCode or []],
    )


# -- whole lists ---------------------------------------------------------------------------------


def latest_per_code(items: Iterable[ObservationItem]) -> list[ObservationItem]:
    """The newest item for each (system, code), newest first."""
    latest: dict[tuple[str | None, str | None], ObservationItem] = {}
    for item in items:
        key = (item.codes[0].system, item.codes[0].code) if item.codes else (None, item.display)
        current = latest.get(key)
        if current is None or _newer(item, current):
            latest[key] = item
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(latest.values(), key=lambda i: i.effective or floor, reverse=True)


def _newer(a: ObservationItem, b: ObservationItem) -> bool:
    if a.effective is None:
        return False
    return b.effective is None or a.effective > b.effective


def pregnancy_status(
    conditions: list[ConditionItem],
    answers: list[Observation],
    now: datetime,
) -> tuple[Pregnancy, str | None]:
    """Pregnant / not pregnant / unknown, with the resource that decided it.

    A recent, explicit answer to the "pregnancy status" question wins; otherwise an active
    pregnancy condition means pregnant; otherwise unknown (never guessed, not even from sex: a
    record's administrative gender is not enough to rule pregnancy out)."""
    newest: tuple[datetime, Observation] | None = None
    for o in answers:
        if not any(
            c.system == LOINC and c.code in PREGNANCY_STATUS_CODES for c in codes_of(o.code)
        ):
            continue
        at = moment(o.effectiveDateTime) or moment(o.issued)
        if at is None or (now - at).days > PREGNANCY_ANSWER_MAX_AGE_DAYS:
            continue
        if newest is None or at > newest[0]:
            newest = (at, o)
    if newest is not None:
        answer = {c.code for c in codes_of(newest[1].valueCodeableConcept) if c.system == SNOMED}
        if answer & PREGNANT_ANSWERS:
            return "pregnant", ref(newest[1])
        if answer & NOT_PREGNANT_ANSWERS:
            return "not_pregnant", ref(newest[1])
    for c in conditions:
        if c.code_in(SNOMED, PREGNANCY_CONDITION_CODES):
            return "pregnant", c.source
    return "unknown", None


def build_context(
    patient_id: str, server: str, fetched: Fetched, *, now: datetime | None = None
) -> PatientContext:
    now = now or datetime.now(UTC)
    r = fetched.results
    patient = r.get(q.PATIENT)
    patient = patient if isinstance(patient, Patient) else None

    conditions = [i for c in resources(r.get(q.CONDITIONS)) if (i := condition_item(c))]
    medications = [
        i
        for m in resources(r.get(q.MEDICATION_REQUESTS)) + resources(r.get(q.MEDICATION_STATEMENTS))
        if (i := medication_item(m))
    ]
    allergies = [i for a in resources(r.get(q.ALLERGIES)) if (i := allergy_item(a))]
    observations = [i for o in resources(r.get(q.OBSERVATIONS)) for i in observation_items(o)]
    vitals = latest_per_code(o for o in observations if o.category == "vital-signs")
    labs = sorted(
        latest_per_code(o for o in observations if o.category == "laboratory"), key=key_lab_rank
    )
    encounters = sorted(
        (encounter_item(e) for e in resources(r.get(q.ENCOUNTERS))),
        key=lambda e: e.start or datetime.min.replace(tzinfo=UTC),
        reverse=True,
    )

    birth = when(patient.birthDate) if patient else None
    birth = birth.date() if isinstance(birth, datetime) else birth
    deceased_at = moment(patient.deceasedDateTime) if patient else None
    deceased = bool(patient and (patient.deceasedBoolean or deceased_at))
    sex = sex_of(patient) if patient else None
    pregnancy, pregnancy_source = pregnancy_status(conditions, resources(r.get(q.PREGNANCY)), now)

    read_types = sorted({q.RESOURCE_TYPES[k] for k in r})
    missing = sorted({q.RESOURCE_TYPES[k] for k in fetched.failed})
    return PatientContext(
        patient_id=patient_id,
        server=server,
        retrieved_at=now,
        age_years=age_years(birth, now, deceased_at),
        birth_date=birth,
        sex=sex,  # type: ignore[arg-type]
        deceased=deceased,
        pregnancy=pregnancy,
        pregnancy_source=pregnancy_source,
        conditions=conditions,
        medications=medications,
        allergies=allergies,
        vitals=vitals,
        labs=labs,
        encounters=encounters,
        resource_types=read_types,
        missing=missing,
    )
