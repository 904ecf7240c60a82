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
    raw_record,
    -- parsed at load where the cells could be read (null otherwise), so the £ set aside is exact
    cast(amount_pence as bigint) as amount_pence,
    cast(payment_date as date) as payment_date,
    -- the year the row would have counted in: its own date where readable, else its file's period
    {{ financial_year("coalesce(cast(payment_date as date), cast(try_strptime(period || '-01', '%Y-%m-%d') as date))") }}
        as financial_year
from {{ source('raw', 'quarantine') }}
