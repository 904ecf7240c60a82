{{ config(meta={'dagster': {'ref': {'name': 'kpi_contract_performance'}}}) }}
-- Every contract's ratings to date and rated periods are exactly its rows in
-- fct_contract_kpi_rating, and every rating belongs to a contract of kpi_contract_performance:
-- no rating is dropped between the two published tables.
with ratings as (
    select
        reporting_unit,
        ocid,
        contract_ref,
        count(*) as n,
        count(distinct period_end) as periods,
        max(period_end) as latest_period_end
    from {{ ref('fct_contract_kpi_rating') }}
    group by 1, 2, 3
)

select
    coalesce(k.reporting_unit, r.reporting_unit) as reporting_unit,
    coalesce(k.contract_ref, r.contract_ref) as contract_ref,
    k.ratings_to_date,
    r.n
from {{ ref('kpi_contract_performance') }} as k
full outer join ratings as r
    on k.reporting_unit = r.reporting_unit and k.ocid = r.ocid and k.contract_ref = r.contract_ref
where
    k.contract_ref is null
    or k.ratings_to_date <> coalesce(r.n, 0)
    or k.rating_periods <> coalesce(r.periods, 0)
    or k.latest_period_end is distinct from r.latest_period_end
