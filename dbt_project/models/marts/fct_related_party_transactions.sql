-- One row per related-party transaction with the party as registered at execution.
with

transactions as (
    select * from {{ ref('stg_related_party__transactions') }}
),

parties as (
    select * from {{ ref('stg_related_party__parties') }}
),

final as (
    select
        transactions.rpt_transaction_id,
        transactions.related_party_id,
        parties.related_party_name,
        parties.related_party_type,
        parties.relationship,
        transactions.transaction_category,
        transactions.executed_on,
        transactions.executed_quarter,
        transactions.amount,
        transactions.agreement_id,
        (
            parties.valid_from <= transactions.executed_on
            and (parties.valid_to is null or parties.valid_to >= transactions.executed_on)
        ) as is_party_valid_at_execution
    from transactions
    left join parties on transactions.related_party_id = parties.related_party_id
)

select * from final
