"""Packages are atomic and immutable, and their checksums can be verified."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.periods import Period
from orchestration.publish import (
    PublicationError,
    display_value,
    format_value,
    metrics_csv,
    publish_package,
    verify_package,
)

H1 = Period.parse("2025H1")
INPUTS = [{"file": "landing/policy/premium_transactions_2025Q1.csv", "sha256": "ab" * 32, "rows": 3}]


def _publish(home: Path, content: bytes = b"a,b\n1,2\n", reason: str | None = None):
    return publish_package(
        H1, "test", {"metrics.csv": content}, {"metrics.csv": 1}, INPUTS, {"run_id": "r"}, reason, root=home
    )


def test_first_publication_is_v1_with_checksummed_manifest(home: Path) -> None:
    published = _publish(home)
    assert published.version == 1 and published.written
    manifest = json.loads((published.path / "manifest.json").read_text())
    assert manifest["files"][0]["rows"] == 1
    assert manifest["inputs"] == INPUTS
    assert verify_package(published.path) == []


def test_identical_republication_is_a_no_op(home: Path) -> None:
    first = _publish(home)
    before = (first.path / "manifest.json").read_bytes()
    again = _publish(home)
    assert (again.version, again.written) == (1, False)
    assert (first.path / "manifest.json").read_bytes() == before


def test_changed_content_needs_a_restatement_and_keeps_v1(home: Path) -> None:
    first = _publish(home)
    with pytest.raises(PublicationError, match="restatement"):
        _publish(home, b"a,b\n1,3\n")
    restated = _publish(home, b"a,b\n1,3\n", reason="late claim payment")
    assert restated.version == 2
    assert json.loads((restated.path / "manifest.json").read_text())["restatement_reason"] == "late claim payment"
    assert (first.path / "metrics.csv").read_bytes() == b"a,b\n1,2\n"
    assert not list(first.path.parent.glob(".*partial"))


def test_tampering_is_detected(home: Path) -> None:
    published = _publish(home)
    (published.path / "metrics.csv").write_bytes(b"a,b\n1,9\n")
    (published.path / "extra.txt").write_text("x")
    problems = verify_package(published.path)
    assert any("metrics.csv: sha256" in p for p in problems)
    assert any("extra.txt: not listed" in p for p in problems)


def test_values_keep_full_precision_and_display_rounds_half_up() -> None:
    assert format_value(Decimal("210183.7900000000")) == "210183.79"
    assert format_value(Decimal("95.8237435123")) == "95.8237435123"
    assert display_value(Decimal("8739.165"), 2) == "8739.17"
    assert display_value(Decimal("38999.5"), 0) == "39000"
    text = metrics_csv([("claims_paid", Decimal("8739.1700000000"), 2, "wan_cny")]).decode()
    assert text == "metric_code,value,display_value,unit\nclaims_paid,8739.17,8739.17,wan_cny\n"


def test_a_validation_that_errored_or_did_not_run_stops_publication() -> None:
    from orchestration.defs.regulatory import unpassed_validations
    from orchestration.fact_checks import FACT_CHECKS

    quarter = Period.parse("2025Q2")
    passed = {f"{check.suite}__2025Q2": {"success": True} for check in FACT_CHECKS}
    passed |= {"half_year_disclosure__2025H1": {"success": True}, "quarterly_solvency__2025H1": {"success": True}}
    assert unpassed_validations(quarter, passed) == []
    errored = {name: result for name, result in passed.items() if name != "fct_minimum_capital__2025Q2"}
    assert unpassed_validations(quarter, errored) == ["fct_minimum_capital__2025Q2: errored or did not run"]
    failed = {**passed, "quarterly_solvency__2025H1": {"success": False}}
    assert unpassed_validations(quarter, failed) == ["quarterly_solvency__2025H1: failed"]
    assert unpassed_validations(quarter, {}) != []  # nothing ran: nothing is published
