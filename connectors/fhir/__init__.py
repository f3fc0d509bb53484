"""FHIR R4 connector: patient context (consent-gated, cached, time-boxed, audited), SMART backend
services auth, and triage write-back. See README.md beside this file."""

from connectors.fhir.audit import AuditEvent, AuditSink, InMemoryAuditSink, JsonlAuditSink
from connectors.fhir.auth import Authenticator, NoAuth, SmartBackendAuth, StaticBearer
from connectors.fhir.client import FHIRClient, Query, SearchResult
from connectors.fhir.config import AuthMode, FHIRConnectorConfig
from connectors.fhir.context import ContextResult, PatientContextService
from connectors.fhir.errors import (
    ConsentRequired,
    FHIRAuthError,
    FHIRError,
    FHIRRequestError,
    FHIRUnavailable,
)
from connectors.fhir.models import PatientContext
from connectors.fhir.writeback import TriageOutcome, TriageWriteBack, WriteBackResult

__all__ = [
    "AuditEvent",
    "AuditSink",
    "AuthMode",
    "Authenticator",
    "ConsentRequired",
    "ContextResult",
    "FHIRAuthError",
    "FHIRClient",
    "FHIRConnectorConfig",
    "FHIRError",
    "FHIRRequestError",
    "FHIRUnavailable",
    "InMemoryAuditSink",
    "JsonlAuditSink",
    "NoAuth",
    "PatientContext",
    "PatientContextService",
    "Query",
    "SearchResult",
    "SmartBackendAuth",
    "StaticBearer",
    "TriageOutcome",
    "TriageWriteBack",
    "WriteBackResult",
]
