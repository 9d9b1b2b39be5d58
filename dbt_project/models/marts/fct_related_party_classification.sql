{%- set levels = 12 -%}
-- Every related-party transaction classified as major (重大) or general (一般) by the thresholds of the
-- related-party rules (cross_ii_related_party_thresholds, ORDER-2022-1 Art. 19): a transaction is major when,
-- single or cumulated with the earlier transactions with the same related party in the calendar year since the
-- last breach, it reaches >= RMB 30 m AND >= 1 % of the prior year-end net assets; counting restarts after each
-- breach. The restart makes the breaches a chain (each segment starts after the previous breach). Without
-- recursive SQL (Spark 3.5 has none) the chain is followed by pointer doubling over {{ levels }} levels (up to
-- 2^{{ levels }} breaches per party and year; chain_complete tests that the chain ended within them). Each level
-- reads the one before it once, and looks its pointers up with a window function instead of a self-join, so
-- the plan grows linearly with the levels on every engine (Spark inlines CTEs: a level read twice would double it).
with

quarters as (
    select
        period_label,
        end_date
    from {{ ref('reporting_periods') }}
    where
        period_kind = 'quarter'
        and period_label <= '{{ close_quarter() }}'
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

-- Level 0: every node's next segment start, and the chain's first node (the year's first transaction).
level_0 as (
    select
        related_party_id,
        year_start,
        sequence_in_year,
        next_start as target_sequence,
        case when sequence_in_year = 1 then 1 else 0 end as in_chain
    from nodes
),

copies as (
    select 1 as copy_no
    union all
    select 2 as copy_no
),

-- Level k + 1 from level k (target = the node 2^k segment starts ahead; in_chain = among the chain's first 2^k
-- nodes). Each row is read in two copies: copy 1 at its own position offers its target and its chain flag,
-- copy 2 at its target's position asks for that target's target (two jumps) and passes its flag on (the chain's
-- nodes 2^k further on); a window over the position answers both.
{% for level in range(levels) %}
    level_{{ level + 1 }}_positions as (
        select
            previous.related_party_id,
            previous.year_start,
            previous.sequence_in_year,
            previous.target_sequence,
            previous.in_chain,
            copies.copy_no,
            case
                when copies.copy_no = 1 then previous.sequence_in_year else previous.target_sequence
            end as position_in_year
        from level_{{ level }} as previous
        cross join copies
    ),

    level_{{ level + 1 }}_lookups as (
        select
            *,
            max(case when copy_no = 1 then target_sequence end) over (
                partition by related_party_id, year_start, position_in_year
            ) as target_of_position,
            max(case when copy_no = 2 then in_chain end) over (
                partition by related_party_id, year_start, position_in_year
            ) as reached_from_chain
        from level_{{ level + 1 }}_positions
    ),

    level_{{ level + 1 }} as (
        select
            related_party_id,
            year_start,
            sequence_in_year,
            max(case when copy_no = 2 then target_of_position end) as target_sequence,
            max(case when copy_no = 1 then greatest(in_chain, coalesce(reached_from_chain, 0)) end) as in_chain
        from level_{{ level + 1 }}_lookups
        group by related_party_id, year_start, sequence_in_year
    ),
{% endfor %}

chained as (
    select
        ordered.*,
        nodes.breach_sequence,
        doubled.in_chain,
        max(case when doubled.sequence_in_year = 1 then doubled.target_sequence end)
            over (partition by ordered.related_party_id, ordered.year_start)
        = ordered.transactions_in_year + 1 as chain_complete
    from ordered
    inner join nodes
        on
            ordered.related_party_id = nodes.related_party_id
            and ordered.year_start = nodes.year_start
            and ordered.sequence_in_year = nodes.sequence_in_year
    inner join level_{{ levels }} as doubled
        on
            ordered.related_party_id = doubled.related_party_id
            and ordered.year_start = doubled.year_start
            and ordered.sequence_in_year = doubled.sequence_in_year
),

-- A transaction's segment starts at the last chain node at or before it.
segmented as (
    select
        *,
        max(case when in_chain = 1 then sequence_in_year end) over (
            partition by related_party_id, year_start
            order by sequence_in_year asc nulls last
            rows between unbounded preceding and current row
        ) as segment_start
    from chained
),

with_segment as (
    select
        *,
        cast(
            sum(amount) over (
                partition by related_party_id, year_start, segment_start
                order by sequence_in_year asc nulls last
                rows between unbounded preceding and current row
            ) as decimal(38, 2)
        ) as segment_cumulative_amount,
        coalesce(
            sequence_in_year
            = max(case when sequence_in_year = segment_start then breach_sequence end)
                over (partition by related_party_id, year_start, segment_start),
            false
        ) as is_major
    from segmented
),

final as (
    select
        rpt_transaction_id,
        related_party_id,
        related_party_name,
        related_party_type,
        transaction_category,
        executed_on,
        executed_quarter,
        amount,
        year_start,
        sequence_in_year,
        segment_start,
        segment_cumulative_amount,
        prior_year_end,
        prior_year_end_net_assets,
        min_amount as threshold_min_amount,
        min_share as threshold_min_share_net_assets,
        major_threshold,
        rule_version,
        is_major,
        case when is_major then 'major' else 'general' end as classification,
        case when is_major then '重大' else '一般' end as classification_zh,
        case
            when is_major and amount >= major_threshold then 'single'
            when is_major then 'cumulative'
        end as major_basis,
        coalesce(chain_complete, false) as chain_complete
    from with_segment
)

select * from final
