{%- set levels = 12 -%}
-- Every related-party transaction classified as major (重大) or general (一般) by the thresholds of the
-- related-party rules (cross_ii_related_party_thresholds, ORDER-2022-1 Art. 19): a transaction is major when,
-- single or cumulated with the earlier transactions with the same related party in the calendar year since the
-- last breach, it reaches >= RMB 30 m AND >= 1 % of the prior year-end net assets; counting restarts after each
-- breach. The restart makes the breaches a chain (each segment starts after the previous breach); it is
-- followed with window functions and {{ levels }} pointer-doubling self-joins (up to 2^{{ levels }} breaches per
-- party and year; chain_complete tests that the chain ended within them), so no recursive SQL is needed.
with

quarters as (
    select
        period_label,
        end_date
    from {{ ref('reporting_periods') }}
    where
        period_kind = 'quarter'
        and period_label <= '{{ var("close_quarter") }}'
),

thresholds as (
    {{ cross_ii_in_force('cross_ii_related_party_thresholds', ['threshold'], 'quarters') }}
),

threshold_values as (
    select
        period_label,
        max(case when threshold = 'major_transaction_min_amount' then value end) as min_amount,
        max(case when threshold = 'major_transaction_min_share_net_assets' then value end) as min_share,
        max(case when threshold = 'major_transaction_min_amount' then rule_version end) as rule_version
    from thresholds
    group by period_label
),

transactions as (
    select
        rpt_transaction_id,
        related_party_id,
        related_party_name,
        related_party_type,
        transaction_category,
        executed_on,
        executed_quarter,
        amount,
        cast({{ dbt.date_trunc('year', 'executed_on') }} as date) as year_start
    from {{ ref('fct_related_party_transactions') }}
),

with_threshold as (
    select
        transactions.*,
        cast({{ dbt.dateadd('day', -1, 'transactions.year_start') }} as date) as prior_year_end,
        balance_sheet.total_assets - balance_sheet.total_liabilities as prior_year_end_net_assets,
        threshold_values.rule_version,
        threshold_values.min_amount,
        threshold_values.min_share,
        cast(
            case
                when
                    balance_sheet.total_assets - balance_sheet.total_liabilities is null
                    or threshold_values.min_amount
                    >= threshold_values.min_share * (balance_sheet.total_assets - balance_sheet.total_liabilities)
                    then threshold_values.min_amount
                else threshold_values.min_share * (balance_sheet.total_assets - balance_sheet.total_liabilities)
            end as decimal(38, 10)
        ) as major_threshold
    from transactions
    left join {{ ref('fct_balance_sheet') }} as balance_sheet
        on cast({{ dbt.dateadd('day', -1, 'transactions.year_start') }} as date) = balance_sheet.month_end
    left join threshold_values on transactions.executed_quarter = threshold_values.period_label
),

ordered as (
    select
        *,
        row_number() over (
            partition by related_party_id, year_start
            order by executed_on asc nulls last, rpt_transaction_id asc nulls last
        ) as sequence_in_year,
        count(*) over (partition by related_party_id, year_start) as transactions_in_year,
        sum(amount) over (
            partition by related_party_id, year_start
            order by executed_on asc nulls last, rpt_transaction_id asc nulls last
            rows between unbounded preceding and current row
        ) as cumulative_amount
    from with_threshold
),

-- For each transaction i: if a segment started at i, the transaction that would breach it (the first j >= i
-- whose cumulative amount since i reaches the threshold), and the start of the next segment.
breach_if_start as (
    select
        start_rows.related_party_id,
        start_rows.year_start,
        start_rows.sequence_in_year,
        min(candidates.sequence_in_year) as breach_sequence
    from ordered as start_rows
    inner join ordered as candidates
        on
            start_rows.related_party_id = candidates.related_party_id
            and start_rows.year_start = candidates.year_start
            and start_rows.sequence_in_year <= candidates.sequence_in_year
            and candidates.cumulative_amount - (start_rows.cumulative_amount - start_rows.amount)
            >= start_rows.major_threshold
    group by start_rows.related_party_id, start_rows.year_start, start_rows.sequence_in_year
),

nodes as (
    select
        ordered.related_party_id,
        ordered.year_start,
        ordered.sequence_in_year,
        breach_if_start.breach_sequence,
        coalesce(breach_if_start.breach_sequence, ordered.transactions_in_year) + 1 as next_start
    from ordered
    left join breach_if_start
        on
            ordered.related_party_id = breach_if_start.related_party_id
            and ordered.year_start = breach_if_start.year_start
            and ordered.sequence_in_year = breach_if_start.sequence_in_year
    union all
    select distinct
        related_party_id,
        year_start,
        transactions_in_year + 1 as sequence_in_year,
        cast(null as bigint) as breach_sequence,
        transactions_in_year + 1 as next_start
    from ordered
),

