-- The load manifest of every current raw partition.
select
    partner as partner_code,
    feed,
    period,
    source_file,
    source_file_hash,
    load_id,
    cast(loaded_at as timestamp) as loaded_at,
    cast(rows_in as bigint) as rows_in,
    cast(rows_loaded as bigint) as rows_loaded,
    cast(rows_quarantined as bigint) as rows_quarantined,
    cast(loaded_amount_pence as bigint) as loaded_amount_pence,
    cast(passed as boolean) as passed
from {{ source('raw', 'loads') }}
