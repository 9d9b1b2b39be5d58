"""The gate on the disclosure figures (a blocking GX check) and the half-year disclosure extract package."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pandas as pd

from orchestration import deliveries, settings
from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.partitions import quarterly_partitions
from orchestration.defs.raw import SOURCE_RECORD
from orchestration.defs.resources import Warehouse, WarehouseHome
from orchestration.disclosure import aggregations, gate_frame, period_metrics
from orchestration.disclosure_report import report_input
from orchestration.fact_checks import FACT_CHECKS
from orchestration.footing import footing_problems
from orchestration.periods import Period
from orchestration.publish import PublicationError, code_version, metrics_csv, publish_package, sha256_bytes
from orchestration.report import render_package_files
from orchestration.validation import run_suite

DISCLOSURE_METRICS = dg.AssetKey(["regulatory", "rpt_disclosure_metrics"])
DISCLOSURE_SUITE = "half_year_disclosure"
ALL_METRICS = dg.AssetKey(["regulatory", "rpt_metrics"])
SOLVENCY_CHECKS = dg.AssetKey(["regulatory", "rpt_solvency_checks"])
SOLVENCY_SUITE = "quarterly_solvency"
RESTATEMENT_TAG = "regwh/restatement_reason"


def run_quarter(run: dg.DagsterRun) -> Period:
    """The quarter a run closes: its partition key."""
    key = run.tags.get("dagster/partition") or run.tags.get("dagster/asset_partition_range_end")
    if not key:
        raise dg.Failure("a close runs for one quarter partition (e.g. 2025Q2)")
    return Period.parse(key)


def reported_period(quarter: Period) -> Period:
    """The disclosure a quarter's close gates: the half year it ends, else the quarter itself."""
    if quarter.number % 2 == 0:
        return Period(quarter.year, "H", quarter.number // 2)
    return quarter


def validation_path(root: Path, run_id: str, period: Period) -> Path:
    return settings.validations_dir(root) / run_id / f"{DISCLOSURE_SUITE}__{period.label}.json"


@dg.asset_check(
    asset=DISCLOSURE_METRICS,
    name="disclosure_gate",
    blocking=True,
    description="Great Expectations suite expectations/half_year_disclosure.json on the disclosure figures; "
    "nothing is published unless it passes.",
)
def disclosure_gate(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, home: WarehouseHome
) -> dg.AssetCheckResult:
    period = reported_period(run_quarter(context.run))
    with warehouse.get_connection() as con:
        frame = gate_frame(period_metrics(con, period), period, aggregations(con))
    result = run_suite(DISCLOSURE_SUITE, frame, row_label="period_label")
    target = validation_path(home.root, context.run.run_id, period)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"period": period.label, **result.to_dict()}, indent=2), encoding="utf-8")
    context.log.info(result.summary())
    return dg.AssetCheckResult(
        passed=result.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=result.summary(),
        metadata={
            "period": period.label,
            "rules_evaluated": len(result.rules),
            "rules_failed": len(result.failures),
            "failures": dg.MetadataValue.md("\n".join(f"- {r.detail}" for r in result.failures) or "none"),
        },
    )


@dg.asset_check(
    asset=SOLVENCY_CHECKS,
    name="solvency_gate",
    blocking=True,
    description="Great Expectations suite expectations/quarterly_solvency.json on the C-ROSS figures and their "
    "identities (actual capital = admitted assets - admitted liabilities, surpluses, ratios).",
)
def solvency_gate(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, home: WarehouseHome
) -> dg.AssetCheckResult:
    quarter = run_quarter(context.run)
    period = reported_period(quarter)
    labels = sorted({quarter.label, period.label})
    with warehouse.get_connection() as con:
        cursor = con.execute(
            "select * from regulatory.rpt_solvency_checks where period_label in (select unnest(?))", [labels]
        )
        columns = [d[0] for d in cursor.description]
        frame = pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
    result = run_suite(SOLVENCY_SUITE, frame, row_label="period_label")
    missing = sorted(set(labels) - set(frame["period_label"]))
    target = settings.validations_dir(home.root) / context.run.run_id / f"{SOLVENCY_SUITE}__{period.label}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {"periods": labels, "periods_without_rows": missing, **result.to_dict()}
    document["success"] = result.success and not missing
    target.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    return dg.AssetCheckResult(
        passed=document["success"],
        description=result.summary() + (f"\nno figures for {', '.join(missing)}" if missing else ""),
        metadata={"rules_evaluated": len(result.rules), "rules_failed": len(result.failures)},
    )


