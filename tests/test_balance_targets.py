"""The ledger's period-end totals meet every published figure's interval at once (generator/balance.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from orchestration.generator.balance import balance_targets
from orchestration.generator.scenario import load_scenario

SEED = Path(__file__).resolve().parents[1] / "scenarios" / "seed_2025h1.yaml"
WAN = Decimal(1_000_000)


def _rounded(fen: int | Decimal) -> Decimal:
    return (Decimal(fen) / WAN).quantize(Decimal("0.01"))


def test_the_seed_figures_are_met_together_after_rounding() -> None:
    scenario = load_scenario(SEED)
    figures = balance_targets(scenario, default_liabilities=0)
    minimum = Decimal("46587.25") * WAN  # the published minimum capital, assumed computed exactly
    actual = figures.admitted_assets - figures.total_liabilities
    core = actual - figures.admitted_deferred_tax_assets
    # Published (万元): 488,353.40 − 391,122.11 = 97,231.29 but actual capital 97,231.28, surplus 50,644.03.
    assert _rounded(figures.admitted_assets) == Decimal("488353.40")
    assert _rounded(figures.total_liabilities) == Decimal("391122.11")
    assert _rounded(figures.total_liabilities + figures.net_assets) == Decimal("489769.19")
    assert _rounded(figures.net_assets) == Decimal("98647.08")
    assert _rounded(actual) == Decimal("97231.28")
    assert _rounded(actual - minimum) == Decimal("50644.03")
    assert _rounded(core - minimum) == Decimal("49961.09")
    assert (100 * core / minimum).quantize(Decimal("0.01")) == Decimal("207.24")
    assert (100 * actual / minimum).quantize(Decimal("0.01")) == Decimal("208.71")
    assert _rounded(figures.admitted_deferred_tax_assets) == Decimal("682.94")  # supplementary tier 1


def test_inconsistent_published_figures_are_refused(tmp_path: Path) -> None:
    doc = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    doc["targets"]["actual_capital"]["value"] = 97300  # no longer admitted assets − admitted liabilities
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="no consistent"):
        balance_targets(load_scenario(path), default_liabilities=0)


def test_without_capital_targets_there_is_no_deferred_tax_asset(tmp_path: Path) -> None:
    doc = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    for code in ("core_solvency_surplus", "core_solvency_ratio"):
        doc["targets"].pop(code)
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert balance_targets(load_scenario(path), default_liabilities=0).admitted_deferred_tax_assets == 0
