"""The disclosure gate: rules from the GX suite, failures that say which figure and by how much."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from orchestration.disclosure import gate_frame
from orchestration.periods import Period
from orchestration.validation import load_suite, run_suite

H1 = Period.parse("2025H1")
AGGREGATION = {
    "premium_income_original": "sum",
    "premium_income_health": "sum",
    "claims_paid": "sum",
    "rpt_count": "sum",
    "rpt_amount": "sum",
    "rpt_unified_agreements": "sum",
    "claims_count": "distinct",
    "members_end": "end",
    "premium_share_health": "recompute",
    "online_report_rate": "recompute",
    "one_day_settlement_rate": "recompute",
}


def _long(values: dict[str, dict[str, str]]) -> pd.DataFrame:
    rows = [
        {"period_label": period, "metric_code": code, "unit": "x", "metric_value": Decimal(value)}
        for period, figures in values.items()
        for code, value in figures.items()
    ]
    return pd.DataFrame(rows)


def _figures(original: str, health: str, rpt: str = "10") -> dict[str, str]:
    share = Decimal(health) / Decimal(original) * 100
    return {
        "premium_income_original": original,
        "premium_income_health": health,
        "premium_share_health": str(share),
        "claims_paid": "5",
        "claims_count": "3",
        "rpt_count": "2",
        "rpt_amount": rpt,
        "rpt_unified_agreements": "1",
        "online_report_rate": "97.5",
        "one_day_settlement_rate": "99",
        "members_end": "100",
    }


def test_consistent_figures_pass() -> None:
    h1 = {**_figures("300", "280", "20"), "claims_paid": "10", "rpt_count": "4", "rpt_unified_agreements": "2"}
    frame = gate_frame(
        _long({"2025H1": h1, "2025Q1": _figures("100", "90"), "2025Q2": _figures("200", "190")}), H1, AGGREGATION
    )
    result = run_suite("half_year_disclosure", frame, row_label="period_label")
    assert result.success, result.summary()
    assert len(result.rules) == len(load_suite("half_year_disclosure")["expectations"])


def test_half_year_that_is_not_the_sum_of_its_quarters_fails_with_the_gap() -> None:
    h1 = {**_figures("300.5", "280", "20"), "claims_paid": "10", "rpt_count": "4", "rpt_unified_agreements": "2"}
    frame = gate_frame(
        _long({"2025H1": h1, "2025Q1": _figures("100", "90"), "2025Q2": _figures("200", "190")}), H1, AGGREGATION
    )
    result = run_suite("half_year_disclosure", frame, row_label="period_label")
    assert not result.success
    failure = next(r for r in result.failures if r.column == "premium_income_original__quarters_diff")
    assert "2025H1: 0.5" in failure.detail


def test_health_above_original_fails() -> None:
    figures = _figures("100", "90")
    figures["premium_income_health"] = "120"
    frame = gate_frame(_long({"2025Q1": figures}), Period.parse("2025Q1"), AGGREGATION)
    result = run_suite("half_year_disclosure", frame, row_label="period_label")
    assert any(r.expectation == "expect_column_pair_values_a_to_be_greater_than_b" for r in result.failures)
    assert not result.success


def test_a_rule_that_errors_counts_as_failed() -> None:
    frame = gate_frame(_long({"2025Q1": _figures("100", "90")}), Period.parse("2025Q1"), AGGREGATION)
    frame["premium_share_health"] = "not a number"
    result = run_suite("half_year_disclosure", frame, row_label="period_label")
    assert not result.success


def test_fact_suite_fails_on_rows_that_break_a_rule() -> None:
    good = pd.DataFrame(
        [{"quarter_label": "2025Q2", "row_count": 10, "rows_without_line": 0, "duplicate_keys": 0,
          "negative_written_rows": 0, "positive_refund_rows": 0, "rows_outside_quarter": 0}]
    )  # fmt: skip
    assert run_suite("fct_premium_transactions", good, row_label="quarter_label").success
    bad = good.assign(negative_written_rows=3)
    result = run_suite("fct_premium_transactions", bad, row_label="quarter_label")
    assert not result.success
    assert [r.column for r in result.failures] == ["negative_written_rows"]
    assert "2025Q2: 3" in result.failures[0].detail


def test_every_fact_suite_names_each_rule() -> None:
    from orchestration.fact_checks import FACT_CHECKS

    for check in FACT_CHECKS:
        rules = load_suite(check.suite)["expectations"]
        ids = [rule["meta"]["rule_id"] for rule in rules]
        assert len(ids) == len(set(ids)) and all(rule["meta"]["severity"] in ("error", "warning") for rule in rules)
