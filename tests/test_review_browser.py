"""End to end in real headless Chromium: sign in, open the top flag, read its evidence,
decide, reload, and find the decision in the audit log."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from transship.review.app import create_app
from transship.review.users import add_user
from transship.settings import Settings
from transship.storage.store import store

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("TRANSSHIP_REQUIRE_BROWSER"),
    reason="no Chromium at /usr/bin/chromium: install Debian's chromium package "
    "(apt-get install chromium; .ci/run does) to run the browser test",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tiny_store: Path, tmp_path: Path) -> Iterator[str]:
    db = tmp_path / "browser.duckdb"
    shutil.copy(tiny_store, db)
    with store(db) as con:
        add_user(con, "a.lopez", PASSWORD)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings(db=db)), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the review app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_an_analyst_signs_in_reads_the_top_flag_decides_and_finds_it_in_the_log(
    served: str,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        page = browser.new_page()
        page.goto(served + "/")
        expect(page).to_have_url(f"{served}/login?next=%2F")
        page.fill("input[name=username]", "a.lopez")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Sign in')")
        expect(page.locator("h1")).to_have_text("Flag queue")

        top = page.locator("table.queue tbody tr").first.locator("a.score")
        top_score = top.inner_text()
        top.click()
        expect(page.locator(".bigscore")).to_contain_text(top_score)
        assert page.locator("#reasons li").count() > 0
        expect(page.locator("#reasons li").first).not_to_be_empty()
        chart = page.locator("#corridor svg.chart")
        expect(chart).to_be_visible()
        assert chart.locator("rect.bar").count() > 3
        flag_url = page.url

        page.check("input[name=action][value=escalate]")
        page.fill("textarea[name=note]", "Ask the importer for the smelter certificate")
        page.click("button:has-text('Record decision')")
        page.reload()
        assert page.url.split("#")[0] == flag_url
        expect(page.locator(".flag-head .status")).to_have_text("escalated")
        expect(page.locator("#decisions")).to_contain_text("a.lopez")

        page.click("nav >> text=Decision log")
        row = page.locator("table.audit tbody tr").first
        expect(row).to_contain_text("a.lopez")
        expect(row).to_contain_text("open → escalated")
        expect(row).to_contain_text("Ask the importer for the smelter certificate")
        browser.close()
