select
    partner_code, contract_ref, upper(trim(measure_code)) as measure_code, committed_quantity,
    {{ pence_to_gbp('portal_committed_pence') }} as portal_committed_gbp, framework,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'sv_commitments') }}
