-- Mean social value weighting (% of the evaluation model) of contracts awarded in the year with a
-- value at or above the rule's threshold (STAR: GBP 25,000).
with rule as (select * from {{ ref('stg_reference__social_value_rule') }})

select
    cast(m.reporting_unit as varchar) as reporting_unit,
    cast(m.reporting_unit_type as varchar) as reporting_unit_type,
    cast(c.financial_year as varchar) as financial_year,
    cast(count(*) as bigint) as contracts_count,
    cast(round(avg(c.sv_weight_pct), 2) as decimal(5, 2)) as avg_sv_weighting_pct,
    cast(max(rule.weighting_min_contract_value_gbp) as decimal(18, 2)) as threshold_gbp,
    cast(max(rule.rule_version) as varchar) as rule_version
from {{ ref('fct_contract') }} as c
cross join rule
inner join {{ ref('stg_reference__reporting_unit_members') }} as m on c.partner_code = m.partner_code
where c.contract_value_gbp >= rule.weighting_min_contract_value_gbp and c.sv_weight_pct is not null
group by 1, 2, 3
