"""Checks on the related-party facts and the related-party disclosure."""

from orchestration.fact_checks.check import FactCheck, with_quarters

FCT_RELATED_PARTY_TRANSACTIONS = FactCheck(
    "fct_related_party_transactions",
    "fct_related_party_transactions",
    """
    select
        executed_quarter as quarter_label,
        count(*) as row_count,
        count(*) - count(related_party_name) as rows_without_party,
        sum(case when is_party_valid_at_execution then 0 else 1 end) as rows_party_not_valid,
        sum(case when amount < 0 then 1 else 0 end) as negative_amounts
    from marts.fct_related_party_transactions
    where executed_quarter in (select unnest(?))
    group by executed_quarter
    """,
)


RPT_RELATED_PARTY_DISCLOSURE = FactCheck(
    "rpt_related_party_disclosure",
    "rpt_related_party_disclosure",
    """
    with

    quarters as (
        select
            period_label as quarter_label,
            start_date,
            end_date
        from reference.reporting_periods
        where period_kind = 'quarter' and period_label in (select unnest(?))
    ),

    disclosed as (
        select
            period_label as quarter_label,
            count(*) as row_count,
            count(*) - count(distinct (row_kind, category, classification)) as duplicate_keys,
            coalesce(string_agg(distinct row_kind, ',' order by row_kind), '') as row_kind_codes,
            coalesce(string_agg(distinct classification, ',' order by classification), '') as classification_codes,
            coalesce(string_agg(distinct case when row_kind = 'transaction' then category end, ','
                order by case when row_kind = 'transaction' then category end), '') as transaction_category_codes,
            sum(case when item_count <= 0 then 1 else 0 end) as non_positive_count_rows,
            sum(case when amount_cny < 0 then 1 else 0 end) as negative_amount_rows,
            sum(abs(amount_wan_cny * 10000 - amount_cny)) as wan_conversion_gap,
            sum(case when row_kind = 'transaction' then item_count else 0 end) as transaction_count,
            sum(case when row_kind = 'transaction' then amount_cny else 0 end) as transaction_amount,
            sum(case when row_kind = 'unified_agreement' then item_count else 0 end) as agreement_count
        from regulatory.rpt_related_party_disclosure
        where period_label in (select quarter_label from quarters)
        group by period_label
    ),

    executed as (
        select
            quarters.quarter_label,
            count(t.rpt_transaction_id) as transaction_count,
            coalesce(sum(t.amount), 0) as transaction_amount
        from quarters
        left join marts.fct_related_party_transactions as t
            on t.executed_on between quarters.start_date and quarters.end_date
        group by quarters.quarter_label
    ),

    signed as (
        select
            quarters.quarter_label,
            count(a.agreement_id) as agreement_count
        from quarters
        left join staging.stg_related_party__unified_agreements as a
            on a.signed_on between quarters.start_date and quarters.end_date
        group by quarters.quarter_label
    )

    select
        quarters.quarter_label,
        coalesce(disclosed.row_count, 0) as row_count,
        coalesce(disclosed.duplicate_keys, 0) as duplicate_keys,
        coalesce(disclosed.row_kind_codes, '') as row_kind_codes,
        coalesce(disclosed.classification_codes, '') as classification_codes,
        coalesce(disclosed.transaction_category_codes, '') as transaction_category_codes,
        coalesce(disclosed.non_positive_count_rows, 0) as non_positive_count_rows,
        coalesce(disclosed.negative_amount_rows, 0) as negative_amount_rows,
        coalesce(disclosed.wan_conversion_gap, 0) as wan_conversion_gap,
        coalesce(disclosed.transaction_count, 0) - executed.transaction_count as transaction_count_gap,
        coalesce(disclosed.transaction_amount, 0) - executed.transaction_amount as transaction_amount_gap,
        coalesce(disclosed.agreement_count, 0) - signed.agreement_count as agreement_count_gap
    from quarters
    left join disclosed on quarters.quarter_label = disclosed.quarter_label
    inner join executed on quarters.quarter_label = executed.quarter_label
    inner join signed on quarters.quarter_label = signed.quarter_label
    """,
    close_quarter_only=True,
    schema="regulatory",
)


