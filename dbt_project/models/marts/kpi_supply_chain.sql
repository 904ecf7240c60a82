-- Tier-2 (sub-contractor) spend returned by suppliers, classified with the same location and
-- SME/VCSE rules as tier-1 spend (the sub-contractor resolved to dim_supplier).
select
    m.reporting_unit,
    m.reporting_unit_type,
    s.financial_year,
    count(*) as return_lines,
    cast(sum(s.amount_gbp) as decimal(18, 2)) as tier2_spend_gbp,
    cast(coalesce(sum(s.amount_gbp) filter (where h.lad_code is not null), 0) as decimal(18, 2)) as home_spend_gbp,
    cast(coalesce(sum(s.amount_gbp) filter (where d.in_gm), 0) as decimal(18, 2)) as gm_spend_gbp,
    cast(coalesce(sum(s.amount_gbp) filter (where d.in_gm is null), 0) as decimal(18, 2)) as unknown_location_spend_gbp,
    cast(coalesce(sum(s.amount_gbp) filter (where d.is_sme), 0) as decimal(18, 2)) as sme_spend_gbp,
    cast(coalesce(sum(s.amount_gbp) filter (where d.is_vcse), 0) as decimal(18, 2)) as vcse_spend_gbp,
    cast(round(100 * sum(s.amount_gbp) filter (where d.in_gm) / nullif(sum(s.amount_gbp), 0), 2) as decimal(5, 2)) as gm_share_pct,
    (select rule_version from {{ ref('stg_reference__local_spend_rule') }}) as location_rule_version
from {{ ref('stg_raw__supply_chain') }} as s
inner join {{ ref('stg_reference__reporting_unit_members') }} as m on s.partner_code = m.partner_code
left join {{ ref('stg_resolution__party_records') }} as p
    on p.feed = 'supply_chain' and s.partner_code = p.partner_code and s.subcontractor_name = p.supplier_name
left join {{ ref('stg_resolution__supplier_links') }} as l on p.record_key = l.record_key
left join {{ ref('dim_supplier') }} as d on l.supplier_id = d.supplier_id
left join {{ ref('stg_reference__reporting_unit_home_lads') }} as h
    on m.reporting_unit = h.reporting_unit and d.lad_code = h.lad_code
group by 1, 2, 3
