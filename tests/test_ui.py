"""The Dagster UI in a real browser (Debian's Chromium through Playwright) on a closed warehouse."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import REPO, regwh_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(closed: Path) -> Iterator[str]:
    """``dagster dev`` on loopback over the closed home, in its own process group (it ignores SIGTERM)."""
    port = _free_port()
    process = subprocess.Popen(
        [str(REPO / ".venv/bin/dagster"), "dev", "-w", "workspace.yaml", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=regwh_env(closed),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=2)
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("dagster dev did not answer within 120 s")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def page(webserver: str) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Debian chromium is installed by .ci/run (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{webserver}/runs", wait_until="networkidle")
        page.get_by_role("button", name="Skip").click(timeout=30_000)  # "Join the Dagster community" dialog
        yield page
        browser.close()


def test_the_close_run_shows_as_succeeded(page: Page) -> None:
    page.get_by_text("close_half_year").first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "close_half_year" in body and "Success" in body and "Failure" not in body


def test_the_gate_shows_as_passed_on_the_disclosure_figures(page: Page, webserver: str) -> None:
    page.goto(f"{webserver}/assets/regulatory/rpt_disclosure_metrics?view=checks", wait_until="networkidle")
    page.get_by_text("This is a blocking asset check.").wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "disclosure_gate" in body and "Passed" in body and "Failed" not in body


def test_asset_groups_show_the_layers(page: Page, webserver: str) -> None:
    page.goto(f"{webserver}/asset-groups", wait_until="networkidle")
    page.get_by_text("regulatory").first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    for group in ("landing", "raw", "staging", "intermediate", "marts", "regulatory", "extracts"):
        assert group in body
