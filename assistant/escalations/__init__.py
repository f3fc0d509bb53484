"""Clinician escalation: records, routing, the transactional outbox and its worker, the clinician desk.

Import the parts from their modules (``service``, ``worker``, ``desk``, ``runtime``); this package
file stays import-light so ``python -m assistant.escalations.worker`` starts quickly.
"""
