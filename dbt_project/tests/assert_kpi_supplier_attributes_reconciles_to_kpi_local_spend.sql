{{ config(meta={'dagster': {'ref': {'name': 'kpi_supplier_attributes'}}}) }}
-- The good-employer shares rest on exactly the local-spend rule's in-scope spend: every
-- kpi_local_spend row has one row per scheme with the same in-scope £ and partial-year mark, and no
-- scheme holds more spend, or more contract value, than there is.
with schemes as (
    select count(*) as schemes from {{ ref('stg_reference__schemes') }}
),

expected as (
    select
        l.reporting_unit,
        l.financial_year,
        l.in_scope_spend_gbp,
        l.is_partial_year
    from {{ ref('kpi_local_spend') }} as l
)

select
    e.reporting_unit,
    e.financial_year,
    'in-scope spend or partial year differs from kpi_local_spend' as problem
from expected as e
left join {{ ref('kpi_supplier_attributes') }} as a
    on e.reporting_unit = a.reporting_unit and e.financial_year = a.financial_year
where
    e.in_scope_spend_gbp > 0
    and (
        a.reporting_unit is null
        or a.in_scope_spend_gbp <> e.in_scope_spend_gbp
        or a.is_partial_year <> e.is_partial_year
    )
union all
select
    a.reporting_unit,
    a.financial_year,
    'not one row per scheme' as problem
from {{ ref('kpi_supplier_attributes') }} as a
cross join schemes
group by a.reporting_unit, a.financial_year, schemes.schemes
having count(*) <> max(schemes.schemes)
union all
select
    a.reporting_unit,
    a.financial_year,
    'a scheme holds more than there is' as problem
from {{ ref('kpi_supplier_attributes') }} as a
where
    a.holding_spend_gbp + a.unconfirmed_spend_gbp > a.in_scope_spend_gbp
    or a.holding_contract_value_gbp + a.unconfirmed_contract_value_gbp > a.contract_value_gbp
