select
    md5(partner_code || '|' || source_file_hash || '|' || cast(source_row_number as varchar)) as bid_id,
    partner_code, tender_ref, lot, title, bidder_name, bidder_ref, buyer_name,
    coalesce(is_sme_declared, false) as is_sme_declared,
    coalesce(is_vcse_declared, false) as is_vcse_declared,
    is_sme_declared is null as sme_status_unknown,
    is_vcse_declared is null as vcse_status_unknown,
    coalesce(is_winner, false) as is_winner,
    cast(decision_date as date) as decision_date,
    {{ financial_year('decision_date') }} as financial_year,
    {{ pence_to_gbp('bid_value_pence') }} as bid_value_gbp,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'tenders') }}
