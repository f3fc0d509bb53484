"""In-process counters for escalation delivery, rendered in the Prometheus text format.

Small on purpose: the project has no metrics library; the admin API exposes these plus live outbox
counts read from the database (which are correct across processes, unlike these counters).
"""

from __future__ import annotations

import threading
from collections import defaultdict

HELP = {
    "vha_escalations_raised_total": "Escalations raised, by reason.",
    "vha_escalation_reroutes_total": "Escalations re-routed after missing their SLA.",
    "vha_escalation_deliveries_total": "Delivery attempts, by outcome (delivered, retry, dead).",
    "vha_escalation_dead_letters_total": "Delivery jobs moved to the dead-letter state (alert!).",
    "vha_escalation_delivery_seconds_sum": "Total time spent in delivery HTTP calls.",
    "vha_escalation_delivery_seconds_count": "Number of delivery HTTP calls timed.",
}


class Metrics:
    def __init__(self) -> None:
        self._values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)
        self._lock = threading.Lock()

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._values[key] += amount

    def value(self, name: str, **labels: str) -> float:
        with self._lock:
            return self._values.get((name, tuple(sorted(labels.items()))), 0.0)

    def render(self, gauges: dict[str, float] | None = None) -> str:
        lines: list[str] = []
        with self._lock:
            items = sorted(self._values.items())
        seen: set[str] = set()
        for (name, labels), value in items:
            if name not in seen:
                seen.add(name)
                lines.append(f"# HELP {name} {HELP.get(name, name)}")
                lines.append(f"# TYPE {name} counter")
            label_text = ",".join(f'{k}="{v}"' for k, v in labels)
            lines.append(f"{name}{{{label_text}}} {value:g}" if label_text else f"{name} {value:g}")
        for name, value in sorted((gauges or {}).items()):
            lines.append(f"# TYPE {name} gauge")
            lines.append(f"{name} {value:g}")
        return "\n".join(lines) + "\n"


#: The process-wide registry.
METRICS = Metrics()
