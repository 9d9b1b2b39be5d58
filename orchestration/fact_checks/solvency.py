"""Checks on the C-ROSS solvency facts: admitted balance sheet, capital tiers, minimum capital and its exposures."""

from orchestration.fact_checks.check import FactCheck, with_quarters

FCT_CAPITAL_TIERS = FactCheck(
    "fct_capital_tiers",
    "fct_capital_tiers",
    with_quarters(
        """
        admitted as (
            select
                quarter_label,
                sum(case when account_type = 'asset' then admitted_balance else 0 end) as admitted_assets,
                sum(case when account_type = 'liability' then admitted_balance else 0 end) as admitted_liabilities
            from marts.fct_admitted_balance_sheet
            where quarter_label in (select quarter_label from quarters where checked)
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
                as admitted_balance_sheet_gap,
            count(*) - count(a.quarter_label) as admitted_balance_sheet_missing
        from marts.fct_capital_tiers as t
        left join admitted as a on t.quarter_label = a.quarter_label
        where t.quarter_label in (select quarter_label from quarters where checked)
        group by t.quarter_label
        """
    ),
)


FCT_MINIMUM_CAPITAL = FactCheck(
    "fct_minimum_capital",
    "fct_minimum_capital",
    with_quarters(
        """
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
            where quarter_label in (select quarter_label from quarters where checked)
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
                as exposure_reconciliation_gap,
            count(*) - count(e.quarter_label) as exposures_missing
        from marts.fct_minimum_capital as m
        left join modules as e on m.quarter_label = e.quarter_label
        where m.quarter_label in (select quarter_label from quarters where checked)
        group by m.quarter_label
        """
    ),
)


FCT_ADMITTED_BALANCE_SHEET = FactCheck(
    "fct_admitted_balance_sheet",
    "fct_admitted_balance_sheet",
    with_quarters(
        """
        admitted as (
            select admitted.*
            from marts.fct_admitted_balance_sheet as admitted
            inner join quarters on admitted.quarter_label = quarters.quarter_label
            where quarters.checked
        ),

        accounts as (
            select
                quarters.quarter_label,
                count(*) as account_count
            from marts.fct_ledger_balances as ledger
            inner join quarters on ledger.month_end = quarters.end_date
            where quarters.checked and ledger.account_type in ('asset', 'liability')
            group by quarters.quarter_label
        )

        select
            admitted.quarter_label,
            count(*) as row_count,
            count(*) - count(distinct (admitted.account_type, admitted.statement_line, admitted.admissibility))
                as duplicate_keys,
            coalesce(string_agg(distinct admitted.account_type, ',' order by admitted.account_type), '')
                as account_type_codes,
            coalesce(string_agg(distinct admitted.admissibility, ',' order by admitted.admissibility), '')
                as admissibility_codes,
            sum(case when admitted.is_mapped then 0 else 1 end) as unmapped_lines,
            sum(case when admitted.admissibility = 'non_admitted' and admitted.rule_reference is null then 1 else 0 end)
                as non_admitted_without_rule,
            cast(sum(case when admitted.account_type = 'liability' then abs(admitted.non_admitted_balance) else 0 end)
                as double) as non_admitted_liabilities,
            cast(sum(abs(admitted.statement_balance - admitted.admitted_balance - admitted.non_admitted_balance))
                as double) as admissibility_split_gap,
            cast(
                sum(case when admitted.account_type = 'asset' then admitted.admitted_balance else 0 end)
                - (max(sheet.total_assets)
                    - sum(case when admitted.account_type = 'asset' then admitted.non_admitted_balance else 0 end))
                as double
            ) as admitted_assets_gap,
            cast(
                sum(case when admitted.account_type = 'liability' then admitted.admitted_balance else 0 end)
                - max(sheet.total_liabilities) as double
            ) as admitted_liabilities_gap,
            sum(admitted.account_count) - max(accounts.account_count) as accounts_vs_ledger_gap,
            case when max(sheet.month_end) is null then 1 else 0 end
            + case when max(accounts.quarter_label) is null then 1 else 0 end as reference_rows_missing
        from admitted
        left join marts.fct_balance_sheet as sheet on admitted.quarter_end = sheet.month_end
        left join accounts on admitted.quarter_label = accounts.quarter_label
        group by admitted.quarter_label
        """
    ),
)


