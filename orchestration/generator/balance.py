"""Period-end balance-sheet and capital figures in fen that meet every published figure's interval at once.

Published figures are rounded separately: the seed's admitted assets 488,353.40 minus admitted liabilities
391,122.11 is 97,231.29 万元, yet its actual capital is published as 97,231.28 and its comprehensive surplus as
50,644.03 (= 97,231.28 − 46,587.25). The ledger's opening position is therefore chosen from the intersection of the
intervals every published figure allows (value ± tolerance), so that the unrounded figures satisfy every identity
and each rounds to its published value. Core capital is actual capital less the admitted deferred tax assets
(supplementary tier 1 capital, C-ROSS II Rule 1 Art. 40), so the deferred tax balance gives the core figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from orchestration.generator.money import WAN_FEN
from orchestration.generator.scenario import Scenario


@dataclass(frozen=True)
class Interval:
    """A closed interval of fen amounts."""

    lo: float
    hi: float

    def __and__(self, other: Interval | None) -> Interval:
        return self if other is None else Interval(max(self.lo, other.lo), min(self.hi, other.hi))

    def __sub__(self, other: Interval | int) -> Interval:
        if isinstance(other, Interval):
            return Interval(self.lo - other.hi, self.hi - other.lo)
        return Interval(self.lo - other, self.hi - other)

    def pick(self, what: str) -> int:
        """The fen amount nearest the middle of the interval; an empty interval means inconsistent targets."""
        lo, hi = math.ceil(self.lo), math.floor(self.hi)
        if lo > hi:
            raise ValueError(f"scenario: the published figures leave no consistent {what} ({self.lo} > {self.hi} fen)")
        return (lo + hi) // 2


EVERYTHING = Interval(-math.inf, math.inf)


@dataclass(frozen=True)
class BalanceTargets:
    """Period-end totals (fen) for the ledger's opening position."""

    total_liabilities: int
    net_assets: int
    admitted_assets: int | None
    admitted_deferred_tax_assets: int


def _money(scenario: Scenario, code: str) -> Interval | None:
    target = scenario.targets.get(code)
    if target is None or isinstance(target.value, str):
        return None
    return _around(target.value, target.tolerance, WAN_FEN)


def _around(value: Decimal, tolerance: Decimal, unit: Decimal | int) -> Interval:
    """value ± tolerance, times ``unit``."""
    return Interval(float((value - tolerance) * unit), float((value + tolerance) * unit))


def _capital(scenario: Scenario, capital: str, surplus: str, ratio: str) -> Interval | None:
    """Capital allowed by its own target and by the surplus and ratio over minimum capital."""
    allowed = [_money(scenario, capital)]
    minimum = scenario.targets.get("minimum_capital")
    if minimum is not None:
        mc = Decimal(minimum.value) * WAN_FEN
        if (over := _money(scenario, surplus)) is not None:
            allowed.append(Interval(over.lo + float(mc), over.hi + float(mc)))
        if (share := scenario.targets.get(ratio)) is not None:
            allowed.append(_around(share.value, share.tolerance, mc / 100))
    present = [interval for interval in allowed if interval is not None]
    if not present:
        return None
    result = EVERYTHING
    for interval in present:
        result = result & interval
    return result


def balance_targets(scenario: Scenario, default_liabilities: int) -> BalanceTargets:
    """Total liabilities (= admitted liabilities), net assets, admitted assets and admitted deferred tax assets."""
    liabilities = EVERYTHING & _money(scenario, "total_liabilities") & _money(scenario, "admitted_liabilities")
    if liabilities == EVERYTHING:
        liabilities = Interval(default_liabilities, default_liabilities)
    admitted, actual = (
        _money(scenario, "admitted_assets"),
        _capital(scenario, "actual_capital", "comprehensive_solvency_surplus", "comprehensive_solvency_ratio"),
    )
    core = _capital(scenario, "core_capital", "core_solvency_surplus", "core_solvency_ratio")
    if admitted is not None and actual is not None:
        liabilities = liabilities & (admitted - actual)
    total_liabilities = liabilities.pick("total liabilities")
    admitted_assets, deferred_tax = None, 0
    if admitted is not None:
        capital = (admitted - total_liabilities) & actual
        if core is not None:  # deferred tax assets are not negative: actual capital ≥ core capital
            capital = capital & Interval(core.lo, math.inf)
        actual_capital = capital.pick("actual capital")
        admitted_assets = total_liabilities + actual_capital
        if core is not None:
            deferred_tax = actual_capital - (core & Interval(-math.inf, actual_capital)).pick("core capital")
    net = _money(scenario, "net_assets")
    total = _money(scenario, "total_assets")
    if net is None and total is None:
        net = Interval(98_647.08 * WAN_FEN, 98_647.08 * WAN_FEN)
    net_assets = (EVERYTHING & net & (None if total is None else total - total_liabilities)).pick("net assets")
    return BalanceTargets(total_liabilities, net_assets, admitted_assets, deferred_tax)
