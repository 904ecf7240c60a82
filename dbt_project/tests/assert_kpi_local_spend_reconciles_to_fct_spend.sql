{{ config(meta={'dagster': {'ref': {'name': 'kpi_local_spend'}}}) }}
-- Each partner row of the KPI mart equals the sum, straight from fct_spend, of supplier-years
-- at or above the threshold; each group row equals the sum of its members' partner rows.
with supplier_year as (
    select
        partner_code,
        financial_year,
        supplier_id,
        sum(amount_gbp) as net
    from {{ ref('fct_spend') }}
    group by 1, 2, 3
),

expected_partner as (
    select
        partner_code as reporting_unit,
        financial_year,
        sum(net) as in_scope
    from supplier_year
    where net >= (select threshold_gbp from {{ ref('stg_reference__local_spend_rule') }})
    group by 1, 2
),

kpi as (select * from {{ ref('kpi_local_spend') }}),

partner_mismatch as (
    select
        k.reporting_unit,
        k.financial_year,
        k.in_scope_spend_gbp,
        e.in_scope
    from kpi as k
    full outer join expected_partner as e using (reporting_unit, financial_year)
    where
        coalesce(k.reporting_unit_type, 'partner') = 'partner'
        and k.in_scope_spend_gbp is distinct from e.in_scope
),

group_mismatch as (
    select
        g.reporting_unit,
        g.financial_year,
        g.in_scope_spend_gbp,
        sum(p.in_scope_spend_gbp) as in_scope
    from kpi as g
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m on g.reporting_unit = m.reporting_unit
    inner join kpi as p on m.partner_code = p.reporting_unit and g.financial_year = p.financial_year
    where g.reporting_unit_type = 'group'
    group by 1, 2, 3
    having g.in_scope_spend_gbp <> sum(p.in_scope_spend_gbp)
)

select
    reporting_unit,
    financial_year
from partner_mismatch
union all
select
    reporting_unit,
    financial_year
from group_mismatch