FCT_RELATED_PARTY_CLASSIFICATION = FactCheck(
    "fct_related_party_classification",
    "fct_related_party_classification",
    with_quarters(
        """
        classified as (
            select classified.*
            from marts.fct_related_party_classification as classified
            inner join quarters on classified.executed_quarter = quarters.quarter_label
            where quarters.checked
        ),

        executed as (
            select
                t.executed_quarter as quarter_label,
                count(*) as transaction_count,
                sum(t.amount) as transaction_amount
            from marts.fct_related_party_transactions as t
            inner join quarters on t.executed_quarter = quarters.quarter_label
            where quarters.checked
            group by t.executed_quarter
        )

        select
            classified.executed_quarter as quarter_label,
            count(*) as row_count,
            count(*) - count(distinct classified.rpt_transaction_id) as duplicate_keys,
            count(*) - coalesce(max(executed.transaction_count), 0) as transaction_count_gap,
            cast(sum(classified.amount) - coalesce(max(executed.transaction_amount), 0) as double)
                as transaction_amount_gap,
            coalesce(string_agg(distinct classified.classification, ',' order by classified.classification), '')
                as classification_codes,
            sum(case
                when classified.is_major and classified.classification = 'major'
                    and classified.classification_zh = '重大'
                    and classified.major_basis in ('single', 'cumulative') then 0
                when not classified.is_major and classified.classification = 'general'
                    and classified.classification_zh = '一般' and classified.major_basis is null then 0
                else 1
            end) as inconsistent_classification_rows,
            sum(case when classified.major_threshold is null then 1 else 0 end) as rows_without_threshold,
            cast(sum(abs(classified.major_threshold - greatest(classified.threshold_min_amount,
                classified.threshold_min_share_net_assets * coalesce(classified.prior_year_end_net_assets, 0))))
                as double) as threshold_gap,
            sum(case when classified.chain_complete then 0 else 1 end) as incomplete_chain_rows,
            sum(case when not classified.is_major and classified.amount >= classified.major_threshold then 1 else 0 end)
                as general_at_or_above_threshold,
            sum(case when classified.is_major and classified.segment_cumulative_amount < classified.major_threshold
                then 1 else 0 end) as major_below_threshold,
            sum(case when classified.major_basis = 'single' and classified.amount < classified.major_threshold
                then 1 else 0 end) as single_basis_below_threshold
        from classified
        left join executed on classified.executed_quarter = executed.quarter_label
        group by classified.executed_quarter
        """
    ),
)


FCT_RELATED_PARTY_INVESTMENT_LIMITS = FactCheck(
    "fct_related_party_investment_limits",
    "fct_related_party_investment_limits",
    with_quarters(
        """
        invested as (
            select
                as_of_date,
                sum(amount_cny) as amount
            from marts.fct_investments
            where not is_financing
            group by as_of_date
        )

        select
            limits.quarter_label,
            count(*) as row_count,
            sum(case when limits.all_related_limit is null or limits.single_related_limit is null then 1 else 0 end)
                as rows_without_limit,
            sum(case when limits.related_party_investments < 0 or limits.largest_single_party_investment < 0
                or limits.related_parties_invested < 0 then 1 else 0 end) as negative_rows,
            sum(case when limits.largest_single_party_investment > limits.related_party_investments
                or (limits.related_parties_invested = 0) <> (limits.related_party_investments = 0) then 1 else 0 end)
                as inconsistent_party_rows,
            cast(sum(greatest(limits.related_party_investments - coalesce(invested.amount, 0), 0)) as double)
                as related_above_all_investments,
            cast(sum(abs(limits.prior_year_end_total_assets - sheet.total_assets)
                + abs(limits.prior_year_end_net_assets - (sheet.total_assets - sheet.total_liabilities))) as double)
                as prior_year_end_balance_sheet_gap,
            count(*) - count(sheet.month_end) as prior_year_end_balance_sheet_missing,
            cast(sum(greatest(limits.all_related_limit - limits.prior_year_end_net_assets, 0)) as double)
                as all_limit_above_net_assets,
            sum(case when limits.all_related_limit_met = (limits.related_party_investments <= limits.all_related_limit)
                and limits.single_related_limit_met
                = (limits.largest_single_party_investment <= limits.single_related_limit) then 0 else 1 end)
                as inconsistent_limit_flags,
            cast(sum(greatest(limits.related_party_investments - limits.all_related_limit, 0)) as double)
                as all_related_limit_excess,
            cast(sum(greatest(limits.largest_single_party_investment - limits.single_related_limit, 0)) as double)
                as single_related_limit_excess
        from marts.fct_related_party_investment_limits as limits
        inner join quarters on limits.quarter_label = quarters.quarter_label
        left join invested on limits.quarter_end = invested.as_of_date
        left join marts.fct_balance_sheet as sheet
            on sheet.month_end = cast(date_trunc('year', limits.quarter_end) as date) - interval 1 day
        where quarters.checked
        group by limits.quarter_label
        """
    ),
)
