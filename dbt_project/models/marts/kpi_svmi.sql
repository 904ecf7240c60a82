-- Social Value Maturity Index scores over time per partner (issue 17): each dimension's score,
-- the previous year's and the change, and an 'overall' row per year (the mean of the dimensions
-- scored, with how many of the index's dimensions were scored).
with rule as (
    select
        rule_version,
        min_score,
        max_score,
        len(dimensions) as dimensions_in_index
    from {{ ref('stg_reference__svmi_rule') }}
),

scores as (
    select
        partner_code,
        financial_year,
        dimension,
        score
    from {{ ref('stg_raw__svmi') }}
),

with_overall as (
    select
        partner_code,
        financial_year,
        dimension,
        score,
        1 as dimensions_scored
    from scores
    union all
    select
        partner_code,
        financial_year,
        'overall' as dimension,
        cast(round(avg(score), 2) as decimal(6, 2)) as score,
        count(*) as dimensions_scored
    from scores
    group by 1, 2
)

select
    w.partner_code,
    w.financial_year,
    w.dimension,
    cast(w.score as decimal(6, 2)) as score,
    cast(lag(w.score) over (partition by w.partner_code, w.dimension order by w.financial_year) as decimal(6, 2))
        as previous_score,
    cast(
        w.score - lag(w.score) over (partition by w.partner_code, w.dimension order by w.financial_year)
        as decimal(6, 2)
    ) as change_from_previous,
    cast(w.dimensions_scored as bigint) as dimensions_scored,
    cast(rule.dimensions_in_index as bigint) as dimensions_in_index,
    cast(rule.min_score as decimal(6, 2)) as scale_min,
    cast(rule.max_score as decimal(6, 2)) as scale_max,
    rule.rule_version
from with_overall as w
cross join rule
