select
    partner_code,
    feed,
    period,
    source_file,
    source_file_hash,
    cast(source_row_number as bigint) as source_row_number,
    load_id,
    loaded_at,
    checks,
    reason,
    fix,
    raw_record
from {{ source('raw', 'quarantine') }}
