"""Solvency and related-party models (issue 4) on hand-worked fixtures, independent of the demo generator.

A tiny ``$REGWH_HOME`` holds the dbt seeds, a few hand-written rows in place of the upstream marts and a
capital delivery in the raw layer; dbt builds only the models under test into it (target path under tmp).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
DBT = REPO / ".venv" / "bin" / "dbt"


def run_dbt(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGWH_HOME": str(home)}
    command = [str(DBT), *args, "--profiles-dir", ".", "--target-path", str(home / "dbt_target")]
    command += ["--log-path", str(home / "dbt_logs")]
    command += ["--vars", "{close_quarter: 2025Q2}"]
    result = subprocess.run(command, cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


M = Decimal(1_000_000)

# Related party P1 in 2025 (prior year-end net assets 500 m: 1 % = 5 m < 30 m, threshold 30 m):
#   20 (cum 20) general; 15 (cum 35 >= 30) major, cumulative, restart; 28 (cum 28) general;
#   5 (cum 33 >= 30) major, cumulative, restart; 1 (cum 1) general.
# A cumulative sum without restart (floor(cum / 30)) would wrongly flag the 28 (cum 63) instead of the 5.
# P2 in 2025: one 40 m transaction, major on its own. P1 in 2024 (prior year-end net assets 4,000 m:
# threshold = 1 % = 40 m): 30 general (< 40), 15 (cum 45) major cumulative.
TRANSACTIONS = [
    ("T1", "P1", "2025-01-10", 20, "2025Q1", "general", None),
    ("T2", "P1", "2025-02-10", 15, "2025Q1", "major", "cumulative"),
    ("T3", "P1", "2025-03-10", 28, "2025Q1", "general", None),
    ("T4", "P1", "2025-04-10", 5, "2025Q2", "major", "cumulative"),
    ("T5", "P1", "2025-05-10", 1, "2025Q2", "general", None),
    ("T6", "P2", "2025-05-20", 40, "2025Q2", "major", "single"),
    ("T7", "P1", "2024-03-10", 30, "2024Q1", "general", None),
    ("T8", "P1", "2024-06-10", 15, "2024Q2", "major", "cumulative"),
]


def _greedy(amounts: list[int], threshold: int) -> list[tuple[str, str | None]]:
    """The rule read sequentially: accumulate, flag the transaction that reaches the threshold, restart."""
    classified, running = [], 0
    for amount in amounts:
        running += amount
        if running >= threshold:
            classified.append(("major", "single" if amount >= threshold else "cumulative"))
            running = 0
        else:
            classified.append(("general", None))
    return classified


# P3 in 2025 (threshold 30 m): 90 transactions on consecutive days, 39 of them breaches, so the chain needs six
# pointer-doubling levels; classified by the sequential reading above.
CHAIN_AMOUNTS = [(7 * i * i + 3 * i) % 37 + 1 for i in range(90)]
TRANSACTIONS += [
    (f"C{i:02d}", "P3", f"{date(2025, 1, 1) + timedelta(days=i)}", amount, "2025Q1", *classified)
    for i, (amount, classified) in enumerate(zip(CHAIN_AMOUNTS, _greedy(CHAIN_AMOUNTS, 30), strict=True))
]


@pytest.fixture(scope="module")
def solvency_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("solvency") / "home"
    raw = home / "lake" / "raw" / "capital" / "capital_instruments" / "quarter=2025Q2"
    raw.mkdir(parents=True)
    run_dbt(home, "seed")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute(
            f"""copy (select 'IOF1' as instrument_id, 'initial_operating_fund' as instrument_type,
                   'member' as provider, date '2017-02-14' as issued_on, cast(null as date) as maturity_date,
                   cast(400 as decimal(18, 2)) as principal)
               to '{raw / "data.parquet"}' (format parquet)"""
        )
        con.execute("create schema if not exists marts")
        # Ledger at 2025-06-30: bank deposits 1,000 (admitted), intangible assets 100 (non-admitted,
        # Rule 1 Art. 10 via chart_of_accounts_mapping), other payables 300 (liability), equity apart.
        con.execute(
            """create table marts.fct_ledger_balances as
               select cast(month_end as date) as month_end, account_code, account_type,
                      cast(statement_balance as decimal(38, 2)) as statement_balance
               from (values ('2025-06-30', '1002', 'asset', 1000), ('2025-06-30', '1701', 'asset', 100),
                            ('2025-06-30', '2241', 'liability', 300), ('2025-06-30', '4001', 'equity', 800))
                    as t(month_end, account_code, account_type, statement_balance)"""
        )
        con.execute(
            """create table marts.fct_balance_sheet as
               select cast(month_end as date) as month_end, cast(total_assets as decimal(38, 2)) as total_assets,
                      cast(total_liabilities as decimal(38, 2)) as total_liabilities
               from (values ('2023-12-31', 5000000000, 1000000000), ('2024-12-31', 1000000000, 500000000),
                            ('2025-06-30', 1100, 300)) as t(month_end, total_assets, total_liabilities)"""
        )
        rows = ", ".join(f"('{t}', '{p}', '{d}', {a * M}, '{q}')" for t, p, d, a, q, _, _ in TRANSACTIONS)
        con.execute(
            f"""create table marts.fct_related_party_transactions as
                select rpt_transaction_id, related_party_id, 'party ' || related_party_id as related_party_name,
                       'legal_entity' as related_party_type, 'service' as transaction_category,
                       cast(executed_on as date) as executed_on, executed_quarter,
                       cast(amount as decimal(18, 2)) as amount
                from (values {rows}) as t(rpt_transaction_id, related_party_id, executed_on, amount,
                                          executed_quarter)"""
        )
    run_dbt(
        home,
        "run",
        "--select",
        "stg_capital__capital_instruments",
        "fct_admitted_balance_sheet",
        "fct_capital_tiers",
        "fct_related_party_classification",
    )
    return home


def query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_square_root_aggregation_with_the_rule2_matrix(solvency_home: Path) -> None:
    # MC = sqrt(x' M x), x = (non-life 100, market 50, credit 20), R2 Art. 16 rho: 0.10, 0.15, 0.27.
    # x' M x = 100^2 + 50^2 + 20^2 + 2 (0.10*100*50 + 0.15*100*20 + 0.27*50*20) = 12,900 + 2,140 = 15,040.
    inline = """
        with quarters as (
            select period_label, end_date from {{ ref('reporting_periods') }} where period_label = '2025Q2'
        ),
        correlations as ({{ cross_ii_in_force('cross_ii_correlations', ['matrix', 'risk_a', 'risk_b'], 'quarters') }}),
        components as (
            select '2025Q2' as period_label, 'nonlife_insurance' as risk, cast(100 as decimal(38, 10)) as capital
            union all select '2025Q2', 'market', cast(50 as decimal(38, 10))
            union all select '2025Q2', 'credit', cast(20 as decimal(38, 10))
        ),
        total as ({{ cross_ii_correlated_total('components', 'correlations', 'rule2_top_level') }})
        select capital, missing_correlation_pairs from total
    """
    result = run_dbt(solvency_home, "show", "--inline", inline, "--output", "json", "--log-format", "json")
    shown = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    previews = [e["data"]["preview"] for e in shown if "preview" in e.get("data", {})]
    row = json.loads(previews[-1])[0] if isinstance(previews[-1], str) else previews[-1][0]
    # sqrt(15040) = 122.637677...: money, to the fen (the digits DuckDB and Spark agree on).
    assert Decimal(str(row["capital"])) == round(Decimal(math.sqrt(15040)), 2) == Decimal("122.64")
    assert int(row["missing_correlation_pairs"]) == 0


def test_major_related_party_transactions_cumulate_and_restart(solvency_home: Path) -> None:
    got = {
        r[0]: (r[1], r[2], r[3])
        for r in query(
            solvency_home,
            "select rpt_transaction_id, classification, major_basis, major_threshold, chain_complete "
            "from marts.fct_related_party_classification",
        )
    }
    expected = {t: (c, b) for t, _, _, _, _, c, b in TRANSACTIONS}
    assert {t: v[:2] for t, v in got.items()} == expected
    assert got["T4"][2] == 30 * M  # max(30 m, 1 % of 500 m)
    assert got["T8"][2] == 40 * M  # max(30 m, 1 % of 4,000 m)
    assert all(r[0] for r in query(solvency_home, "select chain_complete from marts.fct_related_party_classification"))


def test_admitted_assets_exclude_a_non_admitted_item(solvency_home: Path) -> None:
    ((admitted_assets, non_admitted, admitted_liabilities, actual, core, tier1, operating_funds),) = query(
        solvency_home,
        "select admitted_assets, non_admitted_assets, admitted_liabilities, actual_capital, core_capital, "
        "core_tier1_capital, initial_operating_funds from marts.fct_capital_tiers where quarter_label = '2025Q2'",
    )
    assert admitted_assets == 1000  # 1,000 deposits + 100 intangibles, the intangibles not admitted
    assert non_admitted == 100
    assert admitted_liabilities == 300
    assert actual == admitted_assets - admitted_liabilities == 700
    assert core == tier1 == 700
    assert operating_funds == 400
    lines = query(
        solvency_home,
        "select statement_line, admissibility, rule_reference from marts.fct_admitted_balance_sheet "
        "where statement_line = 'intangible_assets'",
    )
    assert lines[0][1] == "non_admitted" and "Art. 10" in lines[0][2]
