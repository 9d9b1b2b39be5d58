"""Per-quarter aggregates DuckDB computes for each fact table and regulatory table, the frames its GX suite
validates.

Large tables are never loaded into pandas: each query returns one row per quarter checked (per figure for
``rpt_metrics``), with row counts, counts of rows that break a rule, the codes seen (comma-separated, sorted)
and reconciliation gaps against other tables, so a suite's expectations run on a handful of rows.
"""

from orchestration.fact_checks.check import FactCheck, aggregates
from orchestration.fact_checks.claims import FCT_CLAIM_PAYMENTS, FCT_CLAIMS, FCT_RESERVES
from orchestration.fact_checks.finance import (
    FCT_BALANCE_SHEET,
    FCT_INVESTMENT_INCOME,
    FCT_INVESTMENTS,
    FCT_LEDGER_BALANCES,
)
from orchestration.fact_checks.policy import FCT_POLICIES, FCT_PREMIUM_TRANSACTIONS, FCT_PREMIUMS
from orchestration.fact_checks.regulatory import RPT_METRICS, RPT_SOLVENCY_SUMMARY
from orchestration.fact_checks.related_party import (
    FCT_RELATED_PARTY_CLASSIFICATION,
    FCT_RELATED_PARTY_INVESTMENT_LIMITS,
    FCT_RELATED_PARTY_TRANSACTIONS,
    RPT_RELATED_PARTY_DISCLOSURE,
)
from orchestration.fact_checks.solvency import (
    FCT_ADMITTED_BALANCE_SHEET,
    FCT_CAPITAL_TIERS,
    FCT_MINIMUM_CAPITAL,
    FCT_MINIMUM_CAPITAL_EXPOSURES,
)

FACT_CHECKS: tuple[FactCheck, ...] = (
    FCT_PREMIUM_TRANSACTIONS,
    FCT_CLAIM_PAYMENTS,
    FCT_RELATED_PARTY_TRANSACTIONS,
    FCT_RESERVES,
    FCT_CLAIMS,
    FCT_PREMIUMS,
    FCT_INVESTMENTS,
    FCT_BALANCE_SHEET,
    FCT_CAPITAL_TIERS,
    FCT_MINIMUM_CAPITAL,
    RPT_RELATED_PARTY_DISCLOSURE,
    FCT_POLICIES,
    FCT_LEDGER_BALANCES,
    FCT_INVESTMENT_INCOME,
    FCT_ADMITTED_BALANCE_SHEET,
    FCT_MINIMUM_CAPITAL_EXPOSURES,
    FCT_RELATED_PARTY_CLASSIFICATION,
    FCT_RELATED_PARTY_INVESTMENT_LIMITS,
    RPT_SOLVENCY_SUMMARY,
    RPT_METRICS,
)

__all__ = ["FACT_CHECKS", "FactCheck", "aggregates"]
