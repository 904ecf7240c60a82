-- One row per contract-register row, with the resolved supplier and its valued commitments.
select
    c.contract_id,
    c.partner_code,
    c.contract_ref,
    c.title,
    links.supplier_id,
    c.supplier_name,
    c.award_date,
    c.financial_year,
    c.start_date,
    c.end_date,
    c.contract_value_gbp,
    c.annual_value_gbp,
    c.procurement_route,
    c.category,
    c.price_weight_pct,
    c.quality_weight_pct,
    c.sv_weight_pct,
    cast(coalesce(d.committed_gbp, 0) as decimal(18, 2)) as sv_committed_gbp,
    c.source_file,
    c.source_file_hash,
    c.source_row_number,
    c.load_id
from {{ ref('stg_raw__contracts') }} as c
left join {{ ref('stg_resolution__party_records') }} as p
    on p.feed = 'contracts' and c.partner_code = p.partner_code and c.supplier_name = p.supplier_name
left join {{ ref('stg_resolution__supplier_links') }} as links on p.record_key = links.record_key
left join (
    select
        contract_id,
        sum(committed_gbp) as committed_gbp
    from {{ ref('int_sv__commitments_valued') }}
    group by 1
) as d on c.contract_id = d.contract_id
