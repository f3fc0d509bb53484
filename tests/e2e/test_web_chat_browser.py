"""The web chat at / works in a real headless browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(tmp_path, nlu_parser):  # type: ignore[no-untyped-def]
    with live_server({"VHA_DATA_DIR": str(tmp_path), "VHA_API_KEYS": "{}", "VHA_ENVIRONMENT": "local"}) as url:
        yield url


def test_patient_chats_in_the_browser_and_sees_safety_advice(server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(server + "/")
        expect(page.get_by_role("heading", name="Virtual Health Assistant")).to_be_visible()

        page.get_by_label("Message").fill("hello there")
        page.get_by_role("button", name="Send").click()
        expect(page.locator(".msg.bot").first).to_contain_text("not a doctor")

        page.get_by_label("Message").fill("my dad's face is drooping and he can't lift his arm")
        page.get_by_role("button", name="Send").click()
        expect(page.locator(".msg.bot.safety")).to_contain_text("999")
        page.screenshot(path=str(tmp_path / "chat.png"))
        browser.close()
