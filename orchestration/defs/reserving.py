"""Reserving assets: claims triangles, selected development factors and IBNR, per closed quarter.

They read the warehouse (incurred movements built by dbt), run ``orchestration.reserving`` (chainladder)
and write the ``reserving`` schema through the ``warehouse`` resource (into ``warehouse.duckdb``, or on Spark as
Parquet in the lake), which dbt's ``fct_reserves`` reads back as a source.
"""

from datetime import date
from typing import TYPE_CHECKING

import dagster as dg
import pandas as pd

from orchestration import settings
from orchestration.defs.partitions import quarterly_partitions
from orchestration.defs.resources import Warehouse
from orchestration.periods import Period

if TYPE_CHECKING:
    from orchestration.reserving import LineAssumptions

TRIANGLES = dg.AssetKey(["reserving", "claims_triangles"])
FACTORS = dg.AssetKey(["reserving", "development_factors"])
IBNR = dg.AssetKey(["reserving", "ibnr_estimates"])
YEAR_END_IBNR = dg.AssetKey(["reserving", "year_end_ibnr_estimates"])

# Summed by line and quarter in DuckDB (exactly, in DECIMAL): chainladder and pandas see one row per triangle
# cell and per line and quarter of premium, never the fact tables' rows.
MOVEMENTS_SQL = """
select
    line_of_business as line,
    date_trunc('quarter', accident_date) as origin_date,
    date_trunc('quarter', booked_date) as development_date,
    cast(sum(amount) as double) as amount
from intermediate.int_claims__incurred_movements
where booked_date <= ?
group by all
order by all
"""

# Bornhuetter-Ferguson exposure: earned premium (1/365 method) by line and accident (= earning) quarter.
EARNED_PREMIUM_SQL = """
select
    premiums.line_of_business as line,
    quarters.start_date as origin,
    cast(sum(premiums.earned_premium) as double) as amount
from marts.fct_premiums as premiums
inner join reference.reporting_periods as quarters
    on premiums.quarter_label = quarters.period_label and quarters.period_kind = 'quarter'
where quarters.end_date <= ?
group by premiums.line_of_business, quarters.start_date
"""

# Whether any claim movement is booked by a year end (a year end before the history is not valued).
HISTORY_SQL = "select count(*) from intermediate.int_claims__incurred_movements where booked_date <= ?"


def _assumptions(con) -> dict[str, "LineAssumptions"]:
    rows = con.execute(
        "select line_of_business, min_origin_periods, apriori_loss_ratio, ulae_ratio "
        "from reference.reserving_assumptions"
    ).fetchall()
    from orchestration.reserving import LineAssumptions  # chainladder: imported by the dbt step (preload)

    return {line: LineAssumptions(line, int(n), float(elr), float(ulae)) for line, n, elr, ulae in rows}


def _value(
    con, valuation: date, assumptions: dict[str, "LineAssumptions"]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Triangles, selected factors and IBNR valued at ``valuation``."""
    from orchestration.reserving import build_triangle, development_factors, estimate_ibnr, triangle_frame

    movements = con.execute(MOVEMENTS_SQL, [valuation]).df()
    earned = con.execute(EARNED_PREMIUM_SQL, [valuation]).df()
    triangle = build_triangle(movements, valuation)
    return triangle_frame(triangle), development_factors(triangle), estimate_ibnr(triangle, assumptions, earned)


def runoff_year_ends(quarter: Period) -> list[Period]:
    """The year ends whose reserves the run-off deviation re-estimates at the end of ``quarter`` and of the quarter
    before: the last two accounting year ends before each (C-ROSS II R4 Arts. 24-31)."""
    years = {valued.end.year - back for valued in (quarter.previous_quarter(), quarter) for back in (1, 2)}
    return [Period.parse(f"{year}Q4") for year in sorted(years)]


# Where the estimates go: the DuckDB file, or lake Parquet on the Spark target (orchestration/defs/resources.py).
KINDS = {"python", "parquet" if settings.target().startswith("spark") else "duckdb"}


@dg.multi_asset(
    name="claims_reserving",
    specs=[
        dg.AssetSpec(
            TRIANGLES,
            group_name="intermediate",
            deps=[dg.AssetKey(["intermediate", "int_claims__incurred_movements"])],
            description="Cumulative incurred triangles by line, accident quarter and development quarter.",
            kinds=KINDS,
        ),
        dg.AssetSpec(
            FACTORS,
            group_name="intermediate",
            deps=[TRIANGLES],
            description="Selected (volume-weighted) age-to-age development factors per line.",
            kinds=KINDS,
        ),
        dg.AssetSpec(
            YEAR_END_IBNR,
            group_name="intermediate",
            deps=[
                TRIANGLES,
                dg.AssetKey(["reference", "reserving_assumptions"]),
                dg.AssetKey(["marts", "fct_premiums"]),
            ],
            description="IBNR per line and accident quarter valued at the last two year ends (reserve run-off).",
            kinds=KINDS,
        ),
        dg.AssetSpec(
            IBNR,
            group_name="intermediate",
            deps=[
                TRIANGLES,
                FACTORS,
                dg.AssetKey(["reference", "reserving_assumptions"]),
                dg.AssetKey(["reference", "reporting_periods"]),
                dg.AssetKey(["marts", "fct_premiums"]),
            ],
            description="IBNR per line and accident quarter: chain-ladder, or Bornhuetter-Ferguson for young lines.",
            kinds=KINDS,
        ),
    ],
    partitions_def=quarterly_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=1),
)
def claims_reserving(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Triangles, factors and IBNR valued at the end of the partition's quarter and of the quarter before
    (the quarterly report shows both); IBNR also at the last two year ends before them, whose reserves the
    C-ROSS run-off deviation re-estimates (year ends before the claims history are not valued)."""
    quarter = Period.parse(context.partition_key)
    with warehouse.get_connection() as con:
        assumptions = _assumptions(con)
        for valued in (quarter.previous_quarter(), quarter):
            triangles, factors, ibnr = _value(con, valued.end, assumptions)
            warehouse.replace_valuation(con, "claims_triangles", triangles, valued.label)
            warehouse.replace_valuation(con, "development_factors", factors, valued.label)
            warehouse.replace_valuation(con, "ibnr_estimates", ibnr, valued.label)
        year_ends = [
            year_end
            for year_end in runoff_year_ends(quarter)
            if con.execute(HISTORY_SQL, [year_end.end]).fetchone()[0] > 0
        ]
        for year_end in year_ends:
            warehouse.replace_valuation(
                con, "year_end_ibnr_estimates", _value(con, year_end.end, assumptions)[2], year_end.label
            )
    valuation = quarter.end
    by_line = ibnr.groupby(["line", "method"], as_index=False)["ibnr"].sum()
    yield dg.MaterializeResult(asset_key=TRIANGLES, metadata={"cells": len(triangles), "valuation": str(valuation)})
    yield dg.MaterializeResult(
        asset_key=FACTORS, metadata={"factors": dg.MetadataValue.md(factors.round(6).to_markdown(index=False))}
    )
    yield dg.MaterializeResult(
        asset_key=YEAR_END_IBNR, metadata={"year_ends": ", ".join(year_end.label for year_end in year_ends)}
    )
    yield dg.MaterializeResult(
        asset_key=IBNR,
        metadata={
            "ibnr_total_cny": float(ibnr["ibnr"].sum()),
            "by_line": dg.MetadataValue.md(by_line.round(2).to_markdown(index=False)),
        },
    )
