{{ config(meta={'dagster': {'ref': {'name': 'kpi_sv_secured'}}}) }}
-- Each partner's SV committed equals the valued commitments of its qualifying contracts.
with rule as (select * from {{ ref('stg_reference__social_value_rule') }}),

expected as (
    select
        c.partner_code as reporting_unit,
        c.financial_year,
        sum(v.committed_gbp) as committed
    from {{ ref('int_sv__commitments_valued') }} as v
    inner join {{ ref('stg_raw__contracts') }} as c on v.contract_id = c.contract_id
    cross join rule
    where c.contract_value_gbp >= rule.secured_min_contract_value_gbp
    group by 1, 2
)

select
    k.reporting_unit,
    k.financial_year
from {{ ref('kpi_sv_secured') }} as k
inner join expected as e using (reporting_unit, financial_year)
where k.reporting_unit_type = 'partner' and k.sv_committed_gbp <> e.committed
