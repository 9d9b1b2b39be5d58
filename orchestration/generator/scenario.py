"""Scenario files: the published figures the demo data is calibrated to. Only the generator reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from orchestration.generator.money import wan_to_fen
from orchestration.periods import Period


@dataclass(frozen=True)
class Target:
    """One published figure and its precision, in the metric's unit."""

    value: Decimal | str
    tolerance: Decimal = Decimal(0)

    @classmethod
    def parse(cls, spec: dict) -> Target:
        value = spec["value"]
        parsed = value if isinstance(value, str) else Decimal(str(value))
        return cls(parsed, Decimal(str(spec.get("tolerance", 0))))


@dataclass(frozen=True)
class Scenario:
    """A scenario: its name, reporting period, period targets, per-quarter targets and inputs (facts the demo
    deliveries carry as given, e.g. ``additional_capital`` in 万元 notified by the regulator)."""

    name: str
    period: Period
    targets: dict[str, Target]
    quarters: dict[str, dict[str, Target]]
    inputs: dict[str, Target] = field(default_factory=dict)

    def value(self, code: str, default: float | str | None = None) -> Decimal | str | None:
        target = self.targets.get(code)
        if target is None:
            return None if default is None else (default if isinstance(default, str) else Decimal(str(default)))
        return target.value

    def count(self, code: str, scale: float, default: float) -> int:
        """A population count at ``scale`` (round(value × scale))."""
        return round(float(self.value(code, default)) * scale)

    def fen(self, code: str, default_wan: float) -> int:
        """A money target in fen."""
        return wan_to_fen(self.value(code, default_wan))

    def quarter_target(self, quarter: str, code: str) -> Target | None:
        return self.quarters.get(quarter, {}).get(code)

    def health_premium_fen(self, total_fen: int) -> int:
        """Health premium in fen inside both the health target's and the health share's intervals (midpoint)."""
        low, high = Decimal(0), Decimal(total_fen)
        health, share = self.targets.get("premium_income_health"), self.targets.get("premium_share_health")
        if health is None and share is None:
            share = Target(Decimal("95"), Decimal("0.5"))
        if health is not None:
            low = max(low, (health.value - health.tolerance) * 1_000_000)
            high = min(high, (health.value + health.tolerance) * 1_000_000)
        if share is not None:
            low = max(low, (share.value - share.tolerance) * total_fen / 100)
            high = min(high, (share.value + share.tolerance) * total_fen / 100)
        if low > high:
            raise ValueError(f"scenario: health premium target and health share are inconsistent ({low} > {high})")
        return int((low + high) / 2)


def load_scenario(path: Path) -> Scenario:
    """Read a scenario YAML file (see ``scenarios/seed_2025h1.yaml``)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    targets = {code: Target.parse(spec) for code, spec in (doc.get("targets") or {}).items()}
    quarters = {
        str(label): {code: Target.parse(spec) for code, spec in specs.items()}
        for label, specs in (doc.get("quarters") or {}).items()
    }
    inputs = {code: Target.parse(spec) for code, spec in (doc.get("inputs") or {}).items()}
    return Scenario(str(doc["scenario"]), Period.parse(str(doc["period"]["label"])), targets, quarters, inputs)
