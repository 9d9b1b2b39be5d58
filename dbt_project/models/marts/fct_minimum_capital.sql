-- Minimum capital (最低资本, C-ROSS II Rule 2) per quarter end (CNY), each risk module in its own column:
-- MC = capitalisable-risk MC (square-root aggregation of non-life insurance, market and credit risk, Art. 15-16,
-- times the small-insurer multiplier of the 2023 notice) + control-risk MC (Q x capitalisable MC, Rule 12
-- Art. 120) + additional capital (Art. 21: the regulator's latest notice, zero when none is delivered).
with

quarters as (
    select
        periods.period_label,
        periods.end_date,
        balance_sheet.total_assets
    from {{ ref('reporting_periods') }} as periods
    inner join {{ ref('fct_balance_sheet') }} as balance_sheet on periods.end_date = balance_sheet.month_end
    where
        periods.period_kind = 'quarter'
        and periods.period_label <= '{{ close_quarter() }}'
),

exposures as (
    select * from {{ ref('fct_minimum_capital_exposures') }}
),

correlations as (
    {{ cross_ii_in_force('cross_ii_correlations', ['matrix', 'risk_a', 'risk_b'], 'quarters') }}
),

control_parameters as (
    {{ cross_ii_in_force('cross_ii_control_risk', ['item', 'band_lower'], 'quarters') }}
),

-- Non-life insurance risk (R4): premium and reserve risk per C-ROSS line (rho from matrix premium_reserve,
-- Art. 43), then across lines (matrix nonlife_lines, Art. 44).
line_components as (
    select
        quarter_label as period_label,
        aggregation_item as cross_ii_line,
        sub_risk as risk,
        sum(capital) as capital
    from exposures
    where module = 'nonlife_insurance'
    group by quarter_label, aggregation_item, sub_risk
),

lines as (
    {{ cross_ii_correlated_total(
        'line_components', 'correlations', 'premium_reserve', ['period_label', 'cross_ii_line']
    ) }}
),

line_totals as (
    select
        period_label,
        cross_ii_line as risk,
        capital
    from lines
),

nonlife as (
    {{ cross_ii_correlated_total('line_totals', 'correlations', 'nonlife_lines') }}
),

-- Market risk (R8): sub-risks aggregated with matrix market_subrisks (Art. 70).
market_components as (
    select
        quarter_label as period_label,
        aggregation_item as risk,
        sum(capital) as capital
    from exposures
    where module = 'market'
    group by quarter_label, aggregation_item
),

market as (
    {{ cross_ii_correlated_total('market_components', 'correlations', 'market_subrisks') }}
),

-- Credit risk (R9): spread and default aggregated with matrix credit_spread_default (Art. 8).
credit_components as (
    select
        quarter_label as period_label,
        aggregation_item as risk,
        sum(capital) as capital
    from exposures
    where module = 'credit'
    group by quarter_label, aggregation_item
),

credit as (
    {{ cross_ii_correlated_total('credit_components', 'correlations', 'credit_spread_default') }}
),

top_components as (
    select
        period_label,
        'nonlife_insurance' as risk,
        capital
    from nonlife
    union all
    select
        period_label,
        'market' as risk,
        capital
    from market
    union all
    select
        period_label,
        'credit' as risk,
        capital
    from credit
),

capitalisable as (
    {{ cross_ii_correlated_total('top_components', 'correlations', 'rule2_top_level') }}
),

module_sums as (
    select
        quarter_label as period_label,
        sum(case when module = 'nonlife_insurance' and sub_risk = 'premium' then capital else 0 end)
            as premium_risk_capital,
        sum(case when module = 'nonlife_insurance' and sub_risk = 'reserve' then capital else 0 end)
            as reserve_risk_capital,
        sum(case when module = 'nonlife_insurance' and sub_risk = 'reserve' then 1 else 0 end)
            as reserve_exposures,
        sum(case when module = 'market' and sub_risk = 'interest_rate' then capital else 0 end)
            as interest_rate_risk_capital,
        sum(case when module = 'market' and sub_risk = 'equity' then capital else 0 end)
            as equity_risk_capital,
        sum(case when module = 'market' and sub_risk = 'real_estate' then capital else 0 end)
            as real_estate_risk_capital,
        sum(case when module = 'market' and sub_risk = 'overseas_equity_real_estate' then capital else 0 end)
            as overseas_equity_risk_capital,
        sum(case when module = 'market' and sub_risk = 'fx' then capital else 0 end)
            as fx_risk_capital,
        sum(case when module = 'credit' and sub_risk = 'spread' then capital else 0 end)
            as spread_risk_capital,
        sum(case when module = 'credit' and sub_risk = 'default' then capital else 0 end)
            as default_risk_capital,
        sum(case when base_factor is null then 1 else 0 end) as exposures_without_factor
    from exposures
    group by quarter_label
),

missing_pairs as (
    select
        period_label,
        sum(missing_correlation_pairs) as missing_correlation_pairs
    from (
        select
            period_label,
            missing_correlation_pairs
        from lines
        union all
        select
            period_label,
            missing_correlation_pairs
        from nonlife
        union all
        select
            period_label,
            missing_correlation_pairs
        from market
        union all
        select
            period_label,
            missing_correlation_pairs
        from credit
        union all
        select
            period_label,
            missing_correlation_pairs
        from capitalisable
    ) as all_levels
    group by period_label
),

-- Small-insurer multiplier (2023 notice §1(1)) by total assets in CNY bn; 1 when no row is in force.
small_insurer as (
    select
        quarters.period_label,
        max(control_rows.value) as small_insurer_multiplier
    from quarters
    inner join control_parameters as control_rows
        on
            quarters.period_label = control_rows.period_label
            and control_rows.item = 'small_insurer_mc_multiplier'
            and {{ cross_ii_in_band('quarters.total_assets / 1000000000', 'control_rows') }}
    group by quarters.period_label
),

-- SARMRA (R12 Arts. 117-118): S = w1 x S1 + w2 x S2, S2 = S1 x m / M; S1 is the latest score notified by the
-- quarter end, M the sector's top-15 % mean effective at the quarter end (regulator deliveries).
latest_score as (
    select
        period_label,
        sarmra_score
    from (
        select
            quarters.period_label,
            scores.sarmra_score,
            row_number() over (
                partition by quarters.period_label
                order by scores.notified_on desc nulls last, scores.assessment_year desc nulls last
            ) as recency
        from quarters
        inner join {{ ref('stg_regulator__sarmra_scores') }} as scores on quarters.end_date >= scores.notified_on
    ) as ranked
    where recency = 1
),

sector_mean as (
    select
        period_label,
        parameter_value
    from (
        select
            quarters.period_label,
            sector.parameter_value,
            row_number() over (
                partition by quarters.period_label
                order by sector.effective_from desc nulls last, sector.delivered_quarter desc nulls last
            ) as recency
        from quarters
        inner join {{ ref('stg_regulator__sector_parameters') }} as sector
            on quarters.end_date >= sector.effective_from and sector.parameter_code = 'sarmra_top15_mean'
    ) as ranked
    where recency = 1
),

sarmra_constants as (
    select
        period_label,
        max(case when item = 'sarmra_weight_s1' then value end) as weight_s1,
        max(case when item = 'sarmra_weight_s2' then value end) as weight_s2,
        max(case when item = 'sarmra_standard_score_m' then value end) as standard_score_m
    from control_parameters
    group by period_label
),

sarmra as (
    select
        quarters.period_label,
        latest_score.sarmra_score as sarmra_score_s1,
        sector_mean.parameter_value as sector_top15_mean,
        cast(
            sarmra_constants.weight_s1 * latest_score.sarmra_score
            + sarmra_constants.weight_s2 * latest_score.sarmra_score * sarmra_constants.standard_score_m
            / sector_mean.parameter_value
            as decimal(18, 6)
        ) as sarmra_score
    from quarters
    left join latest_score on quarters.period_label = latest_score.period_label
    left join sector_mean on quarters.period_label = sector_mean.period_label
    left join sarmra_constants on quarters.period_label = sarmra_constants.period_label
),

control as (
    select
        sarmra.period_label,
        sarmra.sarmra_score_s1,
        sarmra.sector_top15_mean,
        sarmra.sarmra_score,
        cast(control_rows.slope * sarmra.sarmra_score + control_rows.intercept as decimal(18, 6)) as control_risk_q
    from sarmra
    left join control_parameters as control_rows
        on
            sarmra.period_label = control_rows.period_label
            and control_rows.item = 'control_risk_q'
            and {{ cross_ii_in_band('sarmra.sarmra_score', 'control_rows') }}
),

-- Additional capital (R2 Art. 21): the latest notice effective and notified by the quarter end; 0 when none.
additional as (
    select
        period_label,
        additional_capital
    from (
        select
            quarters.period_label,
            notices.additional_capital,
            row_number() over (
                partition by quarters.period_label
                order by notices.notified_on desc nulls last, notices.effective_from desc nulls last
            ) as recency
        from quarters
        inner join {{ ref('stg_regulator__additional_capital') }} as notices
            on quarters.end_date >= notices.effective_from and quarters.end_date >= notices.notified_on
    ) as ranked
    where recency = 1
),

combined as (
    select
        quarters.period_label as quarter_label,
        quarters.end_date as quarter_end,
        quarters.total_assets,
        module_sums.premium_risk_capital,
        module_sums.reserve_risk_capital,
        module_sums.reserve_exposures > 0 as has_reserve_valuation,
        case when module_sums.reserve_exposures > 0 then nonlife.capital end as nonlife_insurance_risk_capital,
        module_sums.interest_rate_risk_capital,
        module_sums.equity_risk_capital,
        module_sums.real_estate_risk_capital,
        module_sums.overseas_equity_risk_capital,
        module_sums.fx_risk_capital,
        coalesce(market.capital, 0) as market_risk_capital,
        module_sums.spread_risk_capital,
        module_sums.default_risk_capital,
        coalesce(credit.capital, 0) as credit_risk_capital,
        case when module_sums.reserve_exposures > 0 then capitalisable.capital end as capitalisable_risk_capital,
        coalesce(small_insurer.small_insurer_multiplier, 1) as small_insurer_multiplier,
        control.sarmra_score_s1,
        control.sector_top15_mean,
        control.sarmra_score,
        control.control_risk_q,
        cast(coalesce(additional.additional_capital, 0) as decimal(38, 10)) as additional_capital,
        module_sums.exposures_without_factor,
        coalesce(missing_pairs.missing_correlation_pairs, 0) as missing_correlation_pairs
    from quarters
    inner join module_sums on quarters.period_label = module_sums.period_label
    left join nonlife on quarters.period_label = nonlife.period_label
    left join market on quarters.period_label = market.period_label
    left join credit on quarters.period_label = credit.period_label
    left join capitalisable on quarters.period_label = capitalisable.period_label
    left join small_insurer on quarters.period_label = small_insurer.period_label
    left join control on quarters.period_label = control.period_label
    left join missing_pairs on quarters.period_label = missing_pairs.period_label
    left join additional on quarters.period_label = additional.period_label
),

adjusted as (
    select
        *,
        {{ times_factor('capitalisable_risk_capital', 'small_insurer_multiplier') }}
            as capitalisable_risk_capital_adjusted
    from combined
),

final as (
    select
        quarter_label,
        quarter_end,
        total_assets,
        cast(premium_risk_capital as decimal(38, 10)) as premium_risk_capital,
        cast(reserve_risk_capital as decimal(38, 10)) as reserve_risk_capital,
        has_reserve_valuation,
        nonlife_insurance_risk_capital,
        cast(interest_rate_risk_capital as decimal(38, 10)) as interest_rate_risk_capital,
        cast(equity_risk_capital as decimal(38, 10)) as equity_risk_capital,
        cast(real_estate_risk_capital as decimal(38, 10)) as real_estate_risk_capital,
        cast(overseas_equity_risk_capital as decimal(38, 10)) as overseas_equity_risk_capital,
        cast(fx_risk_capital as decimal(38, 10)) as fx_risk_capital,
        market_risk_capital,
        cast(spread_risk_capital as decimal(38, 10)) as spread_risk_capital,
        cast(default_risk_capital as decimal(38, 10)) as default_risk_capital,
        credit_risk_capital,
        capitalisable_risk_capital,
        small_insurer_multiplier,
        capitalisable_risk_capital_adjusted,
        sarmra_score_s1,
        sector_top15_mean,
        sarmra_score,
        control_risk_q,
        {{ times_factor('capitalisable_risk_capital_adjusted', 'control_risk_q') }} as control_risk_capital,
        additional_capital,
        cast(
            cast(capitalisable_risk_capital_adjusted as decimal(36, 10))
            + cast({{ times_factor('capitalisable_risk_capital_adjusted', 'control_risk_q') }} as decimal(36, 10))
            + cast(additional_capital as decimal(36, 10)) as decimal(38, 10)
        ) as minimum_capital,
        exposures_without_factor,
        missing_correlation_pairs
    from adjusted
)

select * from final
