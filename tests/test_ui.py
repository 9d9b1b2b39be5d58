"""The Dagster UI in a real browser (Debian's Chromium through Playwright) on a closed warehouse: what it shows,
and a quarter closed from it, once on good deliveries and once on a bad one that a blocking check stops."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from orchestration import settings
from tests.conftest import REPO, regwh_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
QUARTER = "2025Q2"
RUN_TIMEOUT = 600_000  # ms: a close of the scale-0.01 delivery takes about two minutes on two cores


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def ui_home(closed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the closed home: the tests launch closes and redeliver a file in it."""
    root = tmp_path_factory.mktemp("ui") / "home"
    shutil.copytree(closed, root, symlinks=True)
    return settings.ensure_home(root)  # `make dev` runs `regwh init` first: the copy keeps its runs in the copy


@pytest.fixture(scope="module")
def webserver(ui_home: Path) -> Iterator[str]:
    """``dagster dev`` on loopback over the copied home, in its own process group (it ignores SIGTERM)."""
    port = _free_port()
    process = subprocess.Popen(
        [str(REPO / ".venv/bin/dagster"), "dev", "-w", "workspace.yaml", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=regwh_env(ui_home),
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


def test_the_asset_pages_show_owner_row_count_and_previews(page: Page, webserver: str) -> None:
    page.goto(f"{webserver}/assets/marts/fct_premiums", wait_until="networkidle")
    page.get_by_text("Row count").wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "regulatory-data" in body  # the owner team:regulatory-data
    assert re.search(r"Row count\s+[\d,]+", body)
    page.goto(f"{webserver}/assets/extracts/half_year_disclosure", wait_until="networkidle")
    page.get_by_text("preview metrics.csv").wait_for(timeout=30_000)
    page.get_by_text("[Show Markdown]").first.click()  # a long preview opens in a dialog, rendered as a table
    page.get_by_role("dialog").get_by_text("premium_income_original").first.wait_for(timeout=30_000)
    page.keyboard.press("Escape")


def _launch_close(page: Page, webserver: str) -> str:
    """Launch ``close_quarter`` for QUARTER from the job's launchpad; wait for the run to end; its status."""
    page.goto(f"{webserver}/locations/regwh/jobs/close_quarter/playground", wait_until="networkidle")
    partition = page.get_by_placeholder("Partition")
    partition.click()
    partition.fill(QUARTER)
    page.get_by_role("menuitem", name=QUARTER, exact=True).click(timeout=30_000)
    page.get_by_role("button", name="Launch Run").click()
    page.wait_for_url("**/runs/**", timeout=60_000)
    status = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$")).first
    status.wait_for(timeout=RUN_TIMEOUT)
    return status.inner_text()


def _checks(page: Page, webserver: str, asset: str) -> str:
    """The checks tab of ``asset`` (a key path such as ``marts/fct_investment_income``) as text."""
    page.goto(f"{webserver}/assets/{asset}?view=checks", wait_until="networkidle")
    page.get_by_text("This is a blocking asset check.").wait_for(timeout=30_000)
    return page.inner_text("body")


def _versions(ui_home: Path) -> list[str]:
    folder = ui_home / "extracts" / QUARTER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_quarter_closed_from_the_ui_passes_its_blocking_checks(page: Page, webserver: str, ui_home: Path) -> None:
    page.goto(f"{webserver}/asset-groups", wait_until="networkidle")
    page.get_by_text("Global asset lineage").wait_for(timeout=30_000)  # the asset graph, grouped by layer
    assert _versions(ui_home) == []
    assert _launch_close(page, webserver) == "Success"
    assert _versions(ui_home) == ["v1"]
    gate = _checks(page, webserver, "regulatory/rpt_solvency_checks")
    assert "solvency_gate" in gate and "Passed" in gate and "Failed" not in gate
    suite = _checks(page, webserver, "marts/fct_investment_income")
    assert "fct_investment_income_suite" in suite and "Passed" in suite and "Failed" not in suite


def _raise_one_interest_amount(ui_home: Path, amount: Decimal) -> None:
    """Redeliver the quarter's investment income with one interest amount raised: the file still meets the
    landing contract, but the income no longer agrees with the ledger's investment-income accounts."""
    path = ui_home / "landing" / "investments" / f"investment_income_{QUARTER}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(row for row in rows if row["income_type"] == "interest")
    row["amount"] = str(Decimal(row["amount"]) + amount)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_bad_delivery_closed_from_the_ui_is_blocked_and_publishes_nothing(
    page: Page, webserver: str, ui_home: Path
) -> None:
    before = _versions(ui_home)
    _raise_one_interest_amount(ui_home, Decimal("500.00"))
    assert _launch_close(page, webserver) == "Failure"
    assert _versions(ui_home) == before  # no new version of the quarter's package
    suite = _checks(page, webserver, "marts/fct_investment_income")
    assert "fct_investment_income_suite" in suite and "Failed" in suite
    assert "INVINC-007" in suite and "profit_vs_ledger_gap = 2025Q2: 500.0" in suite