def unpassed_validations(quarter: Period, results: dict[str, dict]) -> list[str]:
    """What stops publication of a close of ``quarter``: each validation that failed, and each one the close must
    run (every fact-table suite, the disclosure and the solvency gate) that left no result, because it errored
    or did not run. ``results``: validation documents by file stem (``<suite>__<period>``)."""
    reported = reported_period(quarter)
    expected = {f"{check.suite}__{quarter.label}" for check in FACT_CHECKS}
    expected |= {f"{DISCLOSURE_SUITE}__{reported.label}", f"{SOLVENCY_SUITE}__{reported.label}"}
    failed = [f"{name}: failed" for name, result in sorted(results.items()) if not result.get("success")]
    return failed + [f"{name}: errored or did not run" for name in sorted(expected - set(results))]


def _inputs(root: Path, quarter: Period) -> list[dict]:
    records = []
    for record in sorted(settings.raw_dir(root).glob(f"*/*/quarter=*/{SOURCE_RECORD}")):
        if record.parent.name.removeprefix("quarter=") <= quarter.label:
            records.append(json.loads(record.read_text()))
    return records


METRICS_SQL = """
select m.metric_code, coalesce(cast(m.metric_value as varchar), m.metric_text), p.display_decimals, m.unit
from regulatory.rpt_metrics as m
inner join reference.metric_publication as p on m.metric_code = p.metric_code
inner join (select code, row_number() over () as position from reference.metric_dictionary) as d
    on m.metric_code = d.code
where m.period_label = ? and p.published_in = ?
order by d.position
"""

QUARTERLY_TABLES = {
    "solvency_summary.csv": "select * from regulatory.rpt_solvency_summary order by all",
    "related_party_disclosure.csv": "select * from regulatory.rpt_related_party_disclosure "
    "where period_label = ? order by all",
}


def _table_csv(con, sql: str, period: Period) -> tuple[bytes, int]:
    """A regulatory table as UTF-8 CSV (stable row order, DECIMAL written exactly)."""
    cursor = con.execute(sql, [period.label] if "?" in sql else [])
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8"), len(rows)


PREVIEW_ROWS = 40


def markdown_preview(data: bytes, limit: int = PREVIEW_ROWS) -> str:
    """A published CSV as a Markdown table (its first ``limit`` rows), for the UI."""
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    cells = frame.head(limit).replace({r"\|": r"\\|", r"\s*\n\s*": " "}, regex=True)
    table = cells.to_markdown(index=False, disable_numparse=True)
    more = len(frame) - limit
    return table + (f"\n\n{more} more rows in the package." if more > 0 else "")


