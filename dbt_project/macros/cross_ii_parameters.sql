{#-
    C-ROSS II helpers for the solvency models (issue 4). Every factor comes from the cross_ii_* seeds; these
    macros only select the rows in force and apply the formulas the rules print.
-#}

{#-
    Rows of a versioned cross_ii_* seed in force for each period of `periods` (a relation or CTE with
    period_label, a quarter written 2025Q2, and end_date). A rule version is in force for a quarter when
    its applies_from_quarter <= the quarter; when the text read gives no applies_from_quarter, when it was
    issued on or before the quarter end; when neither is known (ORDER-2022-1, the only undated version),
    it is taken as in force. For each key (the seed's unique_combination minus rule_version) the latest
    version in force wins; keys a later version does not restate keep their earlier row.
-#}
{% macro cross_ii_in_force(seed_name, key_columns, periods) -%}
    select ranked.*
    from (
        select
            in_force_periods.period_label,
            in_force_periods.end_date as period_end,
            parameters.*,
            row_number() over (
                partition by
                    in_force_periods.period_label
                    {%- for key in key_columns %}, parameters.{{ key }}{% endfor %}
                order by parameters.rule_version desc nulls last
            ) as version_rank
        from {{ periods }} as in_force_periods
        cross join {{ ref(seed_name) }} as parameters
        inner join {{ ref('cross_ii_rule_versions') }} as versions
            on parameters.rule_version = versions.rule_version
        where
            versions.applies_from_quarter <= in_force_periods.period_label
            or (versions.applies_from_quarter is null and versions.issued_on <= in_force_periods.end_date)
            or (versions.applies_from_quarter is null and versions.issued_on is null)
    ) as ranked
    where ranked.version_rank = 1
{%- endmacro %}

{#- Whether `value` lies in the band of a seed row (null bound = infinite; *_inclusive flags the ends). -#}
{% macro cross_ii_in_band(value, alias, lower='band_lower', upper='band_upper') -%}
    (
        ({{ alias }}.{{ lower }} is null
            or {{ value }} > {{ alias }}.{{ lower }}
            or ({{ alias }}.lower_inclusive and {{ value }} = {{ alias }}.{{ lower }}))
        and ({{ alias }}.{{ upper }} is null
            or {{ value }} < {{ alias }}.{{ upper }}
            or ({{ alias }}.upper_inclusive and {{ value }} = {{ alias }}.{{ upper }}))
    )
{%- endmacro %}

{#-
    Square-root aggregation MC = sqrt(x' M x) (C-ROSS II Rule 2 Art. 15; R4 Art. 44; R8 Art. 70; R9 Art. 8)
    written as a sum over pairs: sum_i sum_j rho_ij * MC_i * MC_j with rho_ii = 1, rho_ij from the
    correlations in force (`correlations`: the cross_ii_correlations rows per period_label) for `matrix`.
    `components` has one row per group and risk with columns period_label, the group columns, risk, capital.
    Pairs missing from the seed count with rho = 0 and are counted in missing_correlation_pairs (tested = 0).
    Products are taken in double precision, summed in an order each engine chooses; the result is money,
    rounded to the fen (where DuckDB and Spark agree), as decimal(38, 10).
-#}
{% macro cross_ii_correlated_total(components, correlations, matrix, group_columns=['period_label']) -%}
    select
        {%- for column in group_columns %}
        left_side.{{ column }},
        {%- endfor %}
        cast(cast(sqrt(greatest(sum(
            cast(left_side.capital as double) * cast(right_side.capital as double)
            * case
                when left_side.risk = right_side.risk then cast(1 as double)
                else cast(coalesce(rho.rho, 0) as double)
            end
        ), cast(0 as double))) as decimal(38, 2)) as decimal(38, 10)) as capital,
        sum(
            case when left_side.risk != right_side.risk and rho.rho is null then 1 else 0 end
        ) as missing_correlation_pairs
    from {{ components }} as left_side
    inner join {{ components }} as right_side
        on
            {%- for column in group_columns %}
            {% if not loop.first %}and {% endif %}left_side.{{ column }} = right_side.{{ column }}
            {%- endfor %}
    left join {{ correlations }} as rho
        on
            left_side.period_label = rho.period_label
            and rho.matrix = '{{ matrix }}'
            and left_side.risk = rho.risk_a
            and right_side.risk = rho.risk_b
    group by
        {%- for column in group_columns %}
        left_side.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}

{#-
    The solvency standards (偿付能力达标): core ratio >= 50 %, comprehensive ratio >= 100 %, integrated risk
    rating class B or better (保险公司偿付能力管理规定, CBIRC Order 2021 No. 1, Art. 11). Not a C-ROSS II
    factor and not in the cross_ii_* seeds (docs/cross_ii_parameters.md lists them as not seeded): kept here,
    in one place, until a seed row holds them.
-#}
{% macro cross_ii_solvency_standard(name) -%}
    {%- set standards = {
        'core_solvency_ratio_min_percent': 'cast(50 as decimal(38, 10))',
        'comprehensive_solvency_ratio_min_percent': 'cast(100 as decimal(38, 10))',
        'rating_classes_passing': "('A', 'B')",
    } -%}
    {{ standards[name] }}
{%- endmacro %}

{#- Rating class of an integrated risk rating (C-ROSS II Rule 11): AAA/AA/A -> A, BBB/BB/B -> B, C, D. -#}
{% macro cross_ii_rating_class(rating) -%}
    case
        when {{ rating }} in ('AAA', 'AA', 'A') then 'A'
        when {{ rating }} in ('BBB', 'BB', 'B') then 'B'
        when {{ rating }} = 'C' then 'C'
        when {{ rating }} = 'D' then 'D'
    end
{%- endmacro %}
