-- Month-end investment positions by asset class and currency (CNY and original currency), financing
-- positions (repo) apart. Investable funds net = assets held - financing.
with

holdings as (
    select * from {{ ref('stg_investments__holdings') }}
),

final as (
    select
        as_of_date,
        asset_class,
        currency,
        is_financing,
        count(*) as positions,
        sum(amount_original) as amount_original,
        sum(amount_cny) as amount_cny
    from holdings
    group by as_of_date, asset_class, currency, is_financing
)

select * from final
