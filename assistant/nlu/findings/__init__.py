"""Coded clinical findings from free text (see ``extractor``)."""

from assistant.nlu.findings.extractor import (
    ClinicalFacts,
    Finding,
    Vitals,
    extract_facts,
    primary_finding,
)

__all__ = ["ClinicalFacts", "Finding", "Vitals", "extract_facts", "primary_finding"]
