"""The suites added for issue 5 on a real close: each passes on the closed warehouse and fails, naming the
figure and the gap, when a row of a DuckDB copy is broken or a row it reconciles with is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.regulatory import reported_period
from orchestration.fact_checks import FACT_CHECKS, FactCheck, aggregates
from orchestration.periods import Period
from orchestration.validation import GateResult, load_suite, run_suite

CLOSE = Period.parse("2025Q2")
SUITES = (
    "fct_premiums", "fct_policies", "fct_ledger_balances", "fct_investment_income", "fct_admitted_balance_sheet",
    "fct_minimum_capital_exposures", "fct_related_party_classification", "fct_related_party_investment_limits",
    "rpt_solvency_summary", "rpt_metrics",
)  # fmt: skip
CHECKS = {check.suite: check for check in FACT_CHECKS}


def _run(con: duckdb.DuckDBPyConnection, check: FactCheck) -> GateResult:
    quarters = [CLOSE] if check.close_quarter_only else reported_period(CLOSE).quarters
    frame = aggregates(con, check, quarters)
    assert {q.label for q in quarters} <= set(frame["quarter_label"])
    return run_suite(check.suite, frame, row_label=check.row_label)


@pytest.fixture(scope="module")
def warehouse(closed: Path) -> Path:
    return closed / "warehouse.duckdb"


@pytest.mark.parametrize("suite", SUITES)
def test_each_suite_passes_on_the_closed_half_year(warehouse: Path, suite: str) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        result = _run(con, CHECKS[suite])
    assert result.success and not result.failures, result.summary()
    assert len(result.rules) == len(load_suite(suite)["expectations"])


UPR = "intermediate.int_policies__quarter_end_upr"
LARGEST_UPR = f"(select max(unearned_premium_reserve) from {UPR} where quarter_label = '{{quarter}}')"
BROKEN = [
    (
        "fct_premiums",  # a cohort's UPR row again (as one policy): the key, and the aggregate no longer its sum
        f"insert into {UPR} select * replace (1 as policies) from {UPR} where quarter_label = '2025Q2' "
        f"and unearned_premium_reserve = {LARGEST_UPR.format(quarter='2025Q2')}",
        {
            "PREMIUMS-010": "duplicate_cohorts = 2025Q2: 1",
            "PREMIUMS-012": "policies_vs_cohort_policies = 2025Q2: -1",
        },
    ),
    (
        "fct_premiums",  # one cohort's UPR negative at 2025Q1's end: its closing UPR and 2025Q2's opening
        f"update {UPR} set unearned_premium_reserve = -1 where quarter_label = '2025Q1' "
        f"and unearned_premium_reserve = {LARGEST_UPR.format(quarter='2025Q1')}",
        {"PREMIUMS-006": "negative_upr_rows = 2025Q1: 1; 2025Q2: 1"},
    ),
    (
        "fct_premiums",  # a key's row twice
        "insert into marts.fct_premiums select * from marts.fct_premiums where quarter_label = '2025Q2' "
        "and written_premium = (select max(written_premium) from marts.fct_premiums where quarter_label = '2025Q2')",
        {"PREMIUMS-002": "duplicate_keys = 2025Q2: 1"},
    ),
    (
        "fct_premiums",  # earned premium no longer written + opening - closing UPR
        "update marts.fct_premiums set earned_premium = earned_premium + 2.5 where quarter_label = '2025Q2' "
        "and written_premium = (select max(written_premium) from marts.fct_premiums where quarter_label = '2025Q2')",
        {"PREMIUMS-007": "earned_identity_gap = 2025Q2: 2.500000"},
    ),
    (
        "fct_premiums",  # closing UPR moved (and earned with it): the cohorts' UPR and next opening disagree
        "update marts.fct_premiums set closing_upr = closing_upr + 7, earned_premium = earned_premium - 7 "
        "where quarter_label = '2025Q1' and written_premium = "
        "(select max(written_premium) from marts.fct_premiums where quarter_label = '2025Q1')",
        {
            "PREMIUMS-011": "closing_vs_cohort_upr_gap = 2025Q1: 7.000000",
            "PREMIUMS-009": "opening_vs_previous_closing_gap = 2025Q2: -7.000000",
        },
    ),
    (
        "fct_premiums",  # written premium that is not the quarter's transactions
        "update marts.fct_premiums set written_premium = written_premium + 0.02, earned_premium = earned_premium "
        "+ 0.02 where quarter_label = '2025Q2' and written_premium = "
        "(select max(written_premium) from marts.fct_premiums where quarter_label = '2025Q2')",
        {"PREMIUMS-008": "written_vs_transactions_gap = 2025Q2: 0.02"},
    ),
    (
        "fct_policies",
        "update marts.fct_policies set channel = 'fax' where policy_id = (select min(policy_id) "
        "from marts.fct_policies where issued_at >= '2025-04-01' and issued_at < '2025-07-01')",
        {"POLICIES-006": "channel_codes = 2025Q2: agency,broker,fax,online_direct,platform"},
    ),
    (
        "fct_policies",  # a checked quarter's policy key again on a row issued before the checked quarters
        "insert into marts.fct_policies select * replace (timestamp '2024-11-05 10:00:00' as issued_at) "
        "from marts.fct_policies where policy_id = (select min(policy_id) from marts.fct_policies "
        "where issued_at >= '2025-04-01' and issued_at < '2025-07-01')",
        {"POLICIES-002": "duplicate_keys = 2025Q2: 1"},
    ),
    (
        "fct_policies",  # a checked quarter's policy whose member is not in dim_members (the member lookup part)
        "update marts.fct_policies set member_id = 'M-unknown' where policy_id = (select min(policy_id) "
        "from marts.fct_policies where issued_at >= '2025-04-01' and issued_at < '2025-07-01')",
        {"POLICIES-004": "rows_without_member = 2025Q2: 1"},
    ),
    (
        "fct_policies",  # the policy of a 2025Q2 transaction gone (the transactions part; its only transaction)
        "delete from marts.fct_policies where policy_id = (select min(policy_id) from (select policy_id "
        "from marts.fct_premium_transactions group by policy_id "
        "having count(*) = 1 and min(booked_quarter) = '2025Q2') as single_transaction)",
        {"POLICIES-010": "transactions_without_policy = 2025Q2: 1"},
    ),
    (
        "fct_ledger_balances",  # opening moved, closing kept: the roll-forward and previous closing both break
        "update marts.fct_ledger_balances set opening_balance = opening_balance + 100 "
        "where month_end = '2025-05-31' and account_code = '1001'",
        {
            "LEDGER-008": "roll_forward_gap = 2025Q2: 100.0",
            "LEDGER-009": "opening_vs_previous_closing_gap = 2025Q2: 100.0",
        },
    ),
    (
        "fct_investment_income",
        "update marts.fct_investment_income set amount = amount + 500, yield_contribution = yield_contribution + 500 "
        "where income_id = (select min(income_id) from marts.fct_investment_income "
        "where income_type = 'interest' and booked_on >= '2025-04-01')",
        {"INVINC-007": "profit_vs_ledger_gap = 2025Q2: 500.0"},
    ),
    (
        "fct_admitted_balance_sheet",
        "update marts.fct_admitted_balance_sheet set statement_balance = statement_balance + 1000, "
        "admitted_balance = admitted_balance + 1000 where quarter_label = '2025Q1' and account_type = 'asset' "
        "and statement_line = 'fixed_assets'",
        {"ADMITTED-009": "admitted_assets_gap = 2025Q1: 1000.0"},
    ),
    (
        "fct_admitted_balance_sheet",  # the balance sheet it reconciles with is gone: a gap cannot pass on a null
        "delete from marts.fct_balance_sheet where month_end = '2025-06-30'",
        {"ADMITTED-012": "reference_rows_missing = 2025Q2: 1"},
    ),
    (
        "fct_capital_tiers",
        "delete from marts.fct_admitted_balance_sheet where quarter_label = '2025Q1'",
        {"TIERS-010": "admitted_balance_sheet_missing = 2025Q1: 1"},
    ),
    (
        "fct_minimum_capital",
        "delete from marts.fct_minimum_capital_exposures where quarter_label = '2025Q2'",
        {"MINCAP-012": "exposures_missing = 2025Q2: 1"},
    ),
    (
        "fct_related_party_investment_limits",
        "delete from marts.fct_balance_sheet where month_end = '2024-12-31'",
        {"RPLIMITS-011": "prior_year_end_balance_sheet_missing = 2025Q1: 1"},
    ),
    (
        "fct_minimum_capital_exposures",
        "update marts.fct_minimum_capital_exposures set capital = capital + 50 "
        "where quarter_label = '2025Q2' and module = 'nonlife_insurance' and sub_risk = 'reserve' "
        "and exposure_item = 'health'",
        {"EXPOSURES-007": "capital_identity_gap = 2025Q2: 50.0"},
    ),
    (
        "fct_minimum_capital_exposures",  # a risk factor that is not min(RF0 x (1 + K), 1)
        "update marts.fct_minimum_capital_exposures set risk_factor = risk_factor + 0.01 "
        "where quarter_label = '2025Q2' and module = 'nonlife_insurance' and sub_risk = 'premium' "
        "and exposure_item = 'health'",
        {"EXPOSURES-012": "risk_factor_formula_rows = 2025Q2: 1"},
    ),
    (
        "fct_minimum_capital_exposures",  # K on a market-risk row
        "update marts.fct_minimum_capital_exposures set k_adjustment = 0.1 where rowid = (select min(rowid) "
        "from marts.fct_minimum_capital_exposures where quarter_label = '2025Q2' and module = 'market')",
        {"EXPOSURES-013": "k_outside_nonlife_rows = 2025Q2: 1"},
    ),
    (
        "fct_minimum_capital_exposures",  # the reserve-risk run-off discount on a credit-risk row
        "update marts.fct_minimum_capital_exposures set runoff_discount = 0.95 where rowid = (select min(rowid) "
        "from marts.fct_minimum_capital_exposures where quarter_label = '2025Q2' and module = 'credit')",
        {"EXPOSURES-014": "discount_outside_reserve_rows = 2025Q2: 1"},
    ),
    (
        "fct_related_party_classification",
        "update marts.fct_related_party_classification set is_major = false, classification = 'general', "
        "classification_zh = '一般', major_basis = null where rpt_transaction_id = (select min(rpt_transaction_id) "
        "from marts.fct_related_party_classification where executed_quarter = '2025Q1' and major_basis = 'single')",
        {"RPCLASS-010": "general_at_or_above_threshold = 2025Q1: 1"},
    ),
    (
        "fct_related_party_investment_limits",
        "update marts.fct_related_party_investment_limits set prior_year_end_total_assets = "
        "prior_year_end_total_assets + 1 where quarter_label = '2025Q2'",
        {"RPLIMITS-006": "prior_year_end_balance_sheet_gap = 2025Q2: 1.0"},
    ),
    (
        "rpt_solvency_summary",  # last quarter's column no longer the previous quarter's figure
        "update regulatory.rpt_solvency_summary set last_quarter_value = last_quarter_value + 2.5 "
        "where metric_code = 'admitted_assets'",
        {"SUMMARY-012": "last_quarter_vs_previous_gap = 2025Q2 admitted_assets: 2.5"},
    ),
    (
        "rpt_solvency_summary",  # the surplus no longer capital - minimum capital, nor the figure of rpt_metrics
        "update regulatory.rpt_solvency_summary set this_quarter_value = this_quarter_value + 0.5 "
        "where metric_code = 'core_solvency_surplus'",
        {
            "SUMMARY-007": "this_quarter_surplus_gap = 2025Q2 core_solvency_surplus: 0.5",
            "SUMMARY-011": "this_quarter_vs_metrics_gap = 2025Q2 core_solvency_surplus: 0.5",
        },
    ),
    (
        "rpt_solvency_summary",  # the closed quarter's figure missing from rpt_metrics
        "delete from regulatory.rpt_metrics where period_label = '2025Q2' and metric_code = 'minimum_capital'",
        {"SUMMARY-014": "this_quarter_metric_missing = 2025Q2 minimum_capital: 1"},
    ),
    (
        "rpt_metrics",  # an additive figure of the half year that is not Q1 + Q2
        "update regulatory.rpt_metrics set metric_value = metric_value + 0.5 "
        "where period_label = '2025H1' and metric_code = 'claims_paid'",
        {"METRICS-007": "half_year_vs_quarters_gap = 2025H1 claims_paid: 0.5"},
    ),
    (
        "rpt_metrics",  # health premium above the original premium it is part of
        "update regulatory.rpt_metrics set metric_value = (select metric_value + 1 from regulatory.rpt_metrics "
        "where period_label = '2025Q1' and metric_code = 'premium_income_original') "
        "where period_label = '2025Q1' and metric_code = 'premium_income_health'",
        {"METRICS-010": "health_minus_original = 2025Q1 premium_income_health: 1.0"},
    ),
]


@pytest.mark.parametrize(("suite", "update", "expected"), BROKEN, ids=[f"{s}-{i}" for i, (s, *_) in enumerate(BROKEN)])
def test_a_broken_row_fails_its_rule_with_the_figure_and_the_gap(
    warehouse: Path, tmp_path: Path, suite: str, update: str, expected: dict[str, str]
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert con.execute(update).fetchone()[0] >= 1  # the statement changed something
        result = _run(con, CHECKS[suite])
    assert not result.success
    failed = {rule.rule_id: rule for rule in result.failures}
    assert set(expected) <= set(failed), result.summary()
    for rule_id, shown in expected.items():
        assert shown in failed[rule_id].detail, failed[rule_id].detail
        assert failed[rule_id].severity == "error"
