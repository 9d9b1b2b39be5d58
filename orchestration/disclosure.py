"""Disclosure figures of a reporting period as the warehouse computed them (``regulatory.rpt_disclosure_metrics``)."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd

from orchestration.periods import Period

METRICS_TABLE = "regulatory.rpt_disclosure_metrics"
DICTIONARY_TABLE = "reference.metric_dictionary"


def period_metrics(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Long frame (period_label, metric_code, unit, metric_value) for the period and each of its quarters."""
    labels = sorted({period.label, *(q.label for q in period.quarters)})
    rows = con.execute(
        f"select period_label, metric_code, unit, metric_value from {METRICS_TABLE} "
        f"where period_label in ({', '.join('?' for _ in labels)}) order by period_label, metric_code",
        labels,
    ).fetchall()
    # Built from Python values so DECIMAL stays Decimal (a DuckDB DataFrame export would make it float).
    return pd.DataFrame(rows, columns=["period_label", "metric_code", "unit", "metric_value"], dtype=object)


def aggregations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Metric code -> how a longer period follows from its quarters (sum, distinct, min, end, recompute)."""
    return dict(con.execute(f"select code, aggregation from {DICTIONARY_TABLE}").fetchall())


def gate_frame(long: pd.DataFrame, period: Period, aggregation: dict[str, str]) -> pd.DataFrame:
    """One row per period (the period and its quarters), one column per metric, plus reconciliation columns.

    ``<metric>__quarters_diff`` = value − sum of its quarters' values, for additive (``sum``) metrics;
    ``premium_share_health__recomputed_diff`` = published share − health / original × 100;
    ``net_assets__identity_diff`` = net assets − (total assets − total liabilities).
    """
    wide = long.pivot(index="period_label", columns="metric_code", values="metric_value").reset_index()
    wide.columns.name = None
    quarters = [q.label for q in period.quarters]
    for metric in [m for m in wide.columns if aggregation.get(m) == "sum"]:
        quarter_sum = sum((wide.loc[wide.period_label == q, metric].iloc[0] for q in quarters), Decimal(0))
        wide[f"{metric}__quarters_diff"] = [
            value - quarter_sum if label == period.label else Decimal(0)
            for label, value in zip(wide.period_label, wide[metric], strict=True)
        ]
    if {"premium_share_health", "premium_income_health", "premium_income_original"} <= set(wide.columns):
        wide["premium_share_health__recomputed_diff"] = [
            share - health / original * 100 if original else Decimal(0)
            for share, health, original in zip(
                wide.premium_share_health, wide.premium_income_health, wide.premium_income_original, strict=True
            )
        ]
    if {"net_assets", "total_assets", "total_liabilities"} <= set(wide.columns):
        wide["net_assets__identity_diff"] = [
            net - (assets - liabilities)
            for net, assets, liabilities in zip(wide.net_assets, wide.total_assets, wide.total_liabilities, strict=True)
        ]
    wide["is_reported_period"] = wide.period_label == period.label
    return wide