jump_0 as (
    select
        related_party_id,
        year_start,
        sequence_in_year,
        next_start as target_sequence
    from nodes
),

{% for level in range(levels) %}
    jump_{{ level + 1 }} as (
        select
            first_jump.related_party_id,
            first_jump.year_start,
            first_jump.sequence_in_year,
            second_jump.target_sequence
        from jump_{{ level }} as first_jump
        inner join jump_{{ level }} as second_jump
            on
                first_jump.related_party_id = second_jump.related_party_id
                and first_jump.year_start = second_jump.year_start
                and first_jump.target_sequence = second_jump.sequence_in_year
    ),
{% endfor %}

starts_0 as (
    select distinct
        related_party_id,
        year_start,
        1 as sequence_in_year
    from ordered
),

{% for level in range(levels) %}
    starts_{{ level + 1 }} as (
        select
            related_party_id,
            year_start,
            sequence_in_year
        from starts_{{ level }}
        union
        select
            jumps.related_party_id,
            jumps.year_start,
            jumps.target_sequence as sequence_in_year
        from starts_{{ level }} as known
        inner join jump_{{ level }} as jumps
            on
                known.related_party_id = jumps.related_party_id
                and known.year_start = jumps.year_start
                and known.sequence_in_year = jumps.sequence_in_year
    ),
{% endfor %}

segment_starts as (
    select
        known_starts.related_party_id,
        known_starts.year_start,
        known_starts.sequence_in_year as segment_start,
        nodes.breach_sequence
    from starts_{{ levels }} as known_starts
    inner join nodes
        on
            known_starts.related_party_id = nodes.related_party_id
            and known_starts.year_start = nodes.year_start
            and known_starts.sequence_in_year = nodes.sequence_in_year
),

chain_end as (
    select
        related_party_id,
        year_start,
        target_sequence
    from jump_{{ levels }}
    where sequence_in_year = 1
),

assigned as (
    select
        ordered.rpt_transaction_id,
        max(segment_starts.segment_start) as segment_start
    from ordered
    inner join segment_starts
        on
            ordered.related_party_id = segment_starts.related_party_id
            and ordered.year_start = segment_starts.year_start
            and ordered.sequence_in_year >= segment_starts.segment_start
    group by ordered.rpt_transaction_id
),

final as (
    select
        ordered.rpt_transaction_id,
        ordered.related_party_id,
        ordered.related_party_name,
        ordered.related_party_type,
        ordered.transaction_category,
        ordered.executed_on,
        ordered.executed_quarter,
        ordered.amount,
        ordered.year_start,
        ordered.sequence_in_year,
        assigned.segment_start,
        ordered.cumulative_amount - starts_row.cumulative_amount + starts_row.amount as segment_cumulative_amount,
        ordered.prior_year_end,
        ordered.prior_year_end_net_assets,
        ordered.min_amount as threshold_min_amount,
        ordered.min_share as threshold_min_share_net_assets,
        ordered.major_threshold,
        ordered.rule_version,
        coalesce(ordered.sequence_in_year = segment_starts.breach_sequence, false) as is_major,
        case
            when ordered.sequence_in_year = segment_starts.breach_sequence then 'major'
            else 'general'
        end as classification,
        case when ordered.sequence_in_year = segment_starts.breach_sequence then '重大' else '一般' end
            as classification_zh,
        case
            when
                ordered.sequence_in_year = segment_starts.breach_sequence
                and ordered.amount >= ordered.major_threshold
                then 'single'
            when ordered.sequence_in_year = segment_starts.breach_sequence then 'cumulative'
        end as major_basis,
        coalesce(chain_end.target_sequence = ordered.transactions_in_year + 1, false) as chain_complete
    from ordered
    inner join assigned on ordered.rpt_transaction_id = assigned.rpt_transaction_id
    inner join segment_starts
        on
            ordered.related_party_id = segment_starts.related_party_id
            and ordered.year_start = segment_starts.year_start
            and assigned.segment_start = segment_starts.segment_start
    inner join ordered as starts_row
        on
            ordered.related_party_id = starts_row.related_party_id
            and ordered.year_start = starts_row.year_start
            and assigned.segment_start = starts_row.sequence_in_year
    left join chain_end
        on ordered.related_party_id = chain_end.related_party_id and ordered.year_start = chain_end.year_start
)

select * from final
