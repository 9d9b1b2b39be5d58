-- Actual capital (实际资本, C-ROSS II Rule 1) per quarter end, split into tiers with the Art. 41 limits (CNY).
-- actual capital before limits = admitted assets - admitted liabilities; supplementary tier 1 = admitted
-- deferred tax assets (Art. 40); initial operating funds keep the core tier 1 they had when received (Art. 44);
-- core tier 1 is the rest. Supplementary capital above its limits is excluded (Art. 41).
with

quarters as (
    select
        period_label,
        end_date
    from {{ ref('reporting_periods') }}
    where
        period_kind = 'quarter'
        and period_label <= '{{ close_quarter() }}'
),

admitted as (
    select
        quarter_label,
        quarter_end,
        sum(case when account_type = 'asset' then admitted_balance else 0 end) as admitted_assets,
        sum(case when account_type = 'liability' then admitted_balance else 0 end) as admitted_liabilities,
        sum(case when account_type = 'asset' then non_admitted_balance else 0 end) as non_admitted_assets,
        sum(
            case when statement_line = 'deferred_tax_assets' then admitted_balance else 0 end
        ) as admitted_deferred_tax_assets
    from {{ ref('fct_admitted_balance_sheet') }}
    group by quarter_label, quarter_end
),

tier_rules as (
    {{ cross_ii_in_force('cross_ii_capital_tiers', ['item'], 'quarters') }}
),

limits as (
    select
        period_label,
        max(case when item = 'supplementary_to_core_max' then value end) as supplementary_to_core_max,
        max(case when item = 'supplementary_tier2_to_core_max' then value end) as supplementary_tier2_to_core_max,
        max(
            case when item = 'deferred_tax_assets_other' then capital_tier end
        ) as deferred_tax_assets_tier
    from tier_rules
    where applies_to_mutual
    group by period_label
),

instruments as (
    select
        quarters.period_label,
        sum(
            case when capital.instrument_type = 'initial_operating_fund' then capital.principal else 0 end
        ) as initial_operating_funds,
        sum(
            case when capital.instrument_type != 'initial_operating_fund' then capital.principal else 0 end
        ) as liability_capital_instruments
    from quarters
    inner join {{ ref('stg_capital__capital_instruments') }} as capital
        on
            quarters.end_date >= capital.issued_on
            and (capital.maturity_date is null or quarters.end_date < capital.maturity_date)
    group by quarters.period_label
),

raw_tiers as (
    select
        admitted.quarter_label,
        admitted.quarter_end,
        admitted.admitted_assets,
        admitted.admitted_liabilities,
        admitted.non_admitted_assets,
        admitted.admitted_assets - admitted.admitted_liabilities as capital_before_limits,
        coalesce(instruments.initial_operating_funds, 0) as initial_operating_funds,
        coalesce(instruments.liability_capital_instruments, 0) as liability_capital_instruments,
        limits.supplementary_to_core_max,
        limits.supplementary_tier2_to_core_max,
        case
            when limits.deferred_tax_assets_tier = 'supplementary_tier1' then admitted.admitted_deferred_tax_assets
            else 0
        end as supplementary_tier1_before_limits,
        cast(0 as decimal(38, 2)) as supplementary_tier2_before_limits,
        cast(0 as decimal(38, 2)) as core_tier2_capital
    from admitted
    left join limits on admitted.quarter_label = limits.period_label
    left join instruments on admitted.quarter_label = instruments.period_label
),

core as (
    select
        *,
        capital_before_limits - supplementary_tier1_before_limits - supplementary_tier2_before_limits
        - core_tier2_capital as core_tier1_capital,
        capital_before_limits - supplementary_tier1_before_limits - supplementary_tier2_before_limits
            as core_capital
    from raw_tiers
),

tier2_limited as (
    select
        *,
        least(
            supplementary_tier2_before_limits,
            greatest(core_capital, 0) * supplementary_tier2_to_core_max
        ) as supplementary_tier2_within_own_limit
    from core
),

supplementary_limited as (
    select
        *,
        least(
            supplementary_tier1_before_limits + supplementary_tier2_within_own_limit,
            greatest(core_capital, 0) * supplementary_to_core_max
        ) as supplementary_capital
    from tier2_limited
),

final as (
    select
        quarter_label,
        quarter_end,
        cast(admitted_assets as decimal(38, 10)) as admitted_assets,
        cast(admitted_liabilities as decimal(38, 10)) as admitted_liabilities,
        cast(non_admitted_assets as decimal(38, 10)) as non_admitted_assets,
        cast(capital_before_limits as decimal(38, 10)) as capital_before_limits,
        cast(core_tier1_capital as decimal(38, 10)) as core_tier1_capital,
        cast(core_tier2_capital as decimal(38, 10)) as core_tier2_capital,
        cast(least(supplementary_tier1_before_limits, supplementary_capital) as decimal(38, 10))
            as supplementary_tier1_capital,
        cast(
            supplementary_capital - least(supplementary_tier1_before_limits, supplementary_capital)
            as decimal(38, 10)
        ) as supplementary_tier2_capital,
        cast(core_capital as decimal(38, 10)) as core_capital,
        cast(supplementary_capital as decimal(38, 10)) as supplementary_capital,
        cast(
            supplementary_tier1_before_limits + supplementary_tier2_before_limits - supplementary_capital
            as decimal(38, 10)
        ) as capital_excluded_by_limits,
        cast(core_capital + supplementary_capital as decimal(38, 10)) as actual_capital,
        cast(initial_operating_funds as decimal(38, 10)) as initial_operating_funds,
        cast(liability_capital_instruments as decimal(38, 10)) as liability_capital_instruments,
        supplementary_to_core_max,
        supplementary_tier2_to_core_max
    from supplementary_limited
)

select * from final
