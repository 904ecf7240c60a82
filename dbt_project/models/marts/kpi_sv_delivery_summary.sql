-- Committed against delivered social value per reporting unit and financial year of award.
select
    m.reporting_unit, m.reporting_unit_type, d.financial_year,
    count(*) as contracts_count,
    cast(sum(d.committed_gbp) as decimal(18, 2)) as committed_gbp,
    cast(sum(d.delivered_gbp) as decimal(18, 2)) as delivered_gbp,
    cast(sum(d.delivered_gbp_current_edition) as decimal(18, 2)) as delivered_gbp_current_edition,
    cast(round(100 * sum(d.delivered_gbp) / nullif(sum(d.committed_gbp), 0), 2) as decimal(7, 2)) as delivery_pct,
    count(*) filter (where d.rag_status = 'red') as red_contracts,
    count(*) filter (where d.rag_status = 'amber') as amber_contracts,
    max(d.rule_version) as rule_version
from {{ ref('int_sv__contract_delivery') }} as d
join {{ ref('stg_reference__reporting_unit_members') }} as m on m.partner_code = d.partner_code
group by 1, 2, 3
