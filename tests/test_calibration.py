"""The investment-mix shift the generator solves for the minimum-capital target, and the regulator's additional
capital it delivers (generator/finance.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import yaml

from orchestration.generator.finance import (
    CALIBRATION_EQUITIES,
    SECURITIES,
    _additional_capital,
    calibration_pool,
    shift_to_equity,
)
from orchestration.generator.scenario import load_scenario
from orchestration.generator.timeline import Window
from tests.conftest import SEED_SCENARIO

KLASS = np.array([security[0] for security in SECURITIES])
CURRENCY = np.array([security[3] for security in SECURITIES])


def test_the_shift_moves_funds_from_the_cny_deposits_into_the_equities_only() -> None:
    amounts = np.full(len(SECURITIES), 1_000_000_00, dtype=np.int64)
    held = np.ones(len(SECURITIES), dtype=bool)
    held[3] = False  # a term deposit no longer held at the period end
    pool = calibration_pool(KLASS, CURRENCY, held)
    assert set(KLASS[pool]) == {"demand_deposit", "term_deposit"} and set(CURRENCY[pool]) == {"CNY"}
    assert 3 not in pool
    change = shift_to_equity(amounts, pool, 5_000_000_01)
    assert change.sum() == 0  # total investments, hence investable funds and total assets, unchanged
    assert change[CALIBRATION_EQUITIES].sum() == 5_000_000_01
    assert CALIBRATION_EQUITIES.size >= 4  # spread: no single equity takes the whole shift
    assert change[CALIBRATION_EQUITIES].max() - change[CALIBRATION_EQUITIES].min() <= 1  # equal shares, to the fen
    assert set(KLASS[CALIBRATION_EQUITIES]) == {"listed_equity"} and set(CURRENCY[CALIBRATION_EQUITIES]) == {"CNY"}
    outside = np.setdiff1d(np.arange(len(SECURITIES)), [*pool, *CALIBRATION_EQUITIES])
    assert not change[outside].any()
    assert change[pool].max() - change[pool].min() <= 1  # equal deposits give up equal shares, to the fen


def test_a_shift_beyond_what_the_deposits_hold_is_refused() -> None:
    amounts = np.full(len(SECURITIES), 100, dtype=np.int64)
    pool = calibration_pool(KLASS, CURRENCY, np.ones(len(SECURITIES), dtype=bool))
    with pytest.raises(ValueError, match="cannot move"):
        shift_to_equity(amounts, pool, int(amounts[pool].sum()) + 1)
    with pytest.raises(ValueError, match="cannot move"):
        shift_to_equity(amounts, pool, -100 * CALIBRATION_EQUITIES.size - 1)  # more than the equities hold


def test_additional_capital_is_delivered_only_when_the_scenario_gives_it(tmp_path: Path) -> None:
    seed = load_scenario(SEED_SCENARIO)
    window = Window.for_period(seed.period)
    assert _additional_capital(seed, window).num_rows == 0  # none required: the regulator delivers nothing
    doc = yaml.safe_load(SEED_SCENARIO.read_text(encoding="utf-8"))
    doc["inputs"] = {"additional_capital": {"value": 1234.56}}
    scenario_path = tmp_path / "with_additional_capital.yaml"
    scenario_path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    notice = _additional_capital(load_scenario(scenario_path), window).to_pylist()
    assert notice == [
        {
            "notice_id": "NFRA-AC-2025H1",
            "amount": Decimal("12345600.00"),  # 1,234.56 万元
            "effective_from": date(2025, 1, 1),
            "notified_on": date(2024, 12, 31),
        }
    ]
