"""Demo data generator: synthetic landing files for every source system, calibrated to a scenario's published
figures (``scenarios/*.yaml``). The generator is the only code that reads the targets; the landing files carry
raw rows only, from which the warehouse recomputes the figures.

    generate(Path("scenarios/seed_2025h1.yaml"), Path("var/demo"), scale=0.01)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from orchestration.generator.calibration import solve_equity_shift
from orchestration.generator.claims import build_claims
from orchestration.generator.finance import build_finance
from orchestration.generator.policy import build_policies, products_table
from orchestration.generator.related_party import build_related_party
from orchestration.generator.scenario import Scenario, load_scenario
from orchestration.generator.timeline import Window
from orchestration.generator.writer import LANDING_FORMATS, MARKER, Landing
from orchestration.landing_contract import get_table

__all__ = ["generate"]


def generate(
    scenario_path: Path,
    home: Path,
    scale: float = 1.0,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    calibrate: bool = False,
    landing_format: str = "csv",
) -> dict:
    """Write ``home/landing/<system>/<table>_<YYYYQn>.<ext>`` for the scenario's period and the 12 quarters before it.

    ``scale`` multiplies the population (members, policies, claims); money totals, ratios and register counts hold
    at every scale. Same scenario, scale and seed give byte-identical files. With ``calibrate`` and a
    minimum-capital target, the investment mix is solved on a first writing so that the warehouse computes the
    target (``calibration.py``), then everything is written again with it. ``landing_format`` ``parquet`` writes
    the event tables as Parquet (``writer.file_format``): 0.64 GB instead of 4.6 GB at scale 1. Returns rows
    written per table (for snapshot tables, the rows of the last quarter's file)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if landing_format not in LANDING_FORMATS:
        raise ValueError(f"landing format must be one of {LANDING_FORMATS}, not {landing_format!r}")
    scenario = load_scenario(Path(scenario_path))
    say = progress or (lambda _message: None)
    window = Window.for_period(scenario.period)
    marker = {
        "scenario": scenario.name,
        "period": scenario.period.label,
        "scale": scale,
        "seed": seed,
        "format": landing_format,
        "generated_by": "regwh generate",
    }
    landing = _write(scenario, Path(home), scale, seed, progress, 0, marker, landing_format)
    if calibrate and "minimum_capital" in scenario.targets:
        equity_shift = solve_equity_shift(scenario, Path(home), say)
        landing = _write(scenario, Path(home), scale, seed, progress, equity_shift, marker, landing_format)
    return {**marker, "quarters": window.labels, "rows": dict(sorted(landing.rows.items()))}


def _write(
    scenario: Scenario,
    home: Path,
    scale: float,
    seed: int,
    progress: Callable[[str], None] | None,
    equity_shift: int,
    marker: dict,
    landing_format: str,
) -> Landing:
    """Build and write every table (deterministic in the seed), then the generator's marker file."""
    window = Window.for_period(scenario.period)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    landing = Landing(home, window, progress, landing_format)
    landing.prepare()

    book = build_policies(scenario, window, scale, streams[0])
    landing.snapshot(get_table("policy", "products"), products_table)
    for name in list(book.tables):
        landing.event(get_table("policy", name), book.tables.pop(name)())
    claims = build_claims(scenario, window, scale, streams[1], book)
    for name in list(claims.tables):
        landing.event(get_table("claims", name), claims.tables.pop(name))
    related_party = build_related_party(scenario, window, streams[2])
    finance = build_finance(scenario, window, streams[3], book, claims, equity_shift)
    del book, claims  # the finance tables hold what they still need: the policy book can go before they are written
    for sources in (related_party, finance):
        for key, data in sources.events.items():
            landing.event(get_table(*key.split("/")), data)
        for key, state_at in sources.snapshots.items():
            landing.snapshot(get_table(*key.split("/")), state_at)
    fd = os.open(landing.root / MARKER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(marker, out, indent=2)
        out.write("\n")
    return landing
