"""Standard Webhooks: signed outbound delivery and verified inbound callbacks."""

from connectors.webhooks.sender import DeliveryOutcome, parse_retry_after, send_webhook
from connectors.webhooks.signing import (
    InvalidWebhook,
    MemoryReplayGuard,
    ReplayedWebhook,
    ReplayGuard,
    VerifiedWebhook,
    WebhookSecretError,
    WebhookSigner,
    WebhookVerifier,
    new_secret,
)

__all__ = [
    "DeliveryOutcome",
    "InvalidWebhook",
    "MemoryReplayGuard",
    "ReplayGuard",
    "ReplayedWebhook",
    "VerifiedWebhook",
    "WebhookSecretError",
    "WebhookSigner",
    "WebhookVerifier",
    "new_secret",
    "parse_retry_after",
    "send_webhook",
]
