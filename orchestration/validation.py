"""Great Expectations gates: a suite stored as JSON under ``expectations/`` run on a frame from DuckDB.

GX 1.x SQL data sources return empty metrics on DuckDB, so a gate validates a small pandas frame that
DuckDB computed (the figures of the periods being published, never whole fact tables). A rule that errors
counts as failed. Each expectation carries ``meta.rule_id`` and ``meta.severity`` (``error`` or ``warning``);
the gate passes when every ``error`` rule passed.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from orchestration import settings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one rule of a suite."""

    rule_id: str
    severity: str
    expectation: str
    column: str
    success: bool
    errored: bool
    detail: str


@dataclass(frozen=True)
class GateResult:
    """Outcome of a suite on a frame."""

    suite: str
    success: bool
    rules: list[RuleResult]

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.success]

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "success": self.success,
            "evaluated": len(self.rules),
            "failed": len(self.failures),
            "rules": [asdict(r) for r in self.rules],
        }

    def summary(self) -> str:
        if self.success:
            return f"{self.suite}: all {len(self.rules)} rules passed"
        lines = [f"{self.suite}: {len(self.failures)} of {len(self.rules)} rules failed"]
        lines += [f"  {r.rule_id} [{r.severity}] {r.detail}" for r in self.failures]
        return "\n".join(lines)


def load_suite(name: str) -> dict[str, Any]:
    """The suite document ``expectations/<name>.json``."""
    path = settings.expectations_dir() / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _detail(result: Any, kwargs: dict[str, Any], rows: pd.Series | None) -> str:
    column = kwargs.get("column") or f"{kwargs.get('column_A')} vs {kwargs.get('column_B')}"
    if result.exception_info.get("raised_exception"):
        return f"{column}: errored: {result.exception_info.get('exception_message')}"
    observed = result.result.get("observed_value")
    unexpected = result.result.get("partial_unexpected_index_list") or []
    values = result.result.get("partial_unexpected_list") or []
    if values:
        shown = []
        for index, value in zip(unexpected or [None] * len(values), values, strict=False):
            label = rows.iloc[index] if rows is not None and index is not None else "row"
            shown.append(f"{label}: {value}")
        bounds = {k: kwargs[k] for k in ("min_value", "max_value", "value_set", "regex") if k in kwargs}
        return f"{column} = {'; '.join(shown)} (expected {bounds or 'to hold'})"
    return f"{column}: observed {observed}"


def run_suite(name: str, frame: pd.DataFrame, row_label: str | None = None) -> GateResult:
    """Validate ``frame`` with the suite ``name``; ``row_label`` names rows in failure messages."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    document = load_suite(name)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    suite = context.suites.add(gx.ExpectationSuite(name=document["name"], expectations=document["expectations"]))
    batch = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("frame")
    )
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    outcome = definition.run(
        batch_parameters={"dataframe": frame.reset_index(drop=True)},
        result_format={"result_format": "COMPLETE"},
    )
    rows = frame[row_label].reset_index(drop=True) if row_label else None
    rules = []
    for result in outcome.results:
        config = result.expectation_config
        meta = config.meta or {}
        errored = bool(result.exception_info.get("raised_exception"))
        rules.append(
            RuleResult(
                rule_id=meta.get("rule_id", config.type),
                severity=meta.get("severity", "error"),
                expectation=config.type,
                column=str(config.kwargs.get("column") or config.kwargs.get("column_A") or ""),
                success=bool(result.success) and not errored,
                errored=errored,
                detail=_detail(result, config.kwargs, rows),
            )
        )
    rules.sort(key=lambda r: r.rule_id)
    success = all(r.success for r in rules if r.severity == "error")
    return GateResult(suite=name, success=success, rules=rules)
