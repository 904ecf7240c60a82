select
    b.bid_id,
    b.partner_code,
    b.tender_ref,
    b.lot,
    b.title,
    links.supplier_id,
    b.bidder_name,
    b.is_sme_declared,
    b.is_vcse_declared,
    b.sme_status_unknown,
    b.vcse_status_unknown,
    b.is_winner,
    b.decision_date,
    b.financial_year,
    b.bid_value_gbp,
    b.source_file,
    b.source_file_hash,
    b.source_row_number
from {{ ref('stg_raw__tenders') }} as b
left join {{ ref('stg_resolution__party_records') }} as p
    on p.feed = 'tenders' and b.partner_code = p.partner_code and b.bidder_name = p.supplier_name
left join {{ ref('stg_resolution__supplier_links') }} as links on p.record_key = links.record_key
