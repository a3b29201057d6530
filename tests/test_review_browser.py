"""End to end in real headless Chromium: sign in, open the top flag, read its evidence,
decide, reload, and find the decision in the audit log; read the early warnings, their
charts, and open a warning's corridor in the queue."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from transship.review.app import create_app
from transship.review.users import add_user
from transship.settings import Settings
from transship.storage.store import store

if TYPE_CHECKING:
    from collections.abc import Iterator

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
        # A reload while the form's POST and redirect are still loading detaches the page.
        page.wait_for_url(f"{flag_url.split('#')[0]}#decisions")
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


def test_an_analyst_reads_a_warning_and_its_chart_then_opens_its_corridor_flags(
    served: str,
) -> None:
    import re

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        page = browser.new_page()
        page.goto(served + "/warnings")
        page.fill("input[name=username]", "a.lopez")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Sign in')")
        expect(page.locator("h1")).to_have_text("Early warnings")
        expect(page.locator("nav a[aria-current=page]")).to_have_text("Warnings")

        page.fill("input[name=since]", "2024-12")
        page.select_option("select[name=kind]", "replacement")
        page.click("button:has-text('Apply')")
        expect(page).to_have_url(re.compile(r"kind=replacement"))
        warnings = page.locator("article.warning")
        expect(warnings.first).to_be_visible()
        assert set(warnings.locator(".kind").all_text_contents()) == {"replacement"}

        # The first warning whose corridor has flags: its message, its chart, its link.
        links = page.locator("article.warning a.corridor-flags")
        counts = [int(text.split()[0]) for text in links.all_inner_texts()]
        index = next(i for i, n in enumerate(counts) if n > 0)
        warning = warnings.nth(index)
        expect(warning.locator("p.message")).to_contain_text("made up")
        chart = warning.locator("svg.chart.shares")
        expect(chart).to_be_visible()
        assert chart.locator("polyline.share").count() > 1
        assert chart.locator("polyline.share.focus").count() >= 1
        assert chart.locator("rect.period").count() >= 1
        partner = warning.locator(".warning-head .partner").text_content() or ""
        assert partner in (chart.locator("text.legend.strong").first.text_content() or "")

        link = warnings.nth(index).locator("a.corridor-flags")
        origin = re.search(r"origin=(\w+)", link.get_attribute("href") or "")
        assert origin is not None
        link.click()
        expect(page.locator("h1")).to_have_text("Flag queue")
        expect(page.locator(".counts strong")).to_have_text(str(counts[index]))
        expect(page.locator("select[name=origin]")).to_have_value(origin[1])
        shown = page.locator("table.queue tbody tr")
        assert shown.count() == min(counts[index], 50)
        browser.close()
