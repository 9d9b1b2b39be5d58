"""Checks on the policy facts: premium transactions, premiums by quarter, product, line and channel with the UPR
per cohort and quarter they sum, policies."""

from orchestration.fact_checks.check import FactCheck, with_quarters

FCT_PREMIUM_TRANSACTIONS = FactCheck(
    "fct_premium_transactions",
    "fct_premium_transactions",
    """
    select
        booked_quarter as quarter_label,
        count(*) as row_count,
        count(*) - count(line_of_business) as rows_without_line,
        count(*) - count(distinct premium_transaction_id) as duplicate_keys,
        sum(case when transaction_type in ('written', 'endorsement') and amount < 0 then 1 else 0 end)
            as negative_written_rows,
        sum(case when transaction_type in ('cancellation', 'refund') and amount > 0 then 1 else 0 end)
            as positive_refund_rows,
        sum(case when booked_quarter <> concat(cast(year(booked_date) as varchar), 'Q',
            cast(quarter(booked_date) as varchar)) then 1 else 0 end) as rows_outside_quarter
    from marts.fct_premium_transactions
    where booked_quarter in (select unnest(?))
    group by booked_quarter
    """,
)


# fct_premiums is one row per quarter, product, line and channel; the cohort-level rules read the UPR per cohort of
# policies of equal cover (int_policies__quarter_end_upr) of the checked quarters and the quarters before them.
FCT_PREMIUMS = FactCheck(
    "fct_premiums",
    "fct_premiums",
    with_quarters(
        """
        closing as (
            select
                quarter_label,
                sum(closing_upr) as closing_upr
            from marts.fct_premiums
            group by quarter_label
        ),

        booked as (
            select
                booked_quarter as quarter_label,
                sum(amount) as amount
            from marts.fct_premium_transactions
            where booked_quarter in (select quarter_label from quarters where checked)
            group by booked_quarter
        ),

        cohort_upr as (
            select
                quarter_label,
                sum(policies) as policies,
                count(*) - count(distinct (product_code, line_of_business, channel, start_date, end_date))
                    as duplicate_cohorts,
                sum(case when unearned_premium_reserve < 0 then 1 else 0 end) as negative_cohort_upr_rows,
                sum(unearned_premium_reserve) as closing_upr
            from intermediate.int_policies__quarter_end_upr
            where quarter_label in (
                select quarter_label from quarters where checked
                union all
                select previous_label from quarters where checked
            )
            group by quarter_label
        ),

        premiums as (
            select
                quarter_label,
                count(*) as row_count,
                count(*) - count(distinct (product_code, line_of_business, channel)) as duplicate_keys,
                count(*) - count(line_of_business) as rows_without_line,
                coalesce(string_agg(distinct line_of_business, ',' order by line_of_business), '') as line_codes,
                coalesce(string_agg(distinct channel, ',' order by channel), '') as channel_codes,
                sum(case when opening_upr < 0 or closing_upr < 0 then 1 else 0 end) as negative_upr_rows,
                sum(abs(earned_premium - (written_premium + opening_upr - closing_upr))) as earned_identity_gap,
                sum(policies) as policies,
                sum(written_premium) as written_premium,
                sum(opening_upr) as opening_upr,
                sum(closing_upr) as closing_upr
            from marts.fct_premiums
            where quarter_label in (select quarter_label from quarters where checked)
            group by quarter_label
        )

        select
            premiums.quarter_label,
            premiums.row_count,
            premiums.duplicate_keys,
            premiums.rows_without_line,
            premiums.line_codes,
            premiums.channel_codes,
            premiums.negative_upr_rows + coalesce(cohort_upr.negative_cohort_upr_rows, 0)
                + coalesce(previous_upr.negative_cohort_upr_rows, 0) as negative_upr_rows,
            premiums.earned_identity_gap,
            premiums.written_premium - coalesce(booked.amount, 0) as written_vs_transactions_gap,
            premiums.opening_upr - coalesce(closing.closing_upr, 0) as opening_vs_previous_closing_gap,
            coalesce(cohort_upr.duplicate_cohorts, 0) as duplicate_cohorts,
            premiums.closing_upr - coalesce(cohort_upr.closing_upr, 0) as closing_vs_cohort_upr_gap,
            premiums.policies - coalesce(cohort_upr.policies, 0) as policies_vs_cohort_policies
        from premiums
        inner join quarters on premiums.quarter_label = quarters.quarter_label
        left join closing on quarters.previous_label = closing.quarter_label
        left join booked on premiums.quarter_label = booked.quarter_label
        left join cohort_upr on premiums.quarter_label = cohort_upr.quarter_label
        left join cohort_upr as previous_upr on quarters.previous_label = previous_upr.quarter_label
        order by premiums.quarter_label
        """
    ),
)


