-- Investment income per booking date and type, signed as it enters the comprehensive yield:
-- income, gains and fair-value changes (incl. OCI) positive; impairment and financing interest negative.
with

income as (
    select * from {{ ref('stg_investments__investment_income') }}
),

final as (
    select
        income_id,
        security_id,
        income_type,
        booked_on,
        amount,
        case
            when income_type in ('impairment', 'financing_interest') then -amount
            else amount
        end as yield_contribution
    from income
)

select * from final
