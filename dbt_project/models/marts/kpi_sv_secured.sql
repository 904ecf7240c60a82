-- Social value secured: GBP committed (valued at the framework edition in force at award) as a
-- share of contract value, contracts awarded in the year at or above the threshold (GBP 50,000).
-- Value-weighted (sum committed / sum value), not a mean of ratios.
with rule as (select * from {{ ref('stg_reference__social_value_rule') }}),

framework as (
    select
        bool_or(is_illustrative) as illustrative,
        string_agg(distinct framework, ',') as name
    from {{ ref('stg_reference__framework_measures') }}
)

select
    cast(m.reporting_unit as varchar) as reporting_unit,
    cast(m.reporting_unit_type as varchar) as reporting_unit_type,
    cast(c.financial_year as varchar) as financial_year,
    cast(count(*) as bigint) as contracts_count,
    cast(sum(c.contract_value_gbp) as decimal(18, 2)) as contract_value_gbp,
    cast(sum(c.sv_committed_gbp) as decimal(18, 2)) as sv_committed_gbp,
    cast(round(100 * sum(c.sv_committed_gbp) / nullif(sum(c.contract_value_gbp), 0), 2) as decimal(7, 2)) as sv_secured_pct,
    cast(max(rule.secured_min_contract_value_gbp) as decimal(18, 2)) as threshold_gbp,
    cast(max(framework.name) as varchar) as framework,
    bool_or(framework.illustrative) as framework_is_illustrative,
    cast(max(rule.rule_version) as varchar) as rule_version
from {{ ref('fct_contract') }} as c
cross join rule
cross join framework
inner join {{ ref('stg_reference__reporting_unit_members') }} as m on c.partner_code = m.partner_code
where c.contract_value_gbp >= rule.secured_min_contract_value_gbp
group by 1, 2, 3
