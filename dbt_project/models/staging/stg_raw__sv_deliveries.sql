select
    partner_code, contract_ref, upper(trim(measure_code)) as measure_code, cast(period_end as date) as period_end,
    delivered_quantity, lower(trim(coalesce(evidence_status, ''))) as evidence_status,
    {{ pence_to_gbp('portal_delivered_pence') }} as portal_delivered_gbp,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'sv_deliveries') }}
