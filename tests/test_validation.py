"""The disclosure gate: rules from the GX suite, failures that say which figure and by how much."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from orchestration.disclosure import gate_frame
from orchestration.fact_checks import FactCheck, aggregates
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
        "total_assets": "500",
        "total_liabilities": "300",
        "net_assets": "200",
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


GOOD_AGGREGATES = {
    "fct_claims": {
        "row_count": 120, "duplicate_keys": 0, "rows_without_policy": 0, "line_codes": "accident,health",
        "channel_codes": "app,phone,wechat", "reported_before_accident": 0, "closed_before_report": 0,
        "first_after_final_payment": 0, "payments_without_claim": 0,
    },
    "fct_premiums": {
        "row_count": 40, "duplicate_keys": 0, "rows_without_line": 0, "line_codes": "accident,credit,health,surety",
        "channel_codes": "online_direct,platform", "negative_upr_rows": 0, "earned_identity_gap": Decimal("0"),
        "written_vs_transactions_gap": Decimal("0.00"), "opening_vs_previous_closing_gap": Decimal("0.00"),
        "duplicate_cohorts": 0, "closing_vs_cohort_upr_gap": Decimal("0.000000"),
        "policies_vs_cohort_policies": 0,
    },
    "fct_investments": {
        "row_count": 30, "month_ends": 3, "duplicate_keys": 0, "asset_class_codes": "cash,government_bond,reverse_repo",
        "currency_codes": "CNY,USD", "negative_amount_rows": 0, "cny_amount_mismatch_rows": 0,
        "positions_vs_holdings_gap": 0, "amount_vs_holdings_gap": Decimal("0.00"),
    },
    "fct_balance_sheet": {
        "row_count": 3, "duplicate_keys": 0, "non_positive_asset_months": 0, "negative_liability_months": 0,
        "trial_balance_difference": Decimal("0.00"), "net_assets_identity_gap": Decimal("0.00"),
    },
    "rpt_related_party_disclosure": {
        "row_count": 4, "duplicate_keys": 0, "row_kind_codes": "transaction,unified_agreement",
        "classification_codes": "general,major", "transaction_category_codes": "insurance,service",
        "non_positive_count_rows": 0, "negative_amount_rows": 0, "wan_conversion_gap": Decimal("0"),
        "transaction_count_gap": 0, "transaction_amount_gap": Decimal("0.00"), "agreement_count_gap": 0,
    },
}  # fmt: skip


def _aggregates(suite: str, **changes: object) -> pd.DataFrame:
    return pd.DataFrame([{"quarter_label": "2025Q2", **GOOD_AGGREGATES[suite], **changes}], dtype=object)


@pytest.mark.parametrize("suite", sorted(GOOD_AGGREGATES))
def test_new_suites_pass_on_consistent_aggregates(suite: str) -> None:
    result = run_suite(suite, _aggregates(suite), row_label="quarter_label")
    assert result.success, result.summary()
    assert len(result.rules) == len(load_suite(suite)["expectations"])


@pytest.mark.parametrize(
    ("suite", "column", "value", "shown"),
    [
        ("fct_premiums", "opening_vs_previous_closing_gap", Decimal("-1520.37"), "2025Q2: -1520.37"),
        ("fct_premiums", "written_vs_transactions_gap", Decimal("0.02"), "2025Q2: 0.02"),
        ("fct_premiums", "closing_vs_cohort_upr_gap", Decimal("-0.011"), "2025Q2: -0.011"),
        ("fct_premiums", "duplicate_cohorts", 1, "2025Q2: 1"),
        ("fct_premiums", "policies_vs_cohort_policies", -1, "2025Q2: -1"),
        ("fct_balance_sheet", "net_assets_identity_gap", Decimal("100.00"), "2025Q2: 100.00"),
        ("fct_investments", "amount_vs_holdings_gap", Decimal("5000.00"), "2025Q2: 5000.00"),
        ("fct_claims", "payments_without_claim", 2, "2025Q2: 2"),
        ("rpt_related_party_disclosure", "transaction_amount_gap", Decimal("-300000.00"), "2025Q2: -300000.00"),
        ("rpt_related_party_disclosure", "transaction_count_gap", 1, "2025Q2: 1"),
    ],
)
def test_a_broken_reconciliation_names_the_figure_and_the_gap(
    suite: str, column: str, value: object, shown: str
) -> None:
    result = run_suite(suite, _aggregates(suite, **{column: value}), row_label="quarter_label")
    assert not result.success
    [failure] = result.failures
    assert failure.column == column and failure.severity == "error"
    assert shown in failure.detail and failure.rule_id in result.summary()


def test_a_code_outside_the_contract_fails() -> None:
    result = run_suite("fct_claims", _aggregates("fct_claims", channel_codes="app,fax"), row_label="quarter_label")
    assert [r.column for r in result.failures] == ["channel_codes"]
    assert "2025Q2: app,fax" in result.failures[0].detail


def test_net_assets_that_are_not_assets_minus_liabilities_fail_the_disclosure_gate() -> None:
    figures = {**_figures("100", "90"), "total_assets": "500", "total_liabilities": "300", "net_assets": "200.01"}
    frame = gate_frame(_long({"2025Q1": figures}), Period.parse("2025Q1"), AGGREGATION)
    result = run_suite("half_year_disclosure", frame, row_label="period_label")
    assert [r.rule_id for r in result.failures] == ["HYD-028"]
    assert "2025Q1: 0.01" in result.failures[0].detail


def test_a_breached_related_party_limit_is_a_warning_that_does_not_block() -> None:
    good = {
        "row_count": 1, "rows_without_limit": 0, "negative_rows": 0, "inconsistent_party_rows": 0,
        "related_above_all_investments": 0.0, "prior_year_end_balance_sheet_gap": 0.0,
        "all_limit_above_net_assets": 0.0, "inconsistent_limit_flags": 0, "all_related_limit_excess": 0.0,
        "single_related_limit_excess": 0.0, "prior_year_end_balance_sheet_missing": 0,
    }  # fmt: skip
    frame = pd.DataFrame([{"quarter_label": "2025Q2", **good, "single_related_limit_excess": 2500000.0}])
    result = run_suite("fct_related_party_investment_limits", frame, row_label="quarter_label")
    assert result.success
    [failure] = result.failures
    assert (failure.rule_id, failure.severity) == ("RPLIMITS-010", "warning")
    assert "2025Q2: 2500000.0" in failure.detail


def test_a_rule_skips_the_figures_it_does_not_apply_to() -> None:
    rows = [
        {"figure": "2025H1 claims_paid", "half_year_vs_quarters_gap": 0.0, "health_minus_original": None},
        {"figure": "2025Q2 claims_paid", "half_year_vs_quarters_gap": None, "health_minus_original": None},
        {"figure": "2025Q2 premium_income_health", "half_year_vs_quarters_gap": None, "health_minus_original": 0.25},
    ]
    frame = pd.DataFrame([{"quarter_label": row["figure"][:6], "row_count": 1, "unit_mismatch": 0,
                           "value_missing": 0, "grade": None, "non_negative_value": 1.0, "share_percent": None,
                           "distinct_count_outside_quarters": None, "grade_not_last_quarters": None, **row}
                          for row in rows], dtype=object)  # fmt: skip
    result = run_suite("rpt_metrics", frame, row_label="figure")
    assert [r.rule_id for r in result.failures] == ["METRICS-010"]
    assert "2025Q2 premium_income_health: 0.25" in result.failures[0].detail


# A check in parts (FactCheck.parts): the first query's quarters, each part's columns joined to them.
QUARTERS = [Period.parse("2025Q1"), Period.parse("2025Q2")]
FIRST = "select unnest(?) as quarter_label, 1 as row_count"


def test_a_check_in_parts_joins_each_part_to_the_quarters_of_the_first() -> None:
    second = "select unnest(?) as quarter_label, 0 as rows_without_member"
    third = "select label as quarter_label, 2 as gap from (select unnest(?) as label) as labels order by label desc"
    check = FactCheck("fct_x", "fct_x", FIRST, parts=(second, third))
    with duckdb.connect() as con:
        frame = aggregates(con, check, QUARTERS)
    assert frame.to_dict("records") == [
        {"quarter_label": "2025Q1", "row_count": 1, "rows_without_member": 0, "gap": 2},
        {"quarter_label": "2025Q2", "row_count": 1, "rows_without_member": 0, "gap": 2},
    ]


def test_a_part_without_a_quarter_of_the_first_is_an_error_not_a_null() -> None:
    part = "select quarter_label, 0 as gap from (select unnest(?) as quarter_label) as q where quarter_label < '2025Q2'"
    check = FactCheck("fct_x", "fct_x", FIRST, parts=(part,))
    with duckdb.connect() as con, pytest.raises(ValueError, match="fct_x: part 1 of the check has no row for 2025Q2"):
        aggregates(con, check, QUARTERS)
