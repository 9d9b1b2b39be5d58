"""Reserving through the project's own code path: a published result, and a triangle worked by hand."""

from __future__ import annotations

from datetime import date

import chainladder as cl
import duckdb
import pandas as pd
import pytest
import yaml

from orchestration.defs.reserving import _value
from orchestration.reserving import (
    LineAssumptions,
    accident_periods,
    build_triangle,
    development_factors,
    estimate_ibnr,
)
from tests.conftest import REPO

MACK = yaml.safe_load((REPO / "tests" / "fixtures" / "mack_1993_genins.yaml").read_text(encoding="utf-8"))


def _genins_movements() -> pd.DataFrame:
    """GenIns as incremental movements dated like transactions: origin year, booked at the end of each lag."""
    cells = cl.load_sample("genins").cum_to_incr().to_frame(keepdims=True).reset_index(drop=True)
    origin = pd.to_datetime(cells["origin"])
    booked = [
        o + pd.DateOffset(months=int(lag)) - pd.DateOffset(days=1)
        for o, lag in zip(origin, cells["development"], strict=True)
    ]
    return pd.DataFrame(
        {"line": "genins", "origin_date": origin, "development_date": booked, "amount": cells["values"]}
    )


def test_genins_reserves_match_mack_1993() -> None:
    triangle = build_triangle(_genins_movements(), date(2010, 12, 31), grain="Y")
    estimate = estimate_ibnr(triangle, {"genins": LineAssumptions("genins", 2, 0.0, 0.0)})
    assert round(estimate["ibnr"].sum()) == MACK["total"]
    by_origin = {i + 1: round(v) for i, v in enumerate(estimate["ibnr"])}
    for origin, reserve in MACK["reserves_by_origin"].items():
        assert by_origin[origin] == reserve
    factors = development_factors(triangle)["factor"].round(4).tolist()
    assert factors == MACK["age_to_age_factors"]


def test_valuation_date_cuts_later_movements() -> None:
    triangle = build_triangle(_genins_movements(), date(2009, 12, 31), grain="Y")
    assert len(triangle.origin) == 9


def _hand_movements() -> pd.DataFrame:
    # Accident quarter 2024Q1: 100 paid in Q1, 50 in Q2, 10 in Q3 → cumulative 100, 150, 160.
    # Accident quarter 2024Q2: 200 in Q2, 100 in Q3 → cumulative 200, 300.
    # Accident quarter 2024Q3: 300 in Q3.
    rows = [
        ("2024-01-10", "2024-02-01", 100), ("2024-01-10", "2024-05-01", 50), ("2024-01-10", "2024-08-01", 10),
        ("2024-04-10", "2024-05-01", 200), ("2024-04-10", "2024-08-01", 100),
        ("2024-07-10", "2024-08-01", 300),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["origin_date", "development_date", "amount"]).assign(line="health")


def test_quarterly_triangle_worked_by_hand() -> None:
    # Factors (volume weighted): lag 3→6 = (150 + 300) / (100 + 200) = 1.5; lag 6→9 = 160 / 150 = 16/15.
    # 2024Q2 ultimate = 300 × 16/15 = 320 → IBNR 20; 2024Q3 ultimate = 300 × 1.5 × 16/15 = 480 → IBNR 180.
    triangle = build_triangle(_hand_movements(), date(2024, 9, 30))
    estimate = estimate_ibnr(triangle, {"health": LineAssumptions("health", 2, 0.0, 0.0)})
    assert estimate["ibnr"].round(6).tolist() == [0.0, 20.0, 180.0]
    assert set(estimate["method"]) == {"chain_ladder"}


def test_young_line_uses_bornhuetter_ferguson_on_earned_premium() -> None:
    # With 3 accident quarters and min 4, BF: IBNR = premium × ELR × (1 − 1/CDF).
    # 2024Q3: CDF = 1.6, premium 1000, ELR 0.6 → 600 × (1 − 0.625) = 225. 2024Q2: CDF = 16/15 → 600 × 1/16 = 37.5.
    triangle = build_triangle(_hand_movements(), date(2024, 9, 30))
    premium = pd.DataFrame(
        {"line": "health", "origin": [date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1)], "amount": 1000.0}
    )
    estimate = estimate_ibnr(triangle, {"health": LineAssumptions("health", 4, 0.6, 0.0)}, premium)
    assert set(estimate["method"]) == {"bornhuetter_ferguson"}
    assert estimate["ibnr"].round(6).tolist() == pytest.approx([0.0, 37.5, 225.0])


