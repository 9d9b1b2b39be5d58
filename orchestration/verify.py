"""``regwh verify``: the published figures of a scenario's period beside the extract's computed ones."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from orchestration import settings
from orchestration.periods import Period
from orchestration.publish import latest_package

# Population counts hold at scale 1 and scale with the population otherwise (scenario file header).
POPULATION_METRICS = frozenset({"members_end", "claims_count"})


@dataclass(frozen=True)
class Comparison:
    metric: str
    published: str
    computed: str | None
    difference: Decimal | None
    tolerance: Decimal | None
    status: str  # ok, MISS, not computed


def delivery_scale(root: Path) -> Decimal:
    """The population scale the demo delivery was generated at (1 when not stated)."""
    marker = settings.landing_dir(root) / "_demo.json"
    if marker.exists():
        return Decimal(str(json.loads(marker.read_text())["scale"]))
    return Decimal(1)


def compare(targets: dict, computed: dict[str, str], scale: Decimal) -> list[Comparison]:
    rows = []
    for metric, target in targets.items():
        value = computed.get(metric)
        published = str(target["value"])
        if value is None:
            rows.append(Comparison(metric, published, None, None, None, "not computed"))
            continue
        if "tolerance" not in target:
            rows.append(Comparison(metric, published, value, None, None, "ok" if value == published else "MISS"))
            continue
        expected, tolerance = Decimal(published), Decimal(str(target["tolerance"]))
        if metric in POPULATION_METRICS and scale != 1:
            expected, tolerance = expected * scale, max(tolerance * scale, Decimal("0.5"))
        difference = Decimal(value) - expected
        status = "ok" if abs(difference) <= tolerance else "MISS"
        rows.append(Comparison(metric, format(expected.normalize(), "f"), value, difference, tolerance, status))
    return rows


def verify(scenario_path: Path, root: Path | None = None) -> tuple[Path, list[Comparison]]:
    """Compare the latest package of the scenario's period with its targets."""
    scenario = yaml.safe_load(scenario_path.read_text(encoding="utf-8"))
    period = Period.parse(scenario["period"]["label"])
    package = latest_package(period, root)
    if package is None:
        raise FileNotFoundError(f"no extract published for {period.label} under {settings.extracts_dir(root)}")
    with (package / "metrics.csv").open(encoding="utf-8", newline="") as handle:
        computed = {row["metric_code"]: row["value"] for row in csv.DictReader(handle)}
    return package, compare(scenario["targets"], computed, delivery_scale(root or settings.home()))


def render(rows: list[Comparison]) -> str:
    header = f"{'metric':32} {'published':>16} {'computed':>22} {'difference':>16}  status"
    lines = [header, "-" * len(header)]
    for r in rows:
        difference = "" if r.difference is None else format(r.difference.normalize(), "f")
        lines.append(f"{r.metric:32} {r.published:>16} {r.computed or '':>22} {difference:>16}  {r.status}")
    return "\n".join(lines)
