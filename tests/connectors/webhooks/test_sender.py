"""One delivery attempt: success, retryable failures (with Retry-After), permanent failures."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
from standardwebhooks import Webhook

from connectors.webhooks import WebhookSigner, new_secret, parse_retry_after, send_webhook

SECRET = new_secret()


def client(handler) -> httpx.Client:  # type: ignore[no-untyped-def]
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_delivered_request_is_signed_and_carries_the_exact_body() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["payload"] = Webhook(SECRET).verify(request.content.decode(), dict(request.headers))
        return httpx.Response(204)

    outcome = send_webhook(client(handler), "http://r/hooks", msg_id="msg_1", body='{"a":1}', signer=WebhookSigner([SECRET]))
    assert outcome.delivered and outcome.status_code == 204
    assert seen["payload"] == {"a": 1}


def test_unavailable_receiver_is_retryable_and_its_retry_after_is_kept() -> None:
    outcome = send_webhook(
        client(lambda _r: httpx.Response(503, headers={"Retry-After": "7"})),
        "http://r/hooks", msg_id="m", body="{}", signer=WebhookSigner([SECRET]),
    )
    assert (outcome.delivered, outcome.permanent, outcome.retry_after_s) == (False, False, 7.0)


def test_gone_or_unauthorised_is_permanent() -> None:
    for status in (401, 410, 422):
        outcome = send_webhook(client(lambda _r, s=status: httpx.Response(s)), "http://r", msg_id="m", body="{}",
                               signer=WebhookSigner([SECRET]))
        assert outcome.permanent and not outcome.delivered


def test_network_errors_become_a_retryable_outcome_not_an_exception() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    outcome = send_webhook(client(refuse), "http://r", msg_id="m", body="{}", signer=WebhookSigner([SECRET]))
    assert not outcome.delivered and not outcome.permanent and outcome.error == "ConnectError"


def test_retry_after_as_seconds_or_http_date() -> None:
    assert parse_retry_after("120") == 120
    later = datetime(2030, 1, 1, 0, 1, tzinfo=UTC)
    assert parse_retry_after(format_datetime(later, usegmt=True), now=later.timestamp() - 60) == 60
    assert parse_retry_after("whenever") is None
    assert parse_retry_after(None) is None
