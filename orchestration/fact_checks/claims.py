"""Checks on the claim facts: claims, claim payments, reserves."""

from orchestration.fact_checks.check import FactCheck

FCT_CLAIM_PAYMENTS = FactCheck(
    "fct_claim_payments",
    "fct_claim_payments",
    """
    select
        p.paid_quarter as quarter_label,
        count(*) as row_count,
        count(*) - count(p.line_of_business) as rows_without_line,
        count(*) - count(distinct p.claim_payment_id) as duplicate_keys,
        sum(case when p.amount <= 0 then 1 else 0 end) as non_positive_payments,
        sum(case when p.paid_at < c.reported_at then 1 else 0 end) as payments_before_report
    from marts.fct_claim_payments as p
    left join marts.fct_claims as c on p.claim_id = c.claim_id
    where p.paid_quarter in (select unnest(?))
    group by p.paid_quarter
    """,
)


FCT_CLAIMS = FactCheck(
    "fct_claims",
    "fct_claims",
    """
    with

    claims as (
        select
            *,
            concat(cast(year(reported_date) as varchar), 'Q', cast(quarter(reported_date) as varchar))
                as quarter_label
        from marts.fct_claims
    ),

    orphan_payments as (
        select
            p.paid_quarter as quarter_label,
            count(*) as payments_without_claim
        from marts.fct_claim_payments as p
        anti join marts.fct_claims as c on p.claim_id = c.claim_id
        group by p.paid_quarter
    )

    select
        claims.quarter_label,
        count(*) as row_count,
        count(*) - count(distinct claims.claim_id) as duplicate_keys,
        count(*) - count(claims.line_of_business) as rows_without_policy,
        coalesce(string_agg(distinct claims.line_of_business, ',' order by claims.line_of_business), '')
            as line_codes,
        coalesce(string_agg(distinct claims.report_channel, ',' order by claims.report_channel), '')
            as channel_codes,
        sum(case when claims.accident_date > claims.reported_date then 1 else 0 end) as reported_before_accident,
        sum(case when claims.closed_at < claims.reported_at then 1 else 0 end) as closed_before_report,
        sum(case when claims.first_paid_at > claims.final_paid_at then 1 else 0 end) as first_after_final_payment,
        coalesce(max(orphan_payments.payments_without_claim), 0) as payments_without_claim
    from claims
    left join orphan_payments on claims.quarter_label = orphan_payments.quarter_label
    where claims.quarter_label in (select unnest(?))
    group by claims.quarter_label
    """,
)


FCT_RESERVES = FactCheck(
    "fct_reserves",
    "fct_reserves",
    """
    select
        quarter_label,
        count(*) as row_count,
        sum(case when unearned_premium_reserve < 0 then 1 else 0 end) as negative_upr_rows,
        sum(case when case_reserve < 0 then 1 else 0 end) as negative_case_rows,
        sum(abs(outstanding_claims_reserve - case_reserve - ibnr - claim_handling_expense_reserve))
            as ocr_identity_gap
    from marts.fct_reserves
    where quarter_label in (select unnest(?))
    group by quarter_label
    """,
    close_quarter_only=True,
)
