-- Social Value Maturity Index scores (dimension codes normalised at ingestion, ingestion/feed_checks.py).
select
    partner_code,
    cast(financial_year as varchar) as financial_year,
    cast(dimension as varchar) as dimension,
    cast(score as decimal(6, 2)) as score,
    cast(assessed_on as date) as assessed_on,
    assessed_by,
    source_file,
    source_file_hash,
    cast(source_row_number as bigint) as source_row_number,
    load_id
from {{ source('raw', 'svmi') }}
