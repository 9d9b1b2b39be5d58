"""The C-ROSS regulatory tests (core ratio ≥ 50 %, comprehensive ratio ≥ 100 %, rating class B or better) as a
non-blocking check: a failed test is a result the package reports, not a data error, so it never stops publication,
but it shows red in the UI with the figure."""

import dagster as dg

from orchestration.defs.regulatory import run_quarter
from orchestration.defs.resources import Warehouse

SOLVENCY_SUMMARY = dg.AssetKey(["regulatory", "rpt_solvency_summary"])


@dg.asset_check(
    asset=SOLVENCY_SUMMARY,
    name="regulatory_tests",
    blocking=False,
    description="The quarter's solvency against the C-ROSS standards (core ratio >= 50 %, comprehensive ratio >= "
    "100 %, integrated risk rating class B or better). Fails, as a warning, when a test fails.",
)
def regulatory_tests(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    quarter = run_quarter(context.run)
    with warehouse.get_connection() as con:
        rows = con.execute(
            "select regulatory_test, this_quarter_value, this_quarter_grade, this_quarter_passed "
            "from regulatory.rpt_solvency_summary where regulatory_test is not null order by regulatory_test"
        ).fetchall()
    failed = [row for row in rows if not row[3]]
    lines = [
        f"- {'passed' if passed else 'FAILED'}: {test} ({grade or f'{value:.2f} %'})"
        for test, value, grade, passed in rows
    ]
    return dg.AssetCheckResult(
        passed=bool(rows) and not failed,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{quarter.label}: {len(rows) - len(failed)} of {len(rows)} regulatory tests passed",
        metadata={"quarter": quarter.label, "tests": dg.MetadataValue.md("\n".join(lines) or "no tests evaluated")},
    )
