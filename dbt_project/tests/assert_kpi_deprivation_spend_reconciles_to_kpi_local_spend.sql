{{ config(meta={'dagster': {'ref': {'name': 'kpi_deprivation_spend'}}}) }}
-- One row per kpi_local_spend row and domain, with the same in-scope £, and parts nested inside
-- the whole: decile 1 within deciles 1-2 within located within in scope (spend and suppliers).
with domains as (
    select unnest(['imd', 'income', 'employment']) as domain
)

select
    k.reporting_unit,
    k.financial_year,
    d.domain,
    k.in_scope_spend_gbp,
    p.in_scope_spend_gbp as deprivation_in_scope_gbp
from {{ ref('kpi_local_spend') }} as k
cross join domains as d
left join {{ ref('kpi_deprivation_spend') }} as p
    on k.reporting_unit = p.reporting_unit and k.financial_year = p.financial_year and d.domain = p.domain
where
    p.domain is null
    or abs(k.in_scope_spend_gbp - p.in_scope_spend_gbp) > 0.01
    or p.decile_1_spend_gbp > p.deciles_1_2_spend_gbp
    or p.deciles_1_2_spend_gbp > p.located_spend_gbp
    or p.located_spend_gbp > p.in_scope_spend_gbp
    or p.decile_1_suppliers > p.deciles_1_2_suppliers
    or p.deciles_1_2_suppliers > p.located_suppliers
    or p.located_suppliers > p.in_scope_suppliers
