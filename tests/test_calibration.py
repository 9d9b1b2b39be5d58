"""The investment-mix shift the generator solves for the minimum-capital target (generator/finance.py)."""

from __future__ import annotations

import numpy as np
import pytest

from orchestration.generator.finance import CALIBRATION_EQUITY, SECURITIES, calibration_pool, shift_to_equity

KLASS = np.array([security[0] for security in SECURITIES])
CURRENCY = np.array([security[3] for security in SECURITIES])


def test_the_shift_moves_funds_from_the_cny_deposits_into_the_equity_only() -> None:
    amounts = np.full(len(SECURITIES), 1_000_000_00, dtype=np.int64)
    held = np.ones(len(SECURITIES), dtype=bool)
    held[3] = False  # a term deposit no longer held at the period end
    pool = calibration_pool(KLASS, CURRENCY, held)
    assert set(KLASS[pool]) == {"demand_deposit", "term_deposit"} and set(CURRENCY[pool]) == {"CNY"}
    assert 3 not in pool
    change = shift_to_equity(amounts, pool, 5_000_000_01)
    assert change.sum() == 0  # total investments, hence investable funds and total assets, unchanged
    assert change[CALIBRATION_EQUITY] == 5_000_000_01
    assert KLASS[CALIBRATION_EQUITY] == "listed_equity" and CURRENCY[CALIBRATION_EQUITY] == "CNY"
    outside = np.setdiff1d(np.arange(len(SECURITIES)), [*pool, CALIBRATION_EQUITY])
    assert not change[outside].any()
    assert change[pool].max() - change[pool].min() <= 1  # equal deposits give up equal shares, to the fen


def test_a_shift_beyond_what_the_deposits_hold_is_refused() -> None:
    amounts = np.full(len(SECURITIES), 100, dtype=np.int64)
    pool = calibration_pool(KLASS, CURRENCY, np.ones(len(SECURITIES), dtype=bool))
    with pytest.raises(ValueError, match="cannot move"):
        shift_to_equity(amounts, pool, int(amounts[pool].sum()) + 1)
    with pytest.raises(ValueError, match="cannot move"):
        shift_to_equity(amounts, pool, -101)  # more than the equity holds
