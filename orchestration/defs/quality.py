"""GX suites on the fact and regulatory tables as blocking asset checks, on per-quarter aggregates DuckDB computes."""

import json

import dagster as dg

from orchestration.defs.regulatory import reported_period, run_quarter
from orchestration.defs.resources import Warehouse, WarehouseHome
from orchestration.fact_checks import FACT_CHECKS, FactCheck, aggregates
from orchestration.settings import validations_dir
from orchestration.validation import run_suite


def build_fact_check(check: FactCheck) -> dg.AssetChecksDefinition:
    """A blocking check running ``expectations/<suite>.json`` on the quarters the run closes."""

    @dg.asset_check(
        asset=dg.AssetKey([check.schema, check.model]),
        name=f"{check.suite}_suite",
        blocking=True,
        description=f"Great Expectations suite expectations/{check.suite}.json on per-quarter aggregates.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: Warehouse, home: WarehouseHome
    ) -> dg.AssetCheckResult:
        quarter = run_quarter(context.run)
        quarters = [quarter] if check.close_quarter_only else reported_period(quarter).quarters
        with warehouse.get_connection() as con:
            frame = aggregates(con, check, quarters)
        missing = sorted({q.label for q in quarters} - set(frame["quarter_label"]))
        result = run_suite(check.suite, frame, row_label=check.row_label)
        passed = result.success and not missing
        target = validations_dir(home.root) / context.run.run_id / f"{check.suite}__{quarter.label}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        document = {"quarters": [q.label for q in quarters], "quarters_without_rows": missing, **result.to_dict()}
        target.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
        summary = result.summary() + (f"\nno rows for {', '.join(missing)}" if missing else "")
        return dg.AssetCheckResult(
            passed=passed,
            description=summary,
            metadata={"rules_evaluated": len(result.rules), "rules_failed": len(result.failures)},
        )

    return _check


fact_checks = [build_fact_check(check) for check in FACT_CHECKS]
