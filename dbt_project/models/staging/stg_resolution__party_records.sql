select
    cast(feed as varchar) as feed,
    cast(partner_code as varchar) as partner_code,
    cast(supplier_name as varchar) as supplier_name,
    cast(record_key as varchar) as record_key
from {{ source('resolution', 'party_records') }}