def test_a_line_that_started_later_counts_its_own_accident_quarters() -> None:
    # The lines share one origin axis (2024Q1-2024Q3); "accident" has movements from 2024Q2 only: 2 quarters of
    # its own, so with min 3 it is valued by BF although the axis has 3 origins.
    movements = pd.concat([_hand_movements(), _hand_movements().iloc[3:].assign(line="accident")], ignore_index=True)
    triangle = build_triangle(movements, date(2024, 9, 30))
    assert accident_periods(triangle.loc["health"]) == 3
    assert accident_periods(triangle.loc["accident"]) == 2
    premium = pd.DataFrame({"line": "accident", "origin": [date(2024, 4, 1), date(2024, 7, 1)], "amount": 1000.0})
    assumptions = {line: LineAssumptions(line, 3, 0.6, 0.0) for line in ("health", "accident")}
    estimate = estimate_ibnr(triangle, assumptions, premium).set_index("line")
    assert set(estimate.loc["health", "method"]) == {"chain_ladder"}
    assert set(estimate.loc["accident", "method"]) == {"bornhuetter_ferguson"}


def test_reserving_step_takes_earned_not_written_premium_from_fct_premiums() -> None:
    # fct_premiums (health, by product and channel): 2024Q2 written 700 + 500 = 1,200, earned 500 + 300 = 800;
    # 2024Q3 written 2,000, earned 1,000; 2024Q4 (after the valuation) earned 5,000. Min 4 accident quarters > 3,
    # so BF at ELR 0.6 on earned premium:
    # 2024Q2: 800 x 0.6 x (1 - 15/16) = 30; 2024Q3: 1,000 x 0.6 x (1 - 1/1.6) = 225 (CDFs 16/15 and 1.6 as above).
    # On written premium it would be 45 and 450.
    con = duckdb.connect()
    con.execute("create schema intermediate; create schema marts; create schema reference")
    con.register("hand", _hand_movements())
    con.execute(
        """create table intermediate.int_claims__incurred_movements as
           select line as line_of_business, cast(origin_date as date) as accident_date,
                  cast(development_date as date) as booked_date, cast(amount as decimal(18, 2)) as amount
           from hand"""
    )
    con.execute(
        """create table reference.reporting_periods as
           select * from (values ('2024Q1', 'quarter', date '2024-01-01', date '2024-03-31'),
                                 ('2024Q2', 'quarter', date '2024-04-01', date '2024-06-30'),
                                 ('2024Q3', 'quarter', date '2024-07-01', date '2024-09-30'),
                                 ('2024Q4', 'quarter', date '2024-10-01', date '2024-12-31'),
                                 ('2024H2', 'half_year', date '2024-07-01', date '2024-12-31'))
                as t(period_label, period_kind, start_date, end_date)"""
    )
    con.execute(
        """create table marts.fct_premiums as
           select * from (values ('2024Q2', 'ZHH001', 'health', 'agency', 700.00, 500.00),
                                 ('2024Q2', 'ZHH002', 'health', 'online_direct', 500.00, 300.00),
                                 ('2024Q3', 'ZHH001', 'health', 'agency', 2000.00, 1000.00),
                                 ('2024Q4', 'ZHH001', 'health', 'agency', 0.00, 5000.00))
                as t(quarter_label, product_code, line_of_business, channel, written_premium, earned_premium)"""
    )
    _, _, ibnr = _value(con, date(2024, 9, 30), {"health": LineAssumptions("health", 4, 0.6, 0.0)})
    assert set(ibnr["method"]) == {"bornhuetter_ferguson"}
    assert ibnr["ibnr"].round(6).tolist() == pytest.approx([0.0, 30.0, 225.0])