def _publish(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    home: WarehouseHome,
    period: Period,
    output: str,
    tables: dict[str, str],
) -> dg.MaterializeResult:
    """Publish ``output`` for ``period`` when every validation of this run passed; nothing otherwise."""
    quarter = Period.parse(context.partition_key)
    run_validations = settings.validations_dir(home.root) / context.run.run_id
    results = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(run_validations.glob("*.json"))
    }
    unpassed = unpassed_validations(quarter, results)
    if unpassed:
        raise dg.Failure(f"{period.label}: nothing published; validations not passed:\n" + "\n".join(unpassed))
    with warehouse.get_connection() as con:
        rows = con.execute(METRICS_SQL, [period.label, output]).fetchall()
        rendered = render_package_files(report_input(con, period, output))
        extra = {name: _table_csv(con, sql, period) for name, sql in tables.items()}
    if not rows or any(value is None for _, value, _, _ in rows):
        raise dg.Failure(f"{period.label}: a {output} figure is missing; nothing published")
    metrics = metrics_csv(
        [(code, value if unit == "grade" else Decimal(value), decimals, unit) for code, value, decimals, unit in rows]
    )
    validation = json.dumps(results, indent=2, sort_keys=True, default=str).encode("utf-8")
    files = {"metrics.csv": metrics, "validation.json": validation, **rendered, **{n: d for n, (d, _) in extra.items()}}
    unfooted = footing_problems(files)
    if unfooted:
        raise dg.Failure(f"{period.label}: a published table does not foot, nothing published:\n" + "\n".join(unfooted))
    row_counts = {
        "metrics.csv": len(rows),
        **{name: data.count(b"\n") - 1 for name, data in rendered.items() if name.endswith(".csv")},
        **{name: count for name, (_, count) in extra.items()},
    }
    provenance = {
        "run_id": context.run.run_id,
        "code_version": code_version(),
        "dbt_manifest_sha256": sha256_bytes(dbt_project.manifest_path.read_bytes()),
        "validation": {
            "success": True,
            "suites": {name: {"success": r["success"], "rules": r["evaluated"]} for name, r in results.items()},
        },
    }
    inputs = _inputs(home.root, quarter)
    unkept = deliveries.missing_inputs(inputs, home.root)
    if unkept:
        raise dg.Failure(
            f"{period.label}: inputs missing from the delivery archive, nothing published:\n" + "\n".join(unkept)
        )
    try:
        published = publish_package(
            period,
            output,
            files,
            row_counts,
            inputs,
            provenance,
            restatement_reason=context.run.tags.get(RESTATEMENT_TAG),
            root=home.root,
        )
    except PublicationError as error:
        raise dg.Failure(str(error)) from error
    context.log.info(f"{'published' if published.written else 'unchanged'}: {published.path}")
    return dg.MaterializeResult(
        metadata={
            "package": str(published.path),
            "version": published.version,
            "written": published.written,
            "metrics": len(rows),
            **{
                f"preview {name}": dg.MetadataValue.md(markdown_preview(files[name]))
                for name in ("metrics.csv", *tables)
            },
        }
    )


@dg.asset(
    key=dg.AssetKey(["extracts", "half_year_disclosure"]),
    group_name="extracts",
    deps=[DISCLOSURE_METRICS, ALL_METRICS, SOLVENCY_CHECKS],
    partitions_def=quarterly_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=1),
    kinds={"csv"},
    description="Half-year disclosure (经营情况报告) package: `extracts/<YYYYHn>/v<N>/` with metrics.csv, tables, "
    "report (HTML, PDF, XLSX), validations and manifest. Materialise it for the half year's last quarter.",
)
def half_year_disclosure_package(
    context: dg.AssetExecutionContext, warehouse: Warehouse, home: WarehouseHome
) -> dg.MaterializeResult:
    period = reported_period(Period.parse(context.partition_key))
    if period.is_quarter:
        raise dg.Failure(f"no half year ends in {context.partition_key}; close 2025Q2 or 2025Q4")
    return _publish(context, warehouse, home, period, "half_year_disclosure", {})


@dg.asset(
    key=dg.AssetKey(["extracts", "quarterly_solvency"]),
    group_name="extracts",
    deps=[
        ALL_METRICS,
        SOLVENCY_CHECKS,
        dg.AssetKey(["regulatory", "rpt_solvency_summary"]),
        dg.AssetKey(["regulatory", "rpt_related_party_disclosure"]),
    ],
    partitions_def=quarterly_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=1),
    kinds={"csv"},
    description="Quarterly solvency package (偿付能力季度报告摘要): `extracts/<YYYYQn>/v<N>/` with the summary "
    "table (主要指标表, this and last quarter), the related-party disclosure, metrics.csv, report and manifest.",
)
def quarterly_solvency_package(
    context: dg.AssetExecutionContext, warehouse: Warehouse, home: WarehouseHome
) -> dg.MaterializeResult:
    quarter = Period.parse(context.partition_key)
    return _publish(context, warehouse, home, quarter, "quarterly_solvency", QUARTERLY_TABLES)
