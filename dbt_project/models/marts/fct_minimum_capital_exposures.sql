-- Exposures and capital charges of the C-ROSS II risk modules per quarter end (CNY), one row per
-- module, sub-risk, aggregation item and exposure, with the seed row (rule version, rule, article) used.
-- fct_minimum_capital aggregates them with the correlation matrices.
with

close_quarter as (
    select start_date
    from {{ ref('reporting_periods') }}
    where period_label = '{{ close_quarter() }}'
),

-- The quarters a close reports: the closed quarter and the one before it (C-ROSS II applies from 2022Q1,
-- so older history has no factors and is not valued).
quarters as (
    select
        periods.period_label,
        periods.start_date,
        periods.end_date
    from {{ ref('reporting_periods') }} as periods
    inner join {{ ref('fct_balance_sheet') }} as balance_sheet on periods.end_date = balance_sheet.month_end
    cross join close_quarter
    where
        periods.period_kind = 'quarter'
        and periods.period_label <= '{{ close_quarter() }}'
        and periods.end_date >= cast({{ dbt.dateadd('day', -45, 'close_quarter.start_date') }} as date)
),

insurance_factors as (
    {{ cross_ii_in_force(
        'cross_ii_insurance_risk_factors', ['line_of_business', 'risk', 'scope', 'loan_type'], 'quarters'
    ) }}
),

market_factors as (
    {{ cross_ii_in_force(
        'cross_ii_market_factors', ['sub_risk', 'instrument', 'factor_kind', 'band_lower'], 'quarters'
    ) }}
),

credit_factors as (
    {{ cross_ii_in_force('cross_ii_credit_factors', ['component', 'category', 'factor_kind', 'band'], 'quarters') }}
),

-- Premium risk (R4 Art. 9): retained premium of the last 12 months = written - ceded, per line
-- (int_reporting__underwriting_12m).
retained_premium_12m as (
    select
        quarters.period_label,
        underwriting.line_of_business,
        underwriting.retained_premium as exposure
    from quarters
    inner join {{ ref('int_reporting__underwriting_12m') }} as underwriting
        on quarters.period_label = underwriting.quarter_label
),

-- Reserve risk (R4 Art. 22): outstanding claims reserve per line at the quarter end (fct_reserves, valued
-- quarters only). No reinsurance share of reserves is delivered, so the reserve is taken gross.
reserves as (
    select
        quarters.period_label,
        reserves.line_of_business,
        reserves.outstanding_claims_reserve as exposure
    from quarters
    inner join {{ ref('fct_reserves') }} as reserves on quarters.end_date = reserves.quarter_end
),

insurance_exposures as (
    select
        period_label,
        line_of_business,
        'premium' as risk,
        exposure
    from retained_premium_12m
    union all
    select
        period_label,
        line_of_business,
        'reserve' as risk,
        exposure
    from reserves
),

insurance as (
    select
        exposures.period_label,
        'nonlife_insurance' as module,
        exposures.risk as sub_risk,
        case
            when factors.cross_ii_line like '%credit_surety' then 'credit_surety'
            else factors.cross_ii_line
        end as aggregation_item,
        exposures.line_of_business as exposure_item,
        cast(exposures.exposure as decimal(38, 10)) as exposure,
        factors.rf0 as base_factor,
        factors.rule_version,
        factors.rule as rule_document,
        factors.article
    from insurance_exposures as exposures
    left join insurance_factors as factors
        on
            exposures.period_label = factors.period_label
            and exposures.line_of_business = factors.line_of_business
            and exposures.risk = factors.risk
            and factors.scope = 'all'
),

holdings as (
    select
        quarters.period_label,
        holdings.holding_id,
        holdings.asset_class,
        holdings.currency,
        holdings.rating,
        holdings.modified_duration,
        holdings.counterparty_type,
        holdings.amount_cny
    from quarters
    inner join {{ ref('stg_investments__holdings') }} as holdings on quarters.end_date = holdings.as_of_date
    where not holdings.is_financing
),

-- Market risk: the seed instrument each holding maps to (R8 Arts. 14, 26, 30-33, 48).
market_mapped as (
    select
        period_label,
        holding_id,
        amount_cny,
        modified_duration,
        case
            when asset_class in ('government_bond', 'policy_bank_bond', 'corporate_bond') and currency = 'CNY'
                then 'interest_rate'
            when asset_class in ('listed_equity', 'equity_fund') and currency != 'CNY' then 'overseas_equity'
            when asset_class = 'listed_equity' then 'equity'
            when asset_class in ('bond_fund', 'equity_fund', 'money_market_fund') then 'fund'
        end as seed_sub_risk,
        case
            when asset_class in ('government_bond', 'policy_bank_bond', 'corporate_bond') and currency = 'CNY'
                then 'domestic_bond'
            when asset_class in ('listed_equity', 'equity_fund') and currency != 'CNY'
                then 'listed_equity_equity_mixed_fund'
            when asset_class = 'listed_equity' then 'listed_equity_main_board'
            when asset_class in ('bond_fund', 'equity_fund', 'money_market_fund') then asset_class
        end as seed_instrument
    from holdings
),

