"""End to end in a real headless browser (Debian's Chromium via Playwright): a patient reports a red
flag in the web chat, a signed webhook reaches the clinician system, a clinician claims it in the
console (a colleague sees it taken), replies, and the patient sees the reply in the same chat."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from connectors.webhooks import new_secret
from connectors.webhooks.receiver import ReceiverServer, ReceiverState
from tests.escalations.conftest import wait_until
from tests.live_server import free_port, live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SECRET = new_secret()
RED_FLAG = "I have crushing chest pain spreading to my left arm and I'm sweating"
REPLY = "This is Dr Okafor. Please call 999 now; I'll stay with you here."


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    server = ReceiverServer(ReceiverState([SECRET]), free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path, nlu_parser, receiver):  # type: ignore[no-untyped-def]
    env = {
        "VHA_DATA_DIR": str(tmp_path),
        "VHA_API_KEYS": "{}",
        "VHA_ENVIRONMENT": "local",
        "VHA_ESCALATION_WEBHOOK_URL": receiver.url,
        "VHA_ESCALATION_SIGNING_SECRETS": SECRET,
    }
    with live_server(env) as url:
        yield url


def test_clinician_claims_and_replies_from_the_console_and_the_patient_sees_it(server, receiver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        patient = browser.new_page()
        patient.goto(server + "/")
        patient.get_by_label("Message").fill(RED_FLAG)
        patient.get_by_role("button", name="Send").click()
        expect(patient.locator(".msg.bot", has_text="within 5 minutes")).to_be_visible()

        assert wait_until(lambda: len(receiver.state.unique) == 1, timeout_s=15)
        (webhook,) = receiver.state.unique.values()
        assert webhook.payload["data"]["headline"].startswith("EMERGENCY")

        console = browser.new_context().new_page()
        console.goto(server + "/console")
        console.get_by_label("Your name / id").fill("Dr Okafor")
        console.get_by_label("Your name / id").press("Tab")
        item = console.locator(".queue-item").first
        expect(item).to_contain_text("EMERGENCY")
        item.click()
        expect(console.locator("#red-flags")).not_to_contain_text("none recorded")
        expect(console.locator("#transcript")).to_contain_text("crushing chest pain")

        console.get_by_role("button", name="Claim").click()
        expect(console.get_by_role("alert")).to_contain_text("Claimed")

        colleague = browser.new_context().new_page()
        colleague.goto(server + "/console#" + webhook.payload["data"]["id"])
        colleague.get_by_label("Your name / id").fill("Dr Second")
        expect(colleague.locator("#claim")).to_have_text("Claimed by Dr Okafor")
        expect(colleague.locator("#claim")).to_be_disabled()
        expect(colleague.locator("#reply-send")).to_be_disabled()

        console.get_by_label("Reply to the patient").fill(REPLY)
        console.get_by_role("button", name="Send reply").click()
        expect(console.get_by_role("alert")).to_contain_text("Reply sent")
        expect(console.locator("#transcript li.agent")).to_contain_text(REPLY)

        expect(patient.locator(".msg.agent")).to_contain_text(REPLY, timeout=10_000)

        console.get_by_label("Outcome").select_option("referred_emergency")
        console.get_by_role("button", name="Resolve").click()
        expect(console.get_by_role("alert")).to_contain_text("Resolved")
        expect(console.locator("#queue-empty")).to_be_visible()
        console.screenshot(path=str(tmp_path / "console.png"))
        browser.close()
