"""Checks on the related-party facts and the related-party disclosure."""

from orchestration.fact_checks.check import FactCheck

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
