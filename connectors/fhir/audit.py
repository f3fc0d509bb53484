"""Audit trail of patient-record reads.

Every call that could read a patient's record leaves one `AuditEvent`: reads from the server,
reads served from the cache (the data was still disclosed), partial and failed reads, and refusals
for want of consent (no data was read, but the attempt is itself worth a record). Sinks implement
`AuditSink.record`; a database-backed sink can live with the app's stores.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

Outcome = Literal[
    "success",  # everything was read from the server
    "success_cached",  # served from the in-process cache
    "partial",  # some resource types could not be read in time
    "failed",  # nothing could be read (server down, auth refused, time box)
    "not_found",  # the server has no such patient
    "refused_no_consent",  # nothing was read
]


@dataclass(frozen=True)
class AuditEvent:
    when: datetime
    actor: str  # who asked: "assistant", a clinician id, an integrator key name...
    patient_id: str
    resource_types: tuple[str, ...]  # the types whose data was read (or served from cache)
    purpose: str  # why: "triage", "ask_my_data", "clinician_summary"...
    outcome: Outcome
    server: str = ""
    conversation_id: str | None = None
    detail: str = ""  # short, PHI-free: which types were missing, the kind of failure

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["when"] = self.when.isoformat()
        data["resource_types"] = list(self.resource_types)
        return data


@runtime_checkable
class AuditSink(Protocol):
    def record(self, event: AuditEvent) -> None:
        """Persist one event. Should not raise for a well-formed event; a sink that can fail
        (a database) should make its own durability choices, the caller does not retry."""


@dataclass
class InMemoryAuditSink:
    events: list[AuditEvent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, event: AuditEvent) -> None:
        with self._lock:
            self.events.append(event)


class JsonlAuditSink:
    """Appends one JSON object per line. Written directly, not through `logging`, so the audit
    trail never depends on log configuration and PHI-bearing identifiers never reach the logs."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def record(self, event: AuditEvent) -> None:
        line = json.dumps(event.to_dict(), separators=(",", ":"), sort_keys=True) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]


def now_utc() -> datetime:
    return datetime.now(UTC)
