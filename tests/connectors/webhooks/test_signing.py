"""Standard Webhooks: what we sign verifies with the reference library; what we accept is checked."""

from __future__ import annotations

import json
import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from connectors.webhooks import (
    InvalidWebhook,
    ReplayedWebhook,
    WebhookSecretError,
    WebhookSigner,
    WebhookVerifier,
    new_secret,
)

OLD, NEW = new_secret(), new_secret()
BODY = json.dumps({"type": "escalation.raised", "data": {"id": "esc_1"}})


def test_signed_headers_verify_with_the_standardwebhooks_library() -> None:
    headers = WebhookSigner([NEW]).headers("msg_1", BODY)
    assert Webhook(NEW).verify(BODY, headers) == json.loads(BODY)
    assert headers["webhook-id"] == "msg_1"


def test_during_rotation_receivers_with_either_secret_accept() -> None:
    headers = WebhookSigner([NEW, OLD]).headers("msg_2", BODY)
    assert len(headers["webhook-signature"].split()) == 2
    for secret in (OLD, NEW):
        Webhook(secret).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_bad_secrets_are_refused_up_front() -> None:
    with pytest.raises(WebhookSecretError):
        WebhookSigner([])
    with pytest.raises(WebhookSecretError):
        WebhookSigner(["whsec_"])


def verifier(**kwargs) -> WebhookVerifier:  # type: ignore[no-untyped-def]
    return WebhookVerifier([NEW], **kwargs)


def test_verifier_accepts_a_valid_message_once() -> None:
    check = verifier()
    headers = WebhookSigner([NEW]).headers("msg_3", BODY)
    assert check.verify(BODY.encode(), headers).payload["data"]["id"] == "esc_1"
    with pytest.raises(ReplayedWebhook):
        check.verify(BODY.encode(), headers)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b.replace("esc_1", "esc_2")),  # body changed
        lambda h, b: ({**h, "webhook-id": "msg_other"}, b),  # id changed
        lambda h, b: ({**h, "webhook-signature": "v1,AAAA"}, b),  # wrong signature
        lambda h, b: ({**h, "webhook-signature": "garbage"}, b),  # malformed
        lambda h, b: ({**h, "webhook-signature": "v2," + h["webhook-signature"][3:]}, b),  # unknown version
        lambda h, b: ({k: v for k, v in h.items() if k != "webhook-timestamp"}, b),  # missing header
        lambda h, b: ({**h, "webhook-timestamp": "soon"}, b),
    ],
)
def test_verifier_rejects_tampered_or_malformed_messages(tamper) -> None:  # type: ignore[no-untyped-def]
    headers, body = tamper(WebhookSigner([NEW]).headers("msg_4", BODY), BODY)
    with pytest.raises(InvalidWebhook):
        verifier().verify(body, headers)


def test_verifier_rejects_stale_and_future_timestamps() -> None:
    now = time.time()
    check = verifier(tolerance_s=60, clock=lambda: now)
    for skew in (-61, 61):
        headers = WebhookSigner([NEW]).headers(f"msg_skew{skew}", BODY, timestamp=int(now + skew))
        with pytest.raises(InvalidWebhook, match="window"):
            check.verify(BODY, headers)
    check.verify(BODY, WebhookSigner([NEW]).headers("msg_ok", BODY, timestamp=int(now - 59)))


def test_a_forged_message_does_not_use_up_the_real_id() -> None:
    check = verifier()
    forged = WebhookSigner([new_secret()]).headers("msg_5", BODY)
    with pytest.raises(InvalidWebhook):
        check.verify(BODY, forged)
    check.verify(BODY, WebhookSigner([NEW]).headers("msg_5", BODY))


def test_verifier_accepts_any_of_its_rotating_secrets() -> None:
    check = WebhookVerifier([NEW, OLD])
    check.verify(BODY, WebhookSigner([OLD]).headers("msg_6", BODY))
    check.verify(BODY, WebhookSigner([NEW]).headers("msg_7", BODY))