FCT_MINIMUM_CAPITAL_EXPOSURES = FactCheck(
    "fct_minimum_capital_exposures",
    "fct_minimum_capital_exposures",
    with_quarters(
        """
        exposures as (
            select exposures.*
            from marts.fct_minimum_capital_exposures as exposures
            inner join quarters on exposures.quarter_label = quarters.quarter_label
            where quarters.checked
        ),

        retained as (
            select
                quarters.quarter_label,
                sum(premiums.written_premium - premiums.ceded_premium) as amount
            from quarters
            inner join reference.reporting_periods as periods
                on
                    periods.period_kind = 'quarter'
                    and periods.end_date <= quarters.end_date
                    and periods.end_date > quarters.end_date - interval 1 year
            inner join marts.fct_premiums as premiums on periods.period_label = premiums.quarter_label
            where quarters.checked
            group by quarters.quarter_label
        ),

        reserves as (
            select
                quarters.quarter_label,
                sum(reserves.outstanding_claims_reserve) as amount
            from quarters
            inner join marts.fct_reserves as reserves on quarters.end_date = reserves.quarter_end
            where quarters.checked
            group by quarters.quarter_label
        ),

        bonds as (
            select
                quarters.quarter_label,
                sum(holdings.amount_cny) as amount
            from quarters
            inner join staging.stg_investments__holdings as holdings on quarters.end_date = holdings.as_of_date
            where
                quarters.checked and not holdings.is_financing
                and holdings.asset_class in ('policy_bank_bond', 'corporate_bond')
            group by quarters.quarter_label
        ),

        receivables as (
            select
                quarter_label,
                sum(admitted_balance) as amount
            from marts.fct_admitted_balance_sheet
            where statement_line in ('reinsurance_receivables', 'premiums_receivable', 'other_receivables')
            group by quarter_label
        ),

        by_kind as (
            select
                quarter_label,
                sum(case when module = 'nonlife_insurance' and sub_risk = 'premium' then exposure else 0 end)
                    as premium_exposure,
                sum(case when module = 'nonlife_insurance' and sub_risk = 'reserve' then exposure else 0 end)
                    as reserve_exposure,
                sum(case when module = 'credit' and sub_risk = 'spread' then exposure else 0 end) as spread_exposure,
                sum(case when module = 'credit' and sub_risk = 'default' and exposure_item
                    in ('reinsurance_receivables', 'premiums_receivable', 'other_receivables') then exposure else 0 end)
                    as receivable_exposure
            from exposures
            group by quarter_label
        )

        select
            exposures.quarter_label,
            count(*) as row_count,
            count(*) - count(distinct (exposures.module, exposures.sub_risk, exposures.exposure_item))
                as duplicate_keys,
            coalesce(string_agg(distinct concat(exposures.module, '/', exposures.sub_risk), ','
                order by concat(exposures.module, '/', exposures.sub_risk)), '') as risk_codes,
            sum(case when exposures.base_factor is null or exposures.rule_version is null then 1 else 0 end)
                as rows_without_factor,
            sum(case when exposures.exposure < 0 then 1 else 0 end) as negative_exposure_rows,
            sum(case when exposures.risk_factor < 0 or exposures.risk_factor > 1 then 1 else 0 end)
                as risk_factor_out_of_range_rows,
            cast(sum(abs(
                exposures.capital - exposures.exposure * exposures.risk_factor * exposures.runoff_discount
            )) as double)
                as capital_identity_gap,
            sum(case when abs(exposures.risk_factor - least(exposures.base_factor * (1 + exposures.k_adjustment), 1))
                > 0.0000005 then 1 else 0 end) as risk_factor_formula_rows,
            sum(case when exposures.k_adjustment <> 0 and exposures.module <> 'nonlife_insurance' then 1 else 0 end)
                as k_outside_nonlife_rows,
            sum(case when exposures.runoff_discount <> 1
                and not (exposures.module = 'nonlife_insurance' and exposures.sub_risk = 'reserve') then 1 else 0 end)
                as discount_outside_reserve_rows,
            cast(max(by_kind.premium_exposure) - coalesce(max(retained.amount), 0) as double)
                as premium_exposure_gap,
            cast(max(by_kind.reserve_exposure) - coalesce(max(reserves.amount), 0) as double)
                as reserve_exposure_gap,
            cast(max(by_kind.spread_exposure) - coalesce(max(bonds.amount), 0) as double) as spread_exposure_gap,
            cast(max(by_kind.receivable_exposure) - coalesce(max(receivables.amount), 0) as double)
                as receivable_exposure_gap
        from exposures
        inner join by_kind on exposures.quarter_label = by_kind.quarter_label
        left join retained on exposures.quarter_label = retained.quarter_label
        left join reserves on exposures.quarter_label = reserves.quarter_label
        left join bonds on exposures.quarter_label = bonds.quarter_label
        left join receivables on exposures.quarter_label = receivables.quarter_label
        group by exposures.quarter_label
        """
    ),
)
