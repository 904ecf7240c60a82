{{ config(meta={'dagster': {'ref': {'name': 'kpi_spend_by_area'}}}) }}
-- Each level of the ward view adds up to the unit-year's in-scope spend; its GM rows to the GM
-- spend and its unknown row to the unknown-location spend of kpi_local_spend (same rule, same £).
with levels as (
    select
        reporting_unit,
        financial_year,
        area_level,
        sum(in_scope_spend_gbp) as total_gbp,
        coalesce(sum(in_scope_spend_gbp) filter (where is_area or area_code like 'gm_%'), 0) as gm_gbp,
        coalesce(sum(in_scope_spend_gbp) filter (where area_code = 'unknown'), 0) as unknown_gbp
    from {{ ref('kpi_spend_by_area') }}
    group by 1, 2, 3
)

select
    k.reporting_unit,
    k.financial_year,
    l.area_level,
    k.in_scope_spend_gbp,
    l.total_gbp
from {{ ref('kpi_local_spend') }} as k
left join levels as l on k.reporting_unit = l.reporting_unit and k.financial_year = l.financial_year
where
    l.area_level is null
    or abs(k.in_scope_spend_gbp - l.total_gbp) > 0.01
    or abs(k.gm_spend_gbp - l.gm_gbp) > 0.01
    or abs(k.unknown_location_spend_gbp - l.unknown_gbp) > 0.01