# The checked quarters' policies (by issue date), read again by each query that needs them: not materialised, so
# that no copy of 34 million wide rows (scale 10's two quarters) is held beside the queries' hash tables.
CHECKED_POLICIES = """
        policies as not materialized (
            select
                quarters.quarter_label,
                policies.*
            from marts.fct_policies as policies
            inner join quarters on cast(policies.issued_at as date) between quarters.start_date and quarters.end_date
            where quarters.checked
        ),
"""

# Three queries, run one after another (FactCheck.parts): the policies' own figures and their keys, the member
# lookup, the transactions reconciliation. In one query their hash tables exceeded 9 GB at scale 10.
FCT_POLICIES = FactCheck(
    "fct_policies",
    "fct_policies",
    with_quarters(
        CHECKED_POLICIES
        + """
        -- a checked policy's key anywhere else in the table (grouping only the keys of the checked quarters)
        repeated as (
            select policy_id
            from marts.fct_policies
            where policy_id in (select policies.policy_id from policies)
            group by policy_id
            having count(*) > 1
        ),

        -- the codes found, from the few distinct (quarter, line, channel) rows
        codes as (
            select
                quarter_label,
                coalesce(string_agg(distinct line_of_business, ',' order by line_of_business), '') as line_codes,
                coalesce(string_agg(distinct channel, ',' order by channel), '') as channel_codes
            from (select distinct quarter_label, line_of_business, channel from policies) as found
            group by quarter_label
        ),

        figures as (
            select
                policies.quarter_label,
                count(*) as row_count,
                count(repeated.policy_id) as duplicate_keys,
                count(*) - count(policies.line_of_business) as rows_without_product,
                sum(case when policies.end_date < policies.start_date then 1 else 0 end) as cover_end_before_start,
                sum(case when policies.sum_insured <= 0 then 1 else 0 end) as non_positive_sum_insured,
                sum(case when policies.cancelled_on < cast(policies.issued_at as date)
                    or policies.cancelled_on > policies.end_date then 1 else 0 end) as cancellation_out_of_term
            from policies
            left join repeated on policies.policy_id = repeated.policy_id
            group by policies.quarter_label
        )

        select
            figures.*,
            codes.line_codes,
            codes.channel_codes
        from figures
        inner join codes on figures.quarter_label = codes.quarter_label
        """
    ),
    parts=(
        with_quarters(
            CHECKED_POLICIES
            + """
            members as (
                select member_id
                from marts.dim_members
            )

            select
                policies.quarter_label,
                count(*) - count(members.member_id) as rows_without_member
            from policies
            left join members on policies.member_id = members.member_id
            group by policies.quarter_label
            """
        ),
        with_quarters(
            """
            transactions as (
                select
                    t.booked_quarter as quarter_label,
                    sum(case when p.policy_id is null then 1 else 0 end) as transactions_without_policy,
                    sum(case when p.line_of_business <> t.line_of_business then 1 else 0 end)
                        as line_mismatch_transactions
                from marts.fct_premium_transactions as t
                inner join quarters on t.booked_quarter = quarters.quarter_label
                left join marts.fct_policies as p on t.policy_id = p.policy_id
                where quarters.checked
                group by t.booked_quarter
            )

            select
                quarters.quarter_label,
                coalesce(transactions.transactions_without_policy, 0) as transactions_without_policy,
                coalesce(transactions.line_mismatch_transactions, 0) as line_mismatch_transactions
            from quarters
            left join transactions on quarters.quarter_label = transactions.quarter_label
            where quarters.checked
            """
        ),
    ),
)