market_price as (
    select
        mapped.period_label,
        'market' as module,
        case
            when mapped.seed_sub_risk = 'fund' then 'equity'
            when mapped.seed_sub_risk = 'overseas_equity' then 'overseas_equity_real_estate'
            else mapped.seed_sub_risk
        end as sub_risk,
        case
            when mapped.seed_sub_risk = 'fund' then 'equity'
            when mapped.seed_sub_risk = 'overseas_equity' then 'overseas_equity_real_estate'
            else mapped.seed_sub_risk
        end as aggregation_item,
        mapped.holding_id as exposure_item,
        cast(mapped.amount_cny as decimal(38, 10)) as exposure,
        case
            when factors.coef_a is not null
                then cast(
                    mapped.modified_duration * (factors.coef_a * mapped.modified_duration + factors.coef_b)
                    as decimal(18, 6)
                )
            else factors.rf
        end as base_factor,
        factors.rule_version,
        factors.rule as rule_document,
        factors.article
    from market_mapped as mapped
    left join market_factors as factors
        on
            mapped.period_label = factors.period_label
            and mapped.seed_sub_risk = factors.sub_risk
            and mapped.seed_instrument = factors.instrument
            and factors.factor_kind = 'rf0'
            and (
                factors.coef_a is null
                or {{ cross_ii_in_band('mapped.modified_duration', 'factors') }}
            )
    where mapped.seed_sub_risk is not null
),

-- FX (R8 Art. 57): EX = |assets - liabilities| per currency; no foreign-currency liabilities are delivered.
fx_positions as (
    select
        period_label,
        currency,
        abs(sum(amount_cny)) as exposure
    from holdings
    where currency != 'CNY'
    group by period_label, currency
),

fx as (
    select
        positions.period_label,
        'market' as module,
        'fx' as sub_risk,
        'fx' as aggregation_item,
        positions.currency as exposure_item,
        cast(positions.exposure as decimal(38, 10)) as exposure,
        coalesce(named.rf, other.rf) as base_factor,
        coalesce(named.rule_version, other.rule_version) as rule_version,
        coalesce(named.rule, other.rule) as rule_document,
        coalesce(named.article, other.article) as article
    from fx_positions as positions
    left join market_factors as named
        on
            positions.period_label = named.period_label
            and named.sub_risk = 'fx'
            and named.factor_kind = 'rf0'
            and lower(positions.currency) = named.instrument
    left join market_factors as other
        on
            positions.period_label = other.period_label
            and other.sub_risk = 'fx'
            and other.factor_kind = 'rf0'
            and other.instrument = 'other'
),

-- Credit risk: spread (R9 Arts. 13-15) on policy-bank and corporate bonds by rating and duration;
-- government bonds carry none (Art. 10).
spread_mapped as (
    select
        period_label,
        holding_id,
        amount_cny,
        modified_duration,
        case
            when asset_class = 'policy_bank_bond' then 'policy_bank_financial_bond'
            when rating in ('AAA', 'AA+', 'AA', 'AA-', 'A+', 'A', 'A-', 'BBB+') then rating
            else 'BBB_BBB-_unrated'
        end as category
    from holdings
    where asset_class in ('policy_bank_bond', 'corporate_bond')
),

spread as (
    select
        mapped.period_label,
        'credit' as module,
        'spread' as sub_risk,
        'spread' as aggregation_item,
        mapped.holding_id as exposure_item,
        cast(mapped.amount_cny as decimal(38, 10)) as exposure,
        cast(
            mapped.modified_duration * (factors.coef_a * mapped.modified_duration + factors.coef_b)
            + factors.coef_c as decimal(18, 6)
        ) as base_factor,
        factors.rule_version,
        factors.rule as rule_document,
        factors.article
    from spread_mapped as mapped
    left join credit_factors as factors
        on
            mapped.period_label = factors.period_label
            and factors.component = 'spread'
            and factors.factor_kind = 'rf0'
            and mapped.category = factors.category
            and {{ cross_ii_in_band('mapped.modified_duration', 'factors') }}
),

-- Counterparty default on deposits (R9 Art. 21): no capital-adequacy data is delivered, so the highest
-- factor of the bank type applies (the rule for banks without CAR data within a year).
bank_factors as (
    select
        period_label,
        category,
        max(rf0) as rf0,
        max(rule_version) as rule_version,
        max(rule) as rule_document,
        max(article) as article
    from credit_factors
    where component = 'deposit_term' and factor_kind = 'rf0'
    group by period_label, category
),

