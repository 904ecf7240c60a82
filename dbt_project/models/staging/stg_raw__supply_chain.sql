select
    md5(partner_code || '|' || source_file_hash || '|' || cast(source_row_number as varchar)) as return_line_id,
    partner_code, contract_ref, subcontractor_name, subcontractor_postcode,
    {{ pence_to_gbp('amount_pence') }} as amount_gbp,
    cast(period_end as date) as period_end,
    {{ financial_year('period_end') }} as financial_year,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'supply_chain') }}
