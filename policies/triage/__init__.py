"""Symptom triage: deterministic red flags first, then versioned protocols (pure decision code)."""

from policies.triage.engine import triage
from policies.triage.models import Facts, Level, RedFlag, TriageResult

__all__ = ["Facts", "Level", "RedFlag", "TriageResult", "triage"]