deposits as (
    select
        holdings.period_label,
        'credit' as module,
        'default' as sub_risk,
        'default' as aggregation_item,
        holdings.holding_id as exposure_item,
        cast(holdings.amount_cny as decimal(38, 10)) as exposure,
        factors.rf0 as base_factor,
        factors.rule_version,
        factors.rule_document,
        factors.article
    from holdings
    left join bank_factors as factors
        on
            holdings.period_label = factors.period_label
            and factors.category = case holdings.counterparty_type
                when 'big_five_bank' then 'state_large_or_policy_bank'
                when 'policy_bank' then 'state_large_or_policy_bank'
                when 'joint_stock_bank' then 'joint_stock_bank'
                when 'city_commercial_bank' then 'city_commercial_or_foreign_bank_rated_A_or_above'
                else 'other_domestic_or_overseas_bank'
            end
    where holdings.asset_class = 'term_deposit'
),

-- Receivables from the admitted balance sheet (R9 Arts. 22, 34, 36). No reinsurer solvency ratio and no
-- ageing are delivered: reinsurance receivables take the highest domestic-reinsurer factor (solvency ratio
-- unavailable), premium and other receivables the factor of their first age band (age unknown).
receivables as (
    select
        balances.quarter_label as period_label,
        case balances.statement_line
            when 'reinsurance_receivables' then 'reinsurance_recoverable'
            when 'premiums_receivable' then 'premium_receivable'
            else 'other_receivable'
        end as component,
        case balances.statement_line
            when 'reinsurance_receivables' then 'domestic_reinsurer'
            when 'premiums_receivable' then 'other_business'
            else 'other'
        end as category,
        balances.statement_line,
        balances.admitted_balance
    from {{ ref('fct_admitted_balance_sheet') }} as balances
    inner join quarters on balances.quarter_label = quarters.period_label
    where balances.statement_line in ('reinsurance_receivables', 'premiums_receivable', 'other_receivables')
),

receivable_factors as (
    select
        period_label,
        component,
        category,
        max(rf0) as highest_rf0,
        max(case when band_lower is null then rf0 end) as first_band_rf0,
        max(rule_version) as rule_version,
        max(rule) as rule_document,
        max(article) as article
    from credit_factors
    where factor_kind = 'rf0' and component in ('reinsurance_recoverable', 'premium_receivable', 'other_receivable')
    group by period_label, component, category
),

receivable_charges as (
    select
        receivables.period_label,
        'credit' as module,
        'default' as sub_risk,
        'default' as aggregation_item,
        receivables.statement_line as exposure_item,
        cast(receivables.admitted_balance as decimal(38, 10)) as exposure,
        case
            when receivables.component = 'reinsurance_recoverable' then factors.highest_rf0
            else factors.first_band_rf0
        end as base_factor,
        factors.rule_version,
        factors.rule_document,
        factors.article
    from receivables
    left join receivable_factors as factors
        on
            receivables.period_label = factors.period_label
            and receivables.component = factors.component
            and receivables.category = factors.category
),

all_exposures as (
    select * from insurance
    union all
    select * from market_price
    union all
    select * from fx
    union all
    select * from spread
    union all
    select * from deposits
    union all
    select * from receivable_charges
),

-- K and the 2023 run-off discount of each non-life line (int_reporting__nonlife_k_adjustments); K = 0 and no
-- discount elsewhere.
adjusted as (
    select
        exposures.*,
        insurance_k.combined_ratio,
        insurance_k.k1_combined_ratio,
        insurance_k.nonproportional_cession_ratio,
        insurance_k.k2_nonproportional_cession,
        insurance_k.runoff_deviation,
        insurance_k.k1_runoff_deviation,
        cast(coalesce(insurance_k.k_adjustment, 0) as decimal(18, 6)) as k_adjustment,
        cast(coalesce(insurance_k.runoff_discount, 1) as decimal(18, 6)) as runoff_discount
    from all_exposures as exposures
    left join {{ ref('int_reporting__nonlife_k_adjustments') }} as insurance_k
        on
            exposures.module = 'nonlife_insurance'
            and exposures.period_label = insurance_k.quarter_label
            and exposures.sub_risk = insurance_k.sub_risk
            and exposures.exposure_item = insurance_k.line_of_business
),

final as (
    select
        period_label as quarter_label,
        module,
        sub_risk,
        aggregation_item,
        exposure_item,
        exposure,
        base_factor,
        combined_ratio,
        k1_combined_ratio,
        nonproportional_cession_ratio,
        k2_nonproportional_cession,
        runoff_deviation,
        k1_runoff_deviation,
        k_adjustment,
        cast(least(base_factor * (1 + k_adjustment), 1) as decimal(18, 6)) as risk_factor,
        runoff_discount,
        {{ times_factor(times_factor('exposure', 'least(base_factor * (1 + k_adjustment), 1)'), 'runoff_discount') }}
            as capital,
        rule_version,
        rule_document,
        article
    from adjusted
)

select * from final
