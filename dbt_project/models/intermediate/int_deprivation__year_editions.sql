-- The edition of the Indices of Deprivation that measures each financial year with spend
-- (config/rules.yml deprivation): in_force - the last edition whose first year is on or before the
-- year (years before every first year take the first edition); latest - the newest edition listed.
with rule as (
    select * from {{ ref('stg_reference__deprivation_rule') }}
),

editions as (
    select
        unnest(editions) as edition,
        unnest(editions_from) as first_year,
        generate_subscripts(editions, 1) as position
    from rule
),

years as (
    select distinct financial_year from {{ ref('int_spend__supplier_year') }}
),

in_force as (
    select
        y.financial_year,
        e.edition
    from years as y
    inner join editions as e on y.financial_year >= e.first_year
    qualify row_number() over (partition by y.financial_year order by e.position desc) = 1
)

select
    y.financial_year,
    case
        when rule.edition_choice = 'latest' then (select arg_max(e.edition, e.position) from editions as e)
        else coalesce(f.edition, (select arg_min(e.edition, e.position) from editions as e))
    end as edition,
    rule.edition_choice,
    rule.rule_version
from years as y
cross join rule
left join in_force as f on y.financial_year = f.financial_year
