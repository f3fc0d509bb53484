"""What can go wrong when talking to a FHIR server, as a few exception types callers can act on.

Messages never contain patient data: at most a resource type, a status code or a count.
"""

from __future__ import annotations


class FHIRError(Exception):
    """Base class for every connector error."""


class FHIRUnavailable(FHIRError):
    """The server could not be reached or kept failing (connection errors, timeouts, 429/5xx)."""


class FHIRAuthError(FHIRError):
    """Authentication failed: token endpoint refused us, or the server refused the token."""


class FHIRRequestError(FHIRError):
    """The server answered with a client error that retrying will not fix (400, 403, 404, 422...)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class ConsentRequired(FHIRError):
    """The patient has not consented to their record being read; nothing was fetched."""
