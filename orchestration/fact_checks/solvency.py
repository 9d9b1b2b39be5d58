"""Checks on the C-ROSS solvency facts: admitted balance sheet, capital tiers, minimum capital and its exposures."""

from orchestration.fact_checks.check import FactCheck

FCT_CAPITAL_TIERS = FactCheck(
    "fct_capital_tiers",
    "fct_capital_tiers",
    """
    with

    quarters as (
        select unnest(?) as quarter_label
    ),

    admitted as (
        select
            quarter_label,
            sum(case when account_type = 'asset' then admitted_balance else 0 end) as admitted_assets,
            sum(case when account_type = 'liability' then admitted_balance else 0 end) as admitted_liabilities
        from marts.fct_admitted_balance_sheet
        where quarter_label in (select quarter_label from quarters)
        group by quarter_label
    )

    select
        t.quarter_label,
        count(*) as row_count,
        sum(abs(t.capital_before_limits - (t.admitted_assets - t.admitted_liabilities))) as capital_identity_gap,
        sum(abs(t.actual_capital - (t.core_capital + t.supplementary_capital))) as actual_capital_tier_gap,
        sum(abs(t.core_capital - (t.core_tier1_capital + t.core_tier2_capital))) as core_tier_gap,
        sum(abs(t.supplementary_capital - (t.supplementary_tier1_capital + t.supplementary_tier2_capital)))
            as supplementary_tier_gap,
        sum(greatest(t.supplementary_capital - greatest(t.core_capital, 0) * t.supplementary_to_core_max, 0))
            as supplementary_above_limit,
        sum(greatest(
            t.supplementary_tier2_capital - greatest(t.core_capital, 0) * t.supplementary_tier2_to_core_max, 0
        )) as supplementary_tier2_above_limit,
        sum(case when t.capital_excluded_by_limits < 0 or t.supplementary_capital < 0 then 1 else 0 end)
            as negative_tier_rows,
        sum(abs(t.admitted_assets - a.admitted_assets) + abs(t.admitted_liabilities - a.admitted_liabilities))
            as admitted_balance_sheet_gap
    from marts.fct_capital_tiers as t
    left join admitted as a on t.quarter_label = a.quarter_label
    where t.quarter_label in (select quarter_label from quarters)
    group by t.quarter_label
    """,
)


FCT_MINIMUM_CAPITAL = FactCheck(
    "fct_minimum_capital",
    "fct_minimum_capital",
    """
    with

    quarters as (
        select unnest(?) as quarter_label
    ),

    modules as (
        select
            quarter_label,
            sum(case when module = 'nonlife_insurance' and sub_risk = 'premium' then capital else 0 end)
                as premium_risk_capital,
            sum(case when module = 'nonlife_insurance' and sub_risk = 'reserve' then capital else 0 end)
                as reserve_risk_capital,
            sum(case when module = 'credit' and sub_risk = 'default' then capital else 0 end)
                as default_risk_capital
        from marts.fct_minimum_capital_exposures
        where quarter_label in (select quarter_label from quarters)
        group by quarter_label
    )

    select
        m.quarter_label,
        count(*) as row_count,
        sum(m.exposures_without_factor) as exposures_without_factor,
        sum(m.missing_correlation_pairs) as missing_correlation_pairs,
        sum(case when m.has_reserve_valuation then 0 else 1 end) as rows_without_reserve_valuation,
        sum(case when least(
            m.premium_risk_capital, m.reserve_risk_capital, m.nonlife_insurance_risk_capital,
            m.market_risk_capital, m.credit_risk_capital, m.additional_capital
        ) < 0 then 1 else 0 end) as negative_module_rows,
        sum(abs(m.minimum_capital
            - (m.capitalisable_risk_capital_adjusted + m.control_risk_capital + m.additional_capital)))
            as minimum_capital_identity_gap,
        sum(abs(m.capitalisable_risk_capital_adjusted - m.capitalisable_risk_capital * m.small_insurer_multiplier))
            as small_insurer_adjustment_gap,
        sum(greatest(
            m.capitalisable_risk_capital
            - (m.nonlife_insurance_risk_capital + m.market_risk_capital + m.credit_risk_capital), 0
        )) as capital_above_undiversified_sum,
        cast(min(m.control_risk_q) as double) as control_risk_q,
        cast(min(m.small_insurer_multiplier) as double) as small_insurer_multiplier,
        sum(abs(m.premium_risk_capital - e.premium_risk_capital) + abs(m.reserve_risk_capital
            - e.reserve_risk_capital) + abs(m.default_risk_capital - e.default_risk_capital))
            as exposure_reconciliation_gap
    from marts.fct_minimum_capital as m
    left join modules as e on m.quarter_label = e.quarter_label
    where m.quarter_label in (select quarter_label from quarters)
    group by m.quarter_label
    """,
)
