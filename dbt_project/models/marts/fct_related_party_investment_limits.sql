-- Related-party investment limits (ORDER-2022-1 Art. 20, cross_ii_related_party_thresholds) per quarter end:
-- investments in all related parties <= min(25 % of prior year-end total assets, 100 % of prior year-end net
-- assets); in one related party <= 30 % of prior year-end net assets. Holdings carry no party id, so a holding
-- is a related-party investment when its issuer is the name of a related party valid at the quarter end.
with

quarters as (
    select
        period_label,
        end_date,
        cast({{ dbt.date_trunc('year', 'end_date') }} as date) as year_start
    from {{ ref('reporting_periods') }}
    where
        period_kind = 'quarter'
        and period_label <= '{{ close_quarter() }}'
),

thresholds as (
    {{ cross_ii_in_force('cross_ii_related_party_thresholds', ['threshold'], 'quarters') }}
),

limits as (
    select
        period_label,
        max(case when threshold = 'investment_all_related_max_share_total_assets' then value end)
            as all_max_share_total_assets,
        max(case when threshold = 'investment_all_related_max_share_net_assets' then value end)
            as all_max_share_net_assets,
        max(case when threshold = 'investment_single_related_max_share_net_assets' then value end)
            as single_max_share_net_assets
    from thresholds
    group by period_label
),

by_party as (
    select
        quarters.period_label,
        parties.related_party_id,
        sum(holdings.amount_cny) as invested
    from quarters
    inner join {{ ref('stg_investments__holdings') }} as holdings on quarters.end_date = holdings.as_of_date
    inner join {{ ref('stg_related_party__parties') }} as parties
        on
            holdings.issuer = parties.related_party_name
            and quarters.end_date >= parties.valid_from
            and (parties.valid_to is null or quarters.end_date <= parties.valid_to)
    where not holdings.is_financing
    group by quarters.period_label, parties.related_party_id
),

totals as (
    select
        period_label,
        sum(invested) as related_party_investments,
        max(invested) as largest_single_party_investment,
        count(*) as related_parties_invested
    from by_party
    group by period_label
),

final as (
    select
        quarters.period_label as quarter_label,
        quarters.end_date as quarter_end,
        balance_sheet.total_assets as prior_year_end_total_assets,
        balance_sheet.total_assets - balance_sheet.total_liabilities as prior_year_end_net_assets,
        coalesce(totals.related_party_investments, 0) as related_party_investments,
        coalesce(totals.largest_single_party_investment, 0) as largest_single_party_investment,
        coalesce(totals.related_parties_invested, 0) as related_parties_invested,
        cast(
            case
                when
                    limits.all_max_share_total_assets * balance_sheet.total_assets
                    <= limits.all_max_share_net_assets * (balance_sheet.total_assets - balance_sheet.total_liabilities)
                    then limits.all_max_share_total_assets * balance_sheet.total_assets
                else limits.all_max_share_net_assets * (balance_sheet.total_assets - balance_sheet.total_liabilities)
            end as decimal(38, 10)
        ) as all_related_limit,
        cast(
            limits.single_max_share_net_assets * (balance_sheet.total_assets - balance_sheet.total_liabilities)
            as decimal(38, 10)
        ) as single_related_limit
    from quarters
    left join {{ ref('fct_balance_sheet') }} as balance_sheet
        on cast({{ dbt.dateadd('day', -1, 'quarters.year_start') }} as date) = balance_sheet.month_end
    left join limits on quarters.period_label = limits.period_label
    left join totals on quarters.period_label = totals.period_label
)

select
    *,
    related_party_investments <= all_related_limit as all_related_limit_met,
    largest_single_party_investment <= single_related_limit as single_related_limit_met
from final
